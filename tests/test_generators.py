"""Every built-in generator: loads, generates its default number of unique examples
deterministically, with balanced answer positions, clean text and a documented task.yaml."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from authoring.expand import estimate_space, expand
from authoring.resources import builtin_names
from authoring.spec import load_task

NAMES = builtin_names()


@cache
def examples(name: str) -> tuple:
    spec = load_task(name)
    return tuple(expand(spec, spec.n_default))


def test_enough_builtins() -> None:
    assert len(NAMES) >= 13, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_task_yaml_documented(name: str) -> None:
    spec = load_task(name)
    assert spec.name == name
    for field in ("description", "hypothesis", "mechanism", "source"):
        assert getattr(spec, field).strip(), f"{name}: empty {field}"
    assert spec.n_default >= 300


@pytest.mark.parametrize("name", NAMES)
def test_space_covers_default(name: str) -> None:
    spec = load_task(name)
    assert estimate_space(spec).total >= spec.n_default


@pytest.mark.parametrize("name", NAMES)
def test_generates_unique_deterministic(name: str) -> None:
    spec = load_task(name)
    first = examples(name)
    assert len(first) == spec.n_default
    keys = {(e.prompt, e.other_prompt, e.completion, tuple(sorted(e.classes or ()))) for e in first}
    assert len(keys) == len(first), "duplicate examples"
    again = tuple(expand(load_task(name), spec.n_default))
    assert [(e.prompt, e.other_prompt, e.classes, e.answer_index, e.completion) for e in first] == [
        (e.prompt, e.other_prompt, e.classes, e.answer_index, e.completion) for e in again
    ]


@pytest.mark.parametrize("name", NAMES)
def test_clean_text_and_classes(name: str) -> None:
    for e in examples(name):
        texts = [e.prompt, e.other_prompt or "", e.completion or "", *(e.classes or ())]
        for text in texts:
            assert "{{" not in text and "{%" not in text and "}}" not in text, text
        if e.classes is not None:
            assert len(e.classes) >= 2
            assert len(set(e.classes)) == len(e.classes)
            assert all(c.startswith(" ") for c in e.classes), e.classes
            assert 0 <= e.answer_index < len(e.classes)


@pytest.mark.parametrize("name", NAMES)
def test_answer_positions_balanced(name: str) -> None:
    spec = load_task(name)
    if not spec.type.has_classes:
        return
    counts = Counter(e.answer_index for e in examples(name))
    n = sum(counts.values())
    k = len(spec.classes)
    if spec.shuffle_classes:
        # Dealt from a shuffled deck per block: exactly balanced up to one block.
        assert max(counts.values()) - min(counts.get(i, 0) for i in range(k)) <= k, counts
    elif isinstance(spec.answer_index, int):
        pytest.skip("fixed answer position without shuffling (classes not listed in the prompt)")
    else:
        # Computed answers: no position may take more than 70% of the rows.
        assert max(counts.values()) <= 0.7 * n, counts
