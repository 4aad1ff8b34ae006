"""The quick check end to end: plan, load each model, score (cached), summarize, judge.

:func:`run_check` is what the CLI and the TUI call. It reports progress through a callback,
hands each model's results over as soon as they are complete (``on_model_done``), stops between
chunks when a ``threading.Event`` is set, and commits every scored chunk to the cache first, so
an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authoring.check.base import Scorer
from authoring.check.cache import ScoreCache, cache_dir, metric_kind
from authoring.check.metrics import (
    blind_example,
    blind_metric,
    metrics_from,
    primary_metric,
    requests_for,
)
from authoring.check.models import ModelRef
from authoring.check.stats import Trend, mean_ci, trend
from authoring.errors import CheckError
from authoring.records import Example, TaskType


class CheckCancelled(CheckError):
    """The run was cancelled (its ``cancel`` event was set); scored chunks are cached."""

    exit_code = 130


@dataclass(frozen=True)
class ProgressEvent:
    """A progress report: ``stage`` is ``"load"``, ``"score"`` or ``"blind"``."""

    stage: str
    model: str
    done: int
    total: int


@dataclass
class CheckOptions:
    """How to run the check.

    Attributes:
        device: ``"cpu"``, ``"cuda"``...; None picks CUDA when present.
        dtype: ``"float32"``, ``"bfloat16"``...; None: bfloat16 on CUDA, float32 on CPU.
        batch_size: Rows per forward; None sizes batches by a token budget.
        use_cache: Read and write the score cache (False: score everything afresh, store nothing).
        cache_path: The SQLite file; None uses ``<cache dir>/scores.sqlite``.
        blind: Also score the blind baseline (classes after a neutral prompt).
        by: A slot name: also fit the trend per value of ``meta["slots"][by]``.
        chunk_size: Examples per scoring chunk (the unit of caching and cancellation).
    """

    device: str | None = None
    dtype: str | None = None
    batch_size: int | None = None
    use_cache: bool = True
    cache_path: Path | None = None
    blind: bool = True
    by: str | None = None
    chunk_size: int = 128


@dataclass
class ModelResult:
    """One model's scores.

    Attributes:
        name: As given. params: From the loaded model (tied weights once), else nominal.
        examples: Per-example metric dicts in dataset order (``{"skipped": why}`` if skipped).
        blind: The same for the blind baseline (None when not run).
        mean, ci: Per metric, over this model's scored examples (95% bootstrap).
        skipped: Count per skip reason.
    """

    name: str
    params: int | None
    nominal_params: int | None
    dtype: str
    device: str
    batch_size: int | None
    key: str
    examples: list[dict[str, Any]]
    blind: list[dict[str, Any]] | None
    mean: dict[str, float] = field(default_factory=dict)
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    blind_mean: dict[str, float] = field(default_factory=dict)
    blind_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    from_cache: int = 0

    @property
    def accuracy(self) -> float | None:
        """Mean of ``correct`` where the type defines it."""
        return self.mean.get("correct")

    def to_json(self) -> dict[str, Any]:
        """The results-file entry for this model."""
        return {
            "name": self.name,
            "params": self.params,
            "nominal_params": self.nominal_params,
            "dtype": self.dtype,
            "device": self.device,
            "batch_size": self.batch_size,
            "mean": self.mean,
            "ci": {k: list(v) for k, v in self.ci.items()},
            "blind_mean": self.blind_mean,
            "blind_ci": {k: list(v) for k, v in self.blind_ci.items()},
            "skipped": self.skipped,
            "examples": self.examples,
            "blind_examples": self.blind,
        }


@dataclass
class CheckResult:
    """Everything the check found; ``to_json()`` is the ``--json`` file."""

    task_type: TaskType
    metric: str
    models: list[ModelResult]
    trend: Trend | None = None
    blind_trend: Trend | None = None
    by: str | None = None
    by_trends: dict[str, Trend] = field(default_factory=dict)
    # Per value of the --by slot: its number of examples and, per metric, each model's mean
    # (models in ladder order), so a single model still shows which values drive its score.
    by_means: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (see ``docs/check.md`` for the schema)."""
        return {
            "task_type": self.task_type.value,
            "metric": self.metric,
            "models": [m.to_json() for m in self.models],
            "trend": self.trend.to_json() if self.trend else None,
            "blind_trend": self.blind_trend.to_json() if self.blind_trend else None,
            "by": self.by,
            "by_trends": {k: t.to_json() for k, t in self.by_trends.items()},
            "by_means": self.by_means,
            "notes": self.notes,
        }


def _summarize(rows: list[dict[str, Any]]) -> tuple[dict, dict, dict[str, int]]:
    means: dict[str, float] = {}
    cis: dict[str, tuple[float, float]] = {}
    skipped: dict[str, int] = {}
    for row in rows:
        if "skipped" in row:
            skipped[row["skipped"]] = skipped.get(row["skipped"], 0) + 1
    scored = [r for r in rows if "skipped" not in r]
    for metric in scored[0] if scored else {}:
        mean, lo, hi = mean_ci([r[metric] for r in scored])
        means[metric], cis[metric] = mean, (lo, hi)
    return means, cis, skipped


def _score_variant(
    scorer: Scorer,
    examples: list[Example],
    task_type: TaskType,
    kind: str,
    cache: ScoreCache,
    options: CheckOptions,
    report: Callable[[int], None],
    cancel: threading.Event | None,
) -> tuple[list[dict[str, Any]], int]:
    """Per-example metrics for one model and one variant, from cache where possible."""
    hashes = [ex.content_hash() for ex in examples]
    known = cache.get_many(scorer.info.key, kind, hashes)
    from_cache = sum(1 for h in hashes if h in known)
    report(from_cache)
    todo: dict[str, Example] = {}
    for h, ex in zip(hashes, examples, strict=True):
        if h not in known:
            todo.setdefault(h, ex)
    # Longest prompts first: chunks hold similar lengths, so batches inside them pad little.
    order = sorted(todo.items(), key=lambda item: -len(item[1].prompt))
    for start in range(0, len(order), options.chunk_size):
        if cancel is not None and cancel.is_set():
            raise CheckCancelled("check cancelled; every scored chunk is cached")
        chunk = order[start : start + options.chunk_size]
        scored = score_examples(scorer, [ex for _, ex in chunk], task_type)
        fresh = {h: metrics for (h, _), metrics in zip(chunk, scored, strict=True)}
        cache.put_many(scorer.info.key, kind, fresh)  # committed before we go on
        known.update(fresh)
        report(sum(1 for h in hashes if h in fresh))
    return [dict(known[h]) for h in hashes], from_cache


def score_examples(
    scorer: Scorer, examples: Sequence[Example], task_type: TaskType
) -> list[dict[str, Any]]:
    """Per-example metric dicts for ``examples``, scored in one call to ``scorer.score``.

    No cache, no progress: the plain path that :func:`run_check` calls chunk by chunk (and that
    the parity tests call directly against every backend).
    """
    requests: list[Any] = []
    spans: list[tuple[int, int]] = []
    for ex in examples:
        reqs = requests_for(ex, task_type)
        spans.append((len(requests), len(reqs)))
        requests += reqs
    results = scorer.score(requests)
    return [
        metrics_from(ex, task_type, results[s : s + n])
        for ex, (s, n) in zip(examples, spans, strict=True)
    ]


def _paired(models: list[ModelResult], metric: str, blind: bool, idx: list[int] | None = None):
    """Params and per-model values over the examples every model scored (paired sample)."""
    rows = [m.blind if blind else m.examples for m in models]
    indices = idx if idx is not None else range(len(rows[0]) if rows and rows[0] else 0)
    keep = [i for i in indices if all(r is not None and metric in r[i] for r in rows)]
    values = [[r[i][metric] for i in keep] for r in rows if r is not None]
    return [m.params or 0 for m in models], values


def _slot_key(value: Any) -> str:
    if isinstance(value, dict):  # a lexicon row: name it by its first column
        return str(next(iter(value.values()), ""))
    return str(value)


def run_check(
    examples: Sequence[Example],
    task_type: TaskType,
    models: Sequence[ModelRef | str | Scorer],
    options: CheckOptions | None = None,
    *,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    on_model_done: Callable[[ModelResult], None] | None = None,
    cancel: threading.Event | None = None,
) -> CheckResult:
    """Score ``examples`` on every model and fit the scaling trend.

    Args:
        examples: The dataset rows.
        task_type: Their type.
        models: ``ModelRef``/names to load locally, or ready :class:`Scorer` objects (e.g.
            ``RemoteScorer``), in ladder order.
        options: Device, dtype, batching, cache, blind baseline, ``by`` slot.
        on_progress: Receives :class:`ProgressEvent` for loading and scoring.
        on_model_done: Receives each :class:`ModelResult` as soon as that model is finished.
        cancel: Set it to stop between chunks (raises :class:`CheckCancelled`).

    Raises:
        CheckError: a model cannot be loaded or runs out of memory at batch size 1.
        CheckCancelled: ``cancel`` was set.
    """
    options = options or CheckOptions()
    examples = list(examples)
    notes: list[str] = []
    emit = on_progress or (lambda event: None)
    metric = primary_metric(task_type)
    cache_file = options.cache_path or cache_dir() / "scores.sqlite"
    cache = ScoreCache(cache_file if options.use_cache else None)
    results: list[ModelResult] = []
    try:
        for entry in models:
            ref = ModelRef(entry) if isinstance(entry, str) else entry
            if isinstance(ref, ModelRef):
                from authoring.check.local import TransformersScorer
                from authoring.check.models import load_model, pick_device_dtype

                emit(ProgressEvent("load", ref.name, 0, 1))
                device, dtype = pick_device_dtype(options.device, options.dtype)
                model, tokenizer, info = load_model(ref, device, dtype)
                scorer: Any = TransformersScorer(
                    model, tokenizer, info, batch_size=options.batch_size
                )
                nominal = ref.nominal_params
                emit(ProgressEvent("load", ref.name, 1, 1))
            else:
                scorer, model, nominal = ref, None, ref.info.params
            name = scorer.info.name
            variants = [("score", examples, "real")]
            if options.blind:
                variants.append(("blind", [blind_example(e) for e in examples], "blind"))
            scored: dict[str, list[dict[str, Any]]] = {}
            hits = 0
            for stage, exs, variant in variants:
                done = [0]

                def report(
                    n: int, stage: str = stage, done: list[int] = done, name: str = name
                ) -> None:
                    done[0] += n
                    emit(ProgressEvent(stage, name, done[0], len(examples)))

                scored[variant], cached = _score_variant(
                    scorer,
                    exs,
                    task_type,
                    metric_kind(task_type.value, variant),
                    cache,
                    options,
                    report,
                    cancel,
                )
                hits += cached
            result = ModelResult(
                name=name,
                params=scorer.info.params or nominal,
                nominal_params=nominal,
                dtype=scorer.info.dtype,
                device=scorer.info.device,
                batch_size=scorer.batch_size,
                key=scorer.info.key,
                examples=scored["real"],
                blind=scored.get("blind"),
                from_cache=hits,
            )
            result.mean, result.ci, result.skipped = _summarize(result.examples)
            if result.blind is not None:
                result.blind_mean, result.blind_ci, _ = _summarize(result.blind)
            for reason, count in result.skipped.items():
                notes.append(f"{name}: {count} example(s) skipped ({reason.replace('_', ' ')})")
            results.append(result)
            if on_model_done is not None:
                on_model_done(result)
            del scorer, model
            gc.collect()
            _free_cuda()
    finally:
        cache.close()
    return _judge(task_type, metric, results, options, examples, notes)


def _free_cuda() -> None:
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def _judge(
    task_type: TaskType,
    metric: str,
    results: list[ModelResult],
    options: CheckOptions,
    examples: list[Example],
    notes: list[str],
) -> CheckResult:
    out = CheckResult(task_type, metric, results, by=options.by, notes=notes)
    if any(m.params is None for m in results):
        notes.append(
            "a model has no known parameter count (give remote models NAME@SIZE); no trend fitted"
        )
        return out
    results.sort(key=lambda m: m.params or 0)
    out.trend = trend(metric, *_paired(results, metric, blind=False))
    if len(results) == 1:
        notes.append("only one model: there is no trend, only its scores")
    if options.blind and results and results[0].blind is not None:
        bmetric = blind_metric(task_type)
        out.blind_trend = trend(bmetric, *_paired(results, bmetric, blind=True))
        same = out.trend.verdict == out.blind_trend.verdict in ("inverse", "standard")
        if same:
            notes.append(
                f"the blind baseline ({bmetric} with the task removed) shows the same "
                f"{out.trend.verdict} trend: it may be only the prior over the classes"
            )
    if options.by:
        groups: dict[str, list[int]] = {}
        for i, ex in enumerate(examples):
            slots = (ex.meta or {}).get("slots") or {}
            if options.by in slots:
                groups.setdefault(_slot_key(slots[options.by]), []).append(i)
        if not groups:
            notes.append(f"no example has a slot named '{options.by}'")
        for value, idx in sorted(groups.items()):
            out.by_trends[value] = trend(metric, *_paired(results, metric, False, idx))
            means: dict[str, Any] = {"n": len(idx)}
            for name in dict.fromkeys((metric, "correct")):
                _, values = _paired(results, name, False, idx)
                if values and values[0]:
                    means[name] = [sum(v) / len(v) for v in values]
            out.by_means[value] = means
    return out
