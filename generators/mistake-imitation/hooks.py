"""Hooks for mistake-imitation: worked arithmetic lines that all carry the same error."""

from __future__ import annotations


def wrong_lines(rng, slots, min_k=4, max_k=6, low=10, high=99):
    """k lines 'a OP b = result' whose results are all off by slots['offset'].

    The operator is slots['op'] ('+' or '-'); for '-' the first number is larger by 12 or more,
    so no shown result is negative.
    Returns the lines joined by newlines.
    """
    k = rng.randint(min_k, max_k)
    op, offset = slots["op"], int(slots["offset"])
    lines = []
    for _ in range(k):
        a, b = rng.randint(low, high), rng.randint(low, high)
        if op == "-" and b > a:
            a, b = b, a
        while op == "-" and a - b < 12:  # keep shown results positive whatever the offset
            a, b = rng.randint(low, high), rng.randint(low, high)
            a, b = max(a, b), min(a, b)
        true = a + b if op == "+" else a - b
        lines.append(f"{a} {op} {b} = {true + offset}")
    return "\n".join(lines)
