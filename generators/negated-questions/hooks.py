"""Hooks for negated-questions: one member and one non-member of a category."""

from __future__ import annotations


def member_pair(rng, slots):
    """Returns dict: member (in the category) and outsider (not in it), from the row's lists."""
    row = slots["cat"]
    return {
        "member": rng.choice(row["members"].split(";")),
        "outsider": rng.choice(row["nonmembers"].split(";")),
    }
