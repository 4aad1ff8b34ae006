"""The Library: built-in generators and the task folders in the working directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Static

from authoring.tui.modals import NewTaskModal


@dataclass
class LibraryEntry:
    """One row of the library: a built-in generator or a local task folder."""

    name: str
    kind: str  # "built-in" or "folder"
    path: Path
    type: str = "?"
    description: str = ""
    hypothesis: str = ""
    error: str | None = None


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when under it, else with ``~`` for home."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
        return f"./{relative.as_posix()}" if str(relative) != "." else "./"
    except ValueError:
        pass
    try:
        return f"~/{path.resolve().relative_to(Path.home().resolve()).as_posix()}"
    except ValueError:
        return str(path)


def scan_library(workdir: Path) -> list[LibraryEntry]:
    """Built-in generators first, then subfolders of ``workdir`` that hold a task.yaml.

    A folder that does not load is listed with its error rather than hidden.
    """
    from authoring.errors import InvscaleError
    from authoring.resources import builtin_names, generators_dir
    from authoring.spec import load_task

    found: list[tuple[str, str, Path]] = [
        (name, "built-in", generators_dir() / name) for name in builtin_names()
    ]
    if workdir.is_dir():
        for path in sorted(workdir.iterdir()):
            if path.is_dir() and (path / "task.yaml").is_file():
                found.append((path.name, "folder", path))
    entries = []
    for name, kind, path in found:
        entry = LibraryEntry(name, kind, path)
        try:
            spec = load_task(path)
        except InvscaleError as exc:
            entry.error = exc.one_line()
        except Exception as exc:  # a broken hooks.py must not hide the rest of the library
            entry.error = f"{type(exc).__name__}: {exc}"
        else:
            entry.type = spec.type.value
            entry.description = " ".join(spec.description.split())
            entry.hypothesis = " ".join(spec.hypothesis.split())
        entries.append(entry)
    return entries


class LibraryPanel(Vertical):
    """Browse generators and task folders; open one or start a new task from it."""

    BINDINGS = [
        Binding("o", "open", "Open"),
        Binding("n", "new", "New from"),
        Binding("b", "new_blank", "New blank"),
        Binding("f5", "refresh", "Rescan"),
    ]

    @dataclass
    class OpenTask(Message):
        """Open ``path`` in the editor (``read_only`` for built-in generators)."""

        path: Path
        read_only: bool = False

    def __init__(self, workdir: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workdir = workdir
        self.entries: list[LibraryEntry] = []

    def compose(self) -> ComposeResult:
        yield Label(
            f"Built-in generators and task folders in {shown_path(self.workdir)}", classes="title"
        )
        with Horizontal():
            table: DataTable = DataTable(id="library-table", cursor_type="row", zebra_stripes=True)
            yield table
            with VerticalScroll(id="library-detail"):
                yield Static("", id="library-info")
        with Horizontal(classes="buttons"):
            yield Button("Open", id="library-open", variant="primary")
            yield Button("New from this", id="library-new")
            yield Button("New blank", id="library-blank")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "kind", "type", "description")
        self.action_refresh()

    def action_refresh(self) -> None:
        """Rescan the built-ins and the working directory."""
        self.entries = scan_library(self.workdir)
        table = self.query_one(DataTable)
        table.clear()
        for i, entry in enumerate(self.entries):
            description = entry.description if entry.error is None else "⚠ " + entry.error
            table.add_row(entry.name, entry.kind, entry.type, _clip(description, 36), key=str(i))
        self._show(0)

    @property
    def current(self) -> LibraryEntry | None:
        """The highlighted entry."""
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row is None:
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def _show(self, row: int) -> None:
        info = self.query_one("#library-info", Static)
        if not self.entries:
            info.update("Nothing here yet: press b to start a blank task.")
            return
        entry = self.entries[min(max(row, 0), len(self.entries) - 1)]
        from rich.text import Text

        text = Text()
        text.append(f"{entry.name}\n", style="bold")
        where = "shipped with invscale" if entry.kind == "built-in" else shown_path(entry.path)
        text.append(f"{entry.kind} · {entry.type}\n{where}\n\n", style="dim")
        if entry.error:
            text.append(entry.error + "\n", style="red")
        if entry.description:
            text.append("Description\n", style="bold underline")
            text.append(entry.description + "\n\n")
        if entry.hypothesis:
            text.append("Hypothesis\n", style="bold underline")
            text.append(entry.hypothesis + "\n")
        info.update(text)

    @on(Button.Pressed, "#library-open")
    def action_open(self) -> None:
        """Open the highlighted entry (built-ins open read-only)."""
        entry = self.current
        if entry is not None:
            self.post_message(self.OpenTask(entry.path, read_only=entry.kind == "built-in"))

    @on(Button.Pressed, "#library-new")
    def action_new(self) -> None:
        """Start a new task folder copied from the highlighted entry."""
        entry = self.current
        if entry is None:
            return
        self._new_task(entry)

    @on(Button.Pressed, "#library-blank")
    def action_new_blank(self) -> None:
        """Start a new task folder from a task-type scaffold."""
        self._new_task(None)

    @work
    async def _new_task(self, entry: LibraryEntry | None) -> None:
        source = entry.name if entry else None
        suggested = _free_name(self.workdir, f"my-{entry.name}" if entry else "my-task")
        answer = await self.app.push_screen_wait(NewTaskModal(self.workdir, source, suggested))
        if answer is None:
            return
        dest, task_type = answer
        from authoring.errors import InvscaleError
        from authoring.scaffold import new_task

        try:
            if entry is None:
                path = new_task(dest, task_type=task_type)
            else:
                source = entry.name if entry.kind == "built-in" else str(entry.path)
                path = new_task(dest, from_generator=source)
        except InvscaleError as exc:
            self.notify(exc.one_line(), severity="error", timeout=10)
            return
        self.notify(f"created {path}")
        self.action_refresh()
        self.post_message(self.OpenTask(Path(path)))


def _free_name(workdir: Path, stem: str) -> str:
    name, i = stem, 2
    while (workdir / name).exists():
        name, i = f"{stem}-{i}", i + 1
    return name


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
