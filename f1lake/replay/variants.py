"""How Jolpica's answers differ from the Ergast dump's, served by the replay on request.

``lapped_times``: Jolpica gives lapped cars a race time (when they took the flag, a lap or more
down), where the Ergast data times only the cars on the lead lap. The replay serves that form
with a time after the winner's by one second per place, so a lapped car's total can be below
a lead-lap car's, as on track. See docs/source_variants.md.
"""

from __future__ import annotations

import re
from dataclasses import replace

from f1lake.replay.dump import Dump, Row

VARIANTS = ("lapped_times",)
_LAPPED = re.compile(r"^(\+\d+ Laps?|Lapped)$")


def apply_variants(dump: Dump, variants: tuple[str, ...]) -> Dump:
    """``dump`` as Jolpica would serve it in each of ``variants``."""
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        raise ValueError(f"unknown replay variant(s) {unknown}; known: {', '.join(VARIANTS)}")
    return with_lapped_times(dump) if "lapped_times" in variants else dump


def with_lapped_times(dump: Dump) -> Dump:
    """A copy of ``dump`` in which every lapped finisher has a race time."""
    return replace(dump, results={race: _timed(dump, rows) for race, rows in dump.results.items()})


def _timed(dump: Dump, rows: list[Row]) -> list[Row]:
    winner = next((r for r in rows if r.get("positionOrder") == "1"), None)
    if winner is None or not winner.get("milliseconds"):
        return rows
    winning = int(winner["milliseconds"])
    out = []
    for row in rows:
        status = dump.status.get(row.get("statusId") or "", "")
        if row.get("milliseconds") is None and _LAPPED.match(status):
            behind = 1000 * int(row["positionOrder"] or 0)
            row = {
                **row,
                "milliseconds": str(winning + behind),
                "time": f"+{behind // 1000}.{behind % 1000:03d}",
            }
        out.append(row)
    return out
