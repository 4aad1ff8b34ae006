"""Expand a task into unique, seeded, reproducible examples.

Seeding: example ``i`` is drawn from ``random.Random(f"{seed}:{i}:{attempt}")``. ``attempt``
starts at 0 and moves on only when a draw is rejected (a ``require`` is false, an ``exclude``
cannot be met, two classes render the same) or duplicates an earlier example. So example ``i``
depends on the seed, its index and the examples before it, never on how many come after:
asking for more examples never changes the first ones, and each JSONL row records
``(spec_hash, seed, index, attempt)`` so :func:`regenerate` can rebuild it alone.

Balance: with ``shuffle_classes`` the correct answer's position is dealt from a shuffled deck per
block of ``k`` examples (``k`` classes), so positions are exactly balanced in every block.

Memory: examples stream out one at a time; the only state that grows is the compact set of
8-byte hashes used to drop duplicates (16-32 bytes an example).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from authoring.errors import GenerationError, Location, TemplateError
from authoring.hashset import HashSet64
from authoring.records import Example
from authoring.render import BUILTIN_NAMES, Renderer, display
from authoring.spec import TaskSpec, Text

# Draws tried for one example before the slot space is declared exhausted.
MAX_ATTEMPTS = 1000
# Draws tried for one few-shot example before its answer-balance target is relaxed.
_SHOT_BALANCE_TRIES = 50
_SHOT_ATTEMPTS = 500


@dataclass
class SpaceEstimate:
    """How many unique examples the slots can make, at most.

    Attributes:
        total: Product of the sizes of the slots that reach the output (``inf`` if unbounded).
        sizes: Each contributing slot's number of values (``inf`` if large or unknown).
        notes: How each size was found, e.g. ``"lexicon, 40 rows"`` or ``"faker, ~3,000"``.
    """

    total: float
    sizes: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def limiting(self, count: int = 3) -> list[str]:
        """The smallest slots, as ``"name (size)"`` strings."""
        finite = sorted((v, k) for k, v in self.sizes.items() if math.isfinite(v) and v > 1)
        return [f"{k} ({_fmt(v)} values)" for v, k in finite[:count]]


@dataclass
class GenerationStats:
    """Counts from one :func:`expand` run, filled in as examples stream out."""

    produced: int = 0
    duplicates_replaced: int = 0
    draws_rejected: int = 0
    answer_positions: Counter[int] = field(default_factory=Counter)


def estimate_space(spec: TaskSpec, renderer: Renderer | None = None) -> SpaceEstimate:
    """Estimate how many unique examples a task can produce, before generating any.

    Lexicon, choice and int slots are counted exactly; Faker providers are sampled (2,000 draws,
    Chao1 estimate when values repeat); hooks count as unbounded unless they declare ``space``.
    Template slots add nothing (they are computed from other slots); slots that never reach an
    output text are ignored.
    """
    renderer = renderer or Renderer(spec)
    used = renderer.used_slots()
    sizes: dict[str, float] = {}
    notes: dict[str, str] = {}
    for slot in spec.slots:
        if slot.name not in used or slot.kind == "template":
            continue
        excluded = len(slot.exclude)
        if "space" in slot.params:
            size: float = slot.params["space"]
            note = "declared space"
        elif slot.kind in ("lexicon", "choice"):
            n = max(len(set(map(display, slot.values))) - excluded, 0)
            k = slot.params.get("sample")
            size = math.perm(n, int(k)) if k else n
            note = f"{slot.kind}, {len(slot.values)} values"
        elif slot.kind == "int":
            size = max(slot.params["high"] - slot.params["low"] + 1 - excluded, 0)
            note = "int range"
        elif slot.kind == "faker":
            size, note = _estimate_faker(renderer, slot.params)
        else:
            size, note = math.inf, "hook without a declared space"
        sizes[slot.name] = size
        notes[slot.name] = note
    total = math.prod(sizes.values()) if sizes else 1.0
    return SpaceEstimate(float(total), sizes, notes)


def expand(
    spec: TaskSpec,
    n: int,
    seed: int | None = None,
    *,
    stats: GenerationStats | None = None,
    renderer: Renderer | None = None,
    check_space: bool = True,
) -> Iterator[Example]:
    """Yield ``n`` unique examples of ``spec``, in index order.

    Args:
        spec: The loaded task.
        n: How many examples.
        seed: Overrides the spec's ``seed``.
        stats: Filled in as examples are produced (for cards and progress).
        renderer: A prepared renderer (built from ``spec`` if not given).
        check_space: Estimate the slot space first and fail at once if it is too small.

    Raises:
        GenerationError: the slot space cannot supply ``n`` unique examples.
        TemplateError, SpecError: a template or hook fails while rendering.
    """
    if n < 1:
        raise GenerationError(f"asked for {n} examples", fix="ask for at least 1 (-n 300)")
    seed = spec.seed if seed is None else seed
    renderer = renderer or Renderer(spec)
    if check_space:
        space = estimate_space(spec, renderer)
        if space.total < n:
            limits = ", ".join(space.limiting()) or "all slots are fixed"
            raise GenerationError(
                f"the slot space can supply at most {_fmt(space.total)} unique examples, "
                f"but {n} were asked for; limiting slots: {limits}",
                where=Location(spec.yaml_path, key="slots"),
                fix=f"add values to those slots, or ask for at most {_fmt(space.total)} (-n)",
            )
    stats = stats if stats is not None else GenerationStats()
    seen = HashSet64()
    for index in range(n):
        for attempt in range(MAX_ATTEMPTS):
            example = build_example(spec, renderer, seed, index, attempt, stats)
            if example is None:
                stats.draws_rejected += 1
                continue
            if not seen.add(_dedupe_key(example)):
                stats.duplicates_replaced += 1
                continue
            stats.produced += 1
            if example.answer_index is not None:
                stats.answer_positions[example.answer_index] += 1
            yield example
            break
        else:
            raise GenerationError(
                f"found only {index} unique examples of the {n} asked for: {MAX_ATTEMPTS} draws "
                f"in a row were duplicates or rejected ({stats.draws_rejected} rejected by "
                "require/exclude/equal classes in all)",
                where=Location(spec.yaml_path, key="slots"),
                fix=f"add values to the slots, loosen 'require', or ask for at most {index} (-n)",
            )


def regenerate(spec: TaskSpec, seed: int, index: int, attempt: int = 0) -> Example | None:
    """Rebuild one example from its recorded ``(seed, index, attempt)``; None if rejected."""
    return build_example(spec, Renderer(spec), seed, index, attempt, None)


def build_example(
    spec: TaskSpec,
    renderer: Renderer,
    seed: int,
    index: int,
    attempt: int,
    stats: GenerationStats | None,
) -> Example | None:
    """Draw and render example ``index`` at ``attempt``; None when the draw is rejected."""
    rng = random.Random(f"{seed}:{index}:{attempt}")
    values = renderer.draw(rng)
    if values is None or not renderer.allowed(values):
        return None
    rendered = renderer.render(values)
    classes, answer = rendered.classes, rendered.answer_index
    if classes is not None:
        if len(set(classes)) < len(classes):
            return None
        if answer is None or not 0 <= answer < len(classes):
            key = spec.answer_index.key if isinstance(spec.answer_index, Text) else "answer_index"
            raise TemplateError(
                f"answer_index is {answer} but the example has {len(classes)} classes",
                where=Location(spec.yaml_path, key=key),
                fix=f"make answer_index a number from 0 to {len(classes) - 1}",
            )
        if spec.shuffle_classes:
            classes, answer = _place_answer(classes, answer, seed, index, rng)
    prompt, other = rendered.prompt, rendered.other_prompt
    if spec.few_shot.k:
        prefix = _few_shot_prefix(spec, renderer, seed, index, values)
        prompt = prefix + prompt
        other = prefix + other if other is not None else None
    meta: dict[str, Any] = {
        "index": index,
        "seed": seed,
        "attempt": attempt,
        "spec_hash": spec.spec_hash,
        "slots": jsonable({k: v for k, v in values.items() if k not in BUILTIN_NAMES}),
    }
    return Example(
        prompt=prompt,
        classes=classes,
        answer_index=answer,
        completion=rendered.completion,
        other_prompt=other,
        id=f"{spec.name}-{index}",
        meta=meta,
    )


def _place_answer(
    classes: tuple[str, ...], answer: int, seed: int, index: int, rng: random.Random
) -> tuple[tuple[str, ...], int]:
    # Deal the answer positions from a deck shuffled per block of k examples: exactly balanced
    # in every block, yet not a visible A-B-A-B pattern. The deck depends on the index only,
    # so redrawing an example (attempt > 0) keeps its position.
    k = len(classes)
    deck = list(range(k))
    random.Random(f"{seed}:deck:{k}:{index // k}").shuffle(deck)
    position = deck[index % k]
    others = [c for j, c in enumerate(classes) if j != answer]
    rng.shuffle(others)
    others.insert(position, classes[answer])
    return tuple(others), position


def _few_shot_prefix(
    spec: TaskSpec, renderer: Renderer, seed: int, index: int, question: dict[str, Any]
) -> str:
    few = spec.few_shot
    distinct = (
        few.distinct
        if few.distinct is not None
        else tuple(s.name for s in spec.slots if s.kind in ("lexicon", "faker", "hook", "int"))
    )
    # Values already used by the question or an earlier shot: a shot may reuse none of them,
    # so no shot gives away the question's answer.
    used = {name: {display(question[name])} for name in distinct}
    balance = isinstance(spec.answer_index, Text) and len(spec.classes) > 1
    targets = list(range(len(spec.classes))) if balance else [0]
    random.Random(f"{seed}:shots:{index}").shuffle(targets)
    shots: list[str] = []
    for j in range(few.k):
        target = targets[j % len(targets)]
        for attempt in range(_SHOT_ATTEMPTS):
            rng = random.Random(f"{seed}:{index}:shot{j}:{attempt}")
            values = renderer.draw(rng, is_shot=True)
            if values is None or not renderer.allowed(values):
                continue
            if any(display(values[name]) in used[name] for name in distinct):
                continue
            rendered = renderer.render(values)
            if balance and attempt < _SHOT_BALANCE_TRIES and rendered.answer_index != target:
                continue
            if rendered.classes is not None and rendered.answer_index is not None:
                solution = rendered.classes[rendered.answer_index]
            else:
                solution = rendered.completion or ""
            shots.append(rendered.prompt + solution)
            for name in distinct:
                used[name].add(display(values[name]))
            break
        else:
            raise GenerationError(
                f"could not draw few-shot example {j + 1} of {few.k} for example {index} that "
                f"shares no value of {', '.join(distinct)} with the question and earlier shots",
                where=Location(spec.yaml_path, key="few_shot"),
                fix="add values to those slots, lower few_shot.k, or narrow few_shot.distinct",
            )
    return "".join(shot + few.separator for shot in shots)


def _dedupe_key(example: Example) -> int:
    # Same prompt and same *set* of classes is the same question, whatever the class order.
    parts = [example.prompt, example.other_prompt or "", example.completion or ""]
    parts += sorted(example.classes or ())
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _estimate_faker(renderer: Renderer, params: dict[str, Any]) -> tuple[float, str]:
    draws = 2000
    saved = renderer.faker.random
    renderer.faker.random = random.Random("invscale-space-estimate")
    try:
        counts = Counter(
            str(getattr(renderer.faker, params["provider"])(**params["args"])) for _ in range(draws)
        )
    finally:
        renderer.faker.random = saved
    distinct = len(counts)
    if distinct >= draws * 0.95:
        return math.inf, f"faker {params['provider']}, large"
    # Chao1: unseen values estimated from how many were seen once (f1) and twice (f2).
    f1 = sum(1 for c in counts.values() if c == 1)
    f2 = sum(1 for c in counts.values() if c == 2)
    estimate = distinct + f1 * (f1 - 1) / (2 * (f2 + 1))
    return float(round(estimate)), f"faker {params['provider']}, ~{round(estimate):,} (sampled)"


def jsonable(value: Any) -> Any:
    """Slot values as JSON-ready data (hooks may return tuples, sets or objects)."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def _fmt(value: float) -> str:
    return "unbounded" if not math.isfinite(value) else f"{int(value):,}"
