"""Read and write datasets in the Inverse Scaling Prize's formats, JSONL, and Hugging Face's.

Readers accept files written by anyone, as the prize's evaluation code read them: columns found
by name (extra columns ignored, with a warning), ``classes`` either a list or a Python-literal
list string (in CSV *and* JSONL, parsed with :func:`ast.literal_eval` as the prize did), 0-based
``answer_index``. Every writer writes to a temporary file beside the target and renames it into
place, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import ast
import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from authoring.errors import DataError, Location, OutputError
from authoring.records import Example, Problem, TaskType

# The prize's CSVs hold multi-line prompts; raise the csv module's per-field limit for them.
csv.field_size_limit(1 << 27)


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRow:
    """One data row as read, before its fields are checked.

    Attributes:
        row: 1-based data row (the header is not counted).
        line: 1-based file line where the row starts.
        fields: Column name to value (strings in CSV; any JSON value in JSONL).
        error: Why the row could not be parsed at all, if it could not.
    """

    row: int
    line: int
    fields: dict[str, Any]
    error: str | None = None


@dataclass
class RawTable:
    """A dataset file opened for streaming: its columns and an iterator over its rows."""

    path: Path
    kind: str  # "csv" or "jsonl"
    columns: tuple[str, ...]
    rows: Iterator[RawRow]


def open_table(path: str | Path) -> RawTable:
    """Open a CSV or JSONL dataset for streaming (rows are read lazily).

    Raises:
        DataError: the file is missing, empty, not UTF-8, or neither .csv nor .jsonl/.json.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", where=Location(path), fix="check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path)
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _open_jsonl(path)
    raise DataError(
        f"cannot tell the format of '{path.name}'",
        where=Location(path),
        fix="use a .csv (the prize's format) or .jsonl file",
    )


def _open_csv(path: Path) -> RawTable:
    handle = _open_text(path)
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise DataError("the file is empty", where=Location(path), fix="add a header row") from None
    except csv.Error as exc:
        handle.close()
        raise DataError(f"unreadable CSV header: {exc}", where=Location(path, line=1)) from None
    columns = tuple(h.strip() for h in header)

    def rows() -> Iterator[RawRow]:
        number, start = 0, reader.line_num + 1
        with handle:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    number += 1
                    yield RawRow(number, start, {}, f"unparseable CSV: {exc}")
                    start = reader.line_num + 1
                    continue
                if not values or (len(values) == 1 and not values[0].strip()):
                    start = reader.line_num + 1
                    continue  # a blank line is not a row
                number += 1
                if len(values) != len(columns):
                    error = (
                        f"has {len(values)} fields but the header has {len(columns)} "
                        "(quote fields that contain commas or newlines)"
                    )
                    yield RawRow(number, start, {}, error)
                else:
                    yield RawRow(number, start, dict(zip(columns, values, strict=True)))
                start = reader.line_num + 1

    return RawTable(path, "csv", columns, rows())


def _open_jsonl(path: Path) -> RawTable:
    handle = _open_text(path)
    # Columns are those of the first object; later rows are checked against them by name.
    first_line, columns = 0, ()
    for number, line in enumerate(handle, start=1):
        if line.strip():
            try:
                obj = orjson.loads(line)
                columns = tuple(obj) if isinstance(obj, dict) else ()
            except orjson.JSONDecodeError:
                columns = ()
            first_line = number
            break
    handle.seek(0)

    def rows() -> Iterator[RawRow]:
        number = 0
        with handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                number += 1
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    yield RawRow(number, line_number, {}, f"unparseable JSON: {exc}")
                    continue
                if not isinstance(obj, dict):
                    yield RawRow(number, line_number, {}, "a JSONL row must be a JSON object")
                    continue
                yield RawRow(number, line_number, obj)

    if not first_line:
        handle.close()
        raise DataError("the file is empty", where=Location(path), fix="add one JSON object a line")
    return RawTable(path, "jsonl", columns, rows())


def _open_text(path: Path) -> IO[str]:
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed by rows())
        handle.read(1 << 16)
        handle.seek(0)
        return handle
    except UnicodeDecodeError:
        raise DataError(
            "the file is not UTF-8 text", where=Location(path), fix="re-save it as UTF-8"
        ) from None
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror}", where=Location(path)) from None


def infer_task_type(columns: Iterable[str], path: Path | None = None) -> TaskType:
    """Guess the task type from column names (``--type`` overrides).

    ``other_prompt`` means logodds (absolute_logodds has the same columns: force it), a
    ``completion`` column means sequence_prob, ``classes`` means classification.

    Raises:
        DataError: no column set of any type is present.
    """
    names = set(columns)
    if "other_prompt" in names:
        return TaskType.LOGODDS
    if "completion" in names and "classes" not in names:
        return TaskType.SEQUENCE_PROB
    if "classes" in names:
        return TaskType.CLASSIFICATION
    found = ", ".join(sorted(names)) or "none"
    raise DataError(
        f"cannot tell the task type from the columns ({found})",
        where=Location(path) if path else None,
        fix="the prize's columns are prompt,classes,answer_index (classification), "
        "prompt,completion (sequence_prob) or prompt,other_prompt,classes,answer_index "
        "(logodds); or pass --type",
    )


def parse_classes(value: Any) -> tuple[list[str] | None, str | None]:
    """``classes`` as a list of strings, from a list or a Python-literal list string.

    Returns:
        ``(classes, None)`` or ``(None, why_not)``.
    """
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None, (f'classes {_clip(value)} is not a list; write it like [" Yes", " No"]')
    if not isinstance(value, list | tuple):
        return None, f"classes must be a list of strings, not {type(value).__name__}"
    if not all(isinstance(c, str) for c in value):
        return None, "every class must be a string"
    return list(value), None


def parse_answer_index(value: Any) -> tuple[int | None, str | None]:
    """``answer_index`` as an int, from an int or a digit string (CSV)."""
    if isinstance(value, bool):
        return None, "answer_index must be an integer, not a boolean"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip()), None
    return None, f"answer_index {_clip(value)} is not an integer"


def to_example(raw: RawRow, task_type: TaskType) -> tuple[Example | None, list[Problem]]:
    """Turn a raw row into an :class:`Example`, or the problems that stop it."""
    if raw.error:
        return None, [Problem("error", "unparseable", raw.error, raw.row, raw.line)]
    problems: list[Problem] = []

    def problem(code: str, message: str, column: str | None) -> None:
        problems.append(Problem("error", code, message, raw.row, raw.line, column))

    fields = raw.fields
    for column in task_type.columns:
        if column not in fields:
            problem("missing-field", f"the row has no '{column}'", column)
    if problems:
        return None, problems
    texts: dict[str, str] = {}
    for column in ("prompt", "other_prompt", "completion"):
        if column in task_type.columns:
            value = fields[column]
            if not isinstance(value, str):
                problem("not-text", f"{column} must be text, not {type(value).__name__}", column)
            else:
                texts[column] = value
    classes: list[str] | None = None
    answer: int | None = None
    if task_type.has_classes:
        classes, why = parse_classes(fields["classes"])
        if why:
            problem("classes-not-list", why, "classes")
        answer, why = parse_answer_index(fields["answer_index"])
        if why:
            problem("answer-index-type", why, "answer_index")
    if problems:
        return None, problems
    meta: dict[str, Any] = fields["meta"] if isinstance(fields.get("meta"), dict) else {}
    example = Example(
        prompt=texts["prompt"],
        classes=tuple(classes) if classes is not None else None,
        answer_index=answer,
        completion=texts.get("completion"),
        other_prompt=texts.get("other_prompt"),
        id=str(fields["id"]) if fields.get("id") is not None else None,
        meta={**meta, "row": raw.row, "line": raw.line},
    )
    return example, []


def read_dataset(
    path: str | Path, task_type: TaskType | None = None
) -> tuple[TaskType, list[Example]]:
    """Read a whole dataset (for scoring); any bad row is an error.

    Args:
        path: An ISP CSV or a JSONL file.
        task_type: Forces the type; inferred from the columns otherwise.

    Raises:
        DataError: the file cannot be read, or a row is malformed (run ``invscale validate``).
    """
    table = open_table(path)
    kind = task_type or infer_task_type(table.columns, table.path)
    examples: list[Example] = []
    for raw in table.rows:
        example, problems = to_example(raw, kind)
        if problems:
            first = problems[0]
            raise DataError(
                first.message,
                where=Location(table.path, line=first.line, row=first.row, column=first.column),
                fix=f"run `invscale validate {table.path}` to list every problem",
            )
        assert example is not None
        examples.append(example)
    if not examples:
        raise DataError("the file has a header but no rows", where=Location(table.path))
    return kind, examples


# -- writing ---------------------------------------------------------------------------------


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` only on success."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write here: {exc.strerror}",
            where=Location(path),
            fix="choose a writable output folder with -o",
        ) from None
    try:
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with open(fd, mode, **kwargs) as handle:
            yield handle
        # mkstemp makes 0600: keep the replaced file's mode, or give a new file the usual one.
        mode_bits = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode_bits)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def csv_row(example: Example, task_type: TaskType) -> list[Any]:
    """The prize's CSV cells: classes as a Python-literal list string, like the prize's files."""
    cells: list[Any] = []
    for column in task_type.columns:
        value = getattr(example, column)
        cells.append(repr(list(value)) if column == "classes" else value)
    return cells


def jsonl_line(example: Example, task_type: TaskType) -> bytes:
    """One JSONL line: ``id``, the prize's fields (classes as a list) and ``meta``."""
    record: dict[str, Any] = {"id": example.id, **example.to_row(task_type), "meta": example.meta}
    return orjson.dumps(record) + b"\n"


class DatasetWriter:
    """Streams examples into an ISP CSV and a JSONL file at once, atomically.

    Use as a context manager; both files appear only if the block finishes without error.
    """

    def __init__(self, task_type: TaskType, csv_path: Path | None, jsonl_path: Path | None):
        self.task_type = task_type
        self.paths = [p for p in (csv_path, jsonl_path) if p is not None]
        self._csv_path, self._jsonl_path = csv_path, jsonl_path
        self.count = 0

    def __enter__(self) -> DatasetWriter:
        self._stack: list[Any] = []
        self._csv: Any = None
        self._jsonl: Any = None
        if self._csv_path is not None:
            manager = atomic_open(self._csv_path, "w")
            self._stack.append(manager)
            self._csv = csv.writer(manager.__enter__(), lineterminator="\n")
            self._csv.writerow(self.task_type.columns)
        if self._jsonl_path is not None:
            manager = atomic_open(self._jsonl_path, "wb")
            self._stack.append(manager)
            self._jsonl = manager.__enter__()
        return self

    def write(self, example: Example) -> None:
        """Append one example to every open file."""
        if self._csv is not None:
            self._csv.writerow(csv_row(example, self.task_type))
        if self._jsonl is not None:
            self._jsonl.write(jsonl_line(example, self.task_type))
        self.count += 1

    def __exit__(self, *exc_info: Any) -> None:
        # Close in reverse order; an exception aborts (and removes) every temporary file.
        error = exc_info
        for manager in reversed(self._stack):
            try:
                manager.__exit__(*error)
            except BaseException as exc:  # a failed rename: abort the rest too
                error = (type(exc), exc, exc.__traceback__)
        if error[1] is not None and error is not exc_info:
            raise error[1]


def write_examples(examples: Iterable[Example], task_type: TaskType, path: Path) -> int:
    """Write examples to one file, format by suffix (``.csv`` or ``.jsonl``). Returns the count."""
    suffix = path.suffix.lower()
    csv_path = path if suffix == ".csv" else None
    jsonl_path = path if suffix in (".jsonl", ".json") else None
    if csv_path is None and jsonl_path is None:
        raise OutputError(
            f"unknown output format '{suffix}'", where=Location(path), fix="use .csv or .jsonl"
        )
    with DatasetWriter(task_type, csv_path, jsonl_path) as writer:
        for example in examples:
            writer.write(example)
    return writer.count


def write_hf(
    jsonl_path: Path, task_type: TaskType, out_dir: Path | None, parquet: Path | None
) -> None:
    """Write a Hugging Face ``datasets`` folder (save_to_disk) and/or a parquet file.

    Built from the JSONL (streamed by ``datasets``), so memory stays flat for large sets.
    ``meta`` is stored as a JSON string column: slot values differ in shape between tasks.
    """
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - datasets is a dependency
        from authoring.errors import MissingDependency

        raise MissingDependency(
            f"datasets is not installed ({exc})", fix="pip install datasets"
        ) from None

    columns = task_type.columns

    def rows() -> Iterator[dict[str, Any]]:
        with open(jsonl_path, "rb") as handle:
            for line in handle:
                obj = orjson.loads(line)
                row = {"id": obj["id"], **{c: obj[c] for c in columns}}
                row["meta"] = orjson.dumps(obj.get("meta", {})).decode()
                yield row

    features = {"id": datasets.Value("string"), "prompt": datasets.Value("string")}
    for column in columns[1:]:
        if column == "classes":
            features[column] = datasets.Sequence(datasets.Value("string"))
        elif column == "answer_index":
            features[column] = datasets.Value("int64")
        else:
            features[column] = datasets.Value("string")
    features["meta"] = datasets.Value("string")
    quiet = datasets.utils.logging.is_progress_bar_enabled()
    datasets.utils.logging.disable_progress_bar()  # the CLI shows its own progress
    try:
        _build_hf(datasets, rows, features, out_dir, parquet)
    finally:
        if quiet:
            datasets.utils.logging.enable_progress_bar()


def _build_hf(
    datasets: Any, rows: Any, features: Any, out_dir: Path | None, parquet: Path | None
) -> None:
    with tempfile.TemporaryDirectory() as cache:
        data = datasets.Dataset.from_generator(
            rows, features=datasets.Features(features), cache_dir=cache
        )
        if out_dir is not None:
            tmp = out_dir.with_name(f".{out_dir.name}.tmp")
            _remove_tree(tmp)
            data.save_to_disk(str(tmp))
            _remove_tree(out_dir)
            os.replace(tmp, out_dir)
        if parquet is not None:
            with atomic_open(parquet, "wb") as handle:
                data.to_parquet(handle)


def _remove_tree(path: Path) -> None:
    import shutil

    if path.exists():
        shutil.rmtree(path)


def _clip(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
