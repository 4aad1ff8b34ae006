"""The transformers backend: batched, prefix-sharing, scored-positions-only log-probabilities.

How one call to :meth:`TransformersScorer.score` runs:

1. Tokenize every ``p`` and every ``p + s`` (one tokenizer call each, batched). The continuation
   of ``s`` is the last ``len(tok(p+s)) - len(tok(p))`` tokens of ``tok(p+s)`` (the joint rule,
   see ``metrics.py``); its *context* is everything before them. Usually the context is
   ``tok(p)`` itself and is shared by all classes; when the first class token merges with the
   end of the prompt the context differs, and that class simply gets its own row.
2. Identical contexts (across classes *and* across requests, e.g. the blind baseline's neutral
   prompt) become one row. Rows are sorted longest first and cut into batches by a token budget.
3. One forward of the base model (no LM head) over the right-padded rows, with a KV cache only
   when some continuation has more than one token. The hidden state at each row's last context
   position predicts every continuation's first token: single-token classes need nothing more.
4. Multi-token continuations: the cache rows are repeated per continuation
   (``batch_select_indices``), and one more forward feeds ``s[:-1]`` with explicit
   ``position_ids`` (right after each row's true length) and an attention mask that hides the
   padding gap between the context and the continuation, so padding never leaks.
5. The LM head is applied only to the gathered scored positions, then log_softmax in float32.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from authoring.check.base import ScoreRequest, ScoreResult, ScorerInfo
from authoring.errors import CheckError


@dataclass
class _Row:
    """One distinct context and the continuations scored after it."""

    context: tuple[int, ...]
    # (request index, continuation index, target token ids)
    targets: list[tuple[int, int, tuple[int, ...]]] = field(default_factory=list)

    def cost(self) -> int:
        """Tokens this row occupies in a batch (context + every expanded multi-token target)."""
        multi = [t for _, _, t in self.targets if len(t) > 1]
        return len(self.context) * (1 + len(multi)) + sum(len(t) for t in multi)


def default_token_budget(device: str) -> int:
    """Tokens per batch: small on CPU (cache-friendly), large on GPU (fills the device)."""
    return 8192 if device == "cpu" else 65536


class TransformersScorer:
    """Score continuations with a local ``transformers`` causal LM.

    Args:
        model: A loaded ``*ForCausalLM`` (already on ``device`` and in its dtype).
        tokenizer: Its tokenizer.
        info: What to record about this model (name, cache key, params, dtype, device).
        batch_size: Fixed number of rows per batch; None sizes batches by ``token_budget``.
        token_budget: Tokens per batch when ``batch_size`` is None; halved on out-of-memory.
        on_batch: Called with the number of rows (distinct contexts) finished per batch.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        info: ScorerInfo,
        *,
        batch_size: int | None = None,
        token_budget: int | None = None,
        on_batch: Callable[[int], None] | None = None,
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.info = info
        self.fixed_batch_size = batch_size
        self.token_budget = token_budget or default_token_budget(info.device)
        self.on_batch = on_batch
        self._largest_batch: int | None = None
        # Everything but the LM head (LlamaModel, GPTNeoXModel, GPT2Model, OPT's decoder...).
        self._base = model.base_model
        self._head = model.get_output_embeddings()
        # Gemma-2 style soft-capping is applied after the head in those models' forward();
        # we call the head ourselves, so we must apply it too.
        self._softcap = getattr(model.config, "final_logit_softcapping", None)
        # Any valid id works as padding: padded positions are masked and never scored.
        pad = tokenizer.pad_token_id
        self._pad_id = pad if pad is not None else 0

    @property
    def batch_size(self) -> int | None:
        """Largest number of rows sent in one forward so far."""
        return self._largest_batch

    # -- tokenization -------------------------------------------------------------------------

    def _encode(self, texts: list[str]) -> list[list[int]]:
        return self.tokenizer(texts, add_special_tokens=True)["input_ids"] if texts else []

    def _context_fallback(self) -> list[int]:
        # An empty prompt on a tokenizer that adds no BOS leaves the first token unpredictable;
        # condition on BOS (or EOS, GPT-2's document separator) like the models were trained.
        for token in (self.tokenizer.bos_token_id, self.tokenizer.eos_token_id):
            if token is not None:
                return [token]
        raise CheckError(
            f"model '{self.info.name}': cannot score a continuation of an empty prompt "
            "(its tokenizer has neither BOS nor EOS token)",
            fix="give every example a non-empty prompt",
        )

    def plan_rows(self, requests: Sequence[ScoreRequest]) -> tuple[list[_Row], list[bool]]:
        """Tokenize ``requests`` into distinct-context rows; also flag the requests too long."""
        prompts = sorted({r.context for r in requests})
        prompt_ids = dict(zip(prompts, self._encode(prompts), strict=True))
        joints = sorted({r.context + s for r in requests for s in r.continuations})
        joint_ids = dict(zip(joints, self._encode(joints), strict=True))
        limit = self.info.max_context
        rows: dict[tuple[int, ...], _Row] = {}
        too_long = [False] * len(requests)
        for i, request in enumerate(requests):
            planned: list[tuple[tuple[int, ...], int, tuple[int, ...]]] = []
            context: list[int] | tuple[int, ...]
            for j, cont in enumerate(request.continuations):
                full = joint_ids[request.context + cont]
                n = len(full) - len(prompt_ids[request.context])
                if cont and n < 1:
                    n = 1  # a merge swallowed a token; still score s's last token
                context, target = full[: len(full) - n], full[len(full) - n :]
                if not context:
                    context = self._context_fallback()
                if limit is not None and len(context) + len(target) > limit:
                    too_long[i] = True
                planned.append((tuple(context), j, tuple(target)))
            if too_long[i]:
                continue
            for ctx, j, tgt in planned:
                if not tgt:
                    continue  # an empty continuation has lp = 0 (see score())
                rows.setdefault(ctx, _Row(ctx)).targets.append((i, j, tgt))
        return list(rows.values()), too_long

    def _batches(self, rows: list[_Row], budget: int) -> list[list[_Row]]:
        rows = sorted(rows, key=lambda r: len(r.context), reverse=True)
        batches: list[list[_Row]] = []
        current: list[_Row] = []
        for row in rows:
            width = len(current[0].context) if current else len(row.context)
            cost = sum(r.cost() for r in current) + row.cost()
            # Padding inflates every row to the first (longest) row's length.
            padded = cost + (width - len(row.context)) * (len(current) + 1)
            full = (
                len(current) >= self.fixed_batch_size
                if self.fixed_batch_size
                else padded > budget
            )
            if current and full:
                batches.append(current)
                current = []
            current.append(row)
        if current:
            batches.append(current)
        return batches

    # -- scoring --------------------------------------------------------------------------------

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        """Score every request (see the module docstring for how)."""
        import torch

        rows, too_long = self.plan_rows(requests)
        sums: dict[tuple[int, int], float] = {}
        lengths: dict[tuple[int, int], int] = {}
        budget = self.token_budget
        pending = self._batches(rows, budget)
        while pending:
            batch = pending.pop(0)
            try:
                with torch.inference_mode():
                    values = self._score_batch(batch)
            except torch.OutOfMemoryError:
                if self.fixed_batch_size or len(batch) == 1:
                    raise CheckError(
                        f"model '{self.info.name}' ran out of memory on a batch of {len(batch)}",
                        fix="use a smaller --batch-size, --dtype bfloat16 or a smaller model",
                    ) from None
                if self.info.device.startswith("cuda"):
                    torch.cuda.empty_cache()
                # Back off: halve the budget and re-plan this batch and everything after it.
                budget = max(1, budget // 2)
                self.token_budget = budget
                rest = [row for b in [batch, *pending] for row in b]
                pending = self._batches(rest, budget)
                continue
            self._largest_batch = max(self._largest_batch or 0, len(batch))
            for row, row_values in zip(batch, values, strict=True):
                for (i, j, target), value in zip(row.targets, row_values, strict=True):
                    sums[(i, j)] = value
                    lengths[(i, j)] = len(target)
            if self.on_batch is not None:
                self.on_batch(len(batch))
        results = []
        for i, request in enumerate(requests):
            if too_long[i]:
                results.append(ScoreResult((), (), too_long=True))
                continue
            ks = range(len(request.continuations))
            results.append(
                ScoreResult(
                    tuple(sums.get((i, j), 0.0) for j in ks),
                    tuple(lengths.get((i, j), 0) for j in ks),
                )
            )
        return results

    def _logprobs_at(self, hidden: Any, targets: Any) -> Any:
        """log p(target) from hidden states at scored positions only: [N, H] -> [N]."""
        import torch

        logits = self._head(hidden).float()
        if self._softcap:
            logits = torch.tanh(logits / self._softcap) * self._softcap
        return torch.log_softmax(logits, dim=-1).gather(-1, targets[:, None])[:, 0]

    def _score_batch(self, batch: list[_Row]) -> list[list[float]]:
        import torch

        device = self.model.device
        width = max(len(r.context) for r in batch)
        lens = torch.tensor([len(r.context) for r in batch], device=device)
        ids = torch.full((len(batch), width), self._pad_id, dtype=torch.long)
        for b, row in enumerate(batch):
            ids[b, : len(row.context)] = torch.tensor(row.context)
        ids = ids.to(device)
        # Right padding: real tokens sit at positions 0..len-1, so default positions are right.
        mask = (torch.arange(width, device=device)[None, :] < lens[:, None]).long()
        multi = [
            (b, k, t) for b, r in enumerate(batch) for k, (_, _, t) in enumerate(r.targets)
            if len(t) > 1
        ]
        out = self._base(input_ids=ids, attention_mask=mask, use_cache=bool(multi))
        hidden = out.last_hidden_state

        # First token of every target, predicted at its row's last context position.
        flat = [(b, k, t) for b, r in enumerate(batch) for k, (_, _, t) in enumerate(r.targets)]
        rows_idx = torch.tensor([b for b, _, _ in flat], device=device)
        first = torch.tensor([t[0] for _, _, t in flat], device=device)
        lp_first = self._logprobs_at(hidden[rows_idx, lens[rows_idx] - 1], first)
        totals = lp_first.double()

        if multi:
            # Tokens 2..m of each multi-token target, fed after a copy of its row's cache.
            cache = out.past_key_values
            src = torch.tensor([b for b, _, _ in multi], device=device)
            cache.batch_select_indices(src)
            m = max(len(t) - 1 for _, _, t in multi)
            cont = torch.full((len(multi), m), self._pad_id, dtype=torch.long)
            nxt = torch.full((len(multi), m), 0, dtype=torch.long)
            cmask = torch.zeros((len(multi), m), dtype=torch.long)
            for e, (_, _, t) in enumerate(multi):
                cont[e, : len(t) - 1] = torch.tensor(t[:-1])
                nxt[e, : len(t) - 1] = torch.tensor(t[1:])
                cmask[e, : len(t) - 1] = 1
            cont, nxt, cmask = cont.to(device), nxt.to(device), cmask.to(device)
            # Context padding stays masked; continuation positions continue the true length.
            full_mask = torch.cat([mask[src], cmask], dim=1)
            positions = lens[src][:, None] + torch.arange(m, device=device)[None, :]
            out2 = self._base(
                input_ids=cont,
                attention_mask=full_mask,
                position_ids=positions,
                past_key_values=cache,
                use_cache=False,
            )
            valid = cmask.bool()
            lp_rest = self._logprobs_at(out2.last_hidden_state[valid], nxt[valid])
            owner = torch.arange(len(multi), device=device)[:, None].expand(-1, m)[valid]
            rest = torch.zeros(len(multi), dtype=torch.float64, device=device)
            rest.index_add_(0, owner, lp_rest.double())
            # Map each multi target back to its slot in `flat`.
            slot = {(b, k): n for n, (b, k, _) in enumerate(flat)}
            where = torch.tensor([slot[(b, k)] for b, k, _ in multi], device=device)
            totals = totals.index_add(0, where, rest)

        values = totals.tolist()
        grouped: list[list[float]] = [[] for _ in batch]
        for (b, _, _), value in zip(flat, values, strict=True):
            grouped[b].append(value)
        return grouped
