"""``invscale studio``: open the Textual app (imported only when the command runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from authoring.cli._app import app
from authoring.cli._common import guarded


@app.command()
def studio(
    task_dir: Annotated[
        Path | None,
        typer.Argument(help="A task folder to open in the editor (default: start in the Library)."),
    ] = None,
) -> None:
    """Author a task interactively: live preview, dataset browser and the quick check."""
    with guarded():
        from authoring.spec import resolve_task

        folder = resolve_task(task_dir) if task_dir is not None else None
        from authoring.tui import make_app

        make_app(folder).run()
