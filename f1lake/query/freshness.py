"""When a warm engine must look at the lake again before answering: the lake file's version.

The local stack's moto server writes every change of S3 and of the Glue catalog to one SQLite
file (``lake.sqlite``, :mod:`f1lake.local.moto_persistence`) and commits it before the change's
response leaves the server. SQLite's ``PRAGMA data_version`` changes for a reading connection
whenever another connection committed: reading it costs a few microseconds, against a catalog
read and a listing per table (hundreds of milliseconds on moto for the full history).

So a table checked at the current version is current (sound, not a guess): the engine answers
from what it holds. At a new version *something* was written (often a raw object, not a
processed table): the engine re-reads the catalog and the listing of each table the query
reads, side by side, and reloads only those whose state changed (``LocalEngine.refresh``). With
no lake file (a moto server without persistence) every query looks again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class LakeVersion:
    """The version of a lake file as one reading connection sees it: equal versions, nothing
    written in between. Without a file each version differs from every other (always look)."""

    def __init__(self, lake_file: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        self._calls = 0
        if lake_file is not None and lake_file.is_file():
            self._db = sqlite3.connect(
                f"file:{lake_file}?mode=ro", uri=True, check_same_thread=False
            )

    def current(self) -> int:
        if self._db is None:
            self._calls += 1
            return -self._calls
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        return int(version)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
