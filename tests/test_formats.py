"""Readers take the prize's files as its evaluation code did; writers are exact and atomic."""

from __future__ import annotations

import ast
import csv

import orjson
import pytest

from authoring.errors import DataError
from authoring.expand import expand
from authoring.formats import (
    atomic_open,
    infer_task_type,
    open_table,
    parse_classes,
    read_dataset,
    write_examples,
)
from authoring.records import Example, TaskType
from authoring.spec import load_task
from tests.conftest import GOLDEN


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_writers_match_golden_files(tmp_path, suffix):
    spec = load_task(GOLDEN / "tiny-task")
    examples = list(expand(spec, 6, seed=3))
    path = tmp_path / f"tiny-task.{suffix}"
    write_examples(examples, spec.type, path)
    assert path.read_bytes() == (GOLDEN / f"tiny-task.{suffix}").read_bytes()


def test_csv_classes_parse_the_way_the_prize_parsed_them():
    with open(GOLDEN / "tiny-task.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["prompt", "classes", "answer_index"]
    assert ast.literal_eval(rows[0]["classes"]) == [" green", " it's grey"]


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["prompt", "classes", "answer_index"], TaskType.CLASSIFICATION),
        (["prompt", "completion"], TaskType.SEQUENCE_PROB),
        (["prompt", "other_prompt", "classes", "answer_index"], TaskType.LOGODDS),
        (["answer_index", "classes", "prompt", "extra"], TaskType.CLASSIFICATION),
    ],
)
def test_task_type_is_inferred_from_column_names(columns, expected):
    assert infer_task_type(columns) is expected


def test_unknown_columns_are_a_clear_error():
    with pytest.raises(DataError, match="cannot tell the task type"):
        infer_task_type(["text", "label"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([" a", " b"], [" a", " b"]),
        ("[' a', ' b']", [" a", " b"]),
        ('[" a", " b"]', [" a", " b"]),
        ("(' a', ' b')", [" a", " b"]),
        ("not a list", None),
        ("[1, 2]", None),
        (3, None),
    ],
)
def test_parse_classes_accepts_lists_and_literal_strings(value, expected):
    assert parse_classes(value)[0] == expected


def test_jsonl_classes_may_be_a_literal_string_and_extra_keys_are_kept_out(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [
        {"prompt": "Q1", "classes": "[' a', ' b']", "answer_index": "1", "note": "x"},
        {"prompt": "Q2", "classes": [" a", " b"], "answer_index": 0},
    ]
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    kind, examples = read_dataset(path)
    assert kind is TaskType.CLASSIFICATION
    assert [(e.classes, e.answer_index) for e in examples] == [
        ((" a", " b"), 1),
        ((" a", " b"), 0),
    ]


def test_reads_the_prizes_real_files(isp_data):
    for path in sorted((isp_data / "memo-trap").glob("*.csv")):
        kind, examples = read_dataset(path)
        assert kind is TaskType.CLASSIFICATION
        assert len(examples) >= 100
        assert all(len(e.classes) == 2 and e.answer_index in (0, 1) for e in examples)
    # Multi-line prompts survive (the translation file's prompts span 4 lines).
    _, examples = read_dataset(isp_data / "memo-trap" / "2-proverb-translation.csv")
    assert examples[0].prompt.count("\n") == 3


def test_csv_row_lines_account_for_multiline_prompts(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "prompt,classes,answer_index\n\"a\nb\nc\",\"[' x', ' y']\",0\nq,\"[' x', ' y']\",1\n"
    )
    rows = list(open_table(path).rows)
    assert [(r.row, r.line) for r in rows] == [(1, 2), (2, 5)]


def test_bad_row_in_read_dataset_names_row_and_suggests_validate(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("prompt,classes,answer_index\nq,\"[' x', ' y']\",zero\n")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    message = caught.value.one_line()
    assert "row 1" in message and "answer_index" in message and "invscale validate" in message


@pytest.mark.parametrize("name", ["missing.csv", "data.txt"])
def test_unreadable_paths_are_clear_errors(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("x")
    with pytest.raises(DataError):
        open_table(path)


def test_atomic_open_leaves_nothing_behind_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_sequence_prob_and_logodds_columns_are_exact(tmp_path):
    seq = Example(prompt="p", completion=" c")
    write_examples([seq], TaskType.SEQUENCE_PROB, tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text().splitlines()[0] == "prompt,completion"
    lo = Example(prompt="p", other_prompt="o", classes=(" Yes", " No"), answer_index=1)
    write_examples([lo], TaskType.ABSOLUTE_LOGODDS, tmp_path / "l.csv")
    assert (tmp_path / "l.csv").read_text().splitlines() == [
        "prompt,other_prompt,classes,answer_index",
        "p,o,\"[' Yes', ' No']\",1",
    ]


def test_atomic_open_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "task.yaml"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_open(target) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
