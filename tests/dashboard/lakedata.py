"""Two small invented seasons in the processed layout, and what the dashboard must show for them.

Every table a season query may read is written with consistent names (results, sprints,
races, dimensions, statuses, official standings), and the expected answers are computed here
from the same few lines of race data, in plain Python, never by the SQL under test.

2023: three rounds, a sprint in round 2, four drivers in two teams, DNFs for three causes.
2022: two rounds, a different field (Eve and Fox instead of Cy and Dot; Ada in another team).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from f1lake.catalog import crawl
from f1lake.schema import TABLES
from f1lake.settings import Settings
from tests.catalog.lakedata import make_bucket, parquet_bytes, put

DRIVERS = {  # id -> (given name, family name)
    "ada": ("Ada", "Alpha"),
    "ben": ("Ben", "Bravo"),
    "cy": ("Cy", "Charlie"),
    "dot": ("Dot", "Delta"),
    "eve": ("Eve", "Echo"),
    "fox": ("Fox", "Foxtrot"),
}
TEAMS = {"red": "Red Racing", "blue": "Blue Motors", "green": "Green GP"}


@dataclass(frozen=True)
class Result:
    driver: str
    team: str
    position: int | None  # None: retired (not classified)
    points: float
    status: str = "Finished"
    fastest: tuple[int, int] | None = None  # (lap, millis) of the race's fastest lap


@dataclass
class Race:
    round: int
    name: str
    results: list[Result]
    sprint: list[Result] = field(default_factory=list)


def _r(driver: str, team: str, position: int | None, points: float, **kw: Any) -> Result:
    return Result(driver, team, position, points, **kw)


SEASONS: dict[int, list[Race]] = {
    2023: [
        Race(
            1,
            "Alpha Grand Prix",
            [
                _r("ada", "red", 1, 25.0),
                _r("ben", "blue", 2, 18.0, fastest=(44, 92_100)),
                _r("cy", "red", 3, 15.0),
                _r("dot", "blue", None, 0.0, status="Engine"),
            ],
        ),
        Race(
            2,
            "Bravo Grand Prix",
            [
                _r("ben", "blue", 1, 25.0),
                _r("dot", "blue", 2, 18.0),
                _r("ada", "red", 3, 15.0, fastest=(50, 91_800)),
                _r("cy", "red", None, 0.0, status="Collision"),
            ],
            sprint=[
                _r("dot", "blue", 1, 8.0),
                _r("ada", "red", 2, 7.0),
                _r("ben", "blue", 3, 6.0),
                _r("cy", "red", 4, 5.0),
            ],
        ),
        Race(
            3,
            "Charlie Grand Prix",
            [
                _r("ada", "red", 1, 25.0),
                _r("cy", "red", 2, 18.0, fastest=(12, 93_000)),
                _r("ben", "blue", None, 0.0, status="Engine"),
                _r("dot", "blue", None, 0.0, status="Gearbox"),
            ],
        ),
    ],
    2022: [
        Race(
            1,
            "Echo Grand Prix",
            [
                _r("eve", "green", 1, 25.0, fastest=(30, 95_000)),
                _r("fox", "blue", 2, 18.0),
                _r("ada", "green", 3, 15.0),
                _r("ben", "blue", None, 0.0, status="Hydraulics"),
            ],
        ),
        Race(
            2,
            "Foxtrot Grand Prix",
            [
                _r("fox", "blue", 1, 25.0, fastest=(31, 94_500)),
                _r("ben", "blue", 2, 18.0),
                _r("eve", "green", 3, 15.0),
                _r("ada", "green", 4, 12.0),
            ],
        ),
    ],
}


def name(driver: str) -> str:
    given, family = DRIVERS[driver]
    return f"{given} {family}"


# --- what the dashboard must show, from the race data above --------------------------------


def progression(season: int, by: str = "driver") -> dict[str, list[float | None]]:
    """Entrant name -> cumulative points after each round (None before the first race)."""
    out: dict[str, list[float | None]] = {}
    running: dict[str, float] = defaultdict(float)
    races = SEASONS[season]
    for i, race in enumerate(races):
        for res in [*race.results, *race.sprint]:
            running[_who(res, by)] += res.points
        for who, pts in running.items():
            out.setdefault(who, [None] * len(races))[i] = pts
    return out


def standings(season: int, by: str = "driver") -> list[dict[str, Any]]:
    """Final standings by points (no ties in this data): name, points, wins, podiums, team."""
    points: dict[str, float] = defaultdict(float)
    wins: Counter[str] = Counter()
    podiums: Counter[str] = Counter()
    team: dict[str, str] = {}
    for race in SEASONS[season]:
        for res in [*race.results, *race.sprint]:
            points[_who(res, by)] += res.points
        for res in race.results:
            who = _who(res, by)
            team[who] = TEAMS[res.team]
            wins[who] += res.position == 1
            podiums[who] += res.position is not None and res.position <= 3
    ranked = sorted(points, key=lambda w: -points[w])
    assert len(set(points.values())) == len(points), "test data must not tie"
    return [
        {
            "position": i,
            "name": who,
            "team": team[who],
            "points": points[who],
            "wins": wins[who],
            "podiums": podiums[who],
        }
        for i, who in enumerate(ranked, start=1)
    ]


def fastest_laps(season: int) -> list[dict[str, Any]]:
    out = []
    for race in SEASONS[season]:
        for res in race.results:
            if res.fastest:
                out.append(
                    {
                        "round": race.round,
                        "race_name": race.name,
                        "driver_name": name(res.driver),
                        "constructor_name": TEAMS[res.team],
                        "lap": res.fastest[0],
                        "millis": res.fastest[1],
                    }
                )
    return out


def pace_gaps(season: int, rnd: int) -> dict[str, float | None]:
    """Average clean lap (not lap 1, not a pit lap or the lap after) behind the best one."""
    pits = {(d, lap + k) for d, _, lap, _ in PIT_STOPS[(season, rnd)] for k in (0, 1)}
    pace = {}
    for d, times in LAP_TIMES[(season, rnd)].items():
        clean = [
            t
            for lap, t in enumerate(times, start=1)
            if lap > 1 and (d, lap) not in pits and t <= 1.07 * min(times)
        ]
        pace[name(d)] = sum(clean) / len(clean) if clean else None
    best = min(p for p in pace.values() if p is not None)
    return {d: None if p is None else round((p - best) / 1000, 3) for d, p in pace.items()}


def dnfs_by_cause(season: int) -> dict[str, int]:
    return dict(
        Counter(
            res.status for race in SEASONS[season] for res in race.results if res.position is None
        )
    )


def _who(res: Result, by: str) -> str:
    return name(res.driver) if by == "driver" else TEAMS[res.team]


# --- writing the lake ---------------------------------------------------------------------

_DEFAULTS = {"int": 0, "bigint": 0, "double": 0.0, "string": "", "date": dt.date(2000, 1, 1)}


def _row(table: str, values: dict[str, Any]) -> dict[str, Any]:
    row = {}
    for col in TABLES[table].data_columns:
        if col.name in values:
            row[col.name] = values[col.name]
        elif col.nullable or col.type.startswith("array<"):
            row[col.name] = None
        else:
            row[col.name] = _DEFAULTS[col.type]
    return row


def _put(settings: Settings, table: str, key: str, rows: list[dict[str, Any]]) -> None:
    data = [_row(table, r) for r in rows]
    put(settings, f"{table}/{key}", parquet_bytes(data, TABLES[table].parquet_schema()))


def _date(season: int, rnd: int) -> dt.date:
    return dt.date(season, 3, 1) + dt.timedelta(days=14 * rnd)


def _classification(season: int, race: Race, results: list[Result]) -> list[dict[str, Any]]:
    order = sorted(results, key=lambda r: (r.position is None, r.position or 0))
    rows = []
    for i, res in enumerate(order, start=1):
        given, family = DRIVERS[res.driver]
        lap, millis = res.fastest or (None, None)
        classified = res.position is not None
        rows.append(
            {
                "round": race.round,
                "race_date": _date(season, race.round),
                "entry": 1,
                "driver_id": res.driver,
                "driver_code": res.driver.upper()[:3],
                "driver_given_name": given,
                "driver_family_name": family,
                "constructor_id": res.team,
                "constructor_name": TEAMS[res.team],
                "car_number": list(DRIVERS).index(res.driver) + 1,
                "grid": i,
                "position": res.position,
                "position_order": i,
                "position_text": str(res.position) if classified else "R",
                "points": res.points,
                "laps": 57 if classified else 10 + i,
                "status": res.status,
                "time_millis": 5_400_000 + 1_000 * i if classified else None,
                "fastest_lap_rank": 1 if res.fastest else (None if not classified else i + 1),
                "fastest_lap_lap": lap if res.fastest else (40 if classified else None),
                "fastest_lap_time_millis": millis
                if res.fastest
                else (99_000 + i if classified else None),
            }
        )
    return rows


LAP_TIMES = {
    (2023, 3): {"ada": [90_000] * 5, "cy": [90_500] * 5, "ben": [91_000] * 3, "dot": [92_000] * 2}
}
"""Lap times (ms) of one Grand Prix, per driver and lap (the retired stop early): the lake holds
laps for this race only, as a lake backfilled with ``--laps`` for one race would."""
PIT_STOPS = {(2023, 3): [("ada", 1, 2, 22_000), ("ben", 1, 2, 25_000), ("cy", 1, 3, 23_500)]}
"""Pit stops (driver, stop, lap, ms in the pit lane) of the race with lap times."""


def lap_positions(season: int, rnd: int) -> dict[str, list[int]]:
    """Each driver's position after each lap: by the time he has run (the leader has run least)."""
    times = LAP_TIMES[(season, rnd)]
    laps = max(len(t) for t in times.values())
    out: dict[str, list[int]] = {d: [] for d in times}
    for lap in range(1, laps + 1):
        running = sorted((sum(t[:lap]), d) for d, t in times.items() if len(t) >= lap)
        for position, (_, d) in enumerate(running, start=1):
            out[d].append(position)
    return out


TO_COME = {2023: (4, "Finale Grand Prix")}
"""A round on the season's calendar still to be run: its schedule entry only."""


def write_season(settings: Settings, season: int) -> None:
    races = SEASONS[season]
    statuses: Counter[str] = Counter()
    if season in TO_COME:
        rnd, title = TO_COME[season]
        entry = {"round": rnd, "race_name": title, "race_date": _date(season, rnd)}
        entry |= {"circuit_id": f"circuit_{rnd}", "circuit_name": f"Circuit {rnd}"}
        _put(settings, "races", f"season={season}/{season}-{rnd:02d}.parquet", [entry])
    for race in races:
        key = f"season={season}/{season}-{race.round:02d}.parquet"
        _put(settings, "results", key, _classification(season, race, race.results))
        if race.sprint:
            _put(settings, "sprint_results", key, _classification(season, race, race.sprint))
        _put(
            settings,
            "races",
            key,
            [
                {
                    "round": race.round,
                    "race_name": race.name,
                    "race_date": _date(season, race.round),
                    "circuit_id": f"circuit_{race.round}",
                    "circuit_name": f"Circuit {race.round}",
                    "sprint_date": _date(season, race.round) if race.sprint else None,
                }
            ],
        )
        statuses.update(r.status for r in [*race.results, *race.sprint])
        if (season, race.round) in LAP_TIMES:
            _write_laps(settings, season, race.round, key)
    one = f"season={season}/{season}.parquet"
    drivers = sorted({r.driver for race in races for r in race.results})
    _put(
        settings,
        "drivers",
        one,
        [
            {
                "driver_id": d,
                "driver_code": d.upper()[:3],
                "driver_given_name": DRIVERS[d][0],
                "driver_family_name": DRIVERS[d][1],
            }
            for d in drivers
        ],
    )
    teams = sorted({r.team for race in races for r in race.results})
    _put(
        settings,
        "constructors",
        one,
        [{"constructor_id": t, "constructor_name": TEAMS[t]} for t in teams],
    )
    _put(
        settings,
        "circuits",
        one,
        [{"circuit_id": f"circuit_{r.round}", "circuit_name": f"Circuit {r.round}"} for r in races],
    )
    _put(
        settings,
        "status",
        one,
        [
            {"status_id": i, "status": s, "count": n}
            for i, (s, n) in enumerate(sorted(statuses.items()), start=1)
        ],
    )
    last = races[-1].round
    ids = {name(d): d for d in DRIVERS}
    team_ids = {v: k for k, v in TEAMS.items()}
    key = f"season={season}/{season}-{last:02d}.parquet"
    _put(
        settings,
        "driver_standings",
        key,
        [
            {
                "round": last,
                "driver_id": ids[s["name"]],
                "driver_given_name": DRIVERS[ids[s["name"]]][0],
                "driver_family_name": DRIVERS[ids[s["name"]]][1],
                "position": s["position"],
                "position_text": str(s["position"]),
                "points": s["points"],
                "wins": s["wins"],
                "constructor_ids": [team_ids[s["team"]]],
            }
            for s in standings(season)
        ],
    )
    _put(
        settings,
        "constructor_standings",
        key,
        [
            {
                "round": last,
                "constructor_id": team_ids[s["name"]],
                "constructor_name": s["name"],
                "position": s["position"],
                "position_text": str(s["position"]),
                "points": s["points"],
                "wins": s["wins"],
            }
            for s in standings(season, by="team")
        ],
    )


def _write_laps(settings: Settings, season: int, rnd: int, key: str) -> None:
    positions = lap_positions(season, rnd)
    laps = [
        {
            "round": rnd,
            "race_date": _date(season, rnd),
            "lap": lap,
            "driver_id": d,
            "position": positions[d][lap - 1],
            "time_millis": t,
        }
        for d, times in LAP_TIMES[(season, rnd)].items()
        for lap, t in enumerate(times, start=1)
    ]
    _put(settings, "laps", key, laps)
    stops = [
        {"round": rnd, "race_date": _date(season, rnd), "driver_id": d, "stop": n}
        | {"lap": lap, "duration_millis": ms}
        for d, n, lap, ms in PIT_STOPS[(season, rnd)]
    ]
    _put(settings, "pit_stops", key, stops)


def build(settings: Settings, seasons: tuple[int, ...] = (2022, 2023)) -> Settings:
    """Write the seasons to the processed bucket and catalog them with the local crawler."""
    make_bucket(settings)
    for season in seasons:
        write_season(settings, season)
    crawl(settings)
    return settings
