"""Seeded expansion: reproducible, prefix-stable, unique, balanced, honest about small spaces."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from authoring.errors import GenerationError
from authoring.expand import GenerationStats, estimate_space, expand, regenerate
from authoring.spec import load_task
from tests.conftest import SIMPLE


def keys(examples):
    return [e.key() for e in examples]


def test_same_seed_same_examples_and_other_seed_differs(make_task):
    spec = load_task(make_task(SIMPLE))
    first = list(expand(spec, 50, seed=7))
    assert keys(first) == keys(expand(spec, 50, seed=7))
    assert keys(first) != keys(expand(spec, 50, seed=8))


def test_asking_for_more_never_changes_the_first(make_task):
    spec = load_task(make_task(SIMPLE))
    short = list(expand(spec, 40, seed=1))
    long = list(expand(spec, 200, seed=1))
    assert keys(long[:40]) == keys(short)
    assert [e.meta for e in long[:40]] == [e.meta for e in short]


def test_every_example_is_unique_even_when_duplicates_are_drawn(make_task):
    # 10 x 40 = 400 combinations; asking for 350 forces many duplicate draws to be replaced.
    spec = load_task(make_task(SIMPLE))
    stats = GenerationStats()
    examples = list(expand(spec, 350, seed=0, stats=stats))
    assert len({(e.prompt, frozenset(e.classes)) for e in examples}) == 350
    assert stats.duplicates_replaced > 0
    assert stats.produced == 350


@pytest.mark.parametrize("n", [3, 30, 299])
def test_answer_positions_are_balanced_per_block(make_task, n):
    spec = load_task(make_task(SIMPLE))  # 3 classes, answer_index 1 before shuffling
    examples = list(expand(spec, n, seed=2))
    for start in range(0, n - n % 3, 3):
        block = [e.answer_index for e in examples[start : start + 3]]
        assert sorted(block) == [0, 1, 2]
    for e in examples:  # the answer is still the right text after shuffling
        assert e.classes[e.answer_index] == " no"


def test_without_shuffle_classes_keep_their_order(make_task):
    spec = load_task(make_task(SIMPLE.replace("shuffle_classes: true", "shuffle_classes: false")))
    assert {e.classes for e in expand(spec, 20)} == {(" yes", " no", " maybe")}


def test_too_small_space_fails_before_generating_and_names_slots(make_task):
    spec = load_task(make_task(SIMPLE))
    with pytest.raises(GenerationError) as caught:
        next(expand(spec, 401))
    message = caught.value.one_line()
    assert "at most 400" in message
    assert "a (10 values)" in message and "b (40 values)" in message


def test_space_estimate_ignores_unused_slots_and_counts_templates_once(make_task):
    yaml = SIMPLE.replace(
        "  b: {int: [1, 40]}",
        "  b: {int: [1, 40]}\n  unused: {int: [1, 999]}\n  c: {template: '{{ a }}-{{ b }}'}",
    )
    estimate = estimate_space(load_task(make_task(yaml)))
    assert estimate.total == 400
    assert "unused" not in estimate.sizes and "c" not in estimate.sizes


def test_faker_space_is_estimated_by_sampling(make_task):
    yaml = SIMPLE.replace("{int: [1, 40]}", "{faker: first_name}")
    estimate = estimate_space(load_task(make_task(yaml)))
    assert 200 < estimate.sizes["b"] < 5000  # en_US first names: several hundred
    assert "sampled" in estimate.notes["b"]


def test_exhausted_space_at_runtime_says_how_many_were_found(make_task):
    # The static bound (10 x 40) is too generous: `require` keeps only b <= 2, i.e. 20 examples.
    spec = load_task(make_task(SIMPLE + 'require: ["{{ b <= 2 }}"]\n'))
    with pytest.raises(GenerationError, match="found only 20 unique examples"):
        list(expand(spec, 25))


def test_require_and_exclude_hold_in_every_example(make_task):
    yaml = SIMPLE.replace(
        "  b: {int: [1, 40]}",
        "  b: {int: [1, 40]}\n  c: {choice: [x1, x2, x3], exclude: '{{ a }}'}",
    )
    yaml = yaml.replace("number {{ b }}", "number {{ b }} {{ c }}")
    spec = load_task(make_task(yaml + 'require: ["{{ b % 2 == 0 }}"]\n'))
    stats = GenerationStats()
    for e in expand(spec, 100, stats=stats):
        slots = e.meta["slots"]
        assert slots["b"] % 2 == 0
        assert slots["c"] != slots["a"]
    assert stats.draws_rejected > 0


def test_regenerate_rebuilds_a_row_from_its_meta(make_task):
    spec = load_task(make_task(SIMPLE))
    examples = list(expand(spec, 300, seed=5))
    redrawn = [e for e in examples if e.meta["attempt"] > 0]
    assert redrawn, "the fixture should force some redraws"
    for e in [examples[0], examples[-1], *redrawn[:5]]:
        again = regenerate(spec, e.meta["seed"], e.meta["index"], e.meta["attempt"])
        assert again is not None and again.key() == e.key()
        assert e.meta["spec_hash"] == spec.spec_hash


FEW_SHOT = """
name: shots
type: classification
slots:
  x: {int: [1, 60]}
  y: {int: [1, 60]}
prompt: "Is {{ x }} bigger than {{ y }}? Answer:"
classes: [" Yes", " No"]
answer_index: "{{ 0 if x > y else 1 }}"
require: ["{{ x != y }}"]
few_shot: {k: 4, separator: "\\n---\\n", distinct: [x, y]}
"""


def test_few_shot_shots_share_no_values_and_answers_are_balanced(make_task):
    spec = load_task(make_task(FEW_SHOT))
    for e in expand(spec, 40):
        *shots, question = e.prompt.split("\n---\n")
        assert len(shots) == 4
        assert question.startswith(f"Is {e.meta['slots']['x']} bigger")
        # Per slot: no shot reuses the question's x (or y), nor an earlier shot's.
        used_x, used_y = {e.meta["slots"]["x"]}, {e.meta["slots"]["y"]}
        answers = Counter()
        for shot in shots:
            body, _, answer = shot.rpartition(" Answer:")
            numbers = [int(w) for w in body.replace("?", "").split() if w.isdigit()]
            assert len(numbers) == 2
            assert numbers[0] not in used_x and numbers[1] not in used_y
            used_x.add(numbers[0])
            used_y.add(numbers[1])
            truth = " Yes" if numbers[0] > numbers[1] else " No"
            assert answer == truth  # each shot is solved correctly
            answers[answer] += 1
        assert answers == Counter({" Yes": 2, " No": 2})


def test_n_must_be_positive(make_task):
    with pytest.raises(GenerationError):
        next(expand(load_task(make_task(SIMPLE)), 0))


def test_space_is_infinite_for_hooks_without_declared_space(make_task):
    folder = make_task(
        SIMPLE.replace("{int: [1, 40]}", "{hook: make_b}"),
        **{"hooks.py": "def make_b(rng, slots):\n    return rng.random()\n"},
    )
    assert math.isinf(estimate_space(load_task(folder)).total)


def test_is_shot_lets_shots_differ_from_the_question(make_task):
    # Shots where the first number is bigger, questions where it is smaller: only `is_shot`
    # can express that, since shots and question share templates and `require`.
    yaml = FEW_SHOT.replace(
        'require: ["{{ x != y }}"]', 'require: ["{{ (x > y) if is_shot else (x < y) }}"]'
    ).replace("distinct: [x, y]", "distinct: [x]")
    spec = load_task(make_task(yaml))
    for e in expand(spec, 20):
        *shots, question = e.prompt.split("\n---\n")
        assert all(shot.endswith(" Yes") for shot in shots)
        assert e.meta["slots"]["x"] < e.meta["slots"]["y"]
        assert "is_shot" not in e.meta["slots"]


def test_is_shot_is_reserved(make_task):
    from authoring.errors import TemplateError
    from authoring.render import Renderer

    spec = load_task(
        make_task(
            SIMPLE.replace("  b: {int: [1, 40]}", "  is_shot: {int: [1, 2]}").replace(
                "number {{ b }}", ""
            )
        )
    )
    with pytest.raises(TemplateError, match="built-in variable"):
        Renderer(spec)
