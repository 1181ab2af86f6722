#!/bin/sh
# docker-compose's airflow-init: run once before the Airflow components start (idempotent).
# 1. Airflow's metadata schema in the `airflow` database (created by init-airflow-db.sql).
# 2. The f1lake ledger's migrations in the `f1lake` database (F1LAKE_LEDGER_DSN).
# 3. The simple auth manager's password file: admin's password from AIRFLOW_ADMIN_PASSWORD
#    (otherwise the api-server would generate one and print it in its log).
set -eu
airflow db migrate
f1lake migrate
python - <<'PY'
import json
import os
from pathlib import Path

path = Path(os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
users = [u.split(":")[0] for u in os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"].split(",")]
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps({user: os.environ["AIRFLOW_ADMIN_PASSWORD"] for user in users}) + "\n")
print(f"airflow-init: password of {', '.join(users)} written to {path}")
PY
