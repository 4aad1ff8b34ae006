"""The compact hash set behaves like a set of 64-bit ints, through growth and collisions."""

from __future__ import annotations

import random

from authoring.hashset import HashSet64


def test_matches_a_python_set_through_growth():
    rng = random.Random(0)
    compact, reference = HashSet64(capacity=4), set()
    for _ in range(20_000):
        value = (
            rng.getrandbits(64) if rng.random() < 0.7 else rng.randrange(2, 500)
        )  # 0 and 1 share a slot by design
        assert compact.add(value) == (value not in reference)
        reference.add(value)
    assert len(compact) == len(reference)
    assert all(v in compact for v in list(reference)[:1000])
    assert 2**63 + 12345 not in compact or (2**63 + 12345) in reference


def test_colliding_slots_and_zero():
    compact = HashSet64(capacity=8)
    # Values equal modulo the table size land in the same slot and must probe onwards.
    values = [8 * k + 3 for k in range(3)]
    assert all(compact.add(v) for v in values)
    assert not compact.add(values[1])
    assert compact.add(0) and not compact.add(0)
    assert "x" not in compact
