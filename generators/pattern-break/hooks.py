"""Hooks for pattern-break: a repeating pattern whose last item must break it."""

from __future__ import annotations


def broken_pattern(rng, slots, min_len=6, max_len=11):
    """A unit of 2-3 distinct symbols repeated to n items; the first n-1 are shown.

    Returns dict: unit, n, shown (the n-1 items), expected (what the pattern puts last) and
    breaker (another symbol of the unit: the instructed last item).
    """
    items = slots["symbols"]["items"].split(";")
    k = rng.choice([2, 3])
    unit = rng.sample(items, k)
    n = rng.randint(min_len, max_len)
    seq = [unit[i % k] for i in range(n)]
    expected = seq[-1]
    breaker = rng.choice([s for s in unit if s != expected])
    return {"unit": unit, "n": n, "shown": seq[:-1], "expected": expected, "breaker": breaker}
