"""Pilot tests for ``invscale studio``: every panel, driven by keys and clicks as a user would."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from authoring.resources import generators_dir
from tests import check_fixtures as fx

pytest.importorskip("textual")

from textual.widgets import DataTable, Input, TextArea  # noqa: E402

from authoring.tui import make_app  # noqa: E402
from authoring.tui.check import CheckPanel  # noqa: E402
from authoring.tui.editor import EditorPanel  # noqa: E402
from authoring.tui.modals import QuitModal  # noqa: E402

pytestmark = pytest.mark.anyio
tiny_tokenizer_dirs = fx.tiny_tokenizer_dirs
SIZE = (120, 40)
BUILTIN = "belief-biased-qa"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor makes screens differ from one instant to the next."""
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def task_copy(tmp_path: Path) -> Path:
    """A writable copy of a built-in generator in a fresh working directory."""
    folder = tmp_path / "work" / "bbq"
    shutil.copytree(generators_dir() / BUILTIN, folder)
    return folder


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` holds (workers, timers, messages)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)


async def settle_quit(pilot, app, running: bool, timeout: float = 10.0) -> None:
    """Wait until the quit modal has closed (cancel) or the app has exited (save/discard)."""
    start = time.monotonic()
    while (app.is_running and not running) or (running and isinstance(app.screen, QuitModal)):
        if time.monotonic() - start > timeout:
            return
        await asyncio.sleep(0.05)


async def type_at_prompt(app, pilot, text: str):
    """Wait for the first preview, then type ``text`` at the start of the prompt's first line."""
    editor = app.query_one(EditorPanel)
    await wait_for(pilot, lambda: editor.result is not None)
    text_area = app.query_one("#editor-text", TextArea)
    text_area.move_cursor((prompt_line(text_area.text), 2))
    await pilot.press(*text)
    return editor


def prompt_line(text: str) -> int:
    """0-based line of the first line of the block-scalar prompt in task.yaml."""
    return next(i for i, line in enumerate(text.splitlines()) if line.startswith("prompt:")) + 1


def preview_text(app) -> str:
    return str(app.query_one("#editor-preview").render())


def test_studio_command_does_not_import_textual():
    code = "import sys, authoring.cli.studio_cmd; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_library_lists_builtins_and_local_folders(task_copy: Path):
    app = make_app(workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one("#library-table", DataTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        kinds = {table.get_row_at(i)[0]: table.get_row_at(i)[1] for i in range(table.row_count)}
        assert BUILTIN in names and kinds[BUILTIN] == "built-in"
        assert kinds["bbq"] == "folder"
        info = str(app.query_one("#library-info").render())
        assert "Hypothesis" in info
        # Open the local folder: the editor shows its task.yaml, writable.
        table.move_cursor(row=names.index("bbq"))
        await pilot.press("o")
        await wait_for(pilot, lambda: app.query_one(EditorPanel).folder is not None)
        editor = app.query_one(EditorPanel)
        assert app.query_one("#tabs").active == "editor"
        assert editor.folder == task_copy.resolve() and not editor.read_only


async def test_library_new_task_from_builtin(tmp_path: Path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    app = make_app(workdir=workdir)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.query_one("#library-table", DataTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        table.move_cursor(row=names.index(BUILTIN))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.query("#new-name"))
        name_box = app.screen.query_one("#new-name", Input)
        name_box.value = "sycophancy"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query_one(EditorPanel).folder is not None)
        assert (workdir / "sycophancy" / "task.yaml").is_file()
        assert app.query_one(EditorPanel).folder == (workdir / "sycophancy").resolve()


async def test_typing_in_the_editor_updates_the_preview(task_copy: Path):
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPanel)
        await wait_for(pilot, lambda: editor.result is not None)
        assert "✓" in preview_text(app) and "ZEBRA" not in preview_text(app)
        text_area = app.query_one("#editor-text", TextArea)
        text_area.move_cursor((prompt_line(text_area.text), 2))
        await pilot.press(*"ZEBRA ")
        assert editor.dirty_files == ["task.yaml"]
        await wait_for(pilot, lambda: "ZEBRA" in preview_text(app))
        # Nothing was written: the preview renders the unsaved buffer.
        assert "ZEBRA" not in (task_copy / "task.yaml").read_text()
        seed = editor.seed
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: (
                editor.seed == seed + 1
                and f"seed {seed + 1}" in str(app.query_one("#preview-title").render())
            ),
        )


async def test_template_error_shows_inline_and_the_app_keeps_running(task_copy: Path):
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        editor = app.query_one(EditorPanel)
        await wait_for(pilot, lambda: editor.result is not None)
        text_area = app.query_one("#editor-text", TextArea)
        line = prompt_line(text_area.text)
        text_area.move_cursor((line, 2))
        await pilot.press(*"{{ nosuchslot }} ")
        # Typed key by key, a slow machine may preview a half-typed "{{ nosu" (a syntax
        # error) first; wait for the preview of the finished text.
        await wait_for(
            pilot, lambda: editor.error is not None and "nosuchslot" in editor.error.text
        )
        error = editor.error
        assert error.file == "task.yaml" and error.line == line + 1
        assert "nosuchslot" in error.text and "task.yaml:" in error.text
        assert "invscale-preview-" not in error.text  # temp paths are mapped back
        shown = str(app.query_one("#editor-error").render())
        assert "nosuchslot" in shown
        assert text_area.error_line == line  # the line is marked in the editor
        # Go to the error from elsewhere in the file.
        text_area.move_cursor((0, 0))
        await pilot.press("ctrl+g")
        assert text_area.cursor_location[0] == line
        # Undo the typo: the error clears and the preview comes back.
        text_area.text = (task_copy / "task.yaml").read_text()
        await wait_for(pilot, lambda: editor.error is None)
        assert text_area.error_line is None
        assert app.is_running


async def test_save_writes_atomically(task_copy: Path):
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        editor = await type_at_prompt(app, pilot, "Hey. ")
        await pilot.press("ctrl+s")
        assert editor.dirty_files == []
        assert "  Hey. {{ person }}" in (task_copy / "task.yaml").read_text()
        assert not [p for p in task_copy.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("key", "saved", "running"),
    [("escape", False, True), ("d", False, False), ("s", True, False)],
    ids=["cancel", "discard", "save"],
)
async def test_quit_with_unsaved_edits_asks(task_copy: Path, key: str, saved: bool, running: bool):
    original = (task_copy / "task.yaml").read_text()
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        editor = await type_at_prompt(app, pilot, "Hey. ")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitModal))
        await pilot.press(key)
        await settle_quit(pilot, app, running)
        assert app.is_running == running
        if running:
            assert editor.dirty_files == ["task.yaml"]
    now = (task_copy / "task.yaml").read_text()
    assert (now != original) == saved


async def test_quit_without_edits_does_not_ask(task_copy: Path):
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
        assert not app.is_running


async def test_help_opens_and_closes(task_copy: Path):
    app = make_app(workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpModal")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "HelpModal")


async def test_generate_fills_the_table(task_copy: Path):
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#tabs-list Tab#--content-tab-dataset")
        await pilot.pause()
        app.query_one("#dataset-n", Input).value = "40"
        await pilot.click("#dataset-generate")
        table = app.query_one("#dataset-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 40)
        summary = str(app.query_one("#dataset-summary").render())
        assert "validation: ok" in summary and "answer position" in summary
        assert "20 (50%)" in summary  # shuffle_classes balances the two positions
        assert app.query_one("#dataset-progress").percentage == 1.0


async def test_generate_reports_a_broken_task(task_copy: Path):
    (task_copy / "task.yaml").write_text("name: [unclosed\n")
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "3")
        await pilot.press("g")
        await wait_for(pilot, lambda: "✗" in str(app.query_one("#dataset-summary").render()))
        assert "task.yaml" in str(app.query_one("#dataset-summary").render())
        assert app.is_running


# -- the quick check on a tiny random ladder -----------------------------------------------------


@pytest.fixture(scope="module")
def tiny_ladder(tiny_tokenizer_dirs, tmp_path_factory) -> list[Path]:
    """Two tiny random models saved as local folders (different sizes and architectures)."""
    from transformers import AutoTokenizer

    root = tmp_path_factory.mktemp("ladder")
    folders = []
    for arch, flavour in (("gpt_neox", "nobos"), ("llama", "bos")):
        tokenizer = AutoTokenizer.from_pretrained(tiny_tokenizer_dirs[flavour])
        model = fx.make_tiny_model(arch, len(tokenizer))
        folder = root / arch
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        folders.append(folder)
    return folders


async def test_check_on_a_tiny_ladder_draws_the_chart(task_copy: Path, tiny_ladder, tmp_path):
    app = make_app(task_copy, workdir=task_copy.parent)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(CheckPanel)
        panel.options = {
            "cache_path": tmp_path / "scores.sqlite",
            "blind": False,
            "device": "cpu",
            "dtype": "float32",
        }
        await pilot.press("escape", "4")
        app.query_one("#check-models", Input).value = ",".join(map(str, tiny_ladder))
        app.query_one("#check-n", Input).value = "6"
        await pilot.click("#check-run")
        await wait_for(
            pilot,
            lambda: (
                panel.result is not None or "✗" in str(app.query_one("#check-verdict").render())
            ),
            timeout=60,
        )
        verdict = str(app.query_one("#check-verdict").render())
        assert panel.result is not None, verdict
        assert len(panel.done_models) == 2
        assert "verdict:" in verdict
        table = app.query_one("#check-table", DataTable)
        assert [table.get_row_at(i)[2] for i in range(table.row_count)] == ["done", "done"]
        # The chart holds one point per model (error bars included).
        assert len(panel.plotted) == 2
        assert all(err >= 0 for _, _, err in panel.plotted)
        saved = json.loads((task_copy / "check-results.json").read_text())
        assert saved["metric"] == "loss" and len(saved["models"]) == 2
