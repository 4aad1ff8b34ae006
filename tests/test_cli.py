"""Every command through CliRunner: stdout holds data, stderr holds messages and errors."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.cli import commands as _commands  # noqa: F401  (registers the commands)
from authoring.records import TaskType
from authoring.resources import builtin_names
from authoring.validate import validate_file
from tests import check_fixtures as fx

tiny_tokenizer_dirs = fx.tiny_tokenizer_dirs  # a fixture: a tokenizer trained in the test

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize(
    "command", ["list", "new", "preview", "generate", "validate", "export", "check"]
)
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout


def test_list_table_and_json():
    table = invoke("list")
    assert table.exit_code == 0
    assert "belief-biased-qa" in table.stdout
    data = orjson.loads(invoke("list", "--json").stdout)
    assert {d["name"] for d in data} == set(builtin_names())
    assert all({"name", "type", "description"} <= set(d) for d in data)


def test_new_from_generator_then_preview_generate_validate(tmp_path):
    task = tmp_path / "my-task"
    result = invoke("new", task, "--from", "belief-biased-qa")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(task)
    assert "name: my-task" in (task / "task.yaml").read_text()

    preview = invoke("preview", task, "-n", "2", "--seed", "4")
    assert preview.exit_code == 0
    assert preview.stdout.count("✔") == 2
    assert not list(tmp_path.glob("*.csv"))

    out = tmp_path / "out"
    generated = invoke("generate", task, "-n", "300", "--seed", "0", "-o", out)
    assert generated.exit_code == 0, generated.stderr
    assert "wrote 300 examples" in generated.stderr
    assert str(out / "my-task.csv") in generated.stdout.splitlines()
    assert {p.name for p in out.iterdir()} == {"my-task.csv", "my-task.jsonl", "README.md"}

    valid = invoke("validate", out / "my-task.csv")
    assert valid.exit_code == 0
    assert "valid" in valid.stdout and "300 rows" in valid.stdout
    assert valid.stderr == ""


@pytest.mark.parametrize("kind", ["classification", "sequence_prob", "logodds", "absolute_logodds"])
def test_new_from_each_type_scaffold_generates_valid_data(tmp_path, kind):
    task = tmp_path / f"t-{kind}"
    assert invoke("new", task, "--type", kind).exit_code == 0
    out = tmp_path / "out"
    result = invoke("generate", task, "-n", "300", "-o", out)
    assert result.exit_code == 0, result.stderr
    report = validate_file(out / f"t-{kind}.csv", TaskType(kind))
    assert report.ok(strict=True), [p.one_line() for p in report.problems]


def test_generate_is_byte_identical_for_the_same_seed(tmp_path):
    for name in ("a", "b"):
        assert (
            invoke("generate", "belief-biased-qa", "-n", "300", "-o", tmp_path / name).exit_code
            == 0
        )
    for suffix in ("csv", "jsonl"):
        first = (tmp_path / "a" / f"belief-biased-qa.{suffix}").read_bytes()
        assert first == (tmp_path / "b" / f"belief-biased-qa.{suffix}").read_bytes()


def test_generate_hf_and_parquet(tmp_path):
    result = invoke(
        "generate",
        "belief-biased-qa",
        "-n",
        "300",
        "-o",
        tmp_path,
        "--format",
        "hf",
        "--format",
        "parquet",
    )
    assert result.exit_code == 0, result.stderr
    import datasets

    data = datasets.load_from_disk(str(tmp_path / "hf"))
    assert data.num_rows == 300 and data[0]["classes"][0].startswith(" ")
    assert datasets.Dataset.from_parquet(str(tmp_path / "belief-biased-qa.parquet")).num_rows == 300


def test_validate_bad_file_exits_1_with_row_lines_on_stderr(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("prompt,classes,answer_index\nQ,\"[' a', ' b']\",7\nR,\"[' a']\",0\n")
    result = invoke("validate", path)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}:2, row 1, column 'answer_index': error[answer-index-range]")
    assert "row 2" in lines[1] and "too-few-classes" in lines[1]
    assert "invalid" in result.stdout and "2 errors" in result.stdout


def test_validate_strict_fails_on_warnings_and_json_summary(tmp_path):
    path = tmp_path / "warn.csv"
    path.write_text("prompt,classes,answer_index\nQ,\"['a', 'b']\",0\n")
    assert invoke("validate", path).exit_code == 0
    assert invoke("validate", path, "--strict").exit_code == 1
    summary = orjson.loads(invoke("validate", path, "--json").stdout)
    assert summary["rows"] == 1 and summary["warnings"] == 1


def test_validate_accepts_the_prizes_files(isp_data):
    for path in sorted((isp_data / "memo-trap").glob("*.csv")):
        assert invoke("validate", path).exit_code == 0, path


def test_export_lm_eval(tmp_path):
    invoke("generate", "belief-biased-qa", "-n", "300", "-o", tmp_path / "d")
    result = invoke(
        "export", tmp_path / "d" / "belief-biased-qa.csv", "--to", "lm-eval", "-o", tmp_path / "lm"
    )
    assert result.exit_code == 0, result.stderr
    yaml_text = (tmp_path / "lm" / "belief_biased_qa.yaml").read_text()
    assert "output_type: multiple_choice" in yaml_text
    assert 'doc_to_choice: "{{classes}}"' in yaml_text
    rows = [
        orjson.loads(x)
        for x in (tmp_path / "lm" / "belief_biased_qa.jsonl").read_bytes().splitlines()
    ]
    assert len(rows) == 300 and set(rows[0]) == {"prompt", "classes", "answer_index"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["preview", "no-such-task"], "no task folder or built-in generator"),
        (["generate", "belief-biased-qa", "-n", "100000000000"], "at most"),
        (["new", "x", "--type", "ranking"], "unknown task type"),
        (["new", "x"], "exactly one of --from"),
        (["validate", "missing.csv"], "file not found"),
        (["export", "missing.csv", "--to", "helm"], "unknown export target"),
    ],
)
def test_input_errors_are_one_line_exit_2_no_traceback(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.lstrip().startswith("error:")
    assert result.stdout == ""


def test_broken_task_leaves_no_output_files(tmp_path):
    task = tmp_path / "t"
    invoke("new", task, "--type", "classification")
    text = (task / "task.yaml").read_text().replace("{{ item.color }}?", "{{ item.colour }}?")
    (task / "task.yaml").write_text(
        text.replace("what colour is a ripe {{ item.name }}", "what colour is {{ item.colour }}")
    )
    result = invoke("generate", task, "-n", "300", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "task.yaml:" in result.stderr and "colour" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_new_from_a_local_task_folder_forks_it(tmp_path):
    original = tmp_path / "mine"
    invoke("new", original, "--type", "classification")
    result = invoke("new", tmp_path / "fork", "--from", original)
    assert result.exit_code == 0, result.stderr
    assert "name: fork" in (tmp_path / "fork" / "task.yaml").read_text()
    assert (tmp_path / "fork" / "lexicons" / "items.csv").is_file()


def test_new_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me")
    result = invoke("new", tmp_path / "busy", "--type", "logodds")
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert (tmp_path / "busy" / "notes.txt").read_text() == "keep me"


def test_validate_with_a_tokenizer_flags_multi_token_logodds_classes(tmp_path, tiny_tokenizer_dirs):
    folder = tiny_tokenizer_dirs["nobos"]
    path = tmp_path / "lo.csv"
    path.write_text(
        "prompt,other_prompt,classes,answer_index\n"
        "the answer is,the question is,\"[' yes', ' no']\",0\n"
        "the answer is,the capital is,\"[' zqxjvw', ' no']\",0\n"
    )
    result = invoke("validate", path, "--tokenizer", folder)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if "logodds-multi-token" in line]
    assert len(lines) == 1 and "row 2" in lines[0] and f"[{folder}]" in lines[0]
