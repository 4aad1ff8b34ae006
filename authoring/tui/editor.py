"""The Editor: the task's files in a text area beside a live preview of a few examples.

Every keystroke updates an in-memory buffer; 0.3 s after the last one, a thread worker renders
the *unsaved* buffers (see :mod:`authoring.tui.preview`). Saving writes each changed file
atomically (temp file + ``os.replace``).
"""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static, TextArea

from authoring.tui.preview import PreviewError, PreviewResult, editable_files, render_preview

DEBOUNCE_S = 0.3
PREVIEW_COUNT = 3
_ERROR_LINE = Style(bgcolor="#5f1f1f")


class TaskTextArea(TextArea):
    """A code editor that can mark one line as the error line."""

    BINDINGS = [Binding("escape", "leave", "Leave editor", show=False)]

    error_line: int | None = None  # 0-based document line

    def mark_error_line(self, line: int | None) -> None:
        """Mark (or clear, with None) the 0-based ``line`` as the one the error is on."""
        if line != self.error_line:
            self.error_line = line
            self._line_cache.clear()
            self.refresh()

    def _render_line(self, y: int) -> Strip:
        strip = super()._render_line(y)
        if self.error_line is None:
            return strip
        try:
            line_index, _ = self.wrapped_document._offset_to_line_info[y + self.scroll_offset.y]
        except (IndexError, TypeError):
            return strip
        if line_index != self.error_line:
            return strip
        segments = [
            Segment(text, (style or Style()) + _ERROR_LINE, control)
            for text, style, control in strip
        ]
        return Strip(segments, strip.cell_length)

    def action_leave(self) -> None:
        """Move focus out of the text box so single-key bindings work again."""
        self.screen.focus_next()


def language_for(name: str, available: set[str]) -> str | None:
    """Syntax highlighting for a file: YAML for task.yaml, Python for hooks, plain otherwise."""
    language = {".yaml": "yaml", ".yml": "yaml", ".py": "python"}.get(Path(name).suffix)
    return language if language in available else None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, keeping the file's permissions."""
    from authoring.formats import atomic_open

    with atomic_open(path) as handle:
        handle.write(text)


class EditorPanel(Horizontal):
    """The file list, the text area, and the live preview with inline errors."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+r", "reroll", "Re-roll"),
        Binding("ctrl+g", "goto_error", "Go to error"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.folder: Path | None = None
        self.read_only = False
        self.buffers: dict[str, str] = {}
        self.saved: dict[str, str] = {}
        self.current: str | None = None
        self.seed: int | None = None
        self.error: PreviewError | None = None
        self.result: PreviewResult | None = None
        self._generation = 0
        self._timer: Timer | None = None
        self._loading = False

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-side"):
            yield Label("Files", classes="title")
            yield OptionList(id="editor-files")
        with Vertical(id="editor-main"):
            yield Label("No task open: pick one in the Library (1).", id="editor-title")
            yield TaskTextArea.code_editor("", id="editor-text", soft_wrap=True)
        with Vertical(id="editor-right"):
            yield Static("", id="editor-error")
            yield Label("Preview", id="preview-title", classes="title")
            with VerticalScroll(id="editor-preview-scroll"):
                yield Static("", id="editor-preview")

    # -- opening and switching files -------------------------------------------------------

    def open_folder(self, folder: Path, *, read_only: bool = False) -> None:
        """Load every editable file of ``folder`` into buffers and show task.yaml."""
        self.folder = folder
        self.read_only = read_only
        names = editable_files(folder)
        self.saved = {n: (folder / n).read_text(encoding="utf-8", errors="replace") for n in names}
        self.buffers = dict(self.saved)
        self.seed = None
        self.error = None
        files = self.query_one("#editor-files", OptionList)
        files.clear_options()
        files.add_options(names)
        text_area = self.query_one(TaskTextArea)
        text_area.read_only = read_only
        self.show_file(names[0] if names else None)
        self.request_render(now=True)

    def show_file(self, name: str | None) -> None:
        """Put buffer ``name`` in the text area."""
        text_area = self.query_one(TaskTextArea)
        self.current = name
        self._loading = True
        text_area.language = language_for(name or "", text_area.available_languages)
        text_area.load_text(self.buffers.get(name, "") if name else "")
        self._loading = False
        if name is not None:
            index = list(self.buffers).index(name)
            self.query_one("#editor-files", OptionList).highlighted = index
        self._mark_error()
        self._update_title()

    @on(OptionList.OptionSelected, "#editor-files")
    def _file_chosen(self, event: OptionList.OptionSelected) -> None:
        self.show_file(str(event.option.prompt))
        self.query_one(TaskTextArea).focus()

    @property
    def dirty_files(self) -> list[str]:
        """Files whose buffer differs from what is on disk."""
        return [n for n, text in self.buffers.items() if self.saved.get(n) != text]

    def _update_title(self) -> None:
        title = self.query_one("#editor-title", Label)
        if self.folder is None or self.current is None:
            return
        mark = " ●" if self.current in self.dirty_files else ""
        note = "  [read-only built-in: press n in the Library to copy it]" if self.read_only else ""
        title.update(Text(f"{self.folder.name}/{self.current}{mark}{note}"))

    # -- live preview ----------------------------------------------------------------------

    @on(TextArea.Changed, "#editor-text")
    def _edited(self, event: TextArea.Changed) -> None:
        if self._loading or self.current is None:
            return
        if self.buffers.get(self.current) == event.text_area.text:
            return
        self.buffers[self.current] = event.text_area.text
        self._update_title()
        self.request_render()

    def request_render(self, *, now: bool = False) -> None:
        """Re-render the preview after the debounce delay (or at once)."""
        if self._timer is not None:
            self._timer.stop()
        if now:
            self._start_render()
        else:
            self._timer = self.set_timer(DEBOUNCE_S, self._start_render)

    def _start_render(self) -> None:
        if self.folder is None:
            return
        self._generation += 1
        self.query_one("#preview-title", Label).update("Preview (rendering…)")
        self._render_in_thread(self._generation, self.folder, dict(self.buffers), self.seed)

    @work(thread=True, exclusive=True, group="preview")
    def _render_in_thread(
        self, generation: int, folder: Path, buffers: dict[str, str], seed: int | None
    ) -> None:
        result = render_preview(folder, buffers, n=PREVIEW_COUNT, seed=seed)
        self.app.call_from_thread(self._show_result, generation, result)

    def _show_result(self, generation: int, result: PreviewResult) -> None:
        if generation != self._generation:
            return  # a newer edit is already rendering
        error_widget = self.query_one("#editor-error", Static)
        title = self.query_one("#preview-title", Label)
        self.error = result.error
        if result.error is not None:
            error_widget.update(Text("✗ " + result.error.text, style="bold red"))
            error_widget.add_class("shown")
            title.update("Preview (last good render)" if self.result else "Preview")
        else:
            error_widget.update("")
            error_widget.remove_class("shown")
            self.result = result
            self.seed = result.seed
            title.update(f"Preview: {len(result.examples)} examples, seed {result.seed}")
            self.query_one("#editor-preview", Static).update(format_examples(result))
        self._mark_error()

    def _mark_error(self) -> None:
        error = self.error
        text_area = self.query_one(TaskTextArea)
        if error is not None and error.line is not None and error.file == self.current:
            text_area.mark_error_line(error.line - 1)
        else:
            text_area.mark_error_line(None)

    # -- actions ---------------------------------------------------------------------------

    def action_reroll(self) -> None:
        """Render the preview again with the next seed."""
        if self.folder is not None:
            self.seed = (self.seed or 0) + 1
            self.request_render(now=True)

    def action_goto_error(self) -> None:
        """Show the file of the current error and put the cursor on its line."""
        error = self.error
        if error is None:
            self.notify("No error to go to.")
            return
        if error.file in self.buffers and error.file != self.current:
            self.show_file(error.file)
        text_area = self.query_one(TaskTextArea)
        if error.line is not None and error.file == self.current:
            text_area.move_cursor((error.line - 1, 0), center=True)
        text_area.focus()

    def action_save(self) -> None:
        """Write every changed file atomically."""
        self.save_all()

    def save_all(self) -> bool:
        """Save every dirty buffer; False (with a notification) if a write failed."""
        if self.folder is None:
            return True
        if self.read_only:
            self.notify(
                "Built-in generators are read-only: copy it first (Library, n).", severity="warning"
            )
            return False
        dirty = self.dirty_files
        for name in dirty:
            try:
                write_atomic(self.folder / name, self.buffers[name])
            except OSError as exc:
                self.notify(f"could not save {name}: {exc}", severity="error", timeout=10)
                return False
            self.saved[name] = self.buffers[name]
        self._update_title()
        if dirty:
            self.notify(f"saved {', '.join(dirty)}")
        return True


def format_examples(result: PreviewResult) -> Text:
    """The preview's examples as rich text, the correct answer marked with ✓."""
    out = Text()
    for i, example in enumerate(result.examples, 1):
        out.append(f"── example {i} ", style="bold cyan")
        out.append("─" * 20 + "\n", style="cyan")
        out.append(example.prompt)
        if not example.prompt.endswith("\n"):
            out.append("\n")
        if example.other_prompt is not None:
            out.append("other_prompt:\n", style="dim")
            out.append(example.other_prompt + "\n")
        if example.classes is not None:
            for j, cls in enumerate(example.classes):
                if j == example.answer_index:
                    out.append(f"  ✓ {cls!r}\n", style="bold green")
                else:
                    out.append(f"  · {cls!r}\n", style="dim")
        if example.completion is not None:
            out.append("completion: ", style="dim")
            out.append(repr(example.completion) + "\n", style="bold green")
        out.append("\n")
    return out
