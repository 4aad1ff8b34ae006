"""The scoring interface every backend implements, and the small records it exchanges.

A backend answers one question: for a context text ``p`` and continuations ``s_1..s_k``, what is
``lp(s_j | p)``, the summed log-probability of the tokens of ``s_j`` (see ``metrics.py`` for the
exact tokenization rule). Everything above this interface (metrics, caching, statistics) is
backend-agnostic, so the transformers backend and the OpenAI-compatible server backend are
interchangeable. This module imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ScoreRequest:
    """Score several continuations of one context.

    Attributes:
        context: The prompt text ``p``.
        continuations: The texts ``s_j`` whose log-probability given ``p`` is wanted.
    """

    context: str
    continuations: tuple[str, ...]


@dataclass(frozen=True)
class ScoreResult:
    """The answer to one :class:`ScoreRequest`.

    Attributes:
        logprobs: ``lp(s_j | p)`` per continuation, in request order (empty when ``too_long``).
        n_tokens: How many tokens each continuation was scored over.
        too_long: The context plus a continuation exceeds the model's context window; nothing
            was scored (we refuse to truncate silently).
    """

    logprobs: tuple[float, ...]
    n_tokens: tuple[int, ...]
    too_long: bool = False


@dataclass(frozen=True)
class ScorerInfo:
    """What a results file records about how a model was run.

    Attributes:
        name: The model as the user named it.
        key: Cache identity: model + revision (or file hash) + dtype.
        params: Parameter count of the loaded model (None when the backend cannot know it).
        dtype: Compute dtype, e.g. ``"float32"``.
        device: ``"cpu"``, ``"cuda"``, or the server URL for remote backends.
        max_context: Longest token sequence the model accepts (None if unknown).
    """

    name: str
    key: str
    params: int | None
    dtype: str
    device: str
    max_context: int | None = None


@runtime_checkable
class Scorer(Protocol):
    """A backend that scores continuations.

    Implementations: ``TransformersScorer`` (local.py) and ``RemoteScorer`` (remote.py).
    """

    info: ScorerInfo

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Score every request; results are in request order."""
        ...

    @property
    def batch_size(self) -> int | None:
        """Largest batch (rows) used so far, for the record; None before any scoring."""
        ...
