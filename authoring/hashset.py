"""A compact set of 64-bit hashes, for dropping duplicates among millions of examples.

A Python ``set`` of ints costs about 100 bytes an entry; this open-addressing table of unsigned
64-bit slots costs 16-32 (it stays between a quarter and a half full), so a million examples
need about 16-32 MB instead of about 100 MB.
"""

from __future__ import annotations

from array import array

_EMPTY = 0


class HashSet64:
    """A set of non-zero 64-bit integers with linear probing.

    Args:
        capacity: Initial number of slots (rounded up to a power of two).
    """

    def __init__(self, capacity: int = 1 << 12):
        size = 1
        while size < capacity:
            size <<= 1
        self._table = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, value: int) -> bool:
        """Insert ``value`` (taken modulo 2**64, 0 mapped to 1); False if it was already there."""
        slot, present = self._probe(value)
        if present:
            return False
        self._table[slot] = _canonical(value)
        self._count += 1
        if 2 * self._count > self._mask:
            self._grow()
        return True

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self._probe(value)[1]

    def _probe(self, value: int) -> tuple[int, bool]:
        # Linear probing: walk from the value's home slot to it or to the first empty slot.
        value = _canonical(value)
        table, mask = self._table, self._mask
        slot = value & mask
        while True:
            found = table[slot]
            if found == _EMPTY or found == value:
                return slot, found == value
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old = self._table
        size = 2 * len(old)
        self._table = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0
        for value in old:
            if value != _EMPTY:
                self.add(value)


def _canonical(value: int) -> int:
    return (value & 0xFFFFFFFFFFFFFFFF) or 1
