"""Build Ergast API responses (status code, JSON body) from a loaded dump.

Pure functions: no I/O, no web framework. The shape follows the recorded real responses key for
key and in key order: every number is a string, an absent value leaves its key out (never null),
``total`` counts rows (results, not races), and a race cut by a page boundary shows up on both
pages with its part of the list.

Time travel: only races dated strictly before ``today`` have happened, so only they have
results, sprints, qualifying, pit stops, lap times and standings; schedules list every race of a season.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from f1lake.replay.dump import Dump, Race, Row

XMLNS = "http://ergast.com/mrd/1.5"
SERIES = "f1"
DEFAULT_LIMIT = 30
MAX_LIMIT = 100

# (CSV column prefix, JSON key) of the weekend sessions; listed in time order in a response.
SESSIONS = (
    ("fp1", "FirstPractice"),
    ("fp2", "SecondPractice"),
    ("fp3", "ThirdPractice"),
    ("quali", "Qualifying"),
    ("sprint", "Sprint"),
)

_SEASON = r"(?P<season>\d{4}|current)"
_ROUND = r"(?P<round>\d{1,3}|last)"
_PATH = re.compile(rf"^(?:{_SEASON}(?:/{_ROUND})?(?:/(?P<endpoint>[A-Za-z]+))?|seasons)$")


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, object]


class RequestError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class Selection:
    """What a path asks for, with ``current``/``last`` resolved."""

    season: int | None  # None: /seasons.json
    round: int | None  # None: the whole season
    season_text: str | None
    round_text: str | None  # as it goes into the Table wrapper (None: leave the key out)
    endpoint: str


def _clean_path(path: str) -> str:
    path = path.strip("/")
    if path.endswith(".json"):
        path = path[: -len(".json")]
    return path.strip("/")


def parse_paging(query: Mapping[str, str]) -> tuple[int, int]:
    """(limit, offset) of a request; limit defaults to 30 and is capped at 100."""
    values = {}
    for name, default in (("limit", DEFAULT_LIMIT), ("offset", 0)):
        raw = query.get(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise RequestError(400, f"{name} must be a whole number, got {raw!r}") from None
        if values[name] < 0:
            raise RequestError(400, f"{name} must not be negative, got {raw!r}")
    return min(values["limit"], MAX_LIMIT), values["offset"]


def _z(time: str | None) -> str | None:
    return None if time is None else f"{time}Z"


def _speed(value: str | None) -> str | None:
    """The CSV stored speeds as floats ("218.3"); the API serves three decimals ("218.300")."""
    if value is None:
        return None
    try:
        return f"{float(value):.3f}"
    except ValueError:
        return value


_LONG_GAP = re.compile(r"^\+(\d{2,})\.(\d+)$")


def _gap(time: str | None) -> str | None:
    """The CSV writes long gaps in seconds ("+67.667"); the API as minutes ("+1:07.667")."""
    match = _LONG_GAP.match(time) if time else None
    if match is None or int(match[1]) < 60:
        return time
    minutes, seconds = divmod(int(match[1]), 60)
    return f"+{minutes}:{seconds:02d}.{match[2]}"


def _sort_text(text: str) -> str:
    """Accent- and case-blind sort key, as the API's database collation orders names."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _compact(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    """A JSON object without the keys whose value is absent."""
    return {k: v for k, v in pairs if v is not None}


class ReplayView:
    """A dump as seen on a given day, with the JSON fragments it serves memoised."""

    def __init__(self, dump: Dump, today: date, *, jolpica: bool = False) -> None:
        self.dump = dump
        self.today = today
        self.jolpica = jolpica
        """Resolve ``current``/``last`` as Jolpica does: ``current`` is the calendar year
        (``current/last`` answers 404 while that season is unpublished), and ``last`` of a
        season with no race run yet is its round 1."""
        self._drivers: dict[str, dict[str, object]] = {}
        self._constructors: dict[str, dict[str, object]] = {}
        self._circuits: dict[str, dict[str, object]] = {}
        self._race_heads: dict[str, dict[str, object]] = {}

    # --- time travel -------------------------------------------------------------------
    def happened(self, race: Race) -> bool:
        return race.day < self.today

    @cached_property
    def current_season(self) -> int | None:
        seasons = self.dump.races_by_season
        if self.today.year in seasons:
            return self.today.year
        return max(seasons) if seasons else None

    @cached_property
    def last_race(self) -> Race | None:
        happened = [r for r in self.dump.races.values() if self.happened(r)]
        return max(happened, key=lambda r: (r.day, r.season, r.round), default=None)

    def last_race_of(self, season: int) -> Race | None:
        happened = [r for r in self.dump.races_by_season.get(season, ()) if self.happened(r)]
        return happened[-1] if happened else None

    def happened_races(self, season: int, round_: int | None) -> list[Race]:
        races = self.dump.races_by_season.get(season, [])
        return [r for r in races if self.happened(r) and (round_ is None or r.round == round_)]

    def scheduled_races(self, season: int, round_: int | None) -> list[Race]:
        races = self.dump.races_by_season.get(season, [])
        return [r for r in races if round_ is None or r.round == round_]

    # --- JSON fragments ----------------------------------------------------------------
    def driver(self, driver_id: str | None) -> dict[str, object]:
        key = driver_id or ""
        if key not in self._drivers:
            row = self.dump.drivers.get(key) or {}
            self._drivers[key] = _compact(
                [
                    ("driverId", row.get("driverRef") or key),
                    ("permanentNumber", row.get("number")),
                    ("code", row.get("code")),
                    ("url", row.get("url") or ""),
                    ("givenName", row.get("forename") or ""),
                    ("familyName", row.get("surname") or ""),
                    ("dateOfBirth", row.get("dob")),
                    ("nationality", row.get("nationality")),
                ]
            )
        return self._drivers[key]

    def constructor(self, constructor_id: str | None) -> dict[str, object]:
        key = constructor_id or ""
        if key not in self._constructors:
            row = self.dump.constructors.get(key) or {}
            self._constructors[key] = _compact(
                [
                    ("constructorId", row.get("constructorRef") or key),
                    ("url", row.get("url") or ""),
                    ("name", row.get("name") or ""),
                    ("nationality", row.get("nationality")),
                ]
            )
        return self._constructors[key]

    def circuit(self, circuit_id: str | None) -> dict[str, object]:
        key = circuit_id or ""
        if key not in self._circuits:
            row = self.dump.circuits.get(key) or {}
            self._circuits[key] = {
                "circuitId": row.get("circuitRef") or key,
                "url": row.get("url") or "",
                "circuitName": row.get("name") or "",
                "Location": _compact(
                    [
                        ("lat", row.get("lat")),
                        ("long", row.get("lng")),
                        ("locality", row.get("location")),
                        ("country", row.get("country")),
                    ]
                ),
            }
        return self._circuits[key]

    def race_head(self, race: Race) -> dict[str, object]:
        """The race fields every race-shaped response starts with."""
        if race.race_id not in self._race_heads:
            row = race.row
            self._race_heads[race.race_id] = _compact(
                [
                    ("season", str(race.season)),
                    ("round", str(race.round)),
                    ("url", row.get("url")),
                    ("raceName", row.get("name") or ""),
                    ("Circuit", self.circuit(row.get("circuitId"))),
                    ("date", race.day.isoformat()),
                    ("time", _z(row.get("time"))),
                ]
            )
        return self._race_heads[race.race_id]

    def schedule_entry(self, race: Race) -> dict[str, object]:
        """A race with its weekend sessions (from 2021 on), listed in the order they run."""
        sessions = []
        for order, (prefix, key) in enumerate(SESSIONS):
            day = race.row.get(f"{prefix}_date")
            if day is None:
                continue
            time = race.row.get(f"{prefix}_time")
            sessions.append(
                (day, time or "", order, key, _compact([("date", day), ("time", _z(time))]))
            )
        sessions.sort()
        return {**self.race_head(race), **{s[3]: s[4] for s in sessions}}

    def status_text(self, status_id: str | None) -> str:
        return self.dump.status.get(status_id or "", "")

    def result(self, row: Row) -> dict[str, object]:
        time = _gap(row.get("time"))
        millis = row.get("milliseconds")
        fastest = None
        if row.get("fastestLap") is not None or row.get("fastestLapTime") is not None:
            lap_time = row.get("fastestLapTime")
            speed = _speed(row.get("fastestLapSpeed"))
            fastest = _compact(
                [
                    ("rank", row.get("rank")),
                    ("lap", row.get("fastestLap")),
                    ("Time", None if lap_time is None else {"time": lap_time}),
                    ("AverageSpeed", None if speed is None else {"units": "kph", "speed": speed}),
                ]
            )
        return _compact(
            [
                ("number", row.get("number")),
                ("position", row.get("positionOrder")),
                ("positionText", row.get("positionText")),
                ("points", row.get("points")),
                ("Driver", self.driver(row.get("driverId"))),
                ("Constructor", self.constructor(row.get("constructorId"))),
                ("grid", row.get("grid")),
                ("laps", row.get("laps")),
                ("status", self.status_text(row.get("statusId"))),
                ("Time", None if time is None else _compact([("millis", millis), ("time", time)])),
                ("FastestLap", fastest),
            ]
        )

    def qualifying(self, row: Row) -> dict[str, object]:
        return _compact(
            [
                ("number", row.get("number")),
                ("position", row.get("position")),
                ("Driver", self.driver(row.get("driverId"))),
                ("Constructor", self.constructor(row.get("constructorId"))),
                ("Q1", row.get("q1") or None),
                ("Q2", row.get("q2") or None),
                ("Q3", row.get("q3") or None),
            ]
        )

    def pit_stop(self, row: Row) -> dict[str, object]:
        return _compact(
            [
                ("driverId", self.driver(row.get("driverId"))["driverId"]),
                ("lap", row.get("lap")),
                ("stop", row.get("stop")),
                ("time", row.get("time")),
                ("duration", row.get("duration")),
            ]
        )

    def lap_timing(self, row: Row) -> dict[str, object]:
        return _compact(
            [
                ("driverId", self.driver(row.get("driverId"))["driverId"]),
                ("position", row.get("position")),
                ("time", row.get("time")),
            ]
        )


# --- endpoint builders: each returns (table name, list key, rows, how to page them) ---------


def _race_rows(
    view: ReplayView, sel: Selection, table: Mapping[str, list[Row]]
) -> list[tuple[Race, Row]]:
    """(race, row) of every row of the selected races that happened, in race order."""
    rows: list[tuple[Race, Row]] = []
    for race in view.happened_races(sel.season or 0, sel.round):
        rows.extend((race, row) for row in table.get(race.race_id, ()))
    return rows


def _group_by_race(
    view: ReplayView, page: list[tuple[Race, dict[str, object]]], list_key: str
) -> list[dict[str, object]]:
    races: list[dict[str, object]] = []
    current: Race | None = None
    for race, item in page:
        if race is not current:
            races.append({**view.race_head(race), list_key: []})
            current = race
        races[-1][list_key].append(item)  # type: ignore[union-attr]
    return races


def _laps(view: ReplayView, page: list[tuple[Race, Row]]) -> list[dict[str, object]]:
    """Races of a page of timings, each with its laps: a lap cut by the page boundary shows up
    on both pages with its part of the timings, as a race does."""
    races: list[dict[str, object]] = []
    for race, row in page:
        if not races or races[-1]["round"] != str(race.round):
            races.append({**view.race_head(race), "Laps": []})
        laps: list[dict[str, object]] = races[-1]["Laps"]  # type: ignore[assignment]
        if not laps or laps[-1]["number"] != row.get("lap"):
            laps.append({"number": row.get("lap"), "Timings": []})
        laps[-1]["Timings"].append(view.lap_timing(row))  # type: ignore[union-attr]
    return races


def _standings(
    view: ReplayView, sel: Selection, kind: str, limit: int, offset: int
) -> tuple[int, list[dict[str, object]]]:
    """(total rows, StandingsLists) after the asked round, or the season's last raced round."""
    dump = view.dump
    table = dump.driver_standings if kind == "driver" else dump.constructor_standings
    races = [r for r in view.happened_races(sel.season or 0, None) if r.race_id in table]
    if sel.round is not None:
        races = [r for r in races if r.round == sel.round]
    if not races:
        return 0, []
    race = races[-1]
    rows = table[race.race_id]
    page = rows[offset : offset + limit]
    if kind == "driver":
        teams = _driver_teams(view, race)
        items = [
            _compact(
                [
                    ("position", row.get("position")),
                    ("positionText", row.get("positionText")),
                    ("points", row.get("points")),
                    ("wins", row.get("wins")),
                    ("Driver", view.driver(row.get("driverId"))),
                    (
                        "Constructors",
                        [view.constructor(c) for c in teams.get(row.get("driverId") or "", [])],
                    ),
                ]
            )
            for row in page
        ]
        list_key = "DriverStandings"
    else:
        items = [
            _compact(
                [
                    ("position", row.get("position")),
                    ("positionText", row.get("positionText")),
                    ("points", row.get("points")),
                    ("wins", row.get("wins")),
                    ("Constructor", view.constructor(row.get("constructorId"))),
                ]
            )
            for row in page
        ]
        list_key = "ConstructorStandings"
    lists = (
        [{"season": str(race.season), "round": str(race.round), list_key: items}] if items else []
    )
    return len(rows), lists


def _driver_teams(view: ReplayView, race: Race) -> dict[str, list[str]]:
    """constructorIds each driver raced for in the season up to ``race``, in first-drive order."""
    teams: dict[str, list[str]] = {}
    for earlier in view.dump.races_by_season.get(race.season, []):
        if earlier.round > race.round:
            break
        for table in (view.dump.results, view.dump.sprint_results):
            for row in table.get(earlier.race_id, ()):
                driver, team = row.get("driverId") or "", row.get("constructorId") or ""
                known = teams.setdefault(driver, [])
                if team not in known:
                    known.append(team)
    return teams


def _sorted_unique(items: Iterable[tuple[object, dict[str, object]]]) -> list[dict[str, object]]:
    return [obj for _, obj in sorted(dict(items).items())]


def _people(view: ReplayView, sel: Selection, kind: str) -> list[dict[str, object]]:
    """Drivers (by family name) or constructors (by name) with a result in the selection."""
    found: list[tuple[object, dict[str, object]]] = []
    for race in view.happened_races(sel.season or 0, sel.round):
        for table in (view.dump.results, view.dump.sprint_results):
            for row in table.get(race.race_id, ()):
                if kind == "driver":
                    obj = view.driver(row.get("driverId"))
                    key: object = (
                        _sort_text(str(obj["familyName"])),
                        _sort_text(str(obj["givenName"])),
                        obj["driverId"],
                    )
                else:
                    obj = view.constructor(row.get("constructorId"))
                    key = (_sort_text(str(obj["name"])), obj["constructorId"])
                found.append((key, obj))
    return _sorted_unique(found)


def _circuits(view: ReplayView, sel: Selection) -> list[dict[str, object]]:
    found = []
    for race in view.scheduled_races(sel.season or 0, sel.round):
        obj = view.circuit(race.row.get("circuitId"))
        found.append((str(obj["circuitId"]), obj))
    return _sorted_unique(found)


def _status(view: ReplayView, sel: Selection) -> list[dict[str, object]]:
    counts: Counter[str] = Counter()
    for race in view.happened_races(sel.season or 0, sel.round):
        counts.update(row.get("statusId") or "" for row in view.dump.results.get(race.race_id, ()))
    return [
        {"statusId": sid, "count": str(n), "status": view.status_text(sid)}
        for sid, n in sorted(counts.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)
    ]


def _seasons(view: ReplayView, sel: Selection) -> list[dict[str, object]]:
    dump = view.dump
    if sel.season is None:
        years = list(dump.seasons)
    elif sel.season not in dump.seasons or (
        sel.round is not None and dump.race(sel.season, sel.round) is None
    ):
        years = []
    else:
        years = [sel.season]
    return [_compact([("season", str(y)), ("url", dump.seasons.get(y))]) for y in years]


ENDPOINTS = {
    "races": "races",
    "results": "results",
    "sprint": "sprint",
    "qualifying": "qualifying",
    "pitstops": "pitstops",
    "laps": "laps",
    "driverstandings": "driverStandings",
    "constructorstandings": "constructorStandings",
    "drivers": "drivers",
    "constructors": "constructors",
    "circuits": "circuits",
    "status": "status",
    "seasons": "seasons",
}


def select(view: ReplayView, path: str) -> Selection:
    """Parse a request path (below /ergast/f1/), resolving ``current`` and ``last``."""
    clean = _clean_path(path)
    match = _PATH.match(clean)
    if not match:
        raise RequestError(404, f"Unknown Ergast endpoint: /{path.strip('/')}")
    if clean == "seasons":
        return Selection(None, None, None, None, "seasons")
    endpoint_text = match["endpoint"]
    endpoint = "races" if endpoint_text is None else ENDPOINTS.get(endpoint_text.lower())
    if endpoint is None:
        raise RequestError(404, f"Unknown Ergast endpoint {endpoint_text!r} in /{clean}")
    season_text, round_text = match["season"], match["round"]
    if season_text == "current" and view.jolpica:
        season = view.today.year
        if round_text == "last" and season not in view.dump.races_by_season:
            raise RequestError(404, "Race round not found.")
    elif season_text == "current":
        season = view.current_season or 0
        if round_text == "last" and view.last_race is not None:
            season = view.last_race.season
    else:
        season = int(season_text)
    round_: int | None = None
    round_out: str | None = None
    if round_text == "last":
        last = view.last_race_of(season)
        if last is None and view.jolpica:
            last = next(iter(view.scheduled_races(season, None)), None)
        round_ = last.round if last is not None else 0
        round_out = str(last.round) if last is not None else None
    elif round_text is not None:
        round_ = int(round_text)
        round_out = str(round_)
    return Selection(season, round_, str(season), round_out, endpoint)


def _mrdata(url: str, limit: int, offset: int, total: int, table_key: str, table: dict) -> dict:
    return {
        "MRData": {
            "xmlns": XMLNS,
            "series": SERIES,
            "url": url,
            "limit": str(limit),
            "offset": str(offset),
            "total": str(total),
            table_key: table,
        }
    }


_RACE_LISTS = {
    "results": "Results",
    "sprint": "SprintResults",
    "qualifying": "QualifyingResults",
    "pitstops": "PitStops",
}
_TABLES = {
    "drivers": ("DriverTable", "Drivers"),
    "constructors": ("ConstructorTable", "Constructors"),
    "circuits": ("CircuitTable", "Circuits"),
    "status": ("StatusTable", "Status"),
    "seasons": ("SeasonTable", "Seasons"),
}


def respond(view: ReplayView, path: str, query: Mapping[str, str], url: str) -> Response:
    """The Ergast answer to ``GET <base>/<path>?<query>``; ``url`` is echoed in MRData."""
    try:
        limit, offset = parse_paging(query)
        sel = select(view, path)
    except RequestError as exc:
        return Response(exc.status, {"detail": exc.detail})
    wrapper = _compact([("season", sel.season_text), ("round", sel.round_text)])
    endpoint = sel.endpoint
    if endpoint == "races":
        races = view.scheduled_races(sel.season or 0, sel.round)
        page = [view.schedule_entry(r) for r in races[offset : offset + limit]]
        table = {**wrapper, "Races": page}
        return Response(200, _mrdata(url, limit, offset, len(races), "RaceTable", table))
    if endpoint in _RACE_LISTS:
        dump = view.dump
        builders: dict[str, tuple[Mapping[str, list[Row]], Callable[[Row], dict[str, object]]]] = {
            "results": (dump.results, view.result),
            "sprint": (dump.sprint_results, view.result),
            "qualifying": (dump.qualifying, view.qualifying),
            "pitstops": (dump.pit_stops, view.pit_stop),
        }
        source, build = builders[endpoint]
        rows = _race_rows(view, sel, source)
        page = [(race, build(row)) for race, row in rows[offset : offset + limit]]
        table = {**wrapper, "Races": _group_by_race(view, page, _RACE_LISTS[endpoint])}
        return Response(200, _mrdata(url, limit, offset, len(rows), "RaceTable", table))
    if endpoint == "laps":
        if sel.round is None:  # as Jolpica: lap times are served per race only
            detail = f"lap times need a round: /{{season}}/{{round}}/laps, not /{_clean_path(path)}"
            return Response(400, {"detail": detail})
        rows = _race_rows(view, sel, view.dump.lap_times)
        table = {**wrapper, "Races": _laps(view, rows[offset : offset + limit])}
        return Response(200, _mrdata(url, limit, offset, len(rows), "RaceTable", table))
    if endpoint in ("driverStandings", "constructorStandings"):
        kind = "driver" if endpoint == "driverStandings" else "constructor"
        total, lists = _standings(view, sel, kind, limit, offset)
        table = {**wrapper, "StandingsLists": lists}
        return Response(200, _mrdata(url, limit, offset, total, "StandingsTable", table))
    table_key, list_key = _TABLES[endpoint]
    if endpoint == "drivers":
        items = _people(view, sel, "driver")
    elif endpoint == "constructors":
        items = _people(view, sel, "constructor")
    elif endpoint == "circuits":
        items = _circuits(view, sel)
    elif endpoint == "status":
        items = _status(view, sel)
    else:
        items = _seasons(view, sel)
    table = {**wrapper, list_key: items[offset : offset + limit]}
    return Response(200, _mrdata(url, limit, offset, len(items), table_key, table))
