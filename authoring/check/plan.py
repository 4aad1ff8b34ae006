"""What a check will do, said before anything is loaded: models, sizes, time and memory.

The estimates are deliberately rough (order of magnitude): a forward pass costs about
``2 * params`` FLOPs per token, at an assumed sustained rate per device; weights take
``params * bytes(dtype)`` plus ~20% for activations and the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from authoring.check.models import ModelRef
from authoring.records import Example, TaskType

_BYTES = {"float32": 4, "float64": 8, "bfloat16": 2, "float16": 2}
# Sustained FLOP/s assumed for inference: a few CPU cores vs one modern GPU.
_FLOPS = {"cpu": 5e10, "cuda": 5e13}


@dataclass(frozen=True)
class PlannedModel:
    """One model in the plan; sizes are nominal (None when unknown before loading)."""

    name: str
    nominal_params: int | None
    seconds: float | None
    memory_bytes: int | None


@dataclass(frozen=True)
class CheckPlan:
    """The plan printed before loading anything."""

    task_type: TaskType
    n_examples: int
    tokens_per_model: int
    device: str
    dtype: str
    models: list[PlannedModel]

    def total_seconds(self) -> float | None:
        """Sum of the per-model estimates (None if any model's size is unknown)."""
        times = [m.seconds for m in self.models]
        return None if any(t is None for t in times) else sum(t or 0 for t in times)


def plan_check(
    examples: Sequence[Example], task_type: TaskType, refs: Sequence[ModelRef],
    device: str, dtype: str, blind: bool = True,
) -> CheckPlan:
    """Estimate the work: tokens scored per model (~4 characters a token) and its cost."""
    chars = 0
    for ex in examples:
        # The prompt is encoded once for all classes (prefix sharing); each class adds itself.
        prompts = [ex.prompt] + ([ex.other_prompt or ""] if task_type.is_logodds else [])
        conts = [ex.completion or ""] if task_type is TaskType.SEQUENCE_PROB else list(
            ex.classes or ()
        )
        chars += sum(len(p) for p in prompts) + len(prompts) * sum(len(c) for c in conts)
        if blind:
            chars += 8 + sum(len(c) for c in conts)
    tokens = max(1, chars // 4)
    rate = _FLOPS["cpu" if device == "cpu" else "cuda"]
    planned = []
    for ref in refs:
        p = ref.nominal_params
        planned.append(PlannedModel(
            ref.name, p,
            None if p is None else 2 * p * tokens / rate,
            None if p is None else int(p * _BYTES.get(dtype, 4) * 1.2),
        ))
    return CheckPlan(task_type, len(examples), tokens, device, dtype, planned)
