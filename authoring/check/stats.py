"""Confidence intervals, the scaling trend and the verdict.

Everything is computed on per-example metric values, so uncertainty comes from the examples
(the thing an author can add more of), resampled with ``scipy.stats.bootstrap``. Across models
the resampling is *paired*: one bootstrap draw picks the same examples for every model, which is
what makes a small but consistent trend detectable.

Verdict rules (``x = log10(params)``, ``badness`` = the metric oriented so that higher is worse):

* one model: no trend.
* three or more models and the quadratic term of badness vs x has a 95% CI excluding 0 with the
  vertex strictly inside the ladder's x range: a non-monotone shape. Named after *performance*,
  as in the inverse-scaling literature: ``U-shaped`` = performance first worsens then improves
  (badness concave: the loss curve looks like a hump); ``inverted-U`` = performance first
  improves then worsens (badness convex).
* otherwise the slope of badness vs x: CI entirely above 0 is ``inverse``, entirely below 0 is
  ``standard``;
* a CI that contains 0 is ``flat`` when it is also narrow (every value within a margin per
  decade of parameters: 0.02 for accuracy, 0.05 standard deviations of the per-example metric
  otherwise), and ``not enough evidence`` when it allows both directions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from authoring.check.metrics import higher_is_worse

CONFIDENCE = 0.95
RESAMPLES = 1000
SEED = 0


@dataclass(frozen=True)
class Trend:
    """The scaling trend of one metric over a ladder.

    Attributes:
        metric: The metric name.
        n_models: Models in the fit.
        n_examples: Examples scored by every model (the paired sample).
        slope: d metric / d log10(params) (None with fewer than two models).
        slope_ci: Its 95% bootstrap interval.
        tau: Kendall's tau between params and mean metric.
        tau_p: Its p-value.
        curvature: Quadratic coefficient of metric vs log10(params) (3+ models).
        curvature_ci: Its 95% bootstrap interval.
        verdict: ``inverse``, ``standard``, ``flat``, ``U-shaped``, ``inverted-U``,
            ``not enough evidence`` or ``no trend (one model)``.
        reason: One sentence saying why.
    """

    metric: str
    n_models: int
    n_examples: int
    slope: float | None
    slope_ci: tuple[float, float] | None
    tau: float | None
    tau_p: float | None
    curvature: float | None
    curvature_ci: tuple[float, float] | None
    verdict: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _finite(x: float) -> bool:
    return x is not None and math.isfinite(x)


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95% percentile-bootstrap interval of ``values``."""
    import numpy as np
    from scipy import stats

    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(data.mean())
    if data.size < 2 or np.all(data == data[0]):
        return (mean, mean, mean)  # bootstrap is degenerate: every resample has the same mean
    res = stats.bootstrap(
        (data,), np.mean, confidence_level=CONFIDENCE, n_resamples=RESAMPLES,
        method="percentile", rng=np.random.default_rng(SEED),
    )
    return (mean, float(res.confidence_interval.low), float(res.confidence_interval.high))


def _fit(x: Any, means: Any, degree: int) -> Any:
    """Least-squares polynomial coefficients (highest first) for every row of ``means``."""
    import numpy as np

    design = np.vander(x, degree + 1)
    return means @ np.linalg.pinv(design).T


def trend(metric: str, params: Sequence[int], per_model: Sequence[Sequence[float]]) -> Trend:
    """Fit the trend of ``metric`` over models.

    Args:
        metric: Metric name (decides the orientation: see ``metrics.higher_is_worse``).
        params: Parameter count per model.
        per_model: Per-example values per model, *paired*: the same examples, same order.
    """
    import numpy as np
    from scipy import stats

    k = len(per_model)
    n = len(per_model[0]) if k else 0
    if k < 2 or n == 0:
        why = "one model: there is no trend to measure" if k < 2 else "no example was scored"
        verdict = "no trend (one model)" if k < 2 else "not enough evidence"
        return Trend(metric, k, n, None, None, None, None, None, None, verdict, why)

    x = np.log10(np.maximum(np.asarray(params, dtype=float), 1.0))
    if len(set(x.tolist())) < 2:
        return Trend(metric, k, n, None, None, None, None, None, None, "not enough evidence",
                     "every model has the same parameter count: no size axis to fit")
    data = tuple(np.asarray(v, dtype=float) for v in per_model)
    means = np.array([d.mean() for d in data])
    sign = 1.0 if higher_is_worse(metric) else -1.0
    rng = np.random.default_rng(SEED)

    def slope_stat(*arrays: Any, axis: int = -1) -> Any:
        m = np.stack([a.mean(axis=axis) for a in arrays], axis=-1)
        return _fit(x, m, 1)[..., 0]

    slope = float(_fit(x, means, 1)[0])
    if n >= 2 and not all(np.all(d == d[0]) for d in data):
        res = stats.bootstrap(
            data, slope_stat, paired=True, vectorized=True, confidence_level=CONFIDENCE,
            n_resamples=RESAMPLES, method="percentile", rng=rng,
        )
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    else:
        lo = hi = slope
    tau_res = stats.kendalltau(x, means)
    tau = float(tau_res.statistic) if _finite(tau_res.statistic) else None
    tau_p = float(tau_res.pvalue) if _finite(tau_res.pvalue) else None

    curvature = curvature_ci = None
    if k >= 3 and len(set(x.tolist())) >= 3:

        def curve_stat(*arrays: Any, axis: int = -1) -> Any:
            m = np.stack([a.mean(axis=axis) for a in arrays], axis=-1)
            return _fit(x, m, 2)[..., 0]

        coefs = _fit(x, means, 2)
        curvature = float(coefs[0])
        if lo != hi:
            res = stats.bootstrap(
                data, curve_stat, paired=True, vectorized=True, confidence_level=CONFIDENCE,
                n_resamples=RESAMPLES, method="percentile", rng=rng,
            )
            curvature_ci = (
                float(res.confidence_interval.low), float(res.confidence_interval.high)
            )
        vertex = -coefs[1] / (2 * coefs[0]) if coefs[0] != 0 else math.inf
        inside = x.min() < vertex < x.max()
        if curvature_ci and inside and (curvature_ci[0] > 0 or curvature_ci[1] < 0):
            bad_curv = sign * curvature
            shape = "inverted-U" if bad_curv > 0 else "U-shaped"
            how = (
                "improves then worsens" if shape == "inverted-U" else "worsens then improves"
            )
            reason = (
                f"performance {how} with size: the curvature CI "
                f"[{curvature_ci[0]:.3g}, {curvature_ci[1]:.3g}] excludes 0 and the turn is at "
                f"~{10 ** vertex:.3g} params"
            )
            return Trend(metric, k, n, slope, (lo, hi), tau, tau_p, curvature, curvature_ci,
                         shape, reason)

    bad_lo, bad_hi = sorted((sign * lo, sign * hi))
    ci_text = f"slope {slope:+.3g} per 10x params, 95% CI [{lo:+.3g}, {hi:+.3g}]"
    if bad_lo > 0:
        verdict, reason = "inverse", f"{metric} gets worse with size ({ci_text})"
    elif bad_hi < 0:
        verdict, reason = "standard", f"{metric} gets better with size ({ci_text})"
    else:
        pooled = float(np.sqrt(np.mean([d.var() for d in data])))
        margin = 0.02 if metric == "correct" else 0.05 * pooled
        if max(abs(lo), abs(hi)) <= margin:
            verdict = "flat"
            reason = f"no trend, and the CI is within ±{margin:.3g} per decade ({ci_text})"
        else:
            verdict = "not enough evidence"
            reason = f"the CI allows both directions ({ci_text}); add examples or models"
    return Trend(metric, k, n, slope, (lo, hi), tau, tau_p, curvature, curvature_ci,
                 verdict, reason)
