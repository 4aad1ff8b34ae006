"""Hooks for random-sequence: a sequence from a fair random process that happens to look periodic.

The sequence is a repeated unit (e.g. H T, or 3 5 5 1) shown for at least three periods. The
pattern "predicts" symbol ``a`` next; ``b`` is another symbol of the alphabet. The contrast
sequence is the same sequence with ``a`` and ``b`` swapped everywhere, so its pattern predicts
``b``. Under the stated process both next symbols have the same probability in both prompts.
"""

from __future__ import annotations


def _primitive(unit):
    p = len(unit)
    return all(unit != unit[d:] + unit[:d] for d in range(1, p) if p % d == 0)


def patterned_sequence(rng, slots, max_period=4, min_len=8, max_len=14):
    """Returns dict: seq, swapped (lists of symbols), a (predicted next), b (the other class)."""
    symbols = slots["source"]["symbols"].split(";")
    while True:
        period = rng.randint(1, min(max_period, 2 * len(symbols)))
        unit = [rng.choice(symbols) for _ in range(period)]
        if not _primitive(unit):
            continue
        length = rng.randint(max(min_len, 3 * period), max_len)
        seq = [unit[i % period] for i in range(length)]
        a = unit[length % period]
        b = rng.choice([s for s in symbols if s != a])
        swap = {a: b, b: a}
        swapped = [swap.get(s, s) for s in seq]
        return {"seq": seq, "swapped": swapped, "a": a, "b": b}
