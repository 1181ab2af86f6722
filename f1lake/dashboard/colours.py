"""Team colours from dashboards/team_colours.json: by constructor and season, neutral default.

One maintained table, so a chart of ten drivers reads by team (teammates share a colour; the
page dashes the second line of a team) and a livery change is a one-line edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from f1lake.resources import TEAM_COLOURS

_HEX = "#0123456789abcdefABCDEF"


@dataclass(frozen=True)
class Span:
    first: int
    last: int | None
    colour: str


@dataclass(frozen=True)
class TeamColours:
    default: str
    teams: dict[str, tuple[Span, ...]]

    def of(self, constructor_id: object, season: int | None = None) -> str:
        """The team's colour in ``season`` (None: its latest); the default when not listed."""
        spans = self.teams.get(str(constructor_id), ())
        if season is None:
            return spans[-1].colour if spans else self.default
        for span in spans:
            if span.first <= season and (span.last is None or season <= span.last):
                return span.colour
        return self.default


def load_colours(path: Path = TEAM_COLOURS) -> TeamColours:
    """Read and check the table: a bad colour or range fails naming the team."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    teams = {}
    for team, rows in data["teams"].items():
        spans = tuple(Span(int(r["from"]), r.get("to"), _colour(r["colour"], team)) for r in rows)
        if any(s.last is not None and s.last < s.first for s in spans):
            raise ValueError(f"{path}: team {team!r} has a season range that ends before it starts")
        teams[team] = tuple(sorted(spans, key=lambda s: s.first))
    return TeamColours(_colour(data["default"], "default"), teams)


def _colour(text: object, where: str) -> str:
    if not (isinstance(text, str) and len(text) == 7 and text[0] == "#" and set(text) <= set(_HEX)):
        raise ValueError(f"team colours: {where!r} colour {text!r} is not #rrggbb")
    return text.lower()
