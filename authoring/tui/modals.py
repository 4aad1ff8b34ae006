"""Modal dialogs: help, quit-with-unsaved-edits, and naming a new task folder."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown, Select

HELP_TEXT = """\
# invscale studio

Write a task, watch examples change as you type, generate a dataset, check the scaling trend.

| key | where | what |
| --- | --- | --- |
| `1` `2` `3` `4` | anywhere but a text box | Library, Editor, Dataset, Check |
| `?` | anywhere but a text box | this help |
| `ctrl+q` | anywhere | quit (asks first if an edit is unsaved) |
| `enter` / `o` | Library | open the highlighted task folder |
| `n` | Library | new task from the highlighted entry |
| `ctrl+s` | Editor | save every changed file (atomic) |
| `ctrl+r` | Editor | re-roll the preview (next seed) |
| `ctrl+g` | Editor | go to the line of the current error |
| `escape` | Editor | leave the text box (then `1`-`4` work) |
| `g` | Dataset | generate the dataset |
| `c` | Check | run the quick check |
| `x` | Check | cancel a running check |

The preview renders the **unsaved** text, so nothing is written until you save.
Errors show as `file:line: message Fix: ...` above the preview, and the line is marked.
"""


class HelpModal(ModalScreen[None]):
    """Key bindings and a one-paragraph tour."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            with VerticalScroll():
                yield Markdown(HELP_TEXT)
            yield Button("Close", id="help-close", variant="primary")

    @on(Button.Pressed, "#help-close")
    def _close(self) -> None:
        self.dismiss(None)


class QuitModal(ModalScreen[str]):
    """Ask what to do with unsaved edits: ``"save"``, ``"discard"`` or ``"cancel"``."""

    BINDINGS = [
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("s", "choose('save')", "Save"),
        Binding("d", "choose('discard')", "Discard"),
    ]

    def __init__(self, files: list[str]) -> None:
        super().__init__()
        self.files = files

    def compose(self) -> ComposeResult:
        names = ", ".join(self.files)
        with Vertical(id="quit-dialog", classes="dialog"):
            yield Label(f"Unsaved edits in: {names}", id="quit-message")
            yield Label("Save them before quitting?")
            with Horizontal(classes="buttons"):
                yield Button("Save and quit", id="save", variant="primary")
                yield Button("Discard and quit", id="discard", variant="error")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class NewTaskModal(ModalScreen[tuple[Path, str | None] | None]):
    """Ask for the new task folder's name (and its type when starting blank).

    Dismisses with ``(destination, task_type)`` (``task_type`` None unless blank), or None.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, workdir: Path, source: str | None, suggested: str) -> None:
        super().__init__()
        self.workdir = workdir
        self.source = source
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        from authoring.records import TaskType

        title = f"New task from '{self.source}'" if self.source else "New blank task"
        with Vertical(id="new-dialog", classes="dialog"):
            yield Label(title, classes="title")
            yield Label(f"Folder (created in {self.workdir}):")
            yield Input(self.suggested, id="new-name")
            if self.source is None:
                yield Select(
                    [(t.value, t.value) for t in TaskType],
                    value=TaskType.CLASSIFICATION.value,
                    allow_blank=False,
                    id="new-type",
                )
            yield Label("", id="new-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Create", id="create", variant="primary")
                yield Button("Cancel", id="cancel")

    @property
    def task_type(self) -> str | None:
        """The chosen type (blank tasks only)."""
        if self.source is not None:
            return None
        return str(self.query_one("#new-type", Select).value)

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        name = self.query_one("#new-name", Input).value.strip()
        if not name or "/" in name or name.startswith("."):
            self.query_one("#new-error", Label).update("Give a plain folder name, e.g. my-task")
            return
        dest = self.workdir / name
        if dest.exists():
            self.query_one("#new-error", Label).update(f"{dest} already exists")
            return
        self.dismiss((dest, self.task_type))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
