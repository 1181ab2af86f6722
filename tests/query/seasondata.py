"""Three small seasons that exercise every named query of sql/athena.

2023 (complete, four rounds) holds what the queries must get right: a sprint, ties on points
settled by the count-back (delta, foxtrot and echo end on 31), a driver changing teams (foxtrot:
green, then blue), a team running three drivers (blue), a pit-lane start, a grid penalty (alpha
qualifies first in round 4 and starts third), a round without qualifying data (round 3: the grid
stands in), retirements of several kinds, a not-classified car and a withdrawn one, and a race
without fastest-lap data. 2022 is complete, 2024 in progress (one of three rounds run).
"""

from __future__ import annotations

from tests.checks.lakedata import Entry, Season


def season_2023() -> Season:
    s = Season(2023)
    s.race_names = {1: "Alpha Grand Prix", 2: "Bravo Grand Prix", 3: "Charlie Grand Prix"}
    s.races[1] = [
        Entry("alpha", "red", 1, 25.0, grid=2, quali=2, fastest=(41, 91500, 2)),
        Entry("charlie", "blue", 2, 18.0, grid=1, quali=1, fastest=(40, 91234, 1)),
        Entry("bravo", "red", 3, 15.0, grid=3, quali=3),
        Entry("echo", "green", 4, 12.0, grid=5, quali=5),
        Entry("delta", "blue", None, 0.0, grid=4, quali=4, laps=10, status="Engine"),
        Entry("foxtrot", "green", None, 0.0, grid=6, quali=6, laps=0, status="Collision"),
    ]
    s.sprints[2] = [
        Entry("charlie", "blue", 1, 8.0),
        Entry("alpha", "red", 2, 7.0),
        Entry("delta", "blue", 3, 6.0),
        Entry("bravo", "red", 4, 5.0),
        Entry("echo", "green", 5, 4.0),
        Entry("foxtrot", "green", 6, 3.0),
    ]
    s.races[2] = [
        Entry("delta", "blue", 1, 25.0, grid=3, quali=3),
        Entry("alpha", "red", 2, 18.0, grid=1, quali=1, fastest=(55, 90001, 2)),
        Entry("echo", "green", 3, 15.0, grid=6, quali=6, fastest=(54, 89999, 1)),
        Entry("bravo", "red", 4, 12.0, grid=0, quali=4),  # pit-lane start
        Entry("foxtrot", "green", 5, 10.0, grid=5, quali=5),
        Entry("charlie", "blue", None, 0.0, grid=2, quali=2, laps=30, status="Gearbox"),
    ]
    # No qualifying data and no lap times for round 3.
    s.races[3] = [
        Entry("charlie", "blue", 1, 25.0, grid=2),
        Entry("bravo", "red", 2, 18.0, grid=1),
        Entry("alpha", "red", 3, 15.0, grid=4),
        Entry("golf", "green", 4, 12.0, grid=6),
        Entry("delta", "blue", None, 0.0, grid=3, text="N", status="Not classified"),
        Entry("echo", "green", None, 0.0, grid=5, laps=20, status="Accident"),
    ]
    s.races[4] = [
        Entry("alpha", "red", 1, 25.0, grid=3, quali=1),  # grid penalty
        Entry("foxtrot", "blue", 2, 18.0, grid=1, quali=2, fastest=(12, 88888, 1)),
        Entry("charlie", "blue", 3, 15.0, grid=2, quali=3),
        Entry("golf", "green", 4, 12.0, grid=6, quali=6, fastest=(13, 90000, 2)),
        Entry("bravo", "red", None, 0.0, grid=4, quali=4, laps=44, status="Hydraulics"),
        Entry("echo", "green", None, 0.0, grid=5, quali=5, laps=1, status="Spun off"),
        Entry("delta", "blue", None, 0.0, grid=0, text="W", laps=0, status="Withdrew"),
    ]
    return s


def season_2022() -> Season:
    s = Season(2022)
    s.races[1] = [
        Entry("bravo", "red", 1, 25.0, grid=1),
        Entry("alpha", "red", 2, 18.0, grid=2),
        Entry("charlie", "blue", 3, 15.0, grid=3),
    ]
    s.races[2] = [
        Entry("bravo", "red", 1, 25.0, grid=2),
        Entry("charlie", "blue", 2, 18.0, grid=1),
        Entry("alpha", "red", 3, 15.0, grid=3),
    ]
    return s


def season_2024() -> Season:
    """In progress: round 1 run, rounds 2 and 3 on the calendar."""
    s = Season(2024, scheduled={2, 3})
    s.races[1] = [
        Entry("charlie", "blue", 1, 25.0, grid=1),
        Entry("alpha", "red", 2, 18.0, grid=2),
        Entry("bravo", "red", 3, 15.0, grid=3),
    ]
    return s


def seasons() -> list[Season]:
    return [season_2022(), season_2023(), season_2024()]
