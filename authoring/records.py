"""The data model shared by every layer: task types and examples.

An :class:`Example` is one row of an Inverse Scaling Prize dataset. Which fields are used depends
on the :class:`TaskType` (see ``shared/DESIGN.md``, "Dataset formats"):

===================  ==================================================
type                 fields
===================  ==================================================
classification       prompt, classes, answer_index
sequence_prob        prompt, completion
logodds              prompt, other_prompt, classes (2), answer_index
absolute_logodds     prompt, other_prompt, classes (2), answer_index
===================  ==================================================
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson


class TaskType(StrEnum):
    """The four task types of the Inverse Scaling Prize."""

    CLASSIFICATION = "classification"
    SEQUENCE_PROB = "sequence_prob"
    LOGODDS = "logodds"
    ABSOLUTE_LOGODDS = "absolute_logodds"

    @property
    def columns(self) -> tuple[str, ...]:
        """The prize's exact CSV columns for this type, in order."""
        return COLUMNS[self]

    @property
    def has_classes(self) -> bool:
        """Whether rows of this type carry ``classes`` and ``answer_index``."""
        return self is not TaskType.SEQUENCE_PROB

    @property
    def is_logodds(self) -> bool:
        """Whether rows of this type carry ``other_prompt``."""
        return self in (TaskType.LOGODDS, TaskType.ABSOLUTE_LOGODDS)


COLUMNS: dict[TaskType, tuple[str, ...]] = {
    TaskType.CLASSIFICATION: ("prompt", "classes", "answer_index"),
    TaskType.SEQUENCE_PROB: ("prompt", "completion"),
    TaskType.LOGODDS: ("prompt", "other_prompt", "classes", "answer_index"),
    TaskType.ABSOLUTE_LOGODDS: ("prompt", "other_prompt", "classes", "answer_index"),
}


def parse_task_type(value: str) -> TaskType:
    """Turn ``"classification"`` (or ``"sequence-prob"``) into a :class:`TaskType`.

    Raises:
        ValueError: if the name is not one of the four types.
    """
    try:
        return TaskType(value.strip().lower().replace("-", "_"))
    except ValueError:
        names = ", ".join(t.value for t in TaskType)
        raise ValueError(f"unknown task type '{value}' (expected one of: {names})") from None


@dataclass(frozen=True)
class Example:
    """One dataset row.

    Attributes:
        prompt: The text the model continues.
        classes: The candidate continuations (classification and logodds types).
        answer_index: 0-based index of the correct class.
        completion: The continuation scored by ``sequence_prob``.
        other_prompt: The contrast prompt of the logodds types.
        id: A stable identifier (``<task>-<index>`` for generated rows).
        meta: Free-form provenance: slot values, seed, spec hash, row number.
    """

    prompt: str
    classes: tuple[str, ...] | None = None
    answer_index: int | None = None
    completion: str | None = None
    other_prompt: str | None = None
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def key(self) -> tuple[str, ...]:
        """What makes two examples duplicates: the texts, not the id or the meta."""
        return (
            self.prompt,
            self.other_prompt or "",
            self.completion or "",
            *(self.classes or ()),
        )

    def content_hash(self) -> str:
        """A short stable hash of the scored content (used as a cache key by the check)."""
        payload = orjson.dumps(
            [
                self.prompt,
                self.other_prompt,
                self.completion,
                list(self.classes or ()),
                self.answer_index,
            ]
        )
        return hashlib.blake2b(payload, digest_size=12).hexdigest()

    @property
    def answer(self) -> str | None:
        """The correct class text, or the completion for ``sequence_prob``."""
        if self.classes is not None and self.answer_index is not None:
            if 0 <= self.answer_index < len(self.classes):
                return self.classes[self.answer_index]
            return None
        return self.completion

    def to_row(self, task_type: TaskType) -> dict[str, Any]:
        """The prize's columns for ``task_type`` (classes as a list)."""
        row: dict[str, Any] = {}
        for column in task_type.columns:
            value = getattr(self, column)
            row[column] = list(value) if column == "classes" and value is not None else value
        return row


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) about a dataset.

    Attributes:
        severity: ``"error"`` fails validation; ``"warning"`` fails only under ``--strict``.
        code: A short stable rule name, e.g. ``"answer-index-range"``.
        message: What is wrong and how to fix it, in one line.
        row: 1-based data row (the header is not counted), if the problem is in a row.
        line: 1-based line in the file where that row starts (CSV rows can span lines).
        column: The column concerned, if any.
    """

    severity: str
    code: str
    message: str
    row: int | None = None
    line: int | None = None
    column: str | None = None

    def one_line(self, path: str | None = None) -> str:
        """``path:line: row 3, column 'classes': error[code] message``."""
        where: list[str] = []
        head = path or ""
        if self.line is not None:
            head = f"{head}:{self.line}" if head else f"line {self.line}"
        if head:
            where.append(head)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        prefix = ", ".join(where)
        text = f"{self.severity}[{self.code}] {self.message}"
        return f"{prefix}: {text}" if prefix else text
