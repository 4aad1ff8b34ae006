"""Commands about datasets: ``generate``, ``validate``, ``export``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape

from authoring.cli._app import app
from authoring.cli._common import err, guarded, out, task_type_option

# Problems printed per rule before the rest are counted (a million-row file stays readable).
_PER_CODE = 20


@app.command()
def generate(
    task: Annotated[str, typer.Argument(help="A task folder or a built-in generator's name.")],
    n: Annotated[int | None, typer.Option("-n", help="Examples (default: the task's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the task's).")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("out"),
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", help="Extra formats: hf (save_to_disk), parquet. Repeatable."),
    ] = None,
) -> None:
    """Expand a task into a validated dataset: <name>.csv, <name>.jsonl and README.md card."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from authoring.dataset import generate_dataset

    formats = ["csv", "jsonl", *(format_ or [])]
    with (
        guarded(),
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        ) as progress,
    ):
        bar = progress.add_task("generating", total=n)

        def on_progress(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        result = generate_dataset(task, n, seed, output, formats, on_progress)
    report = result.report
    assert report is not None
    stats = result.stats
    err.print(
        f"[green]wrote {result.n:,} examples[/] of {escape(result.spec.name)} (seed {result.seed})"
        f": {stats.duplicates_replaced:,} duplicates replaced, {stats.draws_rejected:,} draws "
        f"rejected; validation: {len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    for path in result.paths.values():
        typer.echo(str(path))


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="An ISP-format CSV or JSONL file.")],
    type_: Annotated[
        str | None, typer.Option("--type", help="Force the task type (default: from columns).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    tokenizer: Annotated[
        list[str] | None,
        typer.Option(help="Also run tokenizer checks for this model (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Check a dataset: one line per problem (row, column), then a summary. Exit 1 if invalid."""
    from authoring.validate import validate_file

    with guarded():
        kind = task_type_option(type_)
        report = validate_file(file, kind)
        if tokenizer:
            from authoring.check import load_tokenizer, tokenizer_problems
            from authoring.formats import read_dataset

            if not report.errors:  # tokenizer checks need every row readable
                _, examples = read_dataset(file, report.task_type)
                for name in tokenizer:
                    found = tokenizer_problems(examples, report.task_type, load_tokenizer(name))
                    # Name the tokenizer: the same row can pass for one model and fail another.
                    report.problems.extend(
                        replace(p, message=f"[{name}] {p.message}") for p in found
                    )
    counts: dict[str, int] = {}
    for problem in report.problems:
        counts[problem.code] = counts.get(problem.code, 0) + 1
        if counts[problem.code] <= _PER_CODE:
            err.print(escape(problem.one_line(str(file))))
    for code, count in counts.items():
        if count > _PER_CODE:
            err.print(escape(f"... and {count - _PER_CODE:,} more [{code}]"))
    summary = report.summary()
    if as_json:
        typer.echo(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
    else:
        chars = summary["prompt_chars"] or [0, 0]
        answers = ", ".join(f"{k}: {v}" for k, v in summary["answer_index_counts"].items())
        verdict = "[green]valid[/]" if report.ok(strict) else "[red]invalid[/]"
        out.print(
            f"{escape(str(file))}: {verdict} — {summary['rows']:,} rows "
            f"({summary['task_type']}), {summary['errors']} errors, {summary['warnings']} "
            f"warnings; answer_index: {answers or 'n/a'}; prompt length {chars[0]}–{chars[1]} chars"
        )
    if not report.ok(strict):
        raise typer.Exit(1)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="An ISP-format CSV or JSONL file.")],
    to: Annotated[str, typer.Option("--to", help="Target: lm-eval.")] = "lm-eval",
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("."),
    type_: Annotated[str | None, typer.Option("--type", help="Force the task type.")] = None,
) -> None:
    """Export a dataset for another tool (an lm-evaluation-harness task YAML plus data)."""
    from authoring.dataset import export_lm_eval
    from authoring.errors import OutputError

    with guarded():
        if to != "lm-eval":
            raise OutputError(f"unknown export target '{to}'", fix="use --to lm-eval")
        paths = export_lm_eval(file, output, task_type_option(type_))
    err.print(f"wrote an lm-evaluation-harness task: {paths['yaml']}")
    for path in paths.values():
        typer.echo(str(path))
