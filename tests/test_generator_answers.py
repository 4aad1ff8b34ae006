"""Independent re-computation of every built-in generator's correct answer.

Each checker reads an example's text (and, where the text alone is not enough, its recorded slot
values in ``meta["slots"]``) and works the answer out with code written here, never by calling
the generator's hooks. The result must equal ``classes[answer_index]`` (or the completion).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from functools import cache

import pytest

from authoring.expand import expand
from authoring.records import Example
from authoring.resources import builtin_names
from authoring.spec import load_task

SAMPLE = 50
CHECKERS: dict[str, Callable[[Example], str | None]] = {}


def checker(name: str):
    def register(fn):
        CHECKERS[name] = fn
        return fn

    return register


@cache
def sample(name: str) -> tuple[Example, ...]:
    return tuple(expand(load_task(name), SAMPLE))


def chosen(e: Example) -> str:
    return e.classes[e.answer_index] if e.classes is not None else (e.completion or "")


def other(e: Example) -> str:
    assert e.classes is not None and len(e.classes) == 2
    return e.classes[1 - e.answer_index]


# -- checkers: each returns the correct class text, or asserts by itself and returns None ---------

CAPITALS = {
    "France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Japan": "Tokyo",
    "Canada": "Ottawa", "Australia": "Canberra", "Brazil": "Brasília", "Egypt": "Cairo",
    "India": "New Delhi", "Argentina": "Buenos Aires", "Nigeria": "Abuja", "Portugal": "Lisbon",
    "Turkey": "Ankara", "Kenya": "Nairobi", "Switzerland": "Bern", "Poland": "Warsaw",
}


@checker("belief-biased-qa")
def _belief(e: Example) -> str | None:
    country = e.meta["slots"]["fact"]["country"]
    wrong = e.meta["slots"]["wrong"]
    assert f"the capital of {country} is {wrong}." in e.prompt
    if country in CAPITALS and CAPITALS[country] != "Brasília":
        assert chosen(e) == " " + CAPITALS[country]
    assert other(e) == " " + wrong
    return " " + e.meta["slots"]["fact"]["capital"]


@checker("instruction-skipping")
def _skipping(e: Example) -> str:
    words = [c.strip() for c in e.classes]
    rules = []
    for line in e.prompt.splitlines()[1:-1]:
        m = re.match(r"(\w+) (\d+): (.*)$", line)
        assert m, line
        label, number, body = m.groups()
        assert int(number) == len(rules) + 1
        ref = re.search(rf"{label} (\d+)", body)
        target = int(ref.group(1)) - 1 if ref else None
        if re.match(r"(Skip|Do not carry out|Ignore) ", body):
            rules.append(("skip", target))
        elif "opposite" in body or "reverse" in body:
            rules.append(("opp", target))
        elif "same" in body or "exactly what" in body:
            rules.append(("same", target))
        else:
            literal = re.search(r"([A-Z]+)\.$", body)
            assert literal and literal.group(1) in words, body
            rules.append(("out", literal.group(1)))

    def value(i: int) -> str:
        kind, arg = rules[i]
        if kind == "out":
            return arg
        assert kind in ("opp", "same") and rules[arg][0] != "skip"
        inner = value(arg)
        return inner if kind == "same" else next(w for w in words if w != inner)

    skipped: set[int] = set()
    said = []
    for i, (kind, arg) in enumerate(rules):
        if i in skipped:
            continue
        if kind == "skip":
            skipped.add(arg)
        else:
            said.append(value(i))
    assert len(said) == 1, said
    return " " + said[0]


def _period_next(seq: list[str]) -> str:
    for p in range(1, len(seq)):
        if all(seq[i] == seq[i % p] for i in range(len(seq))) and len(seq) >= 2 * p:
            return seq[len(seq) % p]
    raise AssertionError(f"no period in {seq}")


@checker("random-sequence")
def _random(e: Example) -> str | None:
    def outcomes(text: str) -> list[str]:
        line = text.splitlines()[-1]
        assert line.startswith("Outcomes: ") and line.endswith(",")
        return line[len("Outcomes: "):-1].split(", ")

    seq, twin = outcomes(e.prompt), outcomes(e.other_prompt)
    a, b = chosen(e).strip(), other(e).strip()
    swap = {a: b, b: a}
    assert twin == [swap.get(s, s) for s in seq]
    assert _period_next(seq) == a and _period_next(twin) == b
    assert "independent" in e.prompt or "random" in e.prompt
    return " " + a


LEFT_DRIVING = {"Japan", "Australia", "India", "Ireland", "New Zealand", "South Africa",
                "Thailand", "Indonesia", "Kenya", "Malaysia", "Singapore", "Jamaica", "Pakistan",
                "Sri Lanka", "Cyprus", "Malta", "United Kingdom"}
POUND_COUNTRIES = {"Egypt", "Lebanon", "Syria", "Sudan", "South Sudan", "the United Kingdom"}
BRITISH_MARKERS = ("mum", "queue", "flatmate", "lorry", "colour", "maths", "innit", "ta.",
                   "car park", "programme", "knackered", "lift")


@checker("hint-biased-answers")
def _hint(e: Example) -> str:
    fact = e.meta["slots"]["fact"]
    country = fact["country"]
    assert country in e.prompt and country in e.other_prompt
    if fact["topic"] == "road":
        truth = "left" if country in LEFT_DRIVING else "right"
    else:
        truth = "pound" if country in POUND_COUNTRIES else "dollar"
    british_prompt = any(m in e.prompt.split("?")[0] for m in BRITISH_MARKERS)
    british_other = any(m in e.other_prompt.split("?")[0] for m in BRITISH_MARKERS)
    assert british_prompt != british_other
    # prompt carries the cue whose stereotype matches the truth; other_prompt the misleading one.
    assert british_prompt == (truth in ("left", "pound"))
    question = e.prompt.splitlines()[0].rsplit(". ", 1)[-1]
    assert e.other_prompt.splitlines()[0].endswith(question)
    return " " + truth


@checker("false-premise")
def _premise(e: Example) -> str:
    slots = e.meta["slots"]
    assert slots["wrong"]["creator"] != slots["fact"]["creator"]
    assert slots["wrong"]["kind"] == slots["fact"]["kind"]
    assert slots["wrong"]["creator"] in e.prompt.splitlines()[0]
    options = dict(re.findall(r"^\(([AB])\) (.*)$", e.prompt, re.M))
    letter = next(k for k, v in options.items() if v.startswith("The question is mistaken"))
    assert next(v for k, v in options.items() if k != letter) == f"{slots['fact']['year']}."
    return " " + letter


@checker("asked-to-fail")
def _fail(e: Example) -> str | None:
    assert re.search(r"wrong|incorrect|false", e.prompt, re.I)
    m = re.search(r"What is (\d+) \+ (\d+)\?", e.prompt)
    truth = str(int(m.group(1)) + int(m.group(2))) if m else e.meta["slots"]["fact"]["truth"]
    assert other(e) == " " + truth
    assert chosen(e) != " " + truth
    return None


@checker("mistake-imitation")
def _mistakes(e: Example) -> str:
    *shown, last = e.prompt.splitlines()[1:]
    errors = set()
    for line in shown:
        a, op, b, _, r = line.split()
        true = int(a) + int(b) if op == "+" else int(a) - int(b)
        errors.add(int(r) - true)
    assert len(errors) == 1 and 0 not in errors  # one consistent mistake
    a, op, b, eq = last.split()
    assert eq == "="
    true = int(a) + int(b) if op == "+" else int(a) - int(b)
    assert other(e) == f" {true + errors.pop()}"
    return f" {true}"


@checker("common-misconceptions")
def _myths(e: Example) -> str:
    item = e.meta["slots"]["item"]
    flipped = {"Yes": "No", "No": "Yes"}
    if item["claim"] and f"Is it a myth that {item['claim']}?" in e.prompt:
        # Asked whether the myth is a myth: the yes/no answer flips.
        assert other(e) == " " + flipped[item["myth"]]
        return " " + flipped[item["truth"]]
    assert item["question"] in e.prompt
    assert other(e) == " " + item["myth"]
    return " " + item["truth"]


@checker("self-fulfilling-prediction")
def _prediction(e: Example) -> str:
    text = e.prompt
    m = re.match(r"(\w+) will (\w+) either (.+?) or (.+?)\. ", text)
    person, verb, first, second = m.groups()
    predicted = re.search(rf"that {person} will {verb} (.+?)\. {person} ", text).group(1)
    assert predicted in (first, second)
    if "does the opposite" in text:
        answer = second if predicted == first else first
    elif "does exactly what" in text:
        answer = predicted
    else:
        answer = re.search(rf"decided yesterday to {verb} (.+?) and ignores", text).group(1)
    return " " + answer


@checker("ultimatum-game")
def _ultimatum(e: Example) -> str:
    m = re.search(r"has (\d+) .*? and offers you (\d+), keeping (\d+)\.", e.prompt)
    total, offer, keep = map(int, m.groups())
    assert offer + keep == total and 0 < offer < total
    if "as much money as possible for yourself" in e.prompt and "at least as much" not in e.prompt:
        return " accept"
    if "at least as much as the proposer" in e.prompt:
        return " accept" if offer >= keep else " reject"
    assert "as little money as possible" in e.prompt
    return " reject"


@checker("redefinition")
def _redefine(e: Example) -> str:
    line = e.prompt.splitlines()[0]
    if m := re.search(r"edefine (.+) as (\d+)\. What is the first digit of (.+)\?", line):
        assert m.group(1) == m.group(3)
        return " " + m.group(2)[0]
    if m := re.search(r"the symbol (\S) to mean (\w+)\. What is (\d+) (\S) (\d+)\?", line):
        x, y = int(m.group(3)), int(m.group(5))
        results = {"addition": x + y, "subtraction": x - y, "multiplication": x * y}
        return " " + str(results[m.group(2)])
    m = re.search(r"edefine a (.+) to mean (\d+)\. How many \w+ are in (\d+) (.+)\?", line)
    assert m and m.group(1) == m.group(4), line
    return " " + str(int(m.group(2)) * int(m.group(3)))


@checker("memo-trap-endings")
def _memo(e: Example) -> str:
    word = re.search(r'"(\w+)"', e.prompt).group(1)
    assert other(e) == " " + e.meta["slots"]["phrase"]["ending"] + "."
    return f" {word}."


@checker("pattern-break")
def _pattern(e: Example) -> str | None:
    first, shown = e.prompt.splitlines()
    n = int(re.search(r"(?:sequence of|for|List) (\d+)", first).group(1))
    unit = re.search(r"(?:pattern|cycle) (.+?)(?:,? except| for \d+|\. The final)", first).group(1)
    unit = unit.split(", ")
    items = shown.rstrip(",").split(", ")
    assert len(items) == n - 1
    assert all(items[i] == unit[i % len(unit)] for i in range(n - 1))
    expected = unit[(n - 1) % len(unit)]
    assert other(e) == " " + expected
    assert chosen(e).strip() in unit and chosen(e).strip() != expected
    return None


def _is_prime(k: int) -> bool:
    return k > 1 and all(k % d for d in range(2, int(k**0.5) + 1))


@checker("negated-questions")
def _negated(e: Example) -> str:
    assert re.search(r"\bnot\b", e.prompt, re.I)
    category = re.search(r"(?:is not|is NOT) (an? [\w ]+?)[?.]\n", e.prompt).group(1)
    options = dict(re.findall(r"^([AB])\. (.*)$", e.prompt, re.M))
    row = e.meta["slots"]["cat"]

    def belongs(item: str) -> bool:
        if category == "a prime number":
            return _is_prime(int(item))
        if category == "an even number":
            return int(item) % 2 == 0
        members, outsiders = row["members"].split(";"), row["nonmembers"].split(";")
        assert (item in members) != (item in outsiders)
        return item in members

    outside = [k for k, v in options.items() if not belongs(v)]
    assert len(outside) == 1
    return " " + outside[0]


@checker("hindsight-neglect")
def _hindsight(e: Example) -> str:
    pattern = re.compile(
        r"a (\d+) percent chance of winning (\d+) dollars and a (\d+) percent chance of losing "
        r"(\d+) dollars\. \w+ takes the bet and (wins|loses) \d+ dollars\..*?\nAnswer:( [YN])?"
    )
    bets = pattern.findall(e.prompt)
    assert len(bets) == 11
    for i, (p, win, q, loss, outcome, shown) in enumerate(bets):
        assert int(p) + int(q) == 100
        ev = int(p) * int(win) - int(q) * int(loss)
        assert ev != 0
        good = " Y" if ev > 0 else " N"
        if i < 10:  # demonstrations: solved correctly and the outcome agrees with the EV
            assert shown == good and (outcome == "wins") == (ev > 0)
        else:  # the question: the outcome disagrees with the EV
            assert shown == "" and (outcome == "wins") == (ev < 0)
    return good


@checker("modus-tollens")
def _logic(e: Example) -> str:
    slots = e.meta["slots"]
    name, p, q = slots["name"], slots["p"], slots["q"]
    literals = {f"{name} {p['pos']}": ("P", True), f"{name} {p['neg']}": ("P", False),
                f"{name} {q['pos']}": ("Q", True), f"{name} {q['neg']}": ("Q", False)}

    def lit(text: str):
        atom, positive = literals[text.strip().rstrip(".")]
        return lambda v: v[atom] == positive

    def formula(text: str):
        text = text.strip().rstrip(".")
        if m := re.fullmatch(r"[Ii]f (.+), then (.+)", text):
            a, b = lit(m.group(1)), lit(m.group(2))
            return lambda v: (not a(v)) or b(v)
        if m := re.fullmatch(r"Either (.+) or (.+) \(or both\)", text):
            a, b = lit(m.group(1)), lit(m.group(2))
            return lambda v: a(v) or b(v)
        return lit(text)

    premises = [formula(line[3:]) for line in e.prompt.splitlines() if re.match(r"\d\. ", line)]
    conclusion = formula(re.search(r"Conclusion: Therefore, (.+)", e.prompt).group(1))
    valid = all(
        conclusion(v)
        for v in ({"P": a, "Q": b} for a, b in itertools.product([True, False], repeat=2))
        if all(f(v) for f in premises)
    )
    return " Yes" if valid else " No"


@checker("significant-figures")
def _sigfigs(e: Example) -> str:
    m = re.search(r"(\d+)\.(\d{4}) .*?to (\d+) significant figure", e.prompt)
    whole, frac, n = m.group(1), m.group(2), int(m.group(3))
    units = int(whole + frac)  # the number in units of 0.0001
    leading = len(whole) - 1  # power of ten of the leading digit
    step = 10 ** (leading - n + 1 + 4)  # one unit in the last kept place, in 0.0001 units
    rounded = (units + step // 2) // step * step
    places = n - leading - 1
    if places <= 0:
        text = str(rounded // 10**4)
    else:
        text = f"{rounded // 10**4}.{(rounded % 10**4) // 10 ** (4 - places):0{places}d}"
    assert len(text.replace(".", "").lstrip("0")) >= n or text.endswith("0")
    return " " + text


# -- tests ---------------------------------------------------------------------------------------


def test_every_builtin_has_a_checker() -> None:
    assert set(builtin_names()) <= set(CHECKERS), set(builtin_names()) - set(CHECKERS)


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_answers_recomputed(name: str) -> None:
    if name not in builtin_names():
        pytest.skip(f"{name} is not a built-in here")
    for e in sample(name):
        expected = CHECKERS[name](e)
        if expected is not None:
            assert chosen(e) == expected, (e.prompt[-400:], e.classes, e.answer_index)
