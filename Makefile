PY ?= .venv/bin/python

.PHONY: check lint test bench

# Everything a change must pass: lint, format, types, tests.
check: lint test

lint:
	$(PY) -m ruff check authoring tests benchmarks
	$(PY) -m mypy authoring

test:
	$(PY) -m pytest -q

bench:
	$(PY) benchmarks/bench_generate.py
	$(PY) benchmarks/bench_check.py
