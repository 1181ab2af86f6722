"""
### f1_verify_results

Weekly verification of the seasons already in the lake: finds results revised after the latest
DAG's revision window has passed (the stewards and the database's maintainers correct results
weeks or months later).

Per season the ledger holds, it fetches the official standings after its last ingested round
(two requests, one before 1958) and compares their payload hashes with the ledger's: an
unchanged season writes nothing and costs nothing more. When the standings changed, the
season's results and sprints are paged again (about five requests) and only the races whose
payload changed are written, each a new raw object beside the old one, a new payload hash in the
ledger's history (view `result_revisions`: before and after). Then, as the other DAGs: await the
processor, crawl, summary, checks.

Params: `season` and `season_to` (optional): verify only these seasons; default every season
the ledger holds.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag

from f1lake.pipeline.tasks import load, plan_verify, verify_season


@dag(
    dag_id="f1_verify_results",
    schedule="0 4 * * 1",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["f1lake", "verify"],
    doc_md=__doc__,
    params={
        "season": Param(
            None, type=["null", "integer"], minimum=1950, description="First season to verify."
        ),
        "season_to": Param(
            None, type=["null", "integer"], minimum=1950, description="Last season to verify."
        ),
    },
)
def f1_verify_results() -> None:
    planned = plan_verify()
    reports = verify_season.expand(plan=planned)
    load(planned, reports)


dag_object = f1_verify_results()
