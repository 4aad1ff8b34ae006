"""The prize's metrics, computed from continuation log-probabilities.

Definitions (``shared/DESIGN.md``, "Metrics"). ``lp(s | p)`` is the sum over the tokens of ``s``
of ``log p(token | p, earlier tokens of s)``, where the tokens of ``s`` are found by tokenizing
``p + s`` *jointly* and taking its last ``len(tok(p + s)) - len(tok(p))`` tokens. The backends
implement ``lp``; this module turns ``lp`` values into per-example metric dicts and never touches
a model, so the same code serves every backend and the reference in the tests.

Why the joint rule (and not ``len(tok(s))`` as the prize did): tokenizing ``s`` alone adds a BOS
token on some tokenizers (the prize had to subtract one for OPT by hand) and can split ``s``
differently from how it is split after ``p``. The joint difference counts exactly the tokens that
``s`` adds to the sequence the model actually sees, for tokenizers with and without BOS.

Metric names (the keys of the dicts, as in the prize's result CSVs): ``loss``, ``correct``,
``total_logprob``, ``logodds_difference`` and, for ``absolute_logodds``, ``absolute_logodds``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from authoring.check.base import ScoreRequest, ScoreResult
from authoring.records import Example, TaskType

#: The neutral prompt of the blind baseline: the classes are scored with the task removed, so a
#: trend that is only the models' prior over the class strings shows up here as well.
NEUTRAL_PROMPT = "Answer:"

#: Skip reasons recorded in place of metrics.
SKIP_TOO_LONG = "too_long"
SKIP_MULTI_TOKEN = "multi_token_class"


def primary_metric(task_type: TaskType) -> str:
    """The metric the prize plotted for this type (the one the verdict is about)."""
    return {
        TaskType.CLASSIFICATION: "loss",
        TaskType.SEQUENCE_PROB: "loss",
        TaskType.LOGODDS: "logodds_difference",
        TaskType.ABSOLUTE_LOGODDS: "absolute_logodds",
    }[task_type]


def higher_is_worse(metric: str) -> bool:
    """Direction of a metric: inverse scaling means *worse* with size.

    ``loss`` and the two logodds metrics are losses in the prize's plots (higher = worse);
    ``correct`` (accuracy) and ``total_logprob`` are higher-is-better.
    """
    return metric not in ("correct", "total_logprob")


def blind_metric(task_type: TaskType) -> str:
    """The metric reported for the blind baseline.

    For the logodds types both prompts become the same neutral prompt, so the difference is 0 by
    construction; what remains informative is whether the prior alone favours the answer class.
    """
    return "correct" if task_type.is_logodds else "loss"


def blind_example(example: Example) -> Example:
    """The example with its prompt(s) replaced by :data:`NEUTRAL_PROMPT`."""
    other = NEUTRAL_PROMPT if example.other_prompt is not None else None
    return replace(example, prompt=NEUTRAL_PROMPT, other_prompt=other)


def requests_for(example: Example, task_type: TaskType) -> list[ScoreRequest]:
    """The backend requests one example needs (one, or two for the logodds types)."""
    if task_type is TaskType.SEQUENCE_PROB:
        return [ScoreRequest(example.prompt, (example.completion or "",))]
    classes = tuple(example.classes or ())
    if task_type.is_logodds:
        return [
            ScoreRequest(example.prompt, classes),
            ScoreRequest(example.other_prompt or "", classes),
        ]
    return [ScoreRequest(example.prompt, classes)]


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def _argmax(values: Sequence[float]) -> int:
    # First maximum wins, as numpy/torch argmax do (ties are practically impossible with floats).
    return max(range(len(values)), key=lambda j: (values[j], -j))


def metrics_from(
    example: Example, task_type: TaskType, results: Sequence[ScoreResult]
) -> dict[str, float | str]:
    """Per-example metrics from the backend's answers to :func:`requests_for`.

    Returns ``{"skipped": reason}`` instead when the example could not be scored faithfully:
    it exceeds the model's context (``too_long``), or a logodds class is not a single token for
    this tokenizer (``multi_token_class``: the prize silently used the last token; we refuse).
    """
    if any(r.too_long for r in results):
        return {"skipped": SKIP_TOO_LONG}

    if task_type is TaskType.SEQUENCE_PROB:
        # loss = -lp(completion | prompt): summed, not averaged per token, as the prize did.
        return {"loss": -results[0].logprobs[0]}

    answer = example.answer_index if example.answer_index is not None else 0

    if task_type is TaskType.CLASSIFICATION:
        c = results[0].logprobs  # c_j = lp(class_j | prompt), no length normalization
        total = _logsumexp(c)  # log of the probability mass the classes get at all
        # n_j = log_softmax(c)_j = c_j - logsumexp(c): renormalized over the classes only.
        loss = -(c[answer] - total)
        return {"loss": loss, "correct": float(_argmax(c) == answer), "total_logprob": total}

    # logodds / absolute_logodds: the two classes must each be exactly one token, so that c_j is
    # the log-probability of class j at the *next position* (what lo(q) is defined on).
    if any(n != 1 for r in results for n in r.n_tokens) or len(results[0].logprobs) != 2:
        return {"skipped": SKIP_MULTI_TOKEN}
    c_prompt, c_other = results[0].logprobs, results[1].logprobs
    # lo(q) = n_0 - n_1. log_softmax over the two classes subtracts the same constant from both,
    # so n_0 - n_1 == c_0 - c_1 exactly: no need to renormalize.
    lo_prompt = c_prompt[0] - c_prompt[1]
    lo_other = c_other[0] - c_other[1]
    difference = lo_prompt - lo_other
    # lo is the log-odds of class 0; flipping the sign when the answer is class 1 makes the
    # difference the log-odds *of the answer* under prompt minus under other_prompt.
    if answer == 1:
        difference = -difference
    # correct: whether other_prompt alone ranks the answer class first (the prize computed its
    # accuracy from other_prompt's logits only).
    correct = float(_argmax(c_other) == answer)
    # total_logprob: class mass under both prompts, logsumexp'ed together as the prize did.
    total = _logsumexp([_logsumexp(c_prompt), _logsumexp(c_other)])
    out: dict[str, float | str] = {
        "logodds_difference": difference,
        "correct": correct,
        "total_logprob": total,
    }
    if task_type is TaskType.ABSOLUTE_LOGODDS:
        out["absolute_logodds"] = abs(difference)
    return out
