"""Rebuild the committed samples in examples/: 20 rows and the dataset card per built-in.

Usage: python examples/regenerate.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from authoring.dataset import generate_dataset
from authoring.resources import builtin_names

HERE = Path(__file__).parent


def main() -> None:
    for name in builtin_names():
        out = HERE / "generators" / name
        shutil.rmtree(out, ignore_errors=True)
        result = generate_dataset(name, 20, 0, out, ("csv", "jsonl"))
        print(f"{name}: {result.n} rows -> {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
