"""Small Ergast-shaped records built in code, and helpers to store them as raw objects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from f1lake import aws
from f1lake.endpoints import (
    CIRCUITS,
    CONSTRUCTOR_STANDINGS,
    CONSTRUCTORS,
    DRIVER_STANDINGS,
    DRIVERS,
    LAPS,
    PIT_STOPS,
    QUALIFYING,
    RACES,
    RESULTS,
    SPRINT,
    STATUS,
    Endpoint,
)
from f1lake.keys import raw_key
from f1lake.raw.envelope import build_envelope
from f1lake.settings import Settings

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def driver(driver_id: str, *, code: str | None = None, permanent: str | None = None) -> dict:
    d: dict[str, Any] = {
        "driverId": driver_id,
        "url": f"http://en.wikipedia.org/wiki/{driver_id}",
        "givenName": driver_id.title(),
        "familyName": driver_id.upper(),
        "dateOfBirth": "1950-01-02",
        "nationality": "British",
    }
    if code:
        d["code"] = code
    if permanent:
        d["permanentNumber"] = permanent
    return d


def constructor(constructor_id: str) -> dict:
    return {
        "constructorId": constructor_id,
        "url": f"http://en.wikipedia.org/wiki/{constructor_id}",
        "name": constructor_id.title(),
        "nationality": "Italian",
    }


def result(
    driver_id: str,
    position: int,
    *,
    position_text: str | None = None,
    points: str = "0",
    grid: str = "1",
    laps: str = "70",
    status: str = "Finished",
    number: str | None = "5",
    team: str | None = "ferrari",
    time: dict | None = None,
    fastest: dict | None = None,
    **driver_kw: Any,
) -> dict:
    r: dict[str, Any] = {
        "position": str(position),
        "positionText": position_text or str(position),
        "points": points,
        "Driver": driver(driver_id, **driver_kw),
        "grid": grid,
        "laps": laps,
        "status": status,
    }
    if number is not None:
        r["number"] = number
    if team is not None:
        r["Constructor"] = constructor(team)
    if time is not None:
        r["Time"] = time
    if fastest is not None:
        r["FastestLap"] = fastest
    return r


def race(season: int, round_: int, results: list[dict] | None = None, **extra: Any) -> dict:
    r: dict[str, Any] = {
        "season": str(season),
        "round": str(round_),
        "url": f"https://en.wikipedia.org/wiki/{season}_GP_{round_}",
        "raceName": f"Test Grand Prix {round_}",
        "Circuit": {
            "circuitId": "monza",
            "url": "http://en.wikipedia.org/wiki/Monza",
            "circuitName": "Autodromo Nazionale di Monza",
            "Location": {
                "lat": "45.6156",
                "long": "9.28111",
                "locality": "Monza",
                "country": "Italy",
            },
        },
        "date": f"{season}-09-{round_:02d}",
    }
    if results is not None:
        r["Results"] = results
    r.update(extra)
    return r


def simple_results(winner: str = "ascari", points: str = "8") -> list[dict]:
    return [
        result(winner, 1, points=points, time={"millis": "5133607", "time": "1:25:33.607"}),
        result("farina", 2, points="6", time={"millis": "5138762", "time": "+5.155"}),
    ]


def envelope(endpoint: Endpoint, race_record: dict, ingested_at: datetime = T0) -> dict:
    return build_envelope(
        endpoint,
        race_record,
        base_url="http://127.0.0.1/ergast/f1",
        header={"xmlns": "", "series": "f1"},
        source_urls=[f"http://127.0.0.1/ergast/f1/{race_record['season']}/{endpoint.name}.json"],
        pages=1,
        ingested_at=ingested_at,
    )


def key_for(env: dict) -> str:
    meta = env["f1lake"]
    return raw_key(
        meta["endpoint"],
        meta["season"],
        meta["round"],
        datetime.fromisoformat(meta["ingested_at"].replace("Z", "+00:00")),
        meta["payload_sha256"],
    )


def put_raw(settings: Settings, body: dict | bytes, key: str | None = None) -> str:
    """Store a raw object (an envelope, or arbitrary bytes under ``key``); returns its key."""
    if isinstance(body, dict):
        key = key or key_for(body)
        data = json.dumps(body).encode()
    else:
        data = body
    assert key is not None
    aws.client("s3", settings).put_object(Bucket=settings.raw_bucket, Key=key, Body=data)
    return key


def put_results(
    settings: Settings, season: int, round_: int, results: list[dict], *, minutes: int = 0
) -> str:
    env = envelope(RESULTS, race(season, round_, results), T0 + timedelta(minutes=minutes))
    return put_raw(settings, env)


def put_schedule(settings: Settings, season: int, round_: int, **extra: Any) -> str:
    return put_raw(settings, envelope(RACES, race(season, round_, **extra)))


def s3_event(bucket: str, *keys: str) -> dict:
    """An S3 notification as AWS sends it (keys URL-encoded)."""
    from urllib.parse import quote_plus

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(k)}},
            }
            for k in keys
        ]
    }


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"h{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def qualifying_row(driver_id: str, position: int, *times: str, team: str = "ferrari") -> dict:
    r: dict[str, Any] = {
        "number": "5",
        "position": str(position),
        "Driver": driver(driver_id),
        "Constructor": constructor(team),
    }
    for name, value in zip(("Q1", "Q2", "Q3"), times, strict=False):
        r[name] = value
    return r


def driver_standing(
    driver_id: str,
    position: int | None,
    points: str,
    *teams: str,
    wins: str = "0",
    position_text: str | None = None,
) -> dict:
    r: dict[str, Any] = {}
    if position is not None:
        r["position"] = str(position)
    r["positionText"] = position_text or str(position)
    r.update(
        points=points,
        wins=wins,
        Driver=driver(driver_id),
        Constructors=[constructor(t) for t in teams],
    )
    return r


def constructor_standing(
    constructor_id: str, position: int, points: str, *, wins: str = "0", position_text: str = ""
) -> dict:
    return {
        "position": str(position),
        "positionText": position_text or str(position),
        "points": points,
        "wins": wins,
        "Constructor": constructor(constructor_id),
    }


def standings(season: int, round_: int, rows: list[dict], row_key: str) -> dict:
    """A StandingsLists item (``row_key`` DriverStandings or ConstructorStandings)."""
    return {"season": str(season), "round": str(round_), row_key: rows}


def circuit(circuit_id: str) -> dict:
    return {
        "circuitId": circuit_id,
        "url": f"http://en.wikipedia.org/wiki/{circuit_id}",
        "circuitName": circuit_id.title(),
        "Location": {"lat": "45.6", "long": "9.28", "locality": "Monza", "country": "Italy"},
    }


def season_record(season: int, items_key: str, items: list[dict]) -> dict:
    """The table wrapper of a season-scoped endpoint: ``{"season": "2023", "Drivers": [...]}``."""
    return {"season": str(season), items_key: items}


def weekend_envelopes(season: int, round_: int) -> list[dict]:
    """One raw object of every endpoint: the race-scoped ones, and the season's dimensions."""
    sprint = race(season, round_, [result("ascari", 1, points="8"), result("farina", 2)])
    sprint["SprintResults"] = sprint.pop("Results")
    quali = race(season, round_)
    quali["QualifyingResults"] = [
        qualifying_row("ascari", 1, "1:31.295", "1:30.503", "1:29.708"),
        qualifying_row("farina", 2, "1:32.101"),
    ]
    return [
        envelope(RACES, race(season, round_)),
        envelope(RESULTS, race(season, round_, simple_results())),
        envelope(SPRINT, sprint),
        envelope(QUALIFYING, quali),
        envelope(
            PIT_STOPS,
            race(
                season,
                round_,
                PitStops=[  # a red-flag wait in the pit lane, then a normal stop
                    {
                        "driverId": "ascari",
                        "lap": "1",
                        "stop": "1",
                        "time": "14:08:50",
                        "duration": "16:44.718",
                    },
                    {
                        "driverId": "ascari",
                        "lap": "20",
                        "stop": "2",
                        "time": "15:02:01",
                        "duration": "22.104",
                    },
                ],
            ),
        ),
        envelope(
            LAPS,
            race(
                season,
                round_,
                Laps=[
                    {
                        "number": "1",
                        "Timings": [
                            {"driverId": "ascari", "position": "1", "time": "1:36.551"},
                            {"driverId": "farina", "position": "2", "time": "1:37.167"},
                        ],
                    },
                ],
            ),
        ),
        envelope(
            DRIVER_STANDINGS,
            standings(
                season,
                round_,
                [
                    driver_standing("ascari", 1, "16", "ferrari", wins="1"),
                    driver_standing("farina", 2, "6.5", "alfa", "ferrari"),
                    driver_standing("behra", None, "0", position_text="-"),
                ],
                "DriverStandings",
            ),
        ),
        envelope(
            CONSTRUCTOR_STANDINGS,
            standings(
                season, round_, [constructor_standing("ferrari", 1, "22.5")], "ConstructorStandings"
            ),
        ),
        envelope(DRIVERS, season_record(season, "Drivers", [driver("ascari"), driver("farina")])),
        envelope(
            CONSTRUCTORS,
            season_record(season, "Constructors", [constructor("ferrari"), constructor("alfa")]),
        ),
        envelope(CIRCUITS, season_record(season, "Circuits", [circuit("monza")])),
        envelope(
            STATUS,
            season_record(
                season, "Status", [{"statusId": "1", "count": "2", "status": "Finished"}]
            ),
        ),
    ]
