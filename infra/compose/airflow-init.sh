#!/bin/sh
# docker-compose's airflow-init: run once before the Airflow components start (idempotent).
# 1. Airflow's metadata schema in the `airflow` database (created by init-airflow-db.sql).
# 2. The f1lake ledger's migrations in the `f1lake` database (F1LAKE_LEDGER_DSN, which
#    ledger-env.sh, its entrypoint, reads from the secrets volume).
# 3. The simple auth manager's password file: admin's password from the secrets volume
#    (the `secrets` service's admin_password: AIRFLOW_ADMIN_PASSWORD, or generated).
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
secret = Path(os.environ["SECRETS_DIR"], "admin_password").read_text(encoding="utf-8")
path.write_text(json.dumps({user: secret for user in users}) + "\n")
path.chmod(0o600)
print(f"airflow-init: password of {', '.join(users)} written to {path}")
PY
