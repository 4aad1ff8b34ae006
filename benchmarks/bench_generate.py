"""Benchmark: examples per second and peak memory for `generate` and `validate`.

Each size runs in a fresh subprocess, so the peak RSS it reports belongs to that size alone;
flat memory means the figure barely moves as N grows 100-fold.

Usage:
    python benchmarks/bench_generate.py                  # 10k, 100k, 1M of belief-biased-qa
    python benchmarks/bench_generate.py --sizes 1000 20000 --task instruction-skipping
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from authoring.dataset import generate_dataset
from authoring.validate import validate_file

task, n, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
result = generate_dataset(task, n, 0, out, ("csv", "jsonl"))
generated = time.perf_counter()
rss_generate = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
report = validate_file(result.paths["csv"])
validated = time.perf_counter()
rss_validate = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "n": n,
    "generate_s": generated - start,
    "validate_s": validated - generated,
    "rss_after_generate_mb": rss_generate / 1024,
    "rss_after_validate_mb": rss_validate / 1024,
    "errors": len(report.errors),
    "csv_mb": result.paths["csv"].stat().st_size / 2**20,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="belief-biased-qa")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    print(f"task: {args.task}")
    header = (
        f"{'N':>10} {'generate ex/s':>14} {'validate ex/s':>14} "
        f"{'peak RSS gen MB':>16} {'peak RSS val MB':>16} {'CSV MB':>8} {'errors':>7}"
    )
    print(header)
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as out:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, args.task, str(n), out],
                capture_output=True,
                text=True,
                check=True,
            )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{n:>10,} {n / row['generate_s']:>14,.0f} {n / row['validate_s']:>14,.0f} "
            f"{row['rss_after_generate_mb']:>16,.0f} {row['rss_after_validate_mb']:>16,.0f} "
            f"{row['csv_mb']:>8,.1f} {row['errors']:>7}",
            flush=True,
        )


if __name__ == "__main__":
    main()
