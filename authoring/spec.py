"""Load a task folder into a :class:`TaskSpec`.

A task folder holds ``task.yaml`` (validated against ``authoring/schema/task.schema.json``),
optional template files, an optional ``hooks.py`` and optional lexicons. Loading checks
everything it can without generating: the YAML, the schema, slot kinds, lexicon files, hook
functions, template syntax and names used before they are defined. Every failure is a
:class:`~authoring.errors.SpecError` or :class:`~authoring.errors.TemplateError` naming the file,
line and key.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from authoring.errors import Location, SpecError
from authoring.records import TaskType
from authoring.resources import builtin_names, generators_dir, schema_path

SLOT_KINDS = ("faker", "lexicon", "choice", "int", "template", "hook")
# Keys a slot may carry besides its kind; for hooks every other key is a parameter.
_SLOT_OPTIONS = {
    "faker": {"args", "exclude"},
    "lexicon": {"column", "where", "exclude", "sample"},
    "choice": {"weights", "exclude", "sample"},
    "int": {"exclude"},
    "template": set(),
    "hook": None,
}


@dataclass(frozen=True)
class Text:
    """A Jinja2 template and where it came from (for error messages).

    Attributes:
        source: The template text.
        path: The file it is in (``task.yaml`` or a ``.j2`` file).
        key: The task.yaml key it belongs to, e.g. ``prompt`` or ``slots.wrong.exclude``.
        first_line: The file line of the template's first line.
    """

    source: str
    path: Path
    key: str
    first_line: int = 1


@dataclass(frozen=True)
class Lexicon:
    """A word list (``.txt``, one item a line) or a table (``.csv``, rows as dicts)."""

    path: Path
    items: tuple[Any, ...]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slot:
    """One slot: a value sampled per example.

    Attributes:
        name: The variable name templates use.
        kind: One of ``faker, lexicon, choice, int, template, hook``.
        line: Line of the slot in task.yaml.
        values: The candidates for ``lexicon`` and ``choice`` slots.
        text: The template of a ``template`` slot.
        exclude: Templates whose rendered values this slot must not take.
        params: Everything else: faker provider and args, hook function and parameters, ...
    """

    name: str
    kind: str
    line: int | None
    values: tuple[Any, ...] = ()
    text: Text | None = None
    exclude: tuple[Text, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    hook: Callable[..., Any] | None = None


@dataclass(frozen=True)
class FewShot:
    """How many solved examples to prepend, how to join them, and which slots must differ."""

    k: int = 0
    separator: str = "\n\n"
    distinct: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TaskSpec:
    """A loaded, checked task folder. Build it with :func:`load_task`."""

    name: str
    type: TaskType
    folder: Path
    slots: tuple[Slot, ...]
    prompt: Text
    other_prompt: Text | None
    completion: Text | None
    classes: tuple[Text, ...]
    answer_index: int | Text | None
    shuffle_classes: bool
    require: tuple[Text, ...]
    few_shot: FewShot
    description: str = ""
    hypothesis: str = ""
    mechanism: str = ""
    source: str = ""
    license: str = "CC-BY-4.0"
    n_default: int = 300
    seed: int = 0
    locale: str = "en_US"
    spec_hash: str = ""

    @property
    def yaml_path(self) -> Path:
        """The task's ``task.yaml``."""
        return self.folder / "task.yaml"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(schema_path().read_text(encoding="utf-8"))


def resolve_task(task: str | Path) -> Path:
    """Find a task folder: a folder, a ``task.yaml`` path, or a built-in generator's name.

    Raises:
        SpecError: if nothing matches; the message lists the built-in names.
    """
    path = Path(task)
    if path.is_file() and path.name == "task.yaml":
        return path.parent
    if path.is_dir():
        if not (path / "task.yaml").is_file():
            raise SpecError(
                "this folder has no task.yaml",
                where=Location(path),
                fix="run `invscale new DIR --type classification` to scaffold one",
            )
        return path
    if str(task) in builtin_names():
        return generators_dir() / str(task)
    names = ", ".join(builtin_names()) or "none installed"
    raise SpecError(
        f"no task folder or built-in generator called '{task}'",
        fix=f"pass a folder holding task.yaml, or one of: {names}",
    )


def load_task(task: str | Path) -> TaskSpec:
    """Load and check a task folder (or a built-in generator by name).

    Args:
        task: A folder, a ``task.yaml`` path, or a built-in generator's name.

    Returns:
        The checked spec. Templates are checked for syntax here; names they use are checked
        by :class:`authoring.render.Renderer`, which :func:`authoring.expand.expand` builds.

    Raises:
        SpecError: malformed YAML, schema violation, unknown slot kind, missing file or hook.
    """
    folder = resolve_task(task)
    yaml_path = folder / "task.yaml"
    data = _read_yaml(yaml_path)
    _check_schema(data, yaml_path)

    def line_of(mapping: Any, key: str) -> int | None:
        try:
            return int(mapping.lc.key(key)[0]) + 1
        except (AttributeError, KeyError, TypeError):
            return None

    def text_at(mapping: Any, key: str, dotted: str) -> Text:
        value = mapping[key]
        if isinstance(value, dict) and "file" in value:
            path = folder / value["file"]
            if not path.is_file():
                raise SpecError(
                    f"template file '{value['file']}' not found",
                    where=Location(yaml_path, line=line_of(mapping, key), key=dotted),
                    fix=f"create {path} or write the template inline",
                )
            return Text(path.read_text(encoding="utf-8"), path, dotted, 1)
        line = line_of(mapping, key) or 1
        # A block scalar (`key: |`) starts on the line after the key.
        first = (
            line + 1
            if type(value).__name__ in ("LiteralScalarString", "FoldedScalarString")
            else line
        )
        return Text(str(value), yaml_path, dotted, first)

    task_type = TaskType(data["type"])
    _check_fields_for_type(data, task_type, yaml_path, line_of)

    hooks_module = _load_hooks(folder) if (folder / "hooks.py").is_file() else None
    slots: list[Slot] = []
    for name, raw in data["slots"].items():
        slots.append(
            _build_slot(name, raw, folder, yaml_path, line_of(data["slots"], name), hooks_module)
        )

    classes = tuple(
        Text(str(c), yaml_path, f"classes[{i}]", _item_line(data["classes"], i) or 1)
        for i, c in enumerate(data.get("classes") or [])
    )
    answer: int | Text | None = None
    if "answer_index" in data:
        raw_answer = data["answer_index"]
        answer = (
            raw_answer
            if isinstance(raw_answer, int)
            else Text(
                str(raw_answer), yaml_path, "answer_index", line_of(data, "answer_index") or 1
            )
        )
        if isinstance(answer, int) and not 0 <= answer < len(classes):
            raise SpecError(
                f"answer_index {answer} is out of range for {len(classes)} classes",
                where=Location(yaml_path, line=line_of(data, "answer_index"), key="answer_index"),
                fix=f"use an index from 0 to {len(classes) - 1}",
            )

    few = data.get("few_shot", 0)
    few_shot = (
        FewShot(k=few)
        if isinstance(few, int)
        else FewShot(
            k=few["k"],
            separator=few.get("separator", "\n\n"),
            distinct=tuple(few["distinct"]) if "distinct" in few else None,
        )
    )
    prompt = text_at(data, "prompt", "prompt")
    other_prompt = text_at(data, "other_prompt", "other_prompt") if "other_prompt" in data else None
    completion = text_at(data, "completion", "completion") if "completion" in data else None
    names = {s.name for s in slots}
    for slot_name in few_shot.distinct or ():
        if slot_name not in names:
            raise SpecError(
                f"few_shot.distinct names '{slot_name}', which is not a slot",
                where=Location(yaml_path, line=line_of(data, "few_shot"), key="few_shot.distinct"),
                fix=f"use slot names from: {', '.join(sorted(names))}",
            )

    texts = [t for t in (prompt, other_prompt, completion) if t is not None]
    inputs = {yaml_path, *(t.path for t in texts)}
    inputs |= {folder / s.params["path"] for s in slots if s.kind == "lexicon"}
    if hooks_module is not None:
        inputs.add(folder / "hooks.py")
    return TaskSpec(
        name=data["name"],
        type=task_type,
        folder=folder,
        slots=tuple(slots),
        prompt=prompt,
        other_prompt=other_prompt,
        completion=completion,
        classes=classes,
        answer_index=answer,
        shuffle_classes=bool(data.get("shuffle_classes", False)),
        require=tuple(
            Text(str(r), yaml_path, f"require[{i}]", _item_line(data["require"], i) or 1)
            for i, r in enumerate(data.get("require") or [])
        ),
        few_shot=few_shot,
        description=str(data.get("description", "")).strip(),
        hypothesis=str(data.get("hypothesis", "")).strip(),
        mechanism=str(data.get("mechanism", "")).strip(),
        source=str(data.get("source", "")).strip(),
        license=str(data.get("license", "CC-BY-4.0")),
        n_default=int(data.get("n_default", 300)),
        seed=int(data.get("seed", 0)),
        locale=str(data.get("locale", "en_US")),
        spec_hash=inputs_hash(folder, inputs),
    )


def inputs_hash(folder: Path, files: set[Path]) -> str:
    """A short hash of the files a task reads (names and bytes), for provenance.

    Only the inputs count (task.yaml, template files, lexicons, hooks.py), so outputs written
    into the task folder (a dataset, check results) do not change the hash.
    """
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(files):
        digest.update(path.resolve().relative_to(folder.resolve()).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _read_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read task.yaml: {exc}", where=Location(path)) from None
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise SpecError(
            f"YAML syntax error: {problem}",
            where=Location(path, line=line),
            fix="check indentation and quoting on that line (quote text that contains ': ')",
        ) from None
    except YAMLError as exc:
        raise SpecError(f"YAML error: {exc}", where=Location(path)) from None
    if not isinstance(data, dict):
        raise SpecError(
            "task.yaml must be a mapping of keys (name, type, slots, prompt, ...)",
            where=Location(path, line=1),
            fix="start from `invscale new DIR --type classification`",
        )
    return data


def _check_schema(data: Any, path: Path) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(_plain(data)), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = min(errors, key=lambda e: len(list(e.absolute_path)))
    keys = list(error.absolute_path)
    dotted = ".".join(str(k) for k in keys) or None
    line = _line_for_path(data, keys)
    message = error.message
    fix = "see the comments of `invscale new DIR --type TYPE` or authoring/schema/task.schema.json"
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(_schema()["properties"])) if not keys else None
        message = f"unknown key: {error.message}"
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        container = data
        for key in keys:
            container = container[key]
        unknown = [k for k in container if k not in known]
        if unknown:  # point at the unknown key itself, not at its parent
            line = _line_for_path(data, [*keys, unknown[0]]) or line
        if allowed:
            fix = f"allowed top-level keys: {allowed}"
    elif error.validator == "required":
        fix = "add the missing key"
    raise SpecError(message, where=Location(path, line=line, key=dotted), fix=fix)


def _check_fields_for_type(data: Any, task_type: TaskType, path: Path, line_of: Any) -> None:
    def need(key: str, why: str) -> None:
        if key not in data:
            raise SpecError(
                f"a {task_type.value} task needs '{key}' ({why})",
                where=Location(path, line=line_of(data, "type"), key=key),
                fix=f"add a '{key}:' key",
            )

    def forbid(key: str) -> None:
        if key in data:
            raise SpecError(
                f"'{key}' is not used by {task_type.value} tasks",
                where=Location(path, line=line_of(data, key), key=key),
                fix=f"remove '{key}' or change 'type'",
            )

    if task_type is TaskType.SEQUENCE_PROB:
        need("completion", "the text whose probability is scored")
        for key in ("classes", "answer_index", "other_prompt", "shuffle_classes"):
            forbid(key)
    else:
        need("classes", "the candidate answers")
        need("answer_index", "which class is correct, 0-based")
        forbid("completion")
    if task_type.is_logodds:
        need("other_prompt", "the contrast prompt, rendered from the same slot draw")
        if len(data["classes"]) != 2:
            raise SpecError(
                f"a {task_type.value} task needs exactly 2 classes, not {len(data['classes'])}",
                where=Location(path, line=line_of(data, "classes"), key="classes"),
                fix="keep two single-token classes, e.g. [' Yes', ' No']",
            )
    elif "other_prompt" in data:
        forbid("other_prompt")


def _build_slot(
    name: str, raw: Any, folder: Path, yaml_path: Path, line: int | None, hooks: Any
) -> Slot:
    where = Location(yaml_path, line=line, key=f"slots.{name}")
    if not name.isidentifier():
        raise SpecError(
            f"slot name '{name}' is not a valid template variable",
            where=where,
            fix="use letters, digits and underscores, not starting with a digit",
        )
    kinds = [k for k in SLOT_KINDS if k in raw]
    if len(kinds) != 1:
        found = ", ".join(raw) or "nothing"
        raise SpecError(
            f"slot '{name}' must have exactly one kind, found: {found}",
            where=where,
            fix=f"give it one of: {', '.join(SLOT_KINDS)}",
        )
    kind = kinds[0]
    allowed = _SLOT_OPTIONS[kind]
    if allowed is not None:
        extra = sorted(set(raw) - allowed - {kind, "space"})
        if extra:
            raise SpecError(
                f"slot '{name}' ({kind}) does not take: {', '.join(extra)}",
                where=where,
                fix=f"a {kind} slot takes: {', '.join(sorted(allowed)) or 'nothing else'}",
            )
    exclude_raw = raw.get("exclude", [])
    excludes = [exclude_raw] if isinstance(exclude_raw, str) else list(exclude_raw)
    exclude = tuple(Text(str(e), yaml_path, f"slots.{name}.exclude", line or 1) for e in excludes)
    params: dict[str, Any] = {}
    values: tuple[Any, ...] = ()
    text: Text | None = None
    hook_fn = None
    if kind == "faker":
        provider = str(raw["faker"])
        _check_faker_provider(provider, where)
        params = {"provider": provider, "args": dict(raw.get("args", {}))}
    elif kind == "lexicon":
        lexicon = load_lexicon(folder / str(raw["lexicon"]), where)
        values = lexicon.items
        if "where" in raw:
            for column, wanted in raw["where"].items():
                _require_column(lexicon, str(column), where)
                values = tuple(v for v in values if v[column] == str(wanted))
        if "column" in raw:
            column = str(raw["column"])
            _require_column(lexicon, column, where)
            values = tuple(v[column] for v in values)
        if not values:
            raise SpecError(
                f"slot '{name}' has no candidates after filtering",
                where=where,
                fix="check 'where' against the lexicon's values",
            )
        params = {"sample": raw.get("sample"), "path": str(raw["lexicon"])}
    elif kind == "choice":
        values = tuple(_plain(raw["choice"]))
        weights = raw.get("weights")
        if weights is not None and len(weights) != len(values):
            raise SpecError(
                f"slot '{name}' has {len(values)} choices but {len(weights)} weights",
                where=where,
                fix="give one weight per choice",
            )
        params = {"weights": list(weights) if weights else None, "sample": raw.get("sample")}
    elif kind == "int":
        low, high = (int(v) for v in raw["int"])
        if low > high:
            raise SpecError(
                f"slot '{name}': int range [{low}, {high}] is empty",
                where=where,
                fix="write [min, max] with min <= max",
            )
        params = {"low": low, "high": high}
    elif kind == "template":
        text = Text(str(raw["template"]), yaml_path, f"slots.{name}.template", line or 1)
    elif kind == "hook":
        function = str(raw["hook"])
        if hooks is None:
            raise SpecError(
                f"slot '{name}' calls hook '{function}' but the task folder has no hooks.py",
                where=where,
                fix=f"create {folder / 'hooks.py'} with `def {function}(rng, slots, **params)`",
            )
        hook_fn = getattr(hooks, function, None)
        if not callable(hook_fn):
            raise SpecError(
                f"hooks.py has no function '{function}'",
                where=where,
                fix=f"define `def {function}(rng, slots, **params)` in hooks.py",
            )
        params = {k: _plain(v) for k, v in raw.items() if k not in ("hook", "space", "exclude")}
    if "space" in raw:
        params["space"] = int(raw["space"])
    return Slot(name, kind, line, values, text, exclude, params, hook_fn)


def load_lexicon(path: Path, where: Location | None = None) -> Lexicon:
    """Read a ``.txt`` word list (blank lines and ``#`` comments skipped) or a ``.csv`` table.

    Raises:
        SpecError: if the file is missing, empty, or not .txt/.csv.
    """
    if not path.is_file():
        raise SpecError(
            f"lexicon file '{path}' not found",
            where=where,
            fix="create it (one item a line for .txt, a header row for .csv) or fix the path",
        )
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        items = tuple(
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
        )
        lexicon = Lexicon(path, items)
    elif path.suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        columns = tuple(reader.fieldnames or ())
        rows = []
        for number, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise SpecError(
                    f"row has {len(row) - (None in row)} fields, the header has {len(columns)}",
                    where=Location(path, line=number),
                    fix="give every row one value per header column (quote values with commas)",
                )
            rows.append({k.strip(): v.strip() for k, v in row.items()})
        lexicon = Lexicon(path, tuple(rows), columns)
    else:
        raise SpecError(
            f"lexicon '{path.name}' must be .txt or .csv",
            where=where,
            fix="rename it or convert it",
        )
    if not lexicon.items:
        raise SpecError("lexicon is empty", where=Location(path), fix="add at least one item")
    return lexicon


def _require_column(lexicon: Lexicon, column: str, where: Location) -> None:
    if column not in lexicon.columns:
        have = ", ".join(lexicon.columns) or "none (a .txt list has no columns)"
        raise SpecError(
            f"lexicon {lexicon.path.name} has no column '{column}'",
            where=where,
            fix=f"use one of its columns: {have}",
        )


def _check_faker_provider(provider: str, where: Location) -> None:
    if not callable(getattr(_faker_probe(), provider, None)):
        raise SpecError(
            f"Faker has no provider '{provider}'",
            where=where,
            fix="use a Faker provider such as first_name, last_name, city, country, company, job",
        )


@cache
def _faker_probe() -> Any:
    from faker import Faker

    return Faker("en_US")


def _load_hooks(folder: Path) -> Any:
    path = folder / "hooks.py"
    module_name = f"invscale_hooks_{hashlib.blake2b(str(path).encode(), digest_size=6).hexdigest()}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise SpecError(
            f"hooks.py does not parse: {exc.msg}",
            where=Location(path, line=exc.lineno),
            fix="fix the Python syntax on that line",
        ) from None
    except Exception as exc:  # a user's module can raise anything at import
        raise SpecError(
            f"hooks.py failed to import: {type(exc).__name__}: {exc}",
            where=Location(path),
            fix="run `python hooks.py` in the task folder to see the full error",
        ) from None
    return module


def _item_line(sequence: Any, index: int) -> int | None:
    try:
        return int(sequence.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def _line_for_path(data: Any, keys: list[Any]) -> int | None:
    node, line = data, None
    for key in keys:
        try:
            if isinstance(key, int):
                line = int(node.lc.item(key)[0]) + 1
            else:
                line = int(node.lc.key(key)[0]) + 1
            node = node[key]
        except (AttributeError, KeyError, TypeError, IndexError):
            break
    return line


def _plain(value: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists (for jsonschema and meta)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
