"""The ``invscale`` command line (Typer), a thin layer over the library."""

from authoring.cli._app import app, main

__all__ = ["app", "main"]
