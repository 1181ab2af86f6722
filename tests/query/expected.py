"""What each named query must return for the seasons of ``seasondata``, computed here in plain
Python from the same Season objects the lake is written from (not from any query output).

Modern rules only (the test seasons are 2022-2024): points as scored, race and sprint; ties on
points are ordered as the official tables order them: the count-back over Grand Prix places,
then the same over the running order of every entry (position_order), then the name; every
entrant gets a position of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from tests.checks.lakedata import Entry, Season

MECHANICAL = {"Engine", "Gearbox", "Hydraulics"}
ACCIDENTS = {"Collision", "Accident", "Spun off"}


def text(e: Entry) -> str:
    return e.text or (str(e.position) if e.position is not None else "R")


def started(e: Entry) -> bool:
    return text(e) not in ("F", "W")


def driver_name(driver: str) -> str:
    """The test lake's names: given name Title-case, family name upper-case."""
    return f"{driver.title()} {driver.upper()}"


def team_name(team: str) -> str:
    return team.title()


def team_at_end(season: Season, driver: str) -> str:
    """The team of the driver's last Grand Prix of the season."""
    rnd = max(r for r, es in season.races.items() if any(e.driver == driver for e in es))
    return next(e.team for e in season.races[rnd] if e.driver == driver)


def _rank(keys: dict[str, tuple]) -> dict[str, int]:
    """One position each (1, 2, 3, 4) on ascending keys."""
    return {who: i for i, who in enumerate(sorted(keys, key=lambda k: keys[k]), start=1)}


def _running_orders(entries: list[Entry]) -> dict[int, int]:
    """id(entry) -> its position_order, as tests.checks.lakedata writes it."""
    order = sorted(entries, key=lambda e: (e.position is None, e.position or 0))
    return {id(e): i for i, e in enumerate(order, start=1)}


def _countback(counts: Counter[int], deepest: int) -> tuple[int, ...]:
    """Most of each place first, as an ascending sort key."""
    return tuple(-counts[p] for p in range(1, deepest + 1))


def _table(season: Season, who: Callable[[Entry], str], upto: int) -> dict[str, dict]:
    """Points, wins and position of every entrant after round ``upto``."""
    points: dict[str, float] = defaultdict(float)
    places: dict[str, Counter[int]] = defaultdict(Counter)
    running: dict[str, Counter[int]] = defaultdict(Counter)
    wins: dict[str, int] = defaultdict(int)
    for sessions, is_race in ((season.races, True), (season.sprints, False)):
        for rnd, entries in sessions.items():
            if rnd > upto:
                continue
            orders = _running_orders(entries)
            for e in entries:
                points[who(e)] += e.points
                if not is_race:
                    continue
                if text(e).isdigit():
                    places[who(e)][int(text(e))] += 1
                    wins[who(e)] += text(e) == "1"
                if text(e) not in ("D", "E"):
                    running[who(e)][orders[id(e)]] += 1
    deepest = max((p for c in (*places.values(), *running.values()) for p in c), default=0)
    keys = {
        k: (-points[k], _countback(places[k], deepest), _countback(running[k], deepest), k)
        for k in points
    }
    ranks = _rank(keys)
    return {k: {"position": ranks[k], "points": points[k], "wins": wins[k]} for k in points}


def rounds(season: Season) -> list[int]:
    return sorted({*season.races, *season.sprints})


def standings(season: Season, by: str = "driver") -> dict[str, dict]:
    """entrant -> position, points, wins after the season's last round."""
    return _table(season, lambda e: getattr(e, by), rounds(season)[-1])


def progression(season: Season, by: str = "driver") -> dict[tuple[int, str], dict]:
    """(round, entrant) -> position, points after that round, from the entrant's first round."""
    out = {}
    for rnd in rounds(season):
        for who, row in _table(season, lambda e: getattr(e, by), rnd).items():
            out[(rnd, who)] = row
    return out


def wins_podiums(season: Season) -> dict[str, tuple[int, int, int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for entries in season.races.values():
        for e in entries:
            if started(e):
                out[e.driver][0] += text(e) == "1"
                out[e.driver][1] += text(e) in ("1", "2", "3")
                out[e.driver][2] += 1
    return {k: tuple(v) for k, v in out.items()}


def poles_front_rows(season: Season) -> dict[str, tuple[int, int, int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for entries in season.races.values():
        timed = any(e.quali is not None for e in entries)
        for e in entries:
            if not started(e):
                continue
            qualified = e.quali if timed else (e.grid or None)
            out[e.driver][0] += qualified == 1
            out[e.driver][1] += e.grid in (1, 2)
            out[e.driver][2] += 1
    return {k: tuple(v) for k, v in out.items()}


def fastest_laps(season: Season) -> dict[int, tuple[str, int, int]]:
    """round -> (driver, lap, millis) of the lowest lap time."""
    out = {}
    for rnd, entries in season.races.items():
        timed = [e for e in entries if e.fastest]
        if timed:
            best = min(timed, key=lambda e: e.fastest[1])  # type: ignore[index]
            out[rnd] = (best.driver, best.fastest[0], best.fastest[1])  # type: ignore[index]
    return out


def lap_text(millis: int) -> str:
    minutes, rest = divmod(millis, 60_000)
    return f"{minutes}:{rest / 1000:06.3f}"


def dnfs_by_cause(season: Season) -> dict[str, int]:
    return dict(
        Counter(e.status or "Engine" for es in season.races.values() for e in es if text(e) == "R")
    )


def reliability(season: Season) -> dict[str, tuple[int, int, int, int]]:
    """team -> (starts, finishes, dnfs, mechanical dnfs)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for entries in season.races.values():
        for e in entries:
            if not started(e):
                continue
            row = out[e.team]
            row[0] += 1
            row[1] += text(e).isdigit()
            row[2] += text(e) == "R"
            row[3] += text(e) == "R" and (e.status or "Engine") in MECHANICAL
    return {k: tuple(v) for k, v in out.items()}


def head_to_head(
    season: Season, place: Callable[[Entry, list[Entry]], int | None]
) -> dict[frozenset[str], dict[str, int]]:
    """pair of teammates -> {driver: times ahead of the other, "races": races compared}."""
    out: dict[frozenset[str], dict[str, int]] = {}
    for entries in season.races.values():
        by_team: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for e in entries:
            p = place(e, entries)
            if p is not None:
                by_team[e.team].append((e.driver, p))
        for cars in by_team.values():
            for i, (a, pa) in enumerate(cars):
                for b, pb in cars[i + 1 :]:
                    duel = out.setdefault(frozenset((a, b)), {a: 0, b: 0, "races": 0})
                    duel["races"] += 1
                    if pa != pb:
                        duel[a if pa < pb else b] += 1
    return out


def qualifying_place(e: Entry, entries: list[Entry]) -> int | None:
    timed = any(x.quali is not None for x in entries)
    return e.quali if timed else (e.grid or None)


def race_place(e: Entry, entries: list[Entry]) -> int | None:
    """Classification order: classified by position, then the rest in the listed order."""
    if not started(e):
        return None
    order = sorted(entries, key=lambda x: (x.position is None, x.position or 0))
    return order.index(e) + 1


def positions_gained(season: Season) -> dict[str, tuple[int, int, int]]:
    """driver -> (classified finishes, places gained in all, best gain)."""
    gains: dict[str, list[int]] = defaultdict(list)
    for entries in season.races.values():
        starters = sum(started(e) for e in entries)
        for e in entries:
            if started(e) and e.position is not None:
                gains[e.driver].append((e.grid or starters) - e.position)
    return {k: (len(v), sum(v), max(v)) for k, v in gains.items()}


def points_by_circuit(season: Season) -> dict[tuple[int, str], float]:
    out: dict[tuple[int, str], float] = defaultdict(float)
    for sessions in (season.races, season.sprints):
        for rnd, entries in sessions.items():
            for e in entries:
                out[(rnd, e.driver)] += e.points
    return {k: v for k, v in out.items() if v > 0}


def alltime(seasons: Iterable[Season], places: set[str]) -> dict[str, int]:
    """driver -> races finished in ``places`` over every season."""
    out: Counter[str] = Counter()
    for season in seasons:
        for entries in season.races.values():
            out.update(e.driver for e in entries if text(e) in places)
    return dict(out)


def champions(seasons: Iterable[Season]) -> dict[str, list[int]]:
    """driver -> seasons won, for seasons whose whole calendar has been run."""
    out: dict[str, list[int]] = defaultdict(list)
    for season in seasons:
        if season.scheduled - set(season.races):
            continue
        table = standings(season)
        out[next(k for k, v in table.items() if v["position"] == 1)].append(season.year)
    return dict(out)
