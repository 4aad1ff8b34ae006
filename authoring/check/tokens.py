"""Tokenizer-aware dataset checks: problems that only show up for a particular tokenizer.

Used by ``invscale validate FILE --tokenizer MODEL`` (and usable on its own). Every check uses
the same joint-tokenization rule as scoring (``metrics.py``): the tokens of class ``s`` after
prompt ``p`` are the last ``len(tok(p+s)) - len(tok(p))`` tokens of ``tok(p+s)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from authoring.records import Example, Problem, TaskType


def _row(example: Example, index: int) -> int:
    row = example.meta.get("row") if example.meta else None
    return row if isinstance(row, int) else index + 1


def _line(example: Example) -> int | None:
    line = example.meta.get("line") if example.meta else None
    return line if isinstance(line, int) else None


def tokenizer_problems(
    examples: Sequence[Example],
    task_type: TaskType,
    tokenizer: Any,
    max_context: int | None = None,
) -> list[Problem]:
    """Find what this tokenizer makes of the dataset.

    Checks, per row:

    * ``logodds-multi-token`` (error): a logodds class is not exactly one token after the
      prompt; the check would skip the row (the prize silently used the class's last token).
    * ``classes-same-tokens`` (error): two classes tokenize to identical tokens after the
      prompt, so no model can tell them apart.
    * ``class-merges-with-prompt`` (warning): the class's first token merges with the end of the
      prompt (e.g. the prompt ends in a space and the class starts with a word), so the
      prompt's own last token changes with the class; move the space into the classes.
    * ``too-long-for-model`` (warning): prompt plus class/completion exceeds ``max_context``
      (default: the tokenizer's ``model_max_length`` when it is a real limit); the check skips
      such rows rather than truncating.

    Args:
        examples: The dataset rows (``meta["row"]``/``meta["line"]`` are used when present).
        task_type: Their type.
        tokenizer: A Hugging Face tokenizer.
        max_context: Context window in tokens; None uses the tokenizer's, if it has one.

    Returns:
        The problems, in row order.
    """
    if max_context is None:
        limit = getattr(tokenizer, "model_max_length", None)
        max_context = limit if isinstance(limit, int) and 0 < limit < 10**7 else None

    def encode(texts: list[str]) -> dict[str, list[int]]:
        unique = list(dict.fromkeys(texts))
        ids = tokenizer(unique, add_special_tokens=True)["input_ids"] if unique else []
        return dict(zip(unique, ids, strict=True))

    pairs: list[tuple[str, str]] = []
    for ex in examples:
        prompts = [ex.prompt] + ([ex.other_prompt or ""] if task_type.is_logodds else [])
        conts = [ex.completion or ""] if task_type is TaskType.SEQUENCE_PROB else list(
            ex.classes or ()
        )
        pairs += [(p, c) for p in prompts for c in conts]
    ids = encode([p for p, _ in pairs] + [p + c for p, c in pairs])

    problems: list[Problem] = []
    for index, ex in enumerate(examples):
        row, line = _row(ex, index), _line(ex)
        named = [("prompt", ex.prompt)]
        if task_type.is_logodds:
            named.append(("other_prompt", ex.other_prompt or ""))
        conts = [ex.completion or ""] if task_type is TaskType.SEQUENCE_PROB else list(
            ex.classes or ()
        )
        column = "completion" if task_type is TaskType.SEQUENCE_PROB else "classes"
        found: set[str] = set()  # one problem per code per row is enough
        for prompt_col, prompt in named:
            base = ids[prompt]
            tails: dict[tuple[int, ...], str] = {}
            for cont in conts:
                joint = ids[prompt + cont]
                n = len(joint) - len(base)
                tail = tuple(joint[len(joint) - max(n, 0) :]) if n > 0 else ()
                merged = joint[: len(base)] != base
                if merged and cont and "merge" not in found:
                    found.add("merge")
                    problems.append(Problem(
                        "warning", "class-merges-with-prompt",
                        f"{cont!r} merges with the end of the {prompt_col} when tokenized "
                        "together; end the prompt without a trailing space and start each "
                        "class with one",
                        row=row, line=line, column=column,
                    ))
                if task_type.is_logodds and n != 1 and "multi" not in found:
                    found.add("multi")
                    problems.append(Problem(
                        "error", "logodds-multi-token",
                        f"class {cont!r} is {n} tokens after the {prompt_col}, not 1; logodds "
                        "needs single-token classes (this row would be skipped)",
                        row=row, line=line, column="classes",
                    ))
                if tail in tails and "same" not in found:
                    found.add("same")
                    problems.append(Problem(
                        "error", "classes-same-tokens",
                        f"classes {tails[tail]!r} and {cont!r} tokenize identically after the "
                        f"{prompt_col}, so no model can tell them apart",
                        row=row, line=line, column="classes",
                    ))
                tails.setdefault(tail, cont)
                if max_context is not None and len(joint) > max_context and "long" not in found:
                    found.add("long")
                    problems.append(Problem(
                        "warning", "too-long-for-model",
                        f"{prompt_col} plus {column} is {len(joint)} tokens, over the model's "
                        f"{max_context}; the check skips this row instead of truncating",
                        row=row, line=line, column=prompt_col,
                    ))
    return problems
