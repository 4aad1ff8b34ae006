"""The Typer application object and the entry point; command modules register on ``app``."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="invscale",
    help="Author, generate and scaling-check Inverse Scaling Prize datasets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Console-script entry point."""
    from authoring.cli import commands  # noqa: F401  (registers the commands on app)

    app()
