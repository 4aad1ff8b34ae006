"""Commands about task folders: ``list``, ``new``, ``preview``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from authoring.cli._app import app
from authoring.cli._common import err, guarded, out


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the built-in generators with their task type and a one-line description."""
    from authoring.scaffold import list_generators

    with guarded():
        infos = list_generators()
    if as_json:
        typer.echo(orjson.dumps([i.to_dict() for i in infos], option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="Built-in generators", title_justify="left")
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("description")
    for info in infos:
        table.add_row(info.name, info.type, escape(_first_sentence(info.description)))
    out.print(table)
    err.print("Start from one: invscale new my-task --from NAME")


@app.command()
def new(
    dest: Annotated[Path, typer.Argument(help="The new task folder.")],
    from_: Annotated[
        str | None, typer.Option("--from", help="Copy a built-in generator or any task folder.")
    ] = None,
    type_: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="Scaffold a blank task: classification, sequence_prob, "
            "logodds or absolute_logodds.",
        ),
    ] = None,
) -> None:
    """Create a task folder from a built-in generator (--from) or a blank scaffold (--type)."""
    from authoring.scaffold import new_task

    with guarded():
        folder = new_task(dest, from_generator=from_, task_type=type_)
    err.print(f"Created {folder}/ (edit task.yaml, then: invscale preview {folder})")
    typer.echo(str(folder))


@app.command()
def preview(
    task: Annotated[str, typer.Argument(help="A task folder or a built-in generator's name.")],
    n: Annotated[int, typer.Option("-n", help="How many examples.")] = 5,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the task's).")] = None,
) -> None:
    """Render a few examples in the terminal, correct answer marked; writes nothing."""
    from authoring.expand import expand
    from authoring.spec import load_task

    with guarded():
        spec = load_task(task)
        examples = list(expand(spec, n, seed, check_space=False))
    for number, example in enumerate(examples, start=1):
        out.rule(f"[bold]{escape(spec.name)}[/] #{number}  ({spec.type.value})", align="left")
        out.print(escape(example.prompt))
        if example.other_prompt is not None:
            out.print("[dim]other_prompt:[/]")
            out.print(escape(example.other_prompt))
        if example.classes is not None:
            for index, cls in enumerate(example.classes):
                mark = "[bold green]✔[/]" if index == example.answer_index else " "
                out.print(f"  {mark} [{index}] {escape(repr(cls))}")
        if example.completion is not None:
            out.print(f"[dim]completion:[/] {escape(repr(example.completion))}")


def _first_sentence(text: str) -> str:
    # A sentence ends at ". " unless the dot closes an abbreviation such as "e.g." or "i.e.".
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)\. ", text)
    return text[: match.start() + 1] if match else text
