"""Pit stops (``PitStops``) and lap times (``Laps[].Timings``) of one race: one typed row per
stop, one per driver per lap."""

from __future__ import annotations

from typing import Any

from f1lake.transform.parse import parse_clock, parse_duration_ms, parse_int
from f1lake.transform.race import race_rows_source
from f1lake.transform.rows import RowBuilder


def _row(where: str, header: dict[str, Any]) -> RowBuilder:
    b = RowBuilder(where)
    for k, v in header.items():
        b.put(k, v)
    return b


def pit_stop_rows(race: dict[str, Any]) -> list[RowBuilder]:
    """Typed rows of one race's pit stops; a red-flag wait ("16:44.718") is a stop too."""
    header, stops = race_rows_source("pit_stops", race, "PitStops")
    out: list[RowBuilder] = []
    for i, stop in enumerate(stops, start=1):
        b = _row(f"pit_stops row {i}", header)
        out.append(b)
        if not isinstance(stop, dict):
            b.problem("is not an object")
            continue
        b.set("driver_id", stop.get("driverId"))
        b.set("stop", stop.get("stop"), parse_int)
        b.set("lap", stop.get("lap"), parse_int)
        b.set("time_of_day", stop.get("time"), parse_clock)
        b.set("duration_millis", stop.get("duration"), parse_duration_ms)
        b.set("duration_text", stop.get("duration"))
    return out


def lap_rows(race: dict[str, Any]) -> list[RowBuilder]:
    """Typed rows of one race's lap times: every timing of every lap."""
    header, laps = race_rows_source("laps", race, "Laps")
    out: list[RowBuilder] = []
    for i, lap in enumerate(laps, start=1):
        timings = lap.get("Timings") if isinstance(lap, dict) else None
        if not isinstance(timings, list):
            b = _row(f"laps item {i}", header)
            b.problem("is not a lap with a Timings list")
            out.append(b)
            continue
        for j, timing in enumerate(timings, start=1):
            b = _row(f"laps lap {lap.get('number')!r} timing {j}", header)
            out.append(b)
            b.set("lap", lap.get("number"), parse_int)
            if not isinstance(timing, dict):
                b.problem("is not an object")
                continue
            b.set("driver_id", timing.get("driverId"))
            b.set("position", timing.get("position"), parse_int)
            b.set("time_millis", timing.get("time"), parse_duration_ms)
    return out
