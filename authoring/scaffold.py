"""Start a new task folder: from a type's scaffold in ``templates/`` or a built-in generator."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from authoring.errors import Location, OutputError, SpecError
from authoring.records import TaskType, parse_task_type
from authoring.resources import builtin_names, templates_dir
from authoring.spec import load_task, resolve_task

_NAME_LINE = re.compile(r"^name:.*$", re.MULTILINE)


@dataclass(frozen=True)
class GeneratorInfo:
    """A built-in generator as ``invscale list`` shows it."""

    name: str
    type: str
    description: str
    hypothesis: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "hypothesis": self.hypothesis,
        }


def list_generators() -> list[GeneratorInfo]:
    """The built-in generators, sorted by name, each loaded and checked."""
    infos = []
    for name in builtin_names():
        spec = load_task(name)
        infos.append(
            GeneratorInfo(
                name,
                spec.type.value,
                " ".join(spec.description.split()),
                " ".join(spec.hypothesis.split()),
            )
        )
    return infos


def new_task(
    dest: str | Path, *, from_generator: str | None = None, task_type: str | None = None
) -> Path:
    """Create a task folder at ``dest`` from a generator, another task, or a type's scaffold.

    The copy's ``name:`` becomes the folder's name (made a valid slug). The folder is built in
    a temporary sibling and renamed into place, so a failure leaves nothing behind.

    Args:
        dest: The new folder; must not exist (or be empty).
        from_generator: A built-in generator's name (see :func:`list_generators`) or the
            path of any task folder to copy.
        task_type: ``classification``, ``sequence_prob``, ``logodds`` or ``absolute_logodds``.

    Returns:
        The new folder.

    Raises:
        SpecError: neither or both sources given, or an unknown generator/type.
        OutputError: ``dest`` exists and is not empty, or cannot be written.
    """
    if (from_generator is None) == (task_type is None):
        raise SpecError(
            "give exactly one of --from GENERATOR or --type TYPE",
            fix="e.g. `invscale new my-task --type classification`",
        )
    if from_generator is not None:
        # A built-in's name, or any task folder (e.g. to fork your own task).
        source = resolve_task(from_generator)
    else:
        try:
            kind: TaskType = parse_task_type(str(task_type))
        except ValueError as exc:
            raise SpecError(str(exc), fix="e.g. --type classification") from None
        source = templates_dir() / kind.value
    target = Path(dest)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(
            "the folder already exists and is not empty",
            where=Location(target),
            fix="choose a new folder name",
        )
    slug = re.sub(r"[^a-z0-9_-]+", "-", target.resolve().name.lower()).strip("-") or "my-task"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise OutputError(
            f"cannot create the folder: {exc.strerror}",
            where=Location(target),
            fix="choose a writable location",
        ) from None
    try:
        shutil.copytree(
            source,
            staging,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        yaml_path = staging / "task.yaml"
        text = yaml_path.read_text(encoding="utf-8")
        yaml_path.write_text(_NAME_LINE.sub(f"name: {slug}", text, count=1), encoding="utf-8")
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
