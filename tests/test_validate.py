"""Every validation rule, as a table: a bad file, the rule it must trip, and its severity."""

from __future__ import annotations

import orjson
import pytest

from authoring.records import Example, TaskType
from authoring.validate import validate_examples, validate_file

HEADER = "prompt,classes,answer_index\n"
GOOD = "\"Q: 1\nA:\",\"[' Yes', ' No']\",0\n"

CASES = [
    # (id, file text, rule code, severity, row)
    ("answer out of range", HEADER + "Q,\"[' a', ' b']\",2\n", "answer-index-range", "error", 1),
    ("answer negative", HEADER + "Q,\"[' a', ' b']\",-1\n", "answer-index-range", "error", 1),
    ("answer not int", HEADER + "Q,\"[' a', ' b']\",first\n", "answer-index-type", "error", 1),
    ("classes not a list", HEADER + "Q,yes or no,0\n", "classes-not-list", "error", 1),
    ("one class", HEADER + "Q,\"[' a']\",0\n", "too-few-classes", "error", 1),
    ("same class twice", HEADER + "Q,\"[' a', ' a']\",0\n", "duplicate-class", "error", 1),
    ("empty prompt", HEADER + " ,\"[' a', ' b']\",0\n", "empty-prompt", "error", 1),
    ("wrong field count", HEADER + GOOD + "Q,\"[' a', ' b']\"\n", "unparseable", "error", 2),
    ("missing column", "prompt,classes\nQ,\"[' a', ' b']\"\n", "missing-column", "error", None),
    (
        "template left over",
        HEADER + "Hello {{ name }},\"[' a', ' b']\",0\n",
        "template-syntax",
        "error",
        1,
    ),
    (
        "jinja block left over",
        HEADER + "{% if x %}Q,\"[' a', ' b']\",0\n",
        "template-syntax",
        "error",
        1,
    ),
    (
        "placeholder left over",
        HEADER + "Hello {name}!,\"[' a', ' b']\",0\n",
        "placeholder",
        "warning",
        1,
    ),
    ("no leading space", HEADER + "Q,\"['a', 'b']\",0\n", "class-leading-space", "warning", 1),
    ("exact duplicate", HEADER + GOOD + GOOD, "duplicate", "warning", 2),
    (
        "conflicting answer",
        HEADER + GOOD + "\"Q: 1\nA:\",\"[' No', ' Yes']\",0\n",
        "conflicting-answer",
        "error",
        2,
    ),
    (
        "near duplicate",
        HEADER + GOOD + "\"q 1, a:\",\"[' Yes', ' No']\",0\n",
        "near-duplicate",
        "warning",
        2,
    ),
    (
        "extra column",
        "prompt,classes,answer_index,notes\nQ,\"[' a', ' b']\",0,n\n",
        "extra-columns",
        "warning",
        None,
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "severity", "row"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(tmp_path, text, code, severity, row):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    report = validate_file(path)
    hits = [p for p in report.problems if p.code == code]
    assert hits, f"expected {code}, got {[p.code for p in report.problems]}"
    assert hits[0].severity == severity
    assert hits[0].row == row
    assert report.ok() == (severity == "warning" and not report.errors)
    assert not report.ok(strict=True)


def test_same_prompt_with_other_classes_is_fine(tmp_path):
    # The prize's own data reuses prompts with different class pairs.
    path = tmp_path / "data.csv"
    path.write_text(HEADER + GOOD + "\"Q: 1\nA:\",\"[' Maybe', ' No']\",1\n")
    assert validate_file(path).problems == []


@pytest.mark.parametrize("kind", [TaskType.LOGODDS, TaskType.ABSOLUTE_LOGODDS])
def test_logodds_needs_two_classes_and_other_prompt(kind):
    bad = [
        Example("p", other_prompt="o", classes=(" a", " b", " c"), answer_index=0),
        Example("p2", other_prompt=" ", classes=(" a", " b"), answer_index=0),
    ]
    report = validate_examples(bad, kind)
    codes = {(p.code, p.row) for p in report.problems}
    assert ("logodds-classes", 1) in codes
    assert ("empty-other-prompt", 2) in codes


def test_sequence_prob_needs_completion():
    report = validate_examples([Example("p", completion="")], TaskType.SEQUENCE_PROB)
    assert [p.code for p in report.errors] == ["empty-completion"]


def test_heavy_imbalance_is_a_warning():
    rows = [Example(f"q{i} x{'y' * i}", classes=(" a", " b"), answer_index=0) for i in range(30)]
    report = validate_examples(rows, TaskType.CLASSIFICATION)
    assert {p.code for p in report.warnings} == {"answer-imbalance", "label-imbalance"}
    assert report.ok() and not report.ok(strict=True)


def test_jsonl_problems_name_rows(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(
        orjson.dumps({"prompt": "a", "classes": [" x", " y"], "answer_index": 0}).decode()
        + "\n{not json\n"
        + orjson.dumps({"prompt": "b", "classes": [" x", " y"], "answer_index": 5}).decode()
        + "\n"
    )
    report = validate_file(path)
    assert [(p.code, p.row, p.line) for p in report.errors] == [
        ("unparseable", 2, 2),
        ("answer-index-range", 3, 3),
    ]


def test_summary_counts(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + GOOD + "Longer prompt here,\"[' a', ' b', ' c']\",2\n")
    summary = validate_file(path).summary()
    assert summary["rows"] == 2
    assert summary["answer_index_counts"] == {"0": 1, "2": 1}
    assert summary["prompt_chars"] == [7, 18]
    assert summary["classes_per_row"] == {"2": 1, "3": 1}


def test_real_prize_files_are_valid(isp_data):
    for path in sorted((isp_data / "memo-trap").glob("*.csv")):
        report = validate_file(path)
        assert report.errors == [], path
        assert report.rows >= 100


def test_a_lopsided_label_is_a_warning_even_with_balanced_positions():
    rows = []
    for i in range(40):
        answer = " No" if i % 4 else " Yes"  # " No" right in 75% of rows
        other = " Yes" if answer == " No" else " No"
        index = i % 2  # positions alternate: exactly balanced
        classes = (answer, other) if index == 0 else (other, answer)
        rows.append(Example(f"claim number {i}?", classes=classes, answer_index=index))
    report = validate_examples(rows, TaskType.CLASSIFICATION)
    assert report.answer_counts == {0: 20, 1: 20}
    warnings = [p for p in report.warnings if p.code == "label-imbalance"]
    assert len(warnings) == 1 and "' No'" in warnings[0].message and "75%" in warnings[0].message


def test_operators_are_not_punctuation_for_near_duplicates():
    rows = [
        Example(f"What is 5 {op} 2?", classes=(" 3", " 10"), answer_index=0) for op in ("-", "×")
    ]
    report = validate_examples(rows, TaskType.CLASSIFICATION)
    assert "near-duplicate" not in {p.code for p in report.problems}
