"""The quick scaling check: score a dataset on a ladder of causal LMs and judge the trend.

Public API (importing this package loads neither torch nor transformers; they are imported
when a model is loaded)::

    from authoring.check import run_check, CheckOptions, resolve_models
    refs = resolve_models([], ladder="pythia")
    result = run_check(examples, task_type, refs, CheckOptions(), on_progress=print)
    result.trend.verdict, result.to_json()

Backends implement :class:`Scorer`: :class:`TransformersScorer` (local, batched, prefix
sharing) and :class:`RemoteScorer` (an OpenAI-compatible completions server such as vLLM).
"""

from authoring.check.base import Scorer, ScoreRequest, ScoreResult, ScorerInfo
from authoring.check.cache import ScoreCache, cache_dir
from authoring.check.local import TransformersScorer
from authoring.check.metrics import (
    NEUTRAL_PROMPT,
    blind_example,
    higher_is_worse,
    metrics_from,
    primary_metric,
    requests_for,
)
from authoring.check.models import (
    LADDERS,
    ModelRef,
    ensure_bundled,
    format_params,
    load_model,
    load_tokenizer,
    parse_size,
    resolve_models,
)
from authoring.check.plan import CheckPlan, plan_check
from authoring.check.remote import RemoteScorer
from authoring.check.run import (
    CheckCancelled,
    CheckOptions,
    CheckResult,
    ModelResult,
    ProgressEvent,
    run_check,
    score_examples,
)
from authoring.check.stats import Trend, mean_ci, trend
from authoring.check.tokens import tokenizer_problems

__all__ = [
    "format_params",
    "score_examples",
    "LADDERS",
    "NEUTRAL_PROMPT",
    "CheckCancelled",
    "CheckOptions",
    "CheckPlan",
    "CheckResult",
    "ModelRef",
    "ModelResult",
    "ProgressEvent",
    "RemoteScorer",
    "ScoreCache",
    "ScoreRequest",
    "ScoreResult",
    "Scorer",
    "ScorerInfo",
    "TransformersScorer",
    "Trend",
    "blind_example",
    "cache_dir",
    "ensure_bundled",
    "higher_is_worse",
    "load_model",
    "load_tokenizer",
    "mean_ci",
    "metrics_from",
    "parse_size",
    "plan_check",
    "primary_metric",
    "requests_for",
    "resolve_models",
    "run_check",
    "tokenizer_problems",
    "trend",
]
