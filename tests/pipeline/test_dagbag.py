"""Every DAG file parses in Airflow's DagBag, in seconds, without the local stack.

Airflow reads its configuration once, when first imported, and the suite imports it in-process
for the DAG runs; so the DagBag parses in a child process with its own home, and reports back
as JSON: the DAGs it found, the import errors (DagBag reports a cycle as one), and the params
without a schema type (a trigger form could not validate them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from f1lake.resources import DAGS_FOLDER

PARSE = """
import json
import sys
from pathlib import Path

from airflow.dag_processing.dagbag import DagBag

found = {}
for folder in sys.argv[1:]:
    bag = DagBag(folder, safe_mode=False)
    untyped = {}
    for dag_id, dag in bag.dags.items():
        params = {k: dag.params.get_param(k).schema for k in dag.params}
        missing = sorted(k for k, schema in params.items() if "type" not in schema)
        if missing:
            untyped[dag_id] = missing
    errors = {Path(f).name: e.strip().splitlines()[-1] for f, e in bag.import_errors.items()}
    found[folder] = {"dags": sorted(bag.dags), "import_errors": errors, "untyped_params": untyped}
print(json.dumps(found))
"""


def parse(*folders: Path, home: Path) -> dict[str, dict]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", PARSE, *map(str, folders)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


BROKEN = {
    "imports_nothing.py": "from airflow.sdk import dag\nimport no_such_module\n",
    "cycle.py": """
import pendulum
from airflow.sdk import dag, task

@dag(dag_id="cycle", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
def cycle():
    @task
    def a(): ...
    @task
    def b(): ...
    first, second = a(), b()
    first >> second >> first

cycle()
""",
    "untyped.py": """
import pendulum
from airflow.sdk import Param, dag, task

@dag(
    dag_id="untyped",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1),
    params={"season": 2023, "force": Param(False, type="boolean")},
)
def untyped():
    @task
    def a(): ...
    a()

untyped()
""",
}


def test_the_dags_parse_without_errors_cycles_or_untyped_params(tmp_path: Path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name, text in BROKEN.items():
        (broken / name).write_text(text)

    got = parse(DAGS_FOLDER, broken, home=tmp_path / "airflow")

    ours = got[str(DAGS_FOLDER)]
    assert ours["import_errors"] == {}
    assert ours["untyped_params"] == {}
    assert ours["dags"] == sorted(p.stem for p in DAGS_FOLDER.glob("*.py"))
    # and the same parse does catch each kind of breakage
    caught = got[str(broken)]
    assert set(caught["import_errors"]) == {"imports_nothing.py", "cycle.py"}
    assert "Cycle" in caught["import_errors"]["cycle.py"]
    assert caught["untyped_params"] == {"untyped": ["season"]}
