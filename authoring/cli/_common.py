"""What every command shares: the stderr console and turning library errors into exit codes.

stdout belongs to data (tables, JSON, previews); every message about the run goes to stderr.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from authoring.errors import InvscaleError
from authoring.records import TaskType, parse_task_type

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def guarded() -> Iterator[None]:
    """Turn an :class:`InvscaleError` into one red line on stderr and its exit code.

    KeyboardInterrupt becomes exit 130 with a short note (work already saved stays saved).
    """
    try:
        yield
    except InvscaleError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.one_line())}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]: nothing already written or cached was lost.")
        raise typer.Exit(130) from None


def task_type_option(value: str | None) -> TaskType | None:
    """The ``--type`` option: None (infer from the columns) or a task type.

    Raises:
        InvscaleError: an unknown type name (one line, exit 2).
    """
    if value is None:
        return None
    try:
        return parse_task_type(value)
    except ValueError as exc:
        raise InvscaleError(
            str(exc), fix="--type classification|sequence_prob|logodds|absolute_logodds"
        ) from None
