"""A small, invented Ergast CSV dump in the exact layout of the classic export.

Tests write it to a temporary folder instead of reading the real dump, so they run on a fresh
machine and know every row. Nothing here comes from the real data: names, teams, circuits and
times are made up; only the shape (file names, header rows, ``\\N`` for null, quoting) is real.

What is in it
-------------
* Season 2022: rounds 1-3, all with results, 20 result rows each except round 2 (21 rows:
  driver ``ravel`` appears twice, a shared car). Round 1 has no race time, no session dates and
  no fastest-lap data at all, plus a withdrawn entry (``W``) without a car number; round 3 is a
  half-points race (points 12.5 ... "0.5").
* Season 2023: rounds 1-7. Rounds 1-5 happened before :data:`MINIDUMP_TODAY` and have 22
  results each (110 rows: with limit=100 round 5 spans result rows 88..109, so it is cut by the
  page boundary at offset 100). Round 6 is dated exactly :data:`MINIDUMP_TODAY` (not strictly
  before it, so it has not happened) and round 7 later; neither has any results.
  Round 2 is a sprint weekend (22 sprint rows, points 8..1, no fastest-lap rank).
* Every 2023 race has, by finishing order: 15 classified with a time, 3 lapped cars (status
  "+1 Lap"/"+2 Laps", no time), 2 retirements ("R"), 1 retirement on lap 0 without any fastest
  lap data, and 1 disqualification ("D"). Round 3 has a pit-lane start (grid 0).
* Driver 22 (``quill``) has neither a permanent number nor a code. In 2023 drivers 19 and 21
  swap teams after round 3, so their standings rows list two constructors.
* Qualifying for every raced round (Q2 for the top 15, Q3 for the top 10, one entry without any
  time), pit stops for the 2023 rounds, and driver/constructor standings after every raced
  round, computed from the results and sprint rows (points, then count-back of positions).
* Lap times (``lap_times.csv``) for the 2023 rounds: every lap each driver completed (his
  result's ``laps``), positions by elapsed time at the end of each lap; about 1,000 rows a race,
  so a race's laps take 10-11 pages of 100.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

NULL = "\\N"
MINIDUMP_TODAY = date(2023, 9, 1)
"""A `today` at which 2023 rounds 1-5 have happened and rounds 6-7 have not."""
MINIDUMP_LAST_RACE_DATE = date(2023, 8, 27)
"""Date of the latest race with results (2023 round 5)."""
MINIDUMP_SEASONS = (2022, 2023)
MINIDUMP_COMPLETED_ROUNDS = {2022: 3, 2023: 5}
MINIDUMP_SCHEDULED_ROUNDS = {2022: 3, 2023: 7}
MINIDUMP_SPRINT_ROUND = (2023, 2)

# Tables whose string cells are double-quoted in the real export; the result-like tables are not.
_QUOTED_TABLES = {"circuits", "constructors", "drivers", "races", "seasons", "status"}

HEADERS: dict[str, list[str]] = {
    "circuits": [
        "circuitId",
        "circuitRef",
        "name",
        "location",
        "country",
        "lat",
        "lng",
        "alt",
        "url",
    ],
    "constructor_results": ["constructorResultsId", "raceId", "constructorId", "points", "status"],
    "constructor_standings": (
        [
            "constructorStandingsId",
            "raceId",
            "constructorId",
            "points",
            "position",
            "positionText",
            "wins",
        ]
    ),
    "constructors": ["constructorId", "constructorRef", "name", "nationality", "url"],
    "driver_standings": (
        ["driverStandingsId", "raceId", "driverId", "points", "position", "positionText", "wins"]
    ),
    "drivers": [
        "driverId",
        "driverRef",
        "number",
        "code",
        "forename",
        "surname",
        "dob",
        "nationality",
        "url",
    ],
    "pit_stops": ["raceId", "driverId", "stop", "lap", "time", "duration", "milliseconds"],
    "lap_times": ["raceId", "driverId", "lap", "position", "time", "milliseconds"],
    "qualifying": [
        "qualifyId",
        "raceId",
        "driverId",
        "constructorId",
        "number",
        "position",
        "q1",
        "q2",
        "q3",
    ],
    "races": [
        "raceId",
        "year",
        "round",
        "circuitId",
        "name",
        "date",
        "time",
        "url",
        "fp1_date",
        "fp1_time",
        "fp2_date",
        "fp2_time",
        "fp3_date",
        "fp3_time",
        "quali_date",
        "quali_time",
        "sprint_date",
        "sprint_time",
    ],
    "results": [
        "resultId",
        "raceId",
        "driverId",
        "constructorId",
        "number",
        "grid",
        "position",
        "positionText",
        "positionOrder",
        "points",
        "laps",
        "time",
        "milliseconds",
        "fastestLap",
        "rank",
        "fastestLapTime",
        "fastestLapSpeed",
        "statusId",
    ],
    "seasons": ["year", "url"],
    "sprint_results": [
        "resultId",
        "raceId",
        "driverId",
        "constructorId",
        "number",
        "grid",
        "position",
        "positionText",
        "positionOrder",
        "points",
        "laps",
        "time",
        "milliseconds",
        "fastestLap",
        "fastestLapTime",
        "statusId",
        "rank",
    ],
    "status": ["statusId", "status"],
}

STATUS = {
    1: "Finished",
    2: "Disqualified",
    3: "Accident",
    4: "Collision",
    5: "Engine",
    11: "+1 Lap",
    12: "+2 Laps",
    54: "Withdrew",
}

_CIRCUITS = [
    (1, "harbour_ring", "Harbour Ring", "Port Alden", "Freedonia", -33.8512, 151.2093, 12),
    (2, "sandvale", "Sandvale International Circuit", "Sandvale", "Qumar", 26.0325, 50.5106, 7),
    (3, "kelm_park", "Kelm Park Raceway", "Kelm", "Ruritania", 48.1351, 11.582, 520),
    (4, "north_loop", "North Loop", "Brisk", "Latveria", 61.0, 24.5, NULL),
    (5, "coastline", "Coastline Street Circuit", "Marisol", "Freedonia", 43.7347, 7.4206, 7),
    (6, "highland", "Highland Autodrome", "Glenmoor", "Ruritania", 56.3, -3.9, 301),
]
_TEAMS = [
    "Falcon",
    "Meridian",
    "Kestrel",
    "Solstice",
    "Arrowhead",
    "Blue Comet",
    "Cinder",
    "Duneline",
    "Emberfield",
    "Frostgate",
    "Glimmer",
]
_DRIVERS = [  # (forename, surname, nationality)
    ("Aiden", "Ravel", "Freedonian"),
    ("Bruno", "Castell", "Ruritanian"),
    ("Cyril", "Dunmore", "Latverian"),
    ("Dario", "Estrel", "Qumari"),
    ("Elio", "Farrant", "Freedonian"),
    ("Felix", "Garrow", "Ruritanian"),
    ("Gian", "Holt", "Latverian"),
    ("Hugo", "Ibarra", "Qumari"),
    ("Ivo", "Jessup", "Freedonian"),
    ("Jules", "Kestner", "Ruritanian"),
    ("Kai", "Lorne", "Latverian"),
    ("Luca", "Marek", "Qumari"),
    ("Milo", "Norrell", "Freedonian"),
    ("Nico", "Orlov", "Ruritanian"),
    ("Otto", "Pryce", "Latverian"),
    ("Pavel", "Quint", "Qumari"),
    ("Rafe", "Sollen", "Freedonian"),
    ("Silas", "Tarrow", "Ruritanian"),
    ("Theo", "Ulric", "Latverian"),
    ("Umar", "Vance", "Qumari"),
    ("Vito", "Wren", "Freedonian"),
    ("Wade", "Quill", "Ruritanian"),  # id 22: no permanent number, no code
    ("Xavier", "Yarrow", "Latverian"),  # id 23: 2022 only
]
_NO_NUMBER_DRIVER = 22
_POINTS = [25, 18, 15, 12, 10, 8, 6, 4, 2, 1]
_HALF_POINTS = ["12.5", "9", "7.5", "6", "5", "4", "3", "2", "1", "0.5"]
_SPRINT_POINTS = [8, 7, 6, 5, 4, 3, 2, 1]


@dataclass(frozen=True)
class _Race:
    race_id: int
    year: int
    round: int
    circuit_id: int
    name: str
    day: date
    time: str
    sessions: bool
    sprint: bool


_RACES = [
    _Race(101, 2022, 1, 1, "Harbour Grand Prix", date(2022, 3, 20), NULL, False, False),
    _Race(102, 2022, 2, 2, "Sandvale Grand Prix", date(2022, 4, 10), "15:00:00", True, False),
    _Race(103, 2022, 3, 3, "Kelm Grand Prix", date(2022, 5, 8), "13:00:00", True, False),
    _Race(201, 2023, 1, 2, "Sandvale Grand Prix", date(2023, 3, 5), "15:00:00", True, False),
    _Race(202, 2023, 2, 4, "Northern Grand Prix", date(2023, 4, 30), "11:00:00", True, True),
    _Race(203, 2023, 3, 5, "Coastline Grand Prix", date(2023, 5, 28), "13:00:00", True, False),
    _Race(204, 2023, 4, 1, "Harbour Grand Prix", date(2023, 7, 9), "06:00:00", True, False),
    _Race(205, 2023, 5, 6, "Highland Grand Prix", MINIDUMP_LAST_RACE_DATE, "14:00:00", True, False),
    _Race(206, 2023, 6, 3, "Kelm Grand Prix", MINIDUMP_TODAY, "13:00:00", True, False),
    _Race(207, 2023, 7, 5, "Marisol Night Grand Prix", date(2023, 9, 17), "12:00:00", True, False),
]


def _wiki(title: str) -> str:
    return "http://en.wikipedia.org/wiki/" + title.replace(" ", "_")


def _ref(surname: str) -> str:
    return surname.lower()


def _lap_time(rng: random.Random) -> tuple[str, int]:
    ms = rng.randint(80_000, 95_000)
    return f"{ms // 60_000}:{(ms % 60_000) / 1000:06.3f}", ms


def _race_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest / 1000:06.3f}"


def _gap(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    return f"+{minutes}:{rest / 1000:06.3f}" if minutes else f"+{rest / 1000:.3f}"


def _lineup(race: _Race) -> list[tuple[int, int]]:
    """(driverId, constructorId) entries of a race, in entry order."""
    if race.year == 2022:
        drivers = [*range(1, 20), 23]
        entries = [(d, i // 2 + 1) for i, d in enumerate(drivers)]
        if race.round == 2:
            entries.append((1, 2))  # shared car: Ravel also drives the second Meridian
        return entries
    entries = [(d, (d - 1) // 2 + 1) for d in range(1, 23)]
    if race.round >= 4:  # drivers 19 and 21 swap teams
        entries[18], entries[20] = (19, 11), (21, 10)
    return entries


def _car_number(driver_id: int) -> int:
    return 1 if driver_id == 1 else driver_id + 2


def _race_results(race: _Race, rng: random.Random, first_id: int) -> list[dict[str, object]]:
    entries = _lineup(race)
    rng.shuffle(entries)
    n = len(entries)
    laps = 50
    rows: list[dict[str, object]] = []
    winner_ms = rng.randint(5_400_000, 5_700_000)
    gap = 0
    fastest: list[tuple[int, int]] = []
    for i, (driver_id, team_id) in enumerate(entries):
        order = i + 1
        row: dict[str, object] = {
            "resultId": first_id + i,
            "raceId": race.race_id,
            "driverId": driver_id,
            "constructorId": team_id,
            "number": _car_number(driver_id),
            "grid": rng.randint(1, n),
            "position": order,
            "positionText": str(order),
            "positionOrder": order,
            "points": 0,
            "laps": laps,
            "time": NULL,
            "milliseconds": NULL,
            "fastestLap": NULL,
            "rank": NULL,
            "fastestLapTime": NULL,
            "fastestLapSpeed": NULL,
            "statusId": 1,
        }
        if order <= 10:
            row["points"] = (_HALF_POINTS if (race.year, race.round) == (2022, 3) else _POINTS)[i]
        classified_with_time = n - 7 if race.year == 2023 else n - 5
        if order == 1:
            row["time"], row["milliseconds"] = _race_time(winner_ms), winner_ms
        elif order <= classified_with_time:
            gap += rng.randint(800, 9_000)
            row["time"], row["milliseconds"] = _gap(gap), winner_ms + gap
        elif order <= n - 4:  # lapped cars
            down = 1 if order < n - 4 else 2
            row["laps"], row["statusId"] = laps - down, 10 + down
        elif order <= n - 2:  # retired
            row.update(position=NULL, positionText="R", laps=rng.randint(5, 40), statusId=5)
        elif order == n - 1:  # retired on the first lap
            row.update(position=NULL, positionText="R", laps=0, statusId=4)
        else:  # disqualified
            row.update(position=NULL, positionText="D", statusId=2)
        if (race.year, race.round) == (2022, 1) and order == n:
            row.update(number=NULL, grid=0, laps=0, positionText="W", position=NULL, statusId=54)
        if (race.year, race.round) == (2023, 3) and order == 8:
            row["grid"] = 0  # pit-lane start
        if row["laps"] and (race.year, race.round) != (2022, 1):
            lap_ms = rng.randint(80_000, 95_000)
            fastest.append((lap_ms, i))
            row["fastestLap"] = rng.randint(1, int(row["laps"]))
            row["fastestLapTime"] = f"{lap_ms // 60_000}:{(lap_ms % 60_000) / 1000:06.3f}"
            row["fastestLapSpeed"] = f"{5_000 * 3600 / lap_ms:.3f}"
        rows.append(row)
    for rank, (_, i) in enumerate(sorted(fastest), start=1):
        rows[i]["rank"] = rank
    return rows


def _sprint_results(race: _Race, rng: random.Random, first_id: int) -> list[dict[str, object]]:
    entries = _lineup(race)
    rng.shuffle(entries)
    rows = []
    winner_ms = rng.randint(1_900_000, 2_000_000)
    gap = 0
    for i, (driver_id, team_id) in enumerate(entries):
        order = i + 1
        lap_time, _ = _lap_time(rng)
        row: dict[str, object] = {
            "resultId": first_id + i,
            "raceId": race.race_id,
            "driverId": driver_id,
            "constructorId": team_id,
            "number": _car_number(driver_id),
            "grid": order if order > 3 else 4 - order,
            "position": order,
            "positionText": str(order),
            "positionOrder": order,
            "points": _SPRINT_POINTS[i] if i < len(_SPRINT_POINTS) else 0,
            "laps": 17,
            "time": NULL,
            "milliseconds": NULL,
            "fastestLap": rng.randint(2, 17),
            "fastestLapTime": lap_time,
            "statusId": 1,
            "rank": NULL,
        }
        if order == 1:
            ms = winner_ms
            row["time"], row["milliseconds"] = f"{ms // 60_000}:{(ms % 60_000) / 1000:06.3f}", ms
        elif order < len(entries):
            gap += rng.randint(300, 4_000)
            row["time"], row["milliseconds"] = _gap(gap), winner_ms + gap
        else:
            row.update(
                position=NULL,
                positionText="R",
                laps=3,
                statusId=3,
                fastestLap=NULL,
                fastestLapTime=NULL,
            )
        rows.append(row)
    return rows


def _qualifying(race: _Race, rng: random.Random, first_id: int) -> list[dict[str, object]]:
    entries = _lineup(race)
    seen: set[int] = set()
    entries = [e for e in entries if not (e[0] in seen or seen.add(e[0]))]  # one per driver
    rng.shuffle(entries)
    rows = []
    for i, (driver_id, team_id) in enumerate(entries):
        pos = i + 1
        q1 = _lap_time(rng)[0] if pos < len(entries) else NULL  # the last one set no time
        rows.append(
            {
                "qualifyId": first_id + i,
                "raceId": race.race_id,
                "driverId": driver_id,
                "constructorId": team_id,
                "number": _car_number(driver_id),
                "position": pos,
                "q1": q1,
                "q2": _lap_time(rng)[0] if pos <= 15 else NULL,
                "q3": _lap_time(rng)[0] if pos <= 10 else NULL,
            }
        )
    return rows


def _pit_stops(race: _Race, results: list[dict[str, object]]) -> list[dict[str, object]]:
    rows = []
    hour = int(race.time[:2])
    for k, res in enumerate(results[:6]):
        for stop in (1, 2) if k % 2 == 0 else (1,):
            lap = 12 * stop + k
            duration_ms = 21_000 + 731 * k + 97 * stop
            rows.append(
                {
                    "raceId": race.race_id,
                    "driverId": res["driverId"],
                    "stop": stop,
                    "lap": lap,
                    "time": f"{hour + stop:02d}:{10 + k:02d}:{20 + stop:02d}",
                    "duration": f"{duration_ms / 1000:.3f}",
                    "milliseconds": duration_ms,
                }
            )
    rows.sort(key=lambda r: (r["time"], r["driverId"]))
    return rows


def _lap_times(race: _Race, results: list[dict[str, object]]) -> list[dict[str, object]]:
    """Every lap each driver completed, positioned by elapsed time (own seed: the other tables
    stay as they were)."""
    rng = random.Random(race.race_id)
    elapsed: dict[object, int] = {}
    rows = []
    for lap in range(1, max(int(r["laps"]) for r in results) + 1):
        timed = []
        for res in results:
            if int(res["laps"]) >= lap:
                ms = rng.randint(80_000, 95_000)
                elapsed[res["driverId"]] = elapsed.get(res["driverId"], 0) + ms
                timed.append((elapsed[res["driverId"]], res["driverId"], ms))
        for position, (_, driver_id, ms) in enumerate(sorted(timed), start=1):
            text = f"{ms // 60_000}:{(ms % 60_000) / 1000:06.3f}"
            rows.append(
                {
                    "raceId": race.race_id,
                    "driverId": driver_id,
                    "lap": lap,
                    "position": position,
                    "time": text,
                    "milliseconds": ms,
                }
            )
    return rows


def _standings(
    scored: list[tuple[int, list[dict[str, object]]]], key: str, first_id: int
) -> list[dict[str, object]]:
    """Standings after each race of one season: points, then wins and count-back of places."""
    rows = []
    points: dict[int, float] = defaultdict(float)
    places: dict[int, list[int]] = defaultdict(lambda: [0] * 60)
    for race_id, race_rows in scored:
        for r in race_rows:
            entity = int(r[key])
            points[entity] += float(r["points"])
            if r.get("_race") and r["positionText"].isdigit():
                places[entity][int(r["positionOrder"])] += 1
        if not any(r.get("_race") for r in race_rows):
            continue  # sprint rows only add points; standings are written after the race
        ranking = sorted(points, key=lambda e: (-points[e], [-c for c in places[e][1:]], e))
        for pos, entity in enumerate(ranking, start=1):
            pts = points[entity]
            rows.append(
                {
                    f"{'driver' if key == 'driverId' else 'constructor'}StandingsId": first_id
                    + len(rows),
                    "raceId": race_id,
                    key: entity,
                    "points": int(pts) if pts.is_integer() else pts,
                    "position": pos,
                    "positionText": str(pos),
                    "wins": places[entity][1],
                }
            )
    return rows


def _cell(value: object, quoted: bool) -> str:
    if isinstance(value, str) and value != NULL and quoted:
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def _write(directory: Path, table: str, rows: list[dict[str, object]]) -> None:
    header = HEADERS[table]
    quoted = table in _QUOTED_TABLES
    lines = [",".join(header)]
    lines += [",".join(_cell(row[c], quoted) for c in header) for row in rows]
    (directory / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _session_cells(race: _Race) -> dict[str, object]:
    cells: dict[str, object] = {}
    for name, day_offset, hour in (
        ("fp1", -2, "11:30:00"),
        ("fp2", -1 if race.sprint else -2, "15:00:00"),
        ("fp3", -1, "11:30:00"),
        ("quali", -1 if not race.sprint else -2, "15:00:00"),
        ("sprint", -1, "14:30:00"),
    ):
        applies = race.sessions and (name != "fp3" or not race.sprint)
        applies = applies and (name != "sprint" or race.sprint)
        day = date.fromordinal(race.day.toordinal() + day_offset)
        cells[f"{name}_date"] = day.isoformat() if applies else NULL
        cells[f"{name}_time"] = hour if applies else NULL
    return cells


def write_minidump(directory: Path) -> Path:
    """Write the invented dump's CSV files into ``directory`` (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20230901)
    tables: dict[str, list[dict[str, object]]] = defaultdict(list)
    tables["circuits"] = [
        dict(zip(HEADERS["circuits"], (*c, _wiki(str(c[2]))), strict=True)) for c in _CIRCUITS
    ]
    tables["constructors"] = [
        {
            "constructorId": i,
            "constructorRef": name.lower().replace(" ", "_"),
            "name": name,
            "nationality": ["Freedonian", "Ruritanian", "Latverian"][i % 3],
            "url": f"http://en.wikipedia.org/wiki/{name.replace(' ', '_')}_(racing_team)",
        }
        for i, name in enumerate(_TEAMS, start=1)
    ]
    tables["drivers"] = [
        {
            "driverId": i,
            "driverRef": _ref(surname),
            "number": NULL if i in (_NO_NUMBER_DRIVER, 23) else _car_number(i),
            "code": NULL if i == _NO_NUMBER_DRIVER else surname[:3].upper(),
            "forename": forename,
            "surname": surname,
            "dob": date(1985 + i % 15, 1 + i % 12, 1 + i).isoformat(),
            "nationality": nationality,
            "url": f"http://en.wikipedia.org/wiki/{forename}_{surname}",
        }
        for i, (forename, surname, nationality) in enumerate(_DRIVERS, start=1)
    ]
    tables["status"] = [{"statusId": k, "status": v} for k, v in STATUS.items()]
    tables["seasons"] = [
        {"year": y, "url": f"http://en.wikipedia.org/wiki/{y}_Formula_One_season"}
        for y in MINIDUMP_SEASONS
    ]
    for race in _RACES:
        tables["races"].append(
            {
                "raceId": race.race_id,
                "year": race.year,
                "round": race.round,
                "circuitId": race.circuit_id,
                "name": race.name,
                "date": race.day.isoformat(),
                "time": race.time,
                "url": f"https://en.wikipedia.org/wiki/{race.year}_{race.name.replace(' ', '_')}",
                **_session_cells(race),
            }
        )
    for year in MINIDUMP_SEASONS:
        scored_drivers: list[tuple[int, list[dict[str, object]]]] = []
        scored_teams: list[tuple[int, list[dict[str, object]]]] = []
        for race in (r for r in _RACES if r.year == year and r.day < MINIDUMP_TODAY):
            results = _race_results(race, rng, len(tables["results"]) + 1)
            tables["results"] += results
            tables["qualifying"] += _qualifying(race, rng, len(tables["qualifying"]) + 1)
            if race.sprint:
                sprint = _sprint_results(race, rng, len(tables["sprint_results"]) + 1)
                tables["sprint_results"] += sprint
                scored_drivers.append((race.race_id, sprint))
                scored_teams.append((race.race_id, sprint))
            if year == 2023:
                tables["pit_stops"] += _pit_stops(race, results)
                tables["lap_times"] += _lap_times(race, results)
            marked = [{**r, "_race": True} for r in results]
            scored_drivers.append((race.race_id, marked))
            scored_teams.append((race.race_id, marked))
            team_points: dict[int, float] = defaultdict(float)
            for r in results:
                team_points[int(r["constructorId"])] += float(r["points"])
            for team, pts in sorted(team_points.items()):
                tables["constructor_results"].append(
                    {
                        "constructorResultsId": len(tables["constructor_results"]) + 1,
                        "raceId": race.race_id,
                        "constructorId": team,
                        "points": int(pts) if pts.is_integer() else pts,
                        "status": NULL,
                    }
                )
        tables["driver_standings"] += _standings(
            scored_drivers, "driverId", len(tables["driver_standings"]) + 1
        )
        tables["constructor_standings"] += _standings(
            scored_teams, "constructorId", len(tables["constructor_standings"]) + 1
        )
    for table in HEADERS:
        _write(directory, table, tables[table])
    return directory
