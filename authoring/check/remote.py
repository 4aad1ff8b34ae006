"""The OpenAI-compatible backend: prompt log-probabilities from a completions server (vLLM).

For a ladder that outgrows one GPU, an existing distributed engine serves the model and we only
ask it for log-probabilities. One POST to ``/v1/completions`` carries a list of prompts with
``echo=true``, ``logprobs=1`` and ``max_tokens`` (1 by default; vLLM also takes 0); each choice's
``logprobs.token_logprobs[t]`` is ``log p(token t | tokens < t)`` for the echoed prompt.

The joint-tokenization rule of ``metrics.py`` needs ``len(tok(p))`` and ``len(tok(p + s))``, so
we send both ``p`` and every ``p + s`` (deduplicated) and take ``lp(s | p)`` as the sum of the
last ``len(tok(p+s)) - len(tok(p))`` prompt logprobs of ``p + s``. The prompt's own tokens are
told apart from generated ones with ``text_offset``: a token that starts before the end of the
prompt text is a prompt token; the generated token starts at ``len(prompt)``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

from authoring.check.base import ScoreRequest, ScoreResult, ScorerInfo
from authoring.errors import CheckError


class RemoteScorer:
    """Score continuations through an OpenAI-compatible ``/v1/completions`` endpoint.

    Args:
        base_url: e.g. ``http://127.0.0.1:8000/v1``.
        model: The served model name (the request's ``model`` field).
        params: Parameter count to plot the model at (servers do not report it).
        prompts_per_request: Prompts sent per POST.
        max_tokens: Tokens to generate (ignored; 0 where the server allows it).
        max_context: Reject sequences longer than this (None: let the server decide).
        timeout: Seconds per HTTP request.
        on_batch: Progress callback, called with the number of requests finished.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        params: int | None = None,
        prompts_per_request: int = 32,
        max_tokens: int = 1,
        max_context: int | None = None,
        timeout: float = 120.0,
        on_batch: Callable[[int], None] | None = None,
    ):
        self.url = base_url.rstrip("/") + "/completions"
        self.model = model
        self.prompts_per_request = prompts_per_request
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.on_batch = on_batch
        self.info = ScorerInfo(
            name=model, key=f"remote:{base_url.rstrip('/')}|{model}", params=params,
            dtype="server", device=base_url, max_context=max_context,
        )
        self._largest: int | None = None

    @property
    def batch_size(self) -> int | None:
        """Largest number of prompts sent in one POST so far."""
        return self._largest

    def _post(self, prompts: list[str]) -> list[dict[str, Any]]:
        body = json.dumps({
            "model": self.model, "prompt": prompts, "max_tokens": self.max_tokens,
            "echo": True, "logprobs": 1, "temperature": 0.0,
        }).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:200]
            raise CheckError(f"server {self.url} answered {exc.code}: {detail}",
                             fix="check the model name and the server's logs") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CheckError(f"cannot reach {self.url}: {exc}",
                             fix="start the server or fix --server") from None
        choices = sorted(payload.get("choices", []), key=lambda c: c.get("index", 0))
        if len(choices) != len(prompts):
            raise CheckError(f"server {self.url} returned {len(choices)} choices for "
                             f"{len(prompts)} prompts", fix="use a vLLM-compatible server")
        return choices

    @staticmethod
    def _prompt_logprobs(text: str, choice: dict[str, Any]) -> list[float | None]:
        logprobs = choice.get("logprobs") or {}
        values = logprobs.get("token_logprobs")
        offsets = logprobs.get("text_offset")
        if values is None or offsets is None:
            raise CheckError("the server returned no prompt logprobs",
                             fix="use a server that supports echo=true with logprobs")
        # Keep the echoed prompt's tokens only (generated tokens start at len(text)).
        return [v for v, o in zip(values, offsets, strict=True) if o < len(text)]

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Score every request (two kinds of prompt per request: ``p`` and each ``p + s``)."""
        texts = list(dict.fromkeys(
            t for r in requests for t in (r.context, *(r.context + s for s in r.continuations))
        ))
        logprobs: dict[str, list[float | None]] = {}
        for start in range(0, len(texts), self.prompts_per_request):
            chunk = texts[start : start + self.prompts_per_request]
            for text, choice in zip(chunk, self._post(chunk), strict=True):
                logprobs[text] = self._prompt_logprobs(text, choice)
            self._largest = max(self._largest or 0, len(chunk))
        results = []
        limit = self.info.max_context
        for request in requests:
            base = len(logprobs[request.context])
            values, counts, too_long = [], [], False
            for cont in request.continuations:
                joint = logprobs[request.context + cont]
                if limit is not None and len(joint) > limit:
                    too_long = True
                    break
                n = len(joint) - base
                if cont and n < 1:
                    n = 1  # same rule as the local backend: the merged last token is scored
                scored = joint[len(joint) - n :] if n else []
                if any(v is None for v in scored):
                    raise CheckError(
                        f"server gave no logprob for the first token of {request.context!r}",
                        fix="give every example a non-empty prompt for remote scoring",
                    )
                values.append(float(sum(v for v in scored if v is not None)))
                counts.append(n)
            results.append(ScoreResult((), (), True) if too_long
                           else ScoreResult(tuple(values), tuple(counts)))
        if self.on_batch is not None:
            self.on_batch(len(requests))
        return results
