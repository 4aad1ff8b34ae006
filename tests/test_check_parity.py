"""The fast batched backend against a slow float64 one-at-a-time reference, on every metric."""

from __future__ import annotations

import pytest

from authoring.check import (
    ScorerInfo,
    TransformersScorer,
    metrics_from,
    requests_for,
    score_examples,
)
from authoring.records import Example, TaskType
from tests import check_fixtures as fx
from tests.check_fixtures import reference_metrics

# Shared fixtures, made visible to pytest in this module.
tiny_tokenizer_dirs = fx.tiny_tokenizer_dirs
tiny_models = fx.tiny_models
reference_models = fx.reference_models

LONG = "the quick brown fox jumps over the lazy dog . " * 8

CLASSIFICATION = [
    # classes of different token lengths, prompts of very different lengths in one batch
    Example("the capital of france is", (" paris", " supercalifragilistic berlin", " rome"), 0),
    Example(LONG + "answer :", (" yes", " no"), 1),
    Example("q", (" antidisestablishment", " b"), 1),
    Example("what is the answer ? ", ("yes", "no maybe"), 0),  # class merges with the prompt
    Example(LONG[:60], (" tokyo cairo oslo dublin", " a", " lisbon"), 2),
]
SEQUENCE = [
    Example("the capital of france is", completion=" paris"),
    Example(LONG, completion=" the quick brown fox jumps over"),
    Example("", completion="what is the answer"),  # empty prompt: conditioned on BOS
    Example("yes", completion=" no maybe true false berlin"),
]
LOGODDS = [
    Example("the capital of france is", (" paris", " rome"), 0, other_prompt=LONG + "capital is"),
    Example(LONG + "yes or no ?", (" yes", " no"), 1, other_prompt="yes or no ?"),
    Example("a b c", (" d", " e"), 0, other_prompt="z y x w v u t s r q p o"),
]
CASES = [
    (TaskType.CLASSIFICATION, CLASSIFICATION),
    (TaskType.SEQUENCE_PROB, SEQUENCE),
    (TaskType.LOGODDS, LOGODDS),
    (TaskType.ABSOLUTE_LOGODDS, LOGODDS),
]


def fast_metrics(model, tokenizer, examples, task_type, batch_size=None):
    scorer = TransformersScorer(
        model,
        tokenizer,
        ScorerInfo("tiny", "k", 0, "float32", "cpu", 256),
        batch_size=batch_size,
    )
    return score_examples(scorer, examples, task_type)


@pytest.mark.parametrize("arch", ["gpt_neox", "llama"])
@pytest.mark.parametrize(("task_type", "examples"), CASES, ids=[c[0].value for c in CASES])
def test_batched_matches_float64_reference(
    arch, task_type, examples, tiny_models, reference_models
):
    model, tokenizer = tiny_models[arch]
    fast = fast_metrics(model, tokenizer, examples, task_type)
    for ex, got in zip(examples, fast, strict=True):
        if task_type.is_logodds and "skipped" in got:
            continue  # a class that is not one token for this tokenizer (checked below)
        want = reference_metrics(reference_models[arch], tokenizer, ex, task_type)
        assert set(got) == set(want)
        for name, value in want.items():
            assert got[name] == pytest.approx(value, abs=1e-4), (name, ex.prompt[:30])


@pytest.mark.parametrize("arch", ["gpt_neox", "llama"])
def test_logodds_cases_are_really_scored(arch, tiny_models):
    # Guard the parity test above: the single-token classes must not all be skipped.
    model, tokenizer = tiny_models[arch]
    fast = fast_metrics(model, tokenizer, LOGODDS, TaskType.LOGODDS)
    assert sum("skipped" not in m for m in fast) >= 2


@pytest.mark.parametrize("arch", ["gpt_neox", "llama"])
@pytest.mark.parametrize(("task_type", "examples"), CASES[:3], ids=[c[0].value for c in CASES[:3]])
def test_batch_1_and_32_agree(arch, task_type, examples, tiny_models):
    model, tokenizer = tiny_models[arch]
    many = examples * 8  # > 32 rows, so batch 32 really packs several lengths together
    one = fast_metrics(model, tokenizer, many, task_type, batch_size=1)
    big = fast_metrics(model, tokenizer, many, task_type, batch_size=32)
    for a, b in zip(one, big, strict=True):
        assert a.keys() == b.keys()
        for name in a:
            if name != "skipped":
                assert a[name] == pytest.approx(b[name], abs=1e-4)


def test_padding_does_not_leak(tiny_models):
    # The same request scored alone and next to a much longer one must not change.
    model, tokenizer = tiny_models["llama"]
    ex = CLASSIFICATION[0]
    alone = fast_metrics(model, tokenizer, [ex], TaskType.CLASSIFICATION)[0]
    mixed = fast_metrics(model, tokenizer, [CLASSIFICATION[1], ex], TaskType.CLASSIFICATION)[1]
    assert alone["loss"] == pytest.approx(mixed["loss"], abs=1e-5)


def test_too_long_is_skipped_not_truncated(tiny_models):
    model, tokenizer = tiny_models["gpt_neox"]
    scorer = TransformersScorer(model, tokenizer, ScorerInfo("t", "k", 0, "float32", "cpu", 40))
    ex = [Example(LONG * 2, (" yes", " no"), 0), Example("short", (" yes", " no"), 0)]
    requests = [r for e in ex for r in requests_for(e, TaskType.CLASSIFICATION)]
    results = scorer.score(requests)
    assert results[0].too_long and not results[1].too_long
    assert metrics_from(ex[0], TaskType.CLASSIFICATION, results[:1]) == {"skipped": "too_long"}


def test_multi_token_logodds_class_is_skipped(tiny_models):
    model, tokenizer = tiny_models["gpt_neox"]
    ex = Example("a", (" supercalifragilistic antidisestablishment", " b"), 0, other_prompt="b")
    assert fast_metrics(model, tokenizer, [ex], TaskType.LOGODDS)[0] == {
        "skipped": "multi_token_class"
    }
