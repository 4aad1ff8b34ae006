"""SVG snapshots of each studio panel (pytest-textual-snapshot).

Update with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at the report
before committing. The task is written here (not a built-in) so the pictures change only when
the studio does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytest_textual_snapshot")

from textual.widgets import Input, TextArea  # noqa: E402

from authoring.tui import make_app  # noqa: E402

SIZE = (120, 40)

TASK_YAML = """\
name: colour-question
type: classification
description: A simple question about an object's colour, with a fixed distractor.
hypothesis: Larger models are no worse at repeating a colour they were just told.
seed: 0
slots:
  animal: {choice: [cat, dog, owl, fox, bee, yak]}
  color: {choice: [red, blue, green, amber]}
prompt: {file: prompt.j2}
classes: [" {{ color }}", " purple"]
answer_index: 0
shuffle_classes: true
"""

PROMPT_J2 = """\
Q: I have a {{ color }} {{ animal }}. What colour is my {{ animal }}?
A:"""


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor makes screens differ from one instant to the next."""
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    """A working directory holding one task folder; paths show relative to it."""
    folder = tmp_path / "colour-question"
    folder.mkdir()
    (folder / "task.yaml").write_text(TASK_YAML)
    (folder / "prompt.j2").write_text(PROMPT_J2)
    monkeypatch.chdir(tmp_path)
    # One built-in only, so new generators in the package do not change the picture.
    monkeypatch.setattr("authoring.resources.builtin_names", lambda: ["belief-biased-qa"])
    return tmp_path


async def settle(pilot) -> None:
    """Let workers, debounce timers and messages finish."""
    await pilot.pause(0.5)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


def test_library(snap_compare, workdir: Path):
    assert snap_compare(make_app(workdir=workdir), terminal_size=SIZE, run_before=settle)


def test_editor_with_preview(snap_compare, workdir: Path):
    app = make_app(workdir / "colour-question", workdir=workdir)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_editor_with_error(snap_compare, workdir: Path):
    app = make_app(workdir / "colour-question", workdir=workdir)

    async def break_template(pilot) -> None:
        await settle(pilot)
        await pilot.click("#editor-files")
        await pilot.press("down", "enter")  # prompt.j2
        text_area = app.query_one("#editor-text", TextArea)
        text_area.text = PROMPT_J2.replace("{{ animal }}?", "{{ aminal }}?")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=break_template)


def test_dataset(snap_compare, workdir: Path):
    app = make_app(workdir / "colour-question", workdir=workdir)

    async def generate(pilot) -> None:
        await settle(pilot)
        await pilot.press("escape", "3")
        app.query_one("#dataset-n", Input).value = "20"
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=generate)


def test_check_with_results(snap_compare, workdir: Path):
    """The chart and verdict, fed finished models as the worker would (no model is run)."""
    from authoring.check.run import CheckResult, ModelResult
    from authoring.check.stats import Trend
    from authoring.records import TaskType
    from authoring.tui.check import CheckPanel

    app = make_app(workdir / "colour-question", workdir=workdir)
    sizes = [
        ("pythia-70m", 70e6, 0.62),
        ("pythia-160m", 160e6, 0.66),
        ("pythia-410m", 410e6, 0.74),
        ("pythia-1b", 1e9, 0.81),
    ]
    models = [
        ModelResult(
            name=n,
            params=int(p),
            nominal_params=int(p),
            dtype="float32",
            device="cpu",
            batch_size=8,
            key=n,
            examples=[],
            blind=None,
            mean={"loss": m},
            ci={"loss": (m - 0.05, m + 0.06)},
        )
        for n, p, m in sizes
    ]
    trend = Trend(
        "loss",
        4,
        50,
        0.15,
        (0.08, 0.22),
        1.0,
        0.04,
        None,
        None,
        "inverse",
        "loss rises with size and the slope's interval excludes zero.",
    )

    async def feed(pilot) -> None:
        await settle(pilot)
        await pilot.press("escape", "4")
        panel = app.query_one(CheckPanel)
        panel._plan([m.name for m in models])
        for model in models:
            panel.post_message(CheckPanel.ModelDone(model))
        result = CheckResult(TaskType.CLASSIFICATION, "loss", models, trend)
        panel.post_message(
            CheckPanel.Finished(result, saved=Path("colour-question/check-results.json"))
        )
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=feed)


def test_quit_modal(snap_compare, workdir: Path):
    app = make_app(workdir / "colour-question", workdir=workdir)

    async def edit_and_quit(pilot) -> None:
        await settle(pilot)
        await pilot.press(*"# note\n")
        await pilot.press("ctrl+q")
        await pilot.pause(0.3)  # not settle(): the quit worker waits on the modal

    assert snap_compare(app, terminal_size=SIZE, run_before=edit_and_quit)


def test_help_modal(snap_compare, workdir: Path):
    assert snap_compare(
        make_app(workdir=workdir), terminal_size=SIZE, press=["question_mark"], run_before=settle
    )
