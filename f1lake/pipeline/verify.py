"""Verification of past seasons: revised results found at one or two requests per season.

The official standings after a season's last ingested round add up every result before it, so
a revision that moves points (a disqualification, a penalty, two finishers swapped) changes
them. Each season costs its two standings requests (one before constructors' standings began
in 1958), fetched the way the ingestion fetches them and judged by payload hash against the
ledger, so an unchanged season writes nothing. Only a season whose standings changed pays for
more: its results and sprints are paged again (about five requests) and
:func:`~f1lake.ledger.plan_writes` writes only the races whose payload changed, each a new raw
object beside the old one and a new payload hash in the ledger's history (the ledger view
``result_revisions`` shows them before and after).

A revision that moves no points (a time, places outside the points) is not seen here; the
latest DAG's revision window (``F1LAKE_REVISION_WINDOW_DAYS``) re-fetches recent races whole.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from f1lake.ledger import Ledger
from f1lake.pipeline.contracts import IngestReport, Plan
from f1lake.pipeline.ingest import RunInfo, ingest_endpoint
from f1lake.pipeline.plan_rules import check_request
from f1lake.settings import Settings

log = logging.getLogger(__name__)

STANDINGS = ("driver_standings", "constructor_standings")
"""What is compared: the championship after the season's last ingested round."""
RACE_RESULTS = ("results", "sprint")
"""What a changed season fetches again: the classifications that award the points."""


def plan_verify(
    ledger_dsn: str, season: int | None = None, season_to: int | None = None
) -> list[Plan]:
    """One plan per season the ledger holds standings of (from ``season`` to ``season_to``;
    every season when neither is given): the standings after its last ingested round. The
    ledger alone decides, so planning costs no request."""
    if season is not None:
        check_request(season, season_to)
    low, high = season, season_to if season_to is not None else season
    plans: list[Plan] = []
    with Ledger(ledger_dsn) as ledger:
        for s in ledger.seasons():
            if (low is not None and s < low) or (high is not None and s > high):
                continue
            standings: dict[str, int] = {}
            for i in ledger.ingestions(s):
                if i.endpoint in STANDINGS and i.round is not None:  # the latest round's
                    standings[i.endpoint] = max(i.round, standings.get(i.endpoint, 0))
            if not standings:
                continue  # nothing to compare with: a backfill, not a verification, is due
            last = max(standings.values())
            rounds = sorted({i.round for i in ledger.ingestions(s, "results") if i.round})
            plans.append(
                Plan(
                    s,
                    s,
                    rounds,
                    recheck=[last],
                    last_round=last,
                    work={ep: [r] for ep, r in standings.items()},
                )
            )
    log.info("verify: %s seasons with standings to compare", len(plans))
    return plans


def verify_season(
    settings: Settings, ledger_dsn: str, plan: Plan, run: RunInfo
) -> list[IngestReport]:
    """Fetch a season's standings; when either changed, its results and sprints again.

    Returns every endpoint's report (what was written is what changed).
    """
    reports = [ingest_endpoint(settings, ledger_dsn, ep, plan, run) for ep in plan.work]
    changed = [r.endpoint for r in reports if r.written]
    if not changed or not plan.targets:
        return reports
    with Ledger(ledger_dsn) as ledger:
        held = {
            ep: sorted({i.round for i in ledger.ingestions(plan.season, ep) if i.round})
            for ep in RACE_RESULTS
        }
    again = replace(plan, recheck=list(plan.targets), work={ep: r for ep, r in held.items() if r})
    log.info(
        "season %s: %s changed, fetching %s again",
        plan.season, ", ".join(changed), ", ".join(again.work),
    )  # fmt: skip
    reports += [ingest_endpoint(settings, ledger_dsn, ep, again, run) for ep in again.work]
    revised = {r.endpoint: sorted(w.round for w in r.written) for r in reports if r.written}
    log.info("season %s: revised %s", plan.season, revised)
    return reports
