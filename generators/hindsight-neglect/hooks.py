"""Hooks for hindsight-neglect: bets judged by expected value, with lucky or unlucky outcomes.

A bet: probability p (percent) of winning W dollars, else losing L dollars. Its expected value
is p*W - (100-p)*L (in hundredths of dollars). We keep only bets whose expected value is clearly
non-zero: |EV| at least a quarter of the larger of the two expected terms. "Good decision" means
the expected value is positive (taking the bet was right given what was known); the outcome
that happened does not change that. In the demonstrations the outcome agrees with the expected
value (good bets won, bad bets lost); in the question it disagrees.
"""

from __future__ import annotations

NAMES = [
    "Alice", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonah",
    "Kemal", "Lucia", "Marta", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wei", "Yara",
]
AMOUNTS = [5, 10, 20, 50, 100, 200, 300, 500, 1000, 2000]


def _bet(rng, good):
    while True:
        p = rng.choice(range(5, 96, 5))
        win, loss = rng.choice(AMOUNTS), rng.choice(AMOUNTS)
        gain, cost = p * win, (100 - p) * loss
        ev = gain - cost
        if (ev > 0) == good and abs(ev) >= max(gain, cost) / 4:
            return p, win, loss


def describe(name, p, win, loss, won):
    outcome = f"wins {win} dollars" if won else f"loses {loss} dollars"
    return (
        f"Question: {name} is offered a bet with a {p} percent chance of winning {win} dollars "
        f"and a {100 - p} percent chance of losing {loss} dollars. {name} takes the bet and "
        f"{outcome}. Given what {name} knew when deciding, was taking the bet a good decision? "
        "Answer Y or N.\nAnswer:"
    )


def question(rng, slots):
    """The test bet, whose outcome disagrees with its expected value.

    Returns dict: text, good (bool: EV > 0), p, win, loss, won, name.
    """
    good = rng.random() < 0.5
    name = rng.choice(NAMES)
    p, win, loss = _bet(rng, good)
    won = not good
    return {"text": describe(name, p, win, loss, won), "good": good, "p": p, "win": win,
            "loss": loss, "won": won, "name": name}


def demonstrations(rng, slots, k=10):
    """k solved bets whose outcomes agree with their expected value (half good, half bad).

    Returns dict: text (the solved examples, blank-line separated) and items (their numbers).
    """
    goods = [True, False] * (k // 2) + [rng.random() < 0.5] * (k % 2)
    rng.shuffle(goods)
    shots, items = [], []
    for good in goods:
        name = rng.choice(NAMES)
        p, win, loss = _bet(rng, good)
        shots.append(describe(name, p, win, loss, won=good) + (" Y" if good else " N"))
        items.append({"p": p, "win": win, "loss": loss, "won": good, "good": good})
    return {"text": "\n\n".join(shots), "items": items}
