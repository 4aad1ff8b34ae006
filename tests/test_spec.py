"""Loading task folders: good specs load, and every malformed one fails with file, line and fix."""

from __future__ import annotations

import pytest

from authoring.errors import SpecError, TemplateError
from authoring.render import Renderer
from authoring.spec import load_task
from tests.conftest import SIMPLE


def test_simple_spec_loads(make_task):
    spec = load_task(make_task(SIMPLE))
    assert spec.name == "simple"
    assert [s.name for s in spec.slots] == ["a", "b"]
    assert spec.answer_index == 1 and spec.shuffle_classes
    assert len(spec.spec_hash) == 16


def test_builtin_by_name_loads():
    spec = load_task("belief-biased-qa")
    assert spec.type.value == "classification"
    assert spec.hypothesis and spec.description


def test_spec_hash_ignores_outputs_written_into_the_task_folder(make_task):
    folder = make_task(SIMPLE)
    before = load_task(folder).spec_hash
    (folder / "dataset").mkdir()
    (folder / "dataset" / "simple.csv").write_text("prompt\n")
    (folder / "check-results.json").write_text("{}")
    assert load_task(folder).spec_hash == before


def test_spec_hash_changes_with_any_input_file(make_task):
    yaml = SIMPLE.replace("{int: [1, 40]}", "{lexicon: lexicons/x.txt}")
    folder = make_task(yaml, **{"lexicons__x.txt": "a\n"})
    before = load_task(folder).spec_hash
    (folder / "lexicons" / "x.txt").write_text("b\n")
    assert load_task(folder).spec_hash != before


BAD_SPECS = [
    # (what, task.yaml, extra files, error class, text that must appear, line)
    (
        "yaml syntax",
        "name: x\ntype: classification\nslots: {a: [1, 2}\n",
        {},
        SpecError,
        "YAML syntax error",
        3,
    ),
    (
        "unknown key",
        SIMPLE.replace("shuffle_classes", "shufle_classes"),
        {},
        SpecError,
        "unknown key",
        9,
    ),
    (
        "unknown slot kind",
        SIMPLE.replace("{int: [1, 40]}", "{integer: [1, 40]}"),
        {},
        SpecError,
        "exactly one kind",
        None,
    ),
    (
        "missing lexicon",
        SIMPLE.replace("{int: [1, 40]}", "{lexicon: lexicons/none.txt}"),
        {},
        SpecError,
        "not found",
        None,
    ),
    (
        "bad type",
        SIMPLE.replace("type: classification", "type: ranking"),
        {},
        SpecError,
        "ranking",
        None,
    ),
    (
        "answer out of range",
        SIMPLE.replace("answer_index: 1", "answer_index: 3"),
        {},
        SpecError,
        "out of range",
        None,
    ),
    (
        "hook without hooks.py",
        SIMPLE.replace("{int: [1, 40]}", "{hook: make_b}"),
        {},
        SpecError,
        "no hooks.py",
        None,
    ),
    (
        "hook function missing",
        SIMPLE.replace("{int: [1, 40]}", "{hook: make_b}"),
        {"hooks.py": "def other(rng, slots):\n    return 1\n"},
        SpecError,
        "no function 'make_b'",
        None,
    ),
    (
        "jinja syntax",
        SIMPLE.replace("{{ b }}.", "{{ b }."),
        {},
        TemplateError,
        "Jinja syntax error",
        None,
    ),
    (
        "undefined variable",
        SIMPLE.replace("{{ b }}", "{{ c }}"),
        {},
        TemplateError,
        "undefined variable 'c'",
        None,
    ),
    (
        "later slot",
        SIMPLE.replace("{int: [1, 40]}", "{template: '{{ z }}'}\n  z: {int: [1, 3]}"),
        {},
        TemplateError,
        "defined later",
        None,
    ),
    (
        "logodds needs two classes",
        SIMPLE.replace("type: classification", "type: logodds\nother_prompt: 'O {{ a }}'"),
        {},
        SpecError,
        "exactly 2 classes",
        None,
    ),
    (
        "sequence_prob needs completion",
        SIMPLE.replace("type: classification", "type: sequence_prob"),
        {},
        SpecError,
        "needs 'completion'",
        None,
    ),
    (
        "few-shot distinct unknown",
        SIMPLE + "few_shot: {k: 2, distinct: [nope]}\n",
        {},
        SpecError,
        "not a slot",
        None,
    ),
]


@pytest.mark.parametrize(
    ("what", "yaml", "files", "error", "text", "line"),
    BAD_SPECS,
    ids=[case[0] for case in BAD_SPECS],
)
def test_bad_specs_fail_with_one_clear_line(make_task, what, yaml, files, error, text, line):
    folder = make_task(yaml, **files)
    with pytest.raises(error) as caught:
        Renderer(load_task(folder))
    message = caught.value.one_line()
    assert text in message
    assert "task.yaml" in message or "hooks.py" in message
    assert "\n" not in message
    assert "Fix:" in message
    if line is not None:
        assert f"task.yaml:{line}" in message


def test_template_error_points_at_the_file_line(make_task):
    yaml = SIMPLE.replace(
        'prompt: "Item {{ a }} number {{ b }}. Answer:"',
        "prompt: |\n  line one {{ a }}\n  line two {{ b.missing }}\n  Answer:",
    )
    folder = make_task(yaml)
    lines = (folder / "task.yaml").read_text().splitlines()
    expected = next(i for i, row in enumerate(lines, 1) if "b.missing" in row)
    renderer = Renderer(load_task(folder))
    with pytest.raises(TemplateError) as caught:
        renderer.render({"a": "x1", "b": 3})
    assert f"task.yaml:{expected}" in caught.value.one_line()


def test_hook_error_names_hooks_file_and_line(make_task):
    folder = make_task(
        SIMPLE.replace("{int: [1, 40]}", "{hook: make_b, space: 5}"),
        **{"hooks.py": "def make_b(rng, slots):\n    return 1 / 0\n"},
    )
    from authoring.expand import expand

    with pytest.raises(SpecError) as caught:
        list(expand(load_task(folder), 3))
    assert "hooks.py:2" in caught.value.one_line()
    assert "ZeroDivisionError" in caught.value.one_line()


def test_missing_task_yaml(tmp_path):
    with pytest.raises(SpecError, match="no task.yaml"):
        load_task(tmp_path)


def test_unknown_builtin_lists_names():
    with pytest.raises(SpecError, match="belief-biased-qa"):
        load_task("no-such-generator")


def test_lexicon_csv_row_with_wrong_field_count(make_task):
    folder = make_task(
        SIMPLE.replace("{int: [1, 40]}", "{lexicon: lexicons/t.csv}"),
        **{"lexicons__t.csv": "name,color\nbanana,yellow\nlime,green,sour\n"},
    )
    with pytest.raises(SpecError) as caught:
        load_task(folder)
    assert "t.csv:3" in caught.value.one_line()
