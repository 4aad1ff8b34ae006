"""Shared fixtures: paths to the golden files and the prize's real data, and task-folder helpers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden"
# The prize's real files live beside the project (../shared), not in the repo.
ISP_DATA = TESTS.parent.parent / "shared" / "isp-data"


@pytest.fixture
def isp_data() -> Path:
    """The prize's memo-trap CSVs; tests that need them skip when ../shared is absent."""
    if not (ISP_DATA / "memo-trap").is_dir():
        pytest.skip("../shared/isp-data is not present")
    return ISP_DATA


@pytest.fixture
def make_task(tmp_path: Path) -> Callable[..., Path]:
    """Write a task folder from a task.yaml text (dedented) and optional extra files."""

    def make(yaml: str, name: str = "task", **files: str) -> Path:
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "task.yaml").write_text(textwrap.dedent(yaml).lstrip(), encoding="utf-8")
        for relative, text in files.items():
            path = folder / relative.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return folder

    return make


SIMPLE = textwrap.dedent("""
    name: simple
    type: classification
    slots:
      a: {choice: [x1, x2, x3, x4, x5, x6, x7, x8, x9, x10]}
      b: {int: [1, 40]}
    prompt: "Item {{ a }} number {{ b }}. Answer:"
    classes: [" yes", " no", " maybe"]
    answer_index: 1
    shuffle_classes: true
""")
