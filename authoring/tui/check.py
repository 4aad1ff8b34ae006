"""The Check panel: run the quick scaling check in a worker and draw the trend as models finish."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Select, Static
from textual_plotext import PlotextPlot

from authoring.check.models import format_params

DEFAULT_N = 50
RESULTS_NAME = "check-results.json"


def ladder_options() -> list[tuple[str, str]]:
    """The preset ladders for the Select (label, value)."""
    from authoring.check.models import LADDERS

    return [(f"{name} ({len(models)} models)", name) for name, models in LADDERS.items()]


class CheckPanel(Vertical):
    """Pick a ladder or models, run the check with per-model progress, plot metric vs params."""

    BINDINGS = [
        Binding("c", "run", "Run check"),
        Binding("x", "cancel", "Cancel"),
    ]

    @dataclass
    class Progress(Message):
        """A progress event from the worker: ``stage`` of ``model`` is ``done``/``total``."""

        stage: str
        model: str
        done: int
        total: int

    @dataclass
    class ModelDone(Message):
        """One model finished (``result`` is an ``authoring.check.run.ModelResult``)."""

        result: Any

    @dataclass
    class Finished(Message):
        """The run ended: ``result`` (a ``CheckResult``) or ``error`` (one line)."""

        result: Any = None
        error: str | None = None
        saved: Path | None = None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.folder: Path | None = None
        self.cancel_event: threading.Event | None = None
        self.done_models: list[Any] = []
        self.result: Any = None
        self.metric = "loss"
        # Extra CheckOptions fields (device, cache_path, blind, ...); tests set them.
        self.options: dict[str, Any] = {}
        # What the chart shows: (log10 params, mean, error bar) per finished model.
        self.plotted: list[tuple[float, float, float]] = []

    def compose(self) -> ComposeResult:
        yield Label("No task open: pick one in the Library (1).", id="check-title", classes="title")
        with Horizontal(classes="controls"):
            yield Select(ladder_options(), prompt="ladder (none)", id="check-ladder")
            yield Input(
                placeholder="or models: hub ids / folders, comma-separated", id="check-models"
            )
            yield Label("N")
            yield Input(str(DEFAULT_N), id="check-n", type="integer")
            yield Button("Run", id="check-run", variant="primary")
            yield Button("Cancel", id="check-cancel", disabled=True)
        with Horizontal():
            yield DataTable(id="check-table", cursor_type="row")
            yield PlotextPlot(id="check-plot")
        yield Static("", id="check-verdict")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("model", "params", "status", "metric ± 95% CI")
        self._draw()

    def set_task(self, folder: Path) -> None:
        """Check ``folder`` (its saved files) from now on."""
        self.folder = folder
        self.query_one("#check-title", Label).update(
            Text(f"{folder.name}: quick check on the saved files; results → {RESULTS_NAME}")
        )

    # -- starting and stopping -------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#check-run")
    def action_run(self) -> None:
        """Start the check in a worker."""
        if self.folder is None:
            self.notify("Open a task first (Library, 1).", severity="warning")
            return
        if self.cancel_event is not None:
            self.notify("A check is already running (x cancels it).", severity="warning")
            return
        select = self.query_one("#check-ladder", Select)
        ladder_name = None if select.is_blank() else str(select.value)
        models = [m.strip() for m in self.query_one("#check-models", Input).value.split(",")]
        models = [m for m in models if m]
        if ladder_name is None and not models:
            self.notify("Pick a ladder or type model names.", severity="warning")
            return
        try:
            n = int(self.query_one("#check-n", Input).value or DEFAULT_N)
        except ValueError:
            self.notify("N must be a whole number", severity="error")
            return
        self.done_models = []
        self.result = None
        self.query_one(DataTable).clear()
        self.query_one("#check-verdict", Static).update(Text("running…", style="dim"))
        self.cancel_event = threading.Event()
        self.query_one("#check-cancel", Button).disabled = False
        self._run(self.folder, ladder_name, models, n, self.cancel_event)

    @on(Button.Pressed, "#check-cancel")
    def action_cancel(self) -> None:
        """Stop the running check between chunks (scored chunks stay cached)."""
        if self.cancel_event is not None:
            self.cancel_event.set()
            self.query_one("#check-verdict", Static).update(Text("cancelling…", style="yellow"))

    @work(thread=True, exclusive=True, group="check")
    def _run(
        self, folder: Path, ladder: str | None, models: list[str], n: int, cancel: threading.Event
    ) -> None:
        from authoring.check.metrics import primary_metric
        from authoring.check.models import resolve_models
        from authoring.check.run import CheckOptions, run_check
        from authoring.errors import InvscaleError
        from authoring.expand import expand
        from authoring.spec import load_task

        try:
            spec = load_task(folder)
            self.metric = primary_metric(spec.type)
            examples = list(expand(spec, n))
            refs = resolve_models(models, ladder)
            self.app.call_from_thread(self._plan, [r.name for r in refs])
            result = run_check(
                examples,
                spec.type,
                refs,
                CheckOptions(**self.options),
                on_progress=self._post_progress,
                on_model_done=self._post_model_done,
                cancel=cancel,
            )
            saved = folder / RESULTS_NAME
            _write_json(saved, result.to_json())
            self.post_message(self.Finished(result, saved=saved))
        except InvscaleError as exc:
            self.post_message(self.Finished(error=exc.one_line()))
        except Exception as exc:  # out of memory, a broken model folder...: report, never crash
            self.post_message(self.Finished(error=f"{type(exc).__name__}: {exc}"))

    def _post_progress(self, event: Any) -> None:
        self.post_message(self.Progress(event.stage, event.model, event.done, event.total))

    def _post_model_done(self, model: Any) -> None:
        self.post_message(self.ModelDone(model))

    # -- showing progress ------------------------------------------------------------------

    def _plan(self, names: list[str]) -> None:
        table = self.query_one(DataTable)
        for name in names:
            table.add_row(_short(name), "", "waiting", "", key=name)

    def _set(self, model: str, column: int, value: str) -> None:
        table = self.query_one(DataTable)
        if model not in table.rows:  # RowKey compares equal to its string value
            table.add_row(_short(model), "", "", "", key=model)
        table.update_cell_at(
            Coordinate(table.get_row_index(model), column), value, update_width=True
        )

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        if event.stage == "load":
            status = "loaded" if event.done else "loading…"
        else:
            status = f"{event.stage} {event.done}/{event.total}"
        self._set(event.model, 2, status)

    @on(ModelDone)
    def _model_done(self, event: ModelDone) -> None:
        model = event.result
        self.done_models.append(model)
        mean = model.mean.get(self.metric)
        low, high = model.ci.get(self.metric, (math.nan, math.nan))
        self._set(model.name, 1, format_params(model.params))
        self._set(model.name, 2, "done")
        if mean is not None:
            self._set(model.name, 3, f"{mean:.3f} ({low:.3f}–{high:.3f})")
        self._draw()

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        self.cancel_event = None
        self.query_one("#check-cancel", Button).disabled = True
        verdict = self.query_one("#check-verdict", Static)
        if event.error is not None:
            verdict.update(Text("✗ " + event.error, style="bold red"))
            return
        self.result = event.result
        trend = event.result.trend
        text = Text()
        if trend is not None:
            style = "bold red" if trend.verdict == "inverse" else "bold"
            text.append(f"verdict: {trend.verdict}", style=style)
            text.append(f" — {trend.reason}\n")
        for note in event.result.notes:
            text.append(note + "\n", style="yellow")
        text.append(f"saved {event.saved}", style="dim")
        verdict.update(text)

    def _draw(self) -> None:
        widget = self.query_one(PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(f"{self.metric} vs parameters")
        plt.xlabel("parameters (log scale)")
        points = [
            (math.log10(m.params), m.mean[self.metric], m.ci.get(self.metric))
            for m in self.done_models
            if m.params and self.metric in m.mean
        ]
        if points:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            # plotext draws symmetric bars: use the wider side of the bootstrap interval.
            errs = [max(y - ci[0], ci[1] - y) if ci else 0.0 for _, y, ci in points]
            self.plotted = list(zip(xs, ys, errs, strict=True))
            if len(points) > 1:
                plt.plot(xs, ys, marker="braille", color="cyan")
            plt.error(xs, ys, yerr=errs, color="orange")
            plt.xticks(xs, [format_params(round(10**x)) for x in xs])
        widget.refresh()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from authoring.tui.editor import write_atomic

    write_atomic(path, json.dumps(data, indent=2, default=str) + "\n")


def _short(name: str) -> str:
    return name if len(name) <= 28 else "…" + name[-27:]
