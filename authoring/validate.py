"""Check a dataset row by row: the prize's format rules plus what silently ruins evaluations.

Errors (validation fails): unparseable rows, missing columns or fields, ``classes`` not a list
of at least two distinct strings, ``answer_index`` out of range, empty prompt, logodds rows
without exactly two classes, leftover template syntax (``{{``, ``{%``), and the same prompt with
the same set of classes but a different correct answer.

Warnings (fail only under ``strict``): exact duplicate rows, extra columns, classes without a
leading space, leftover ``{name}`` placeholders, heavy answer-position imbalance, a class text
that is the correct answer far more often than its fair share, and near-duplicate prompts
(equal after lower-casing and dropping punctuation and spacing).

Validation streams: per row it keeps four 8-byte hashes in numpy arrays, and compares them
once at the end, so a million rows need about 40 MB beyond the reader.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authoring.formats import infer_task_type, open_table, to_example
from authoring.records import Example, Problem, TaskType

_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|%\}|\}\}")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
# Near-duplicate prompts are equal after lower-casing and dropping spacing and punctuation
# (operators such as - + × / stay: "5 - 2" and "5 × 2" are different questions).
_NORMALIZE = re.compile(r"[\s.,;:!?'\"`()\[\]{}_]+")
# Label balance is tracked while at most this many distinct class strings have been seen;
# beyond that classes are mostly unique per row and no single label can dominate.
_MAX_LABELS = 2000


@dataclass
class ValidationReport:
    """What :func:`validate_file` or :func:`validate_examples` found.

    Attributes:
        task_type: The type checked against.
        rows: Data rows read.
        problems: Every error and warning, sorted by row (file-level ones first).
        answer_counts: How often each answer_index is the correct one.
        prompt_chars: Shortest and longest prompt, in characters.
        class_counts: How many rows have each number of classes.
    """

    task_type: TaskType
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    answer_counts: Counter[int] = field(default_factory=Counter)
    prompt_chars: tuple[int, int] | None = None
    class_counts: Counter[int] = field(default_factory=Counter)

    @property
    def errors(self) -> list[Problem]:
        """The problems that fail validation."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that fail validation only when strict."""
        return [p for p in self.problems if p.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        """True when there are no errors (and, if strict, no warnings)."""
        return not self.errors and not (strict and self.warnings)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI prints it; the dataset card uses it)."""
        return {
            "task_type": self.task_type.value,
            "rows": self.rows,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "answer_index_counts": {str(k): v for k, v in sorted(self.answer_counts.items())},
            "prompt_chars": list(self.prompt_chars) if self.prompt_chars else None,
            "classes_per_row": {str(k): v for k, v in sorted(self.class_counts.items())},
        }


class Validator:
    """Streaming validator: feed examples with :meth:`add`, then call :meth:`finish`."""

    def __init__(self, task_type: TaskType):
        self.report = ValidationReport(task_type)
        self._rows = array("q")
        self._question = array("q")  # prompt(s) + sorted classes
        self._answer = array("q")  # the correct answer's text
        self._prompt = array("q")  # the prompt alone
        self._normal = array("q")  # normalized prompt, for near-duplicates
        self._offered: Counter[str] | None = Counter()  # rows offering each class text
        self._correct: Counter[str] = Counter()  # rows where that text is the answer
        self._min_chars: int | None = None
        self._max_chars = 0

    def add(self, example: Example, row: int, line: int | None = None) -> None:
        """Check one example; ``row`` is its 1-based data row."""
        report, kind = self.report, self.report.task_type
        report.rows += 1
        problems = report.problems

        def error(code: str, message: str, column: str | None) -> None:
            problems.append(Problem("error", code, message, row, line, column))

        def warning(code: str, message: str, column: str | None) -> None:
            problems.append(Problem("warning", code, message, row, line, column))

        texts = {"prompt": example.prompt}
        if kind.is_logodds:
            texts["other_prompt"] = example.other_prompt or ""
        if kind is TaskType.SEQUENCE_PROB:
            texts["completion"] = example.completion or ""
        for column, text in texts.items():
            if not text.strip():
                error(f"empty-{column.replace('_', '-')}", f"{column} is empty", column)
        classes = list(example.classes or ())
        for column, text in [*texts.items(), *(("classes", c) for c in classes)]:
            if _TEMPLATE_SYNTAX.search(text):
                error(
                    "template-syntax",
                    f"leftover template syntax in {column}: {_snippet(text, _TEMPLATE_SYNTAX)}",
                    column,
                )
            elif _PLACEHOLDER.search(text):
                warning(
                    "placeholder",
                    f"possible unfilled placeholder in {column}: {_snippet(text, _PLACEHOLDER)}",
                    column,
                )

        chars = len(example.prompt)
        self._min_chars = chars if self._min_chars is None else min(self._min_chars, chars)
        self._max_chars = max(self._max_chars, chars)

        answer_text = example.completion or ""
        if kind.has_classes:
            report.class_counts[len(classes)] += 1
            if len(classes) < 2:
                error(
                    "too-few-classes",
                    f"classes has {len(classes)} item(s); need at least 2",
                    "classes",
                )
            elif len(set(classes)) < len(classes):
                twice = next(c for c, n in Counter(classes).items() if n > 1)
                error("duplicate-class", f"class {twice!r} appears twice", "classes")
            if kind.is_logodds and len(classes) != 2:
                error(
                    "logodds-classes",
                    f"{kind.value} needs exactly 2 classes, not {len(classes)}",
                    "classes",
                )
            empty = [c for c in classes if not c.strip()]
            if empty:
                error("empty-class", "a class is empty", "classes")
            missing_space = [c for c in classes if c and not c[0].isspace()]
            if missing_space and not empty:
                warning(
                    "class-leading-space",
                    f"class {missing_space[0]!r} has no leading space "
                    "(models usually see ' Yes' after 'Answer:', not 'Yes')",
                    "classes",
                )
            index = example.answer_index
            if index is None or not 0 <= index < len(classes):
                error(
                    "answer-index-range",
                    f"answer_index {index} is out of range for "
                    f"{len(classes)} classes (0-based: 0 to {len(classes) - 1})",
                    "answer_index",
                )
            else:
                report.answer_counts[index] += 1
                answer_text = classes[index]
                if self._offered is not None:
                    self._offered.update(set(classes))
                    self._correct[answer_text] += 1
                    if len(self._offered) > _MAX_LABELS:
                        self._offered = None

        question = "\x1f".join([*texts.values(), "\x1e", *sorted(classes)])
        self._rows.append(row)
        self._question.append(_hash(question))
        self._answer.append(_hash(answer_text))
        self._prompt.append(_hash(example.prompt))
        self._normal.append(_hash(_NORMALIZE.sub("", example.prompt.lower())))

    def finish(self) -> ValidationReport:
        """Run the whole-dataset checks and return the report."""
        import numpy as np

        report = self.report
        if self._min_chars is not None:
            report.prompt_chars = (self._min_chars, self._max_chars)
        _check_balance(report)
        if self._offered is not None:
            _check_labels(report, self._offered, self._correct)
        if len(self._rows) > 1:
            self._find_duplicates(np)
        report.problems.sort(key=lambda p: (p.row or 0, p.severity != "error"))
        return report

    def _find_duplicates(self, np: Any) -> None:
        report = self.report
        rows = np.frombuffer(self._rows, dtype=np.int64)
        question = np.frombuffer(self._question, dtype=np.int64)
        answer = np.frombuffer(self._answer, dtype=np.int64)
        normal = np.frombuffer(self._normal, dtype=np.int64)
        # Sort by (question, answer): equal neighbours are duplicates or conflicts.
        order = np.lexsort((answer, question))
        q, a = question[order], answer[order]
        same_q = q[1:] == q[:-1]
        for i in np.nonzero(same_q)[0]:
            first, second = int(rows[order[i]]), int(rows[order[i + 1]])
            first, second = min(first, second), max(first, second)
            if a[i] == a[i + 1]:
                report.problems.append(
                    Problem("warning", "duplicate", f"duplicates row {first}", second)
                )
            else:
                report.problems.append(
                    Problem(
                        "error",
                        "conflicting-answer",
                        f"same prompt and classes as row {first} but a different correct answer",
                        second,
                        column="answer_index",
                    )
                )
        # Near-duplicates: prompts that differ, yet are equal once normalized. (Equal prompts
        # are duplicates or conflicts above, or legitimately reused with other classes.)
        prompt = np.frombuffer(self._prompt, dtype=np.int64)
        order = np.argsort(normal, kind="stable")
        n = normal[order]
        for i in np.nonzero(n[1:] == n[:-1])[0]:
            if prompt[order[i]] == prompt[order[i + 1]]:
                continue
            first, second = sorted((int(rows[order[i]]), int(rows[order[i + 1]])))
            report.problems.append(
                Problem(
                    "warning",
                    "near-duplicate",
                    f"prompt differs from row {first} only in case, punctuation or spacing",
                    second,
                    column="prompt",
                )
            )


def validate_examples(examples: Iterable[Example], task_type: TaskType) -> ValidationReport:
    """Validate examples already in memory (rows are numbered from 1 in iteration order)."""
    validator = Validator(task_type)
    for row, example in enumerate(examples, start=1):
        validator.add(example, row)
    return validator.finish()


def validate_file(path: str | Path, task_type: TaskType | None = None) -> ValidationReport:
    """Validate an ISP CSV or JSONL file, streaming.

    Args:
        path: The dataset.
        task_type: Forces the type; inferred from the columns otherwise.

    Raises:
        DataError: the file cannot be opened at all, or no task type fits its columns.
    """
    table = open_table(path)
    kind = task_type or infer_task_type(table.columns, table.path)
    validator = Validator(kind)
    report = validator.report
    missing = [c for c in kind.columns if c not in table.columns]
    for column in missing:
        report.problems.append(
            Problem(
                "error",
                "missing-column",
                f"the file has no '{column}' column "
                f"(a {kind.value} file needs: {', '.join(kind.columns)})",
                column=column,
            )
        )
    extra = [c for c in table.columns if c not in kind.columns and c not in ("id", "meta")]
    if extra:
        report.problems.append(
            Problem(
                "warning",
                "extra-columns",
                f"columns {', '.join(extra)} are not read by the prize's "
                "evaluation and will be ignored",
            )
        )
    for raw in table.rows:
        if missing and not raw.error:
            report.rows += 1
            continue  # the file-level error already says it; don't repeat it per row
        example, problems = to_example(raw, kind)
        if example is None:
            report.rows += 1
            report.problems.extend(problems)
            continue
        validator.add(example, raw.row, raw.line)
    if report.rows == 0 and not report.errors:
        report.problems.append(Problem("error", "no-rows", "the file has no data rows"))
    return validator.finish()


def _check_balance(report: ValidationReport) -> None:
    counts = report.answer_counts
    total = sum(counts.values())
    if total < 20 or not report.class_counts:
        return
    k = max(report.class_counts)  # positions a row can put its answer in
    position, top = counts.most_common(1)[0]
    share = top / total
    if share > 1 / k + 0.2:
        report.problems.append(
            Problem(
                "warning",
                "answer-imbalance",
                f"answer_index {position} is correct in "
                f"{share:.0%} of rows (fair share with {k} classes: {1 / k:.0%}); a model that "
                "always picks that position looks good",
                column="answer_index",
            )
        )


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _snippet(text: str, pattern: re.Pattern[str]) -> str:
    match = pattern.search(text)
    assert match is not None
    start = max(match.start() - 15, 0)
    return repr(text[start : match.end() + 15])


def _check_labels(report: ValidationReport, offered: Counter[str], correct: Counter[str]) -> None:
    # Balanced positions can still hide a lopsided label: " No" right in 73% of the rows that
    # offer it lets "always say No" score 73%. Report the worst such label.
    # Only labels offered in a quarter of the rows or more: a dataset-wide prior. A label tied
    # to a few rows' content (the one right ending of one proverb) is no shortcut.
    k = max(report.class_counts or {2: 0})
    floor = max(20, sum(report.class_counts.values()) / 4)
    worst: tuple[float, str] | None = None
    for label, times in offered.items():
        if times >= floor:
            share = correct[label] / times
            if share > 1 / k + 0.2 and (worst is None or share > worst[0]):
                worst = (share, label)
    if worst is not None:
        share, label = worst
        report.problems.append(
            Problem(
                "warning",
                "label-imbalance",
                f"class {label!r} is the correct answer in {share:.0%} of the "
                f"{offered[label]} rows that offer it (fair share: {1 / k:.0%}); a model that "
                f"always answers {label!r} looks good",
                column="classes",
            )
        )
