"""``invscale studio``: a Textual app over the same library as the CLI.

Only this package imports Textual; ``import authoring`` and ``invscale --help`` never do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.tui.app import StudioApp

__all__ = ["make_app"]


def make_app(task_dir: Path | None = None, *, workdir: Path | None = None) -> StudioApp:
    """Build the studio app (shared by the entry point and the tests).

    Args:
        task_dir: A task folder to open in the editor at start.
        workdir: Where the Library looks for task folders and creates new ones (default: the
            current directory).
    """
    from authoring.tui.app import StudioApp

    return StudioApp(task_dir=task_dir, workdir=workdir or Path.cwd())
