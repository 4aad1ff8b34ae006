"""The Dataset panel: generate N examples in a worker, browse them, see the validation summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from authoring.records import Example, TaskType

DEFAULT_N = 100
_PROGRESS_EVERY = 10


@dataclass
class Generated:
    """The outcome of one generation: examples and their validation, or an error."""

    examples: list[Example] = field(default_factory=list)
    task_type: TaskType | None = None
    report: Any = None  # authoring.validate.ValidationReport
    error: str | None = None
    written: dict[str, Path] = field(default_factory=dict)


def generate_examples(folder: Path, n: int, seed: int | None, progress=None) -> Generated:
    """Load ``folder`` and expand ``n`` examples, calling ``progress(done, total)``; validate.

    Errors in the task come back in ``Generated.error`` (one line), never as exceptions.
    """
    from authoring.errors import InvscaleError
    from authoring.expand import expand
    from authoring.spec import load_task
    from authoring.validate import validate_examples

    try:
        spec = load_task(folder)
        examples: list[Example] = []
        for example in expand(spec, n, seed=seed):
            examples.append(example)
            if progress is not None and (len(examples) % _PROGRESS_EVERY == 0):
                if progress(len(examples), n) is False:
                    return Generated(examples, spec.type, error="cancelled")
        report = validate_examples(examples, spec.type)
        return Generated(examples, spec.type, report)
    except InvscaleError as exc:
        return Generated(error=exc.one_line())
    except Exception as exc:  # a user's hook can raise anything; the app must survive
        return Generated(error=f"unexpected error: {type(exc).__name__}: {exc}")


class DatasetPanel(Vertical):
    """Generate a dataset from the saved task folder and browse it."""

    BINDINGS = [
        Binding("g", "generate", "Generate"),
        Binding("w", "write", "Write files"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.folder: Path | None = None
        self.generated: Generated | None = None

    def compose(self) -> ComposeResult:
        yield Label(
            "No task open: pick one in the Library (1).", id="dataset-title", classes="title"
        )
        with Horizontal(classes="controls"):
            yield Label("N")
            yield Input(str(DEFAULT_N), id="dataset-n", type="integer")
            yield Label("seed")
            yield Input("", id="dataset-seed", type="integer", placeholder="task's")
            yield Button("Generate", id="dataset-generate", variant="primary")
            yield Button("Write files", id="dataset-write")
        yield ProgressBar(id="dataset-progress", show_eta=False)
        with Horizontal():
            yield DataTable(id="dataset-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="dataset-side"):
                yield Static("", id="dataset-summary")
                yield Static("", id="dataset-row")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "prompt", "classes", "answer")

    def set_task(self, folder: Path) -> None:
        """Work on ``folder`` from now on (its saved files)."""
        self.folder = folder
        self.query_one("#dataset-title", Label).update(
            Text(f"{folder.name}: generated from the saved files (save edits first: ctrl+s)")
        )

    def _ints(self) -> tuple[int, int | None] | None:
        try:
            n = int(self.query_one("#dataset-n", Input).value or DEFAULT_N)
            seed_text = self.query_one("#dataset-seed", Input).value.strip()
            seed = int(seed_text) if seed_text else None
        except ValueError:
            self.notify("N and seed must be whole numbers", severity="error")
            return None
        if n < 1:
            self.notify("N must be at least 1", severity="error")
            return None
        return n, seed

    @on(Input.Submitted)
    @on(Button.Pressed, "#dataset-generate")
    def action_generate(self) -> None:
        """Generate N examples in a worker and fill the table."""
        if self.folder is None:
            self.notify("Open a task first (Library, 1).", severity="warning")
            return
        numbers = self._ints()
        if numbers is None:
            return
        n, seed = numbers
        self.query_one(ProgressBar).update(total=n, progress=0)
        self.query_one("#dataset-summary", Static).update(Text("generating…", style="dim"))
        self._generate(self.folder, n, seed)

    @work(thread=True, exclusive=True, group="generate")
    def _generate(self, folder: Path, n: int, seed: int | None) -> None:
        worker = get_current_worker()

        def progress(done: int, total: int) -> bool:
            if worker.is_cancelled:
                return False
            self.app.call_from_thread(self.query_one(ProgressBar).update, progress=done)
            return True

        result = generate_examples(folder, n, seed, progress)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, result)

    def _show(self, result: Generated) -> None:
        self.generated = result
        table = self.query_one(DataTable)
        table.clear()
        summary = self.query_one("#dataset-summary", Static)
        if result.error is not None:
            summary.update(Text("✗ " + result.error, style="bold red"))
            return
        bar = self.query_one(ProgressBar)
        bar.update(progress=bar.total or 0)
        for i, example in enumerate(result.examples):
            table.add_row(*_cells(i, example), key=str(i))
        summary.update(format_summary(result))

    @on(DataTable.RowHighlighted, "#dataset-table")
    def _row(self, event: DataTable.RowHighlighted) -> None:
        if self.generated is None or not self.generated.examples:
            return
        example = self.generated.examples[event.cursor_row]
        text = Text(f"\nrow {event.cursor_row + 1}\n", style="bold")
        text.append(example.prompt + "\n")
        for j, cls in enumerate(example.classes or ()):
            style = "bold green" if j == example.answer_index else "dim"
            text.append(f"  {'✓' if j == example.answer_index else '·'} {cls!r}\n", style=style)
        if example.completion is not None:
            text.append(f"completion: {example.completion!r}\n", style="bold green")
        self.query_one("#dataset-row", Static).update(text)

    @on(Button.Pressed, "#dataset-write")
    def action_write(self) -> None:
        """Write CSV, JSONL and the card to ``<task>/dataset``, as ``invscale generate`` does."""
        if self.folder is None:
            self.notify("Open a task first (Library, 1).", severity="warning")
            return
        numbers = self._ints()
        if numbers is not None:
            self.query_one(ProgressBar).update(total=numbers[0], progress=0)
            self._write(self.folder, *numbers)

    @work(thread=True, exclusive=True, group="generate")
    def _write(self, folder: Path, n: int, seed: int | None) -> None:
        from authoring.dataset import generate_dataset
        from authoring.errors import InvscaleError

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self.query_one(ProgressBar).update, progress=done, total=total
            )

        try:
            out = generate_dataset(folder, n, seed, folder / "dataset", on_progress=progress)
        except InvscaleError as exc:
            self.app.call_from_thread(self.notify, exc.one_line(), severity="error", timeout=10)
            return
        names = ", ".join(str(p) for p in out.paths.values())
        self.app.call_from_thread(self.notify, f"wrote {names}", timeout=8)


def _cells(i: int, example: Example) -> tuple[str, str, str, str]:
    prompt = " ".join(example.prompt.split())
    classes = " | ".join(repr(c) for c in example.classes) if example.classes else ""
    return str(i + 1), _clip(prompt, 34), _clip(classes, 20), _clip(repr(example.answer), 12)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_summary(result: Generated) -> Text:
    """Validation summary and the answer-position distribution as a small bar chart."""
    report = result.report
    text = Text()
    text.append(f"{len(result.examples)} examples", style="bold")
    if result.task_type is not None:
        text.append(f" · {result.task_type.value}\n")
    if report is not None:
        ok = report.ok()
        text.append("validation: ", style="bold")
        text.append("ok" if ok else "FAILED", style="bold green" if ok else "bold red")
        text.append(f" ({len(report.errors)} errors, {len(report.warnings)} warnings)\n")
        for problem in report.problems[:8]:
            style = "red" if problem.severity == "error" else "yellow"
            text.append("  " + problem.one_line() + "\n", style=style)
        if report.prompt_chars:
            low, high = report.prompt_chars
            text.append(f"prompt length: {low}–{high} characters\n")
        counts: Counter[int] = Counter(report.answer_counts)
    else:
        counts = Counter(e.answer_index for e in result.examples if e.answer_index is not None)
    if counts:
        text.append("\nanswer position\n", style="bold")
        total = sum(counts.values())
        for position in sorted(counts):
            share = counts[position] / total
            bar = "█" * round(share * 24)
            text.append(f"  {position}: ")
            text.append(bar, style="cyan")
            text.append(f" {counts[position]} ({share:.0%})\n")
    return text
