"""The on-disk score cache: nothing scored is ever computed twice or lost.

One SQLite file (``<cache dir>/scores.sqlite``) maps (model key, example content hash, metric
kind) to the example's metric dict as JSON. The model key carries the revision or file hash and
the dtype (see ``models.py``); the kind carries the task type, the variant (real prompt or blind
baseline) and a version of the metric code, so a change to any of them misses the cache instead
of returning stale numbers. Rows are committed after every scored chunk: Ctrl-C or a crash loses
at most the chunk in flight, and a re-run scores only what is missing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import orjson

#: Bump when a metric's definition changes: old cache rows then stop matching.
METRICS_VERSION = 1


def cache_dir() -> Path:
    """``$INVSCALE_CACHE`` if set, else ``~/.cache/invscale``."""
    env = os.environ.get("INVSCALE_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "invscale"


def metric_kind(task_type: str, variant: str) -> str:
    """The cache's metric-kind key, e.g. ``classification/real/v1``."""
    return f"{task_type}/{variant}/v{METRICS_VERSION}"


class ScoreCache:
    """Per-example results keyed by (model key, example hash, kind).

    Args:
        path: The SQLite file (created with its folder if missing), or None for a cache that
            remembers nothing (``--no-cache``).
    """

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False: the TUI runs the check in a worker thread.
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS scores (model TEXT, example TEXT, kind TEXT, "
                "value BLOB, PRIMARY KEY (model, example, kind))"
            )
            self._db.commit()

    def get_many(self, model: str, kind: str, hashes: Iterable[str]) -> dict[str, dict]:
        """The cached results among ``hashes`` (missing ones are simply absent)."""
        if self._db is None:
            return {}
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, dict] = {}
        for start in range(0, len(wanted), 500):  # stay under SQLite's parameter limit
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT example, value FROM scores WHERE model=? AND kind=? "
                f"AND example IN ({marks})",
                (model, kind, *chunk),
            )
            found.update((h, orjson.loads(v)) for h, v in rows)
        return found

    def put_many(self, model: str, kind: str, items: dict[str, dict]) -> None:
        """Store results and commit at once (the unit of durability is one call)."""
        if self._db is None or not items:
            return
        self._db.executemany(
            "INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?)",
            [(model, h, kind, orjson.dumps(v)) for h, v in items.items()],
        )
        self._db.commit()

    def close(self) -> None:
        """Close the database (safe to call twice)."""
        if self._db is not None:
            self._db.close()
            self._db = None
