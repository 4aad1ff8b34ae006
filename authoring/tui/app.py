"""The studio app: four panels in tabs (Library, Editor, Dataset, Check), help and quit modals."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from authoring.tui.check import CheckPanel
from authoring.tui.dataset import DatasetPanel
from authoring.tui.editor import EditorPanel
from authoring.tui.library import LibraryPanel, shown_path
from authoring.tui.modals import HelpModal, QuitModal

TABS = ("library", "editor", "dataset", "check")
FOCUS = {
    "library": "#library-table",
    "editor": "#editor-text",
    "dataset": "#dataset-table",
    "check": "#check-table",
}


class StudioApp(App[None]):
    """``invscale studio``: author a task, preview it live, generate it, check its trend."""

    TITLE = "invscale studio"
    CSS_PATH = "styles.tcss"
    BINDINGS = [
        Binding("1", "tab('library')", "Library"),
        Binding("2", "tab('editor')", "Editor"),
        Binding("3", "tab('dataset')", "Dataset"),
        Binding("4", "tab('check')", "Check"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, task_dir: Path | None = None, workdir: Path | None = None) -> None:
        super().__init__()
        self.task_dir = task_dir.resolve() if task_dir is not None else None
        self.workdir = (workdir or Path.cwd()).resolve()

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="editor" if self.task_dir else "library", id="tabs"):
            with TabPane("Library", id="library"):
                yield LibraryPanel(self.workdir, id="library-panel")
            with TabPane("Editor", id="editor"):
                yield EditorPanel(id="editor-panel")
            with TabPane("Dataset", id="dataset"):
                yield DatasetPanel(id="dataset-panel")
            with TabPane("Check", id="check"):
                yield CheckPanel(id="check-panel")
        yield Footer()

    def on_mount(self) -> None:
        if self.task_dir is not None:
            self.open_task(self.task_dir)
        else:
            self._focus_panel("library")

    def open_task(self, folder: Path, *, read_only: bool = False) -> None:
        """Open ``folder`` in every panel and switch to the editor."""
        self.task_dir = folder
        self.sub_title = shown_path(folder)
        self.query_one(EditorPanel).open_folder(folder, read_only=read_only)
        self.query_one(DatasetPanel).set_task(folder)
        self.query_one(CheckPanel).set_task(folder)
        self.action_tab("editor")

    @on(LibraryPanel.OpenTask)
    def _open_from_library(self, message: LibraryPanel.OpenTask) -> None:
        editor = self.query_one(EditorPanel)
        if editor.dirty_files and editor.folder != message.path:
            self._switch_task(message.path, message.read_only)
        else:
            self.open_task(message.path, read_only=message.read_only)

    @work
    async def _switch_task(self, folder: Path, read_only: bool) -> None:
        # Opening another task replaces the buffers: ask first, as quitting does.
        if await self._settle_unsaved():
            self.open_task(folder, read_only=read_only)

    def action_tab(self, tab: str) -> None:
        """Show one of the four panels."""
        self.query_one(TabbedContent).active = tab
        self._focus_panel(tab)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_panel(event.pane.id or "")

    def _focus_panel(self, tab: str) -> None:
        # Each panel's main widget takes the focus, so its keys work at once.
        target = FOCUS.get(tab)
        if target:
            self.query_one(target).focus()

    def action_help(self) -> None:
        """Show the key bindings."""
        self.push_screen(HelpModal())

    async def action_quit(self) -> None:
        """Quit, asking first when an edit is unsaved."""
        self._quit_flow()

    @work(exclusive=True, group="quit")
    async def _quit_flow(self) -> None:
        if await self._settle_unsaved():
            self.exit()

    async def _settle_unsaved(self) -> bool:
        """True when nothing unsaved remains (saved or discarded); False when cancelled."""
        editor = self.query_one(EditorPanel)
        dirty = editor.dirty_files
        if not dirty:
            return True
        choice = await self.push_screen_wait(QuitModal(dirty))
        if choice == "save":
            return editor.save_all()
        return choice == "discard"
