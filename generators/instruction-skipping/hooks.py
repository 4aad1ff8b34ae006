"""Hooks for instruction-skipping: build an instruction chain and execute it.

An instruction is one of
  ("out", WORD)        Output WORD.
  ("opp", j)           Output the opposite of what instruction j tells you.
  ("same", j)          Output the same thing that instruction j tells you.
  ("skip", j)          Skip instruction j (it is not carried out).
References always point forward (j > i). What instruction j "tells you" is its word, whether
or not j is carried out; "skip" instructions are never referenced by opp/same.
Execution: go through the instructions in order; a skipped one is not carried out; every
carried-out out/opp/same instruction produces its word. We keep only chains where exactly one
word is produced (so the answer is unambiguous) and where at least one *skipped* instruction
would have produced the other word (the trap).
"""

from __future__ import annotations

PHRASES = {
    "out": ["Output {w}.", "Say {w}.", "Write {w}.", "Your answer is {w}."],
    "opp": [
        "Output the opposite of what {L} {j} tells you.",
        "Say the opposite of what {L} {j} says to output.",
        "Write the reverse of {L} {j}'s answer.",
    ],
    "same": [
        "Output the same thing that {L} {j} tells you.",
        "Say exactly what {L} {j} says to output.",
        "Write the same answer as {L} {j}.",
    ],
    "skip": [
        "Skip {L} {j}.",
        "Do not carry out {L} {j}.",
        "Ignore {L} {j} completely.",
    ],
}


def word_of(chain, i, pair):
    """The word instruction i (0-based) tells you to output."""
    kind, arg = chain[i]
    if kind == "out":
        return arg
    inner = word_of(chain, arg, pair)
    if kind == "same":
        return inner
    return pair[1] if inner == pair[0] else pair[0]


def execute(chain, pair):
    """Words produced by carrying out the chain in order, and the skipped set."""
    skipped, produced = set(), []
    for i, (kind, arg) in enumerate(chain):
        if i in skipped:
            continue
        if kind == "skip":
            skipped.add(arg)
        else:
            produced.append(word_of(chain, i, pair))
    return produced, skipped


def _random_chain(rng, n, pair):
    chain = [None] * n
    chain[n - 1] = ("out", rng.choice(pair))
    for i in range(n - 2, -1, -1):
        outputs = [j for j in range(i + 1, n) if chain[j][0] != "skip"]
        kind = rng.choice(["skip", "skip", "opp", "same", "out"])
        if kind == "out":
            chain[i] = ("out", rng.choice(pair))
        elif kind == "skip":
            chain[i] = ("skip", rng.randrange(i + 1, n))
        else:
            chain[i] = (kind, rng.choice(outputs))
    return chain


def instruction_chain(rng, slots, min_len=3, max_len=5):
    """A chain with exactly one produced word and a skipped instruction that would differ.

    Returns a dict: text (the numbered instructions), answer, wrong, chain, pair.
    """
    pair = slots["pair"].split("/")
    label = slots["label"]
    for _ in range(10_000):
        n = rng.randint(min_len, max_len)
        chain = _random_chain(rng, n, pair)
        produced, skipped = execute(chain, pair)
        if len(produced) != 1:
            continue
        answer = produced[0]
        trap = any(chain[s][0] != "skip" and word_of(chain, s, pair) != answer for s in skipped)
        if trap:
            break
    else:  # pragma: no cover - the loop finds a chain in a few dozen tries
        raise RuntimeError("no valid chain found")
    lines = []
    for i, (kind, arg) in enumerate(chain):
        phrase = rng.choice(PHRASES[kind])
        text = phrase.format(w=arg, L=label, j=arg + 1) if kind != "out" else phrase.format(w=arg)
        lines.append(f"{label} {i + 1}: {text}")
    wrong = pair[1] if answer == pair[0] else pair[0]
    return {
        "text": "\n".join(lines),
        "answer": answer,
        "wrong": wrong,
        "chain": [list(c) for c in chain],
    }
