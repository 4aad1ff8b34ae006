"""Statistics and verdicts, tokenizer checks, the CLI, import hygiene, and the real model."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from authoring.check import tokenizer_problems, trend
from authoring.records import Example, TaskType
from tests import check_fixtures as fx

tiny_tokenizer_dirs = fx.tiny_tokenizer_dirs
tiny_models = fx.tiny_models
tiny_model_dir = fx.tiny_model_dir

PARAMS = [7e7, 1.6e8, 4.1e8, 1e9, 1.4e9]


def ladder_data(shape, noise=0.1, n=200, seed=1):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n)
    return [base + shape(np.log10(p)) + rng.normal(scale=noise, size=n) for p in PARAMS]


@pytest.mark.parametrize(
    ("metric", "shape", "noise", "verdict"),
    [
        ("loss", lambda x: 0.3 * x, 0.1, "inverse"),
        ("loss", lambda x: -0.3 * x, 0.1, "standard"),
        ("correct", lambda x: 0.3 * x, 0.1, "standard"),  # accuracy rising is standard
        ("loss", lambda x: 0 * x, 0.1, "flat"),
        ("loss", lambda x: 0.02 * x, 3.0, "not enough evidence"),
        ("loss", lambda x: -((x - 8.5) ** 2), 0.1, "U-shaped"),  # loss hump: worse then better
        ("loss", lambda x: (x - 8.5) ** 2, 0.1, "inverted-U"),
    ],
)
def test_verdicts(metric, shape, noise, verdict):
    result = trend(metric, PARAMS, ladder_data(shape, noise))
    assert result.verdict == verdict, result.reason
    assert result.n_models == 5 and result.tau is not None


def test_one_model_has_no_trend():
    assert trend("loss", [1e8], [[1.0, 2.0]]).verdict == "no trend (one model)"


def test_tokenizer_problems(tiny_models):
    _, tok = tiny_models["gpt_neox"]
    examples = [
        Example("a", (" supercalifragilistic antidisestablishment", " b"), 0, other_prompt="b"),
        Example("what is the answer ? ", ("yes", "no"), 0, other_prompt="q"),
        Example("the capital is", (" paris", " paris "), 0, other_prompt="q"),
        Example("x " * 300, (" yes", " no"), 0, other_prompt="q"),
        Example("the capital is", (" paris", " rome"), 0, other_prompt="q"),
    ]
    problems = tokenizer_problems(examples, TaskType.LOGODDS, tok)
    codes = {(p.row, p.code) for p in problems}
    assert (1, "logodds-multi-token") in codes
    assert (2, "class-merges-with-prompt") in codes
    assert (4, "too-long-for-model") in codes
    assert not any(row == 5 for row, _ in codes)
    same = tokenizer_problems([Example("p", (" yes", " yes"), 0)], TaskType.CLASSIFICATION, tok)
    assert [p.code for p in same] == ["classes-same-tokens"]


def test_import_hygiene():
    code = ("import sys, authoring.check, authoring.plot\n"
            "print([m for m in ('torch', 'transformers', 'datasets', 'textual', 'scipy', "
            "'matplotlib') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def write_csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["prompt", "classes", "answer_index"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_cli_check_on_a_local_folder(tiny_model_dir, tmp_path, monkeypatch):
    from authoring.cli import commands  # noqa: F401  (registers the commands)
    from authoring.cli._app import app

    monkeypatch.setenv("INVSCALE_CACHE", str(tmp_path / "cache"))
    data = write_csv(tmp_path / "d.csv", [
        {"prompt": f"the capital of {c} is", "classes": str([" paris", " rome"]),
         "answer_index": i % 2} for i, c in enumerate(["france", "italy"] * 6)
    ])
    runner = CliRunner()
    args = ["check", str(data), "-m", f"{tiny_model_dir}@1M", "--json", str(tmp_path / "r.json"),
            "--plot", str(tmp_path / "p.png")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "loss" in result.stdout and "no trend" in result.stdout
    assert "12 classification examples" in result.stderr and "1M params" in result.stderr
    import json

    payload = json.loads((tmp_path / "r.json").read_text())
    assert payload["models"][0]["params"] > 0 and len(payload["models"][0]["examples"]) == 12
    assert not (tmp_path / "p.png").exists() or (tmp_path / "p.png").stat().st_size > 0
    bad = runner.invoke(app, ["check", str(data), "--ladder", "nope"])
    assert bad.exit_code == 2 and "unknown ladder" in bad.stderr


def test_png_plot(tmp_path):
    from authoring.plot import Series, png_plot, terminal_chart

    s = Series("loss", [1e8, 1e9], [1.0, 2.0], [0.9, 1.8], [1.1, 2.2])
    assert png_plot([s], "loss", tmp_path / "x.png").read_bytes()[:4] == b"\x89PNG"
    assert "parameters" in terminal_chart([s], "loss") and "\x1b[" not in terminal_chart([s], "l")


CAPITALS = [
    ("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"),
    ("Japan", "Tokyo"), ("Egypt", "Cairo"), ("Russia", "Moscow"), ("China", "Beijing"),
    ("England", "London"), ("Greece", "Athens"), ("Portugal", "Lisbon"), ("Austria", "Vienna"),
    ("Norway", "Oslo"), ("Ireland", "Dublin"), ("Sweden", "Stockholm"),
]


@pytest.mark.slow
def test_real_smollm2_knows_capitals(tmp_path, monkeypatch):
    """The bundled SmolLM2-135M GGUF answers 30 two-way capital questions far above chance."""
    from authoring.check import CheckOptions, ModelRef, run_check

    monkeypatch.setenv("INVSCALE_CACHE", str(tmp_path))
    examples = []
    for i in range(30):
        country, right = CAPITALS[i % 15]
        wrong = CAPITALS[(i + 5 + i // 15) % 15][1]
        classes = (f" {right}", f" {wrong}") if i % 2 == 0 else (f" {wrong}", f" {right}")
        examples.append(Example(f"Q: What is the capital of {country}?\nA:", classes, i % 2))
    result = run_check(examples, TaskType.CLASSIFICATION, [ModelRef("bundled")],
                       CheckOptions(use_cache=False, blind=False))
    model = result.models[0]
    assert 130e6 < model.params < 140e6
    assert model.accuracy >= 0.85, model.mean  # chance is 0.5
