"""Where the built-in generators and scaffolds live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # In a wheel, hatch's force-include puts the folders under authoring/_data/; in a source
    # checkout (and an editable install) they are the top-level folders beside the package.
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def generators_dir() -> Path:
    """The folder holding the built-in generators, one task folder each."""
    return _data_dir("generators")


def templates_dir() -> Path:
    """The folder holding the ``invscale new`` scaffolds, one per task type."""
    return _data_dir("templates")


def builtin_names() -> list[str]:
    """Names of the built-in generators, sorted."""
    root = generators_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "task.yaml").is_file())


def schema_path() -> Path:
    """The JSON Schema of ``task.yaml`` (point your editor's YAML plugin at it)."""
    return _PACKAGE / "schema" / "task.schema.json"
