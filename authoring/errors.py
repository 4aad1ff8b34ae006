"""One error family for the whole library.

Every error a user can cause (bad task folder, bad dataset file, impossible request, model that
will not load) is an :class:`InvscaleError`. It carries *where* the problem is (file, line, key,
row) and *how to fix it*, so the CLI and the TUI can show it as one line without a traceback.
The library raises these; it never prints and never exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    """Where a problem is: a file and, when known, a line, a row, a column or a key."""

    path: str | Path | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.path is not None:
            text = str(self.path)
            if self.line is not None:
                text += f":{self.line}"
            parts.append(text)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.key is not None:
            parts.append(f"key '{self.key}'")
        return ", ".join(parts)


class InvscaleError(Exception):
    """Base of every error a user can cause.

    Args:
        message: What is wrong, in one sentence.
        where: The file/line/row/key the problem is at, if known.
        fix: What the user should do about it.

    Attributes:
        exit_code: 2 for usage and input errors (the default), 1 for a failed validation.
    """

    exit_code = 2

    def __init__(self, message: str, *, where: Location | None = None, fix: str | None = None):
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The whole error as a single line: ``where: message (fix: ...)``."""
        text = self.message
        if self.where is not None and str(self.where):
            text = f"{self.where}: {text}"
        if self.fix:
            text = f"{text} Fix: {self.fix}"
        return " ".join(text.split())


class SpecError(InvscaleError):
    """A task folder is malformed: YAML, schema, unknown slot kind, missing lexicon or hook."""


class TemplateError(InvscaleError):
    """A Jinja2 template does not parse or uses an undefined variable."""


class GenerationError(InvscaleError):
    """Generation cannot deliver what was asked (e.g. the slot space is too small for N)."""


class DataError(InvscaleError):
    """A dataset file cannot be read at all (not found, not CSV/JSONL, no usable columns)."""


class OutputError(InvscaleError):
    """An output path cannot be written."""


class ValidationFailed(InvscaleError):
    """A dataset was read but has problems; raised only by callers that want an exception."""

    exit_code = 1


class CheckError(InvscaleError):
    """The quick check cannot run: a model will not load, is offline, or runs out of memory."""


class MissingDependency(InvscaleError):
    """An optional dependency is not installed; the message names the pip command."""
