"""Render a few examples from a task folder's *unsaved* buffers (no Textual here).

The editor keeps the text of every open file in memory. To preview it, the folder is copied to a
temporary directory, the buffers are written over the copies, and the copy is loaded with the
same library calls the CLI uses (:func:`authoring.spec.load_task`, :func:`authoring.expand.expand`).
Errors come back as data, with the temporary paths turned back into the real file names, so the
editor can show them inline and point at the line.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from authoring.errors import InvscaleError
from authoring.records import Example, TaskType

# Files the editor offers, in this order; anything else is data (lexicons) and is only copied.
EDITABLE_SUFFIXES = (".yaml", ".yml", ".j2", ".jinja", ".jinja2", ".py", ".txt", ".csv")


@dataclass
class PreviewError:
    """An error the preview hit, located in the real task folder.

    Attributes:
        text: The whole error as one line (``file:line: message Fix: ...``).
        file: The file it names, relative to the task folder (None if none).
        line: The 1-based line in that file (None if unknown).
    """

    text: str
    file: str | None = None
    line: int | None = None


@dataclass
class PreviewResult:
    """What one preview render produced: examples, or an error."""

    examples: list[Example] = field(default_factory=list)
    task_type: TaskType | None = None
    seed: int = 0
    error: PreviewError | None = None


def editable_files(folder: Path) -> list[str]:
    """The task folder's text files the editor shows: task.yaml first, then templates, hooks,
    and lexicons, as paths relative to the folder."""
    names = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.name.startswith("."):
            continue
        if path.suffix in EDITABLE_SUFFIXES:
            names.append(path.relative_to(folder).as_posix())

    def order(name: str) -> tuple[int, str]:
        if name == "task.yaml":
            return (0, name)
        if name.endswith((".j2", ".jinja", ".jinja2")):
            return (1, name)
        if name.endswith(".py"):
            return (2, name)
        return (3, name)

    return sorted(names, key=order)


def render_preview(
    folder: Path, buffers: Mapping[str, str], *, n: int = 3, seed: int | None = None
) -> PreviewResult:
    """Render ``n`` examples of ``folder`` with ``buffers`` (relative name -> text) applied.

    Never raises for a problem in the task: the error is returned in ``PreviewResult.error``.
    """
    from authoring.expand import expand
    from authoring.spec import load_task

    with tempfile.TemporaryDirectory(prefix="invscale-preview-") as tmp:
        mirror = Path(tmp) / folder.name
        shutil.copytree(folder, mirror, ignore=shutil.ignore_patterns("__pycache__", ".*"))
        for name, text in buffers.items():
            target = mirror / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            spec = load_task(mirror)
            use_seed = spec.seed if seed is None else seed
            examples = list(expand(spec, n, seed=use_seed, check_space=False))
            return PreviewResult(examples, spec.type, use_seed)
        except InvscaleError as exc:
            return PreviewResult(error=_locate(exc, mirror, folder))
        except Exception as exc:  # a user's hook can raise anything; the editor must survive
            text = f"{type(exc).__name__}: {exc}".replace(str(mirror), str(folder))
            return PreviewResult(error=PreviewError(f"unexpected error: {text}"))


def _locate(exc: InvscaleError, mirror: Path, folder: Path) -> PreviewError:
    text = exc.one_line().replace(str(mirror) + "/", "").replace(str(mirror), str(folder))
    where = exc.where
    file: str | None = None
    line: int | None = None
    if where is not None and where.path is not None:
        try:
            file = Path(where.path).resolve().relative_to(mirror.resolve()).as_posix()
        except ValueError:
            file = None
        line = where.line
    elif where is not None:
        line = where.line
    if file is None and where is not None and where.key is not None:
        file = "task.yaml"
    return PreviewError(text, file, line)
