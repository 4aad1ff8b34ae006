"""``invscale check``: the quick scaling check (a thin layer over ``authoring.check``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from authoring.check.models import format_params
from authoring.cli._app import app
from authoring.cli._common import err, guarded, out, task_type_option

if TYPE_CHECKING:
    from authoring.check import CheckPlan, CheckResult


def _print_plan(plan: CheckPlan) -> None:
    total = plan.total_seconds()
    eta = "?" if total is None else f"~{total / 60:.1f} min" if total > 90 else f"~{total:.0f} s"
    err.print(
        f"[bold]check[/]: {plan.n_examples:,} {plan.task_type.value} examples "
        f"(~{plan.tokens_per_model:,} tokens per model) on {plan.device} in {plan.dtype}; "
        f"rough time {eta}"
    )
    for m in plan.models:
        mem = "?" if m.memory_bytes is None else f"{m.memory_bytes / 2**30:.1f} GiB"
        err.print(f"  {escape(m.name)}: {format_params(m.nominal_params)} params, memory ~{mem}")


def _print_result(result: CheckResult) -> None:
    metric = result.metric
    table = Table(title=f"{result.task_type.value}: mean {metric} per model (95% bootstrap CI)")
    for column in ("model", "params", metric, "95% CI", "accuracy", "blind", "skipped"):
        table.add_column(column, justify="left" if column == "model" else "right")
    blind_name = result.blind_trend.metric if result.blind_trend else None
    for m in result.models:
        lo, hi = m.ci.get(metric, (float("nan"),) * 2)
        acc = m.accuracy
        blind = m.blind_mean.get(blind_name) if blind_name else None
        table.add_row(
            escape(m.name), format_params(m.params),
            f"{m.mean.get(metric, float('nan')):.4g}", f"[{lo:.4g}, {hi:.4g}]",
            "-" if acc is None else f"{acc:.1%}",
            "-" if blind is None else f"{blind:.4g}",
            str(sum(m.skipped.values())),
        )
    out.print(table)
    if len(result.models) >= 2 and all(m.params for m in result.models):
        from authoring.plot import terminal_chart

        out.print(terminal_chart([_series(result, metric)], metric), markup=False,
                  highlight=False)
    trend = result.trend
    if trend is not None and trend.n_models < 2:
        out.print("verdict: [bold]none[/]: one model has no trend; add models with --model or "
                  "use a --ladder to see one")
    elif trend is not None:
        out.print(f"verdict: [bold]{trend.verdict}[/] ({escape(trend.reason)})")
        if trend.tau is not None:
            out.print(f"Kendall's tau {trend.tau:+.2f} (p={trend.tau_p:.2g}) over "
                      f"{trend.n_models} models, {trend.n_examples} paired examples")
    if result.blind_trend is not None and result.blind_trend.slope is not None:
        b = result.blind_trend
        out.print(f"blind baseline ({b.metric} after '{escape('Answer:')}'): {b.verdict}")
    if result.by_means:
        _print_by(result)
    for note in result.notes:
        err.print(f"[yellow]note[/]: {escape(note)}")


def _print_by(result: CheckResult) -> None:
    """One row per value of the --by slot: its mean metric (and accuracy) per model, its trend."""
    metric, several = result.metric, len(result.models) > 1
    table = Table(title=f"by {result.by}: mean {metric} per model", title_justify="left")
    table.add_column(str(result.by))
    table.add_column("n", justify="right")
    for m in result.models:
        table.add_column(f"{escape(m.name)} {metric}", justify="right")
        if "correct" in m.mean:
            table.add_column(f"{escape(m.name)} acc", justify="right")
    if several:
        table.add_column("trend")
    for value, means in result.by_means.items():
        cells = [escape(value), str(means["n"])]
        for i, m in enumerate(result.models):
            cells.append(f"{means[metric][i]:.4g}" if metric in means else "-")
            if "correct" in m.mean:
                cells.append(f"{means['correct'][i]:.1%}" if "correct" in means else "-")
        if several:
            cells.append(result.by_trends[value].verdict)
        table.add_row(*cells)
    out.print(table)


def _series(result: CheckResult, metric: str):
    from authoring.plot import Series

    models = result.models
    return Series(
        metric, [m.params or 0 for m in models], [m.mean.get(metric, float("nan")) for m in models],
        [m.ci.get(metric, (float("nan"),) * 2)[0] for m in models],
        [m.ci.get(metric, (float("nan"),) * 2)[1] for m in models],
    )


@app.command()
def check(
    data: Annotated[Path, typer.Argument(help="An ISP-format CSV or JSONL dataset.")],
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Hub id, local folder or .gguf file; NAME@SIZE sets a "
                     "nominal size. Repeatable."),
    ] = None,
    ladder: Annotated[
        str | None,
        typer.Option(help="Preset ladder: pythia, gpt2, opt, qwen2.5, smollm2, bundled."),
    ] = None,
    max_params: Annotated[
        str | None, typer.Option(help="Largest preset model, e.g. 410M or 7B (default 1.6B).")
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help="Force the task type (else inferred).")
    ] = None,
    device: Annotated[str | None, typer.Option(help="cpu, cuda, cuda:1 (default: auto).")] = None,
    dtype: Annotated[
        str | None, typer.Option(help="float32, bfloat16, float16 (default: auto).")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Rows per forward (default: by token budget).")
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(help="OpenAI-compatible server URL (e.g. vLLM at http://host:8000/v1); "
                     "--model names are then served model names."),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Also show the trend per value of this slot.")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Write results JSON.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG plot of metric vs params.")] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Score everything afresh; store nothing.")
    ] = False,
    no_blind: Annotated[
        bool, typer.Option("--no-blind", help="Skip the blind (neutral-prompt) baseline.")
    ] = False,
) -> None:
    """Preview the scaling trend of a dataset on a ladder of causal LMs.

    Prints a table (mean metric, 95% bootstrap CI, accuracy, blind baseline per model), a chart
    of the metric against parameters, and a verdict: inverse, standard, flat, U-shaped,
    inverted-U, or not enough evidence. Scores are cached: a re-run only scores what is missing.
    """
    import threading

    import orjson
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from authoring.check import (
        CheckOptions,
        RemoteScorer,
        parse_size,
        plan_check,
        resolve_models,
        run_check,
    )
    from authoring.formats import read_dataset

    _quiet_transformers()  # before anything imports tqdm
    with guarded():
        task_type, examples = read_dataset(data, task_type_option(type_))
        cap = parse_size(max_params) if max_params else None
        refs = resolve_models(list(model or []), ladder, cap)
        if server:
            targets: list[Any] = [
                RemoteScorer(server, r.name, params=r.nominal_params) for r in refs
            ]
            run_device, run_dtype = server, "server"
        else:
            from authoring.check.models import pick_device_dtype

            targets = refs
            run_device, run_dtype = pick_device_dtype(device, dtype)
        _print_plan(plan_check(examples, task_type, refs, run_device, run_dtype, not no_blind))
        options = CheckOptions(device=device, dtype=dtype, batch_size=batch_size,
                               use_cache=not no_cache, blind=not no_blind, by=by)
        cancel = threading.Event()
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=err, transient=True,
        ) as progress:
            bars: dict[tuple[str, str], Any] = {}

            def on_progress(event) -> None:
                key = (event.stage, event.model)
                if key not in bars:
                    label = {"load": "loading", "score": "scoring", "blind": "blind"}[event.stage]
                    bars[key] = progress.add_task(f"{label} {escape(event.model)}",
                                                  total=event.total)
                progress.update(bars[key], completed=event.done, total=event.total)

            def on_model_done(m) -> None:
                batch = "all from cache" if m.batch_size is None else f"batch size {m.batch_size}"
                err.print(f"[green]done[/] {escape(m.name)}: {format_params(m.params)} params, "
                          f"{m.dtype} on {escape(m.device)}, {batch}, "
                          f"{m.from_cache} results from cache")

            result = run_check(examples, task_type, targets, options, on_progress=on_progress,
                               on_model_done=on_model_done, cancel=cancel)
        _print_result(result)
        if json_path is not None:
            from authoring.formats import atomic_open

            with atomic_open(json_path, "wb") as handle:
                handle.write(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2))
            err.print(f"wrote {escape(str(json_path))}")
        if plot is not None:
            from authoring.plot import png_plot

            if not all(m.params for m in result.models):
                err.print("[yellow]note[/]: no plot: a model has no known parameter count")
            else:
                png_plot([_series(result, result.metric)], result.metric, plot,
                         title=f"{data.stem} ({task_type.value})")
                err.print(f"wrote {escape(str(plot))}")


def _quiet_transformers() -> None:
    """Our bars show loading and scoring; transformers' own bars and notices would interleave."""
    import os

    # tqdm reads TQDM_* defaults when it is first imported; the GGUF loader's bar obeys only this.
    os.environ.setdefault("TQDM_DISABLE", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
