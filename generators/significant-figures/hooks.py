"""Hooks for significant-figures: a number, its rounding to n significant figures and to n
decimal places (the usual, conflicting format). Exact decimal arithmetic, round half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def _sig(x: Decimal, n: int) -> Decimal:
    exponent = x.adjusted()  # position of the leading digit: 4783.16 -> 3
    return x.quantize(Decimal(1).scaleb(exponent - n + 1), rounding=ROUND_HALF_UP)


def rounding_pair(rng, slots, min_int_digits=1, max_int_digits=4, decimals=4):
    """Returns dict: x (text), n, sig (x to n significant figures), dp (x to n decimal places).

    Redraws until rounding does not carry into a new leading digit (9.97 -> 10.0, whose
    significant figures are ambiguous) and the two roundings differ.
    """
    while True:
        d = rng.randint(min_int_digits, max_int_digits)
        whole = rng.randint(10 ** (d - 1), 10**d - 1)
        frac = rng.randint(1, 10**decimals - 1)
        x = Decimal(f"{whole}.{frac:0{decimals}d}")
        n = rng.randint(1, min(d + 2, decimals - 1))
        sig = _sig(x, n)
        dp = x.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)
        if sig.adjusted() != x.adjusted():
            continue
        sig_text = format(sig, "f")
        dp_text = format(dp, "f")
        if sig_text != dp_text:
            return {"x": format(x, "f"), "n": n, "sig": sig_text, "dp": dp_text}
