"""docker-compose's `secrets` service: every secret of the compose stack, made once per volume.

Each secret is taken from the environment when set there (an operator's own, e.g. in an
--env-file), else kept from an earlier start, else generated; it is written, readable by its
owner only, to the `f1lake-secrets` volume, where the other services read it: PostgreSQL
through POSTGRES_PASSWORD_FILE, Airflow through its `*_CMD` options and a connections file,
the f1lake commands through ledger-env.sh. So docker-compose.yml holds no secret, and no two
installations share one. Standard library only; run again, it changes nothing.

    SECRETS_DIR   where to write (default /var/lib/f1lake-secrets)
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import quote

DB_USER = "f1lake"
DB_HOST = "postgres"
DB_PORT = 5432
LEDGER_DB = "f1lake"
AIRFLOW_DB = "airflow"
LEDGER_CONN_ID = "f1lake_ledger"

SECRETS = {
    # file name: (variable that overrides it, generator)
    "postgres_password": ("POSTGRES_PASSWORD", lambda: secrets.token_urlsafe(24)),
    "admin_password": ("AIRFLOW_ADMIN_PASSWORD", lambda: secrets.token_urlsafe(12)),
    "jwt_secret": ("AIRFLOW_JWT_SECRET", lambda: secrets.token_urlsafe(32)),
    "secret_key": ("AIRFLOW_SECRET_KEY", lambda: secrets.token_urlsafe(32)),
    # Fernet: 32 random bytes, url-safe base64 (what cryptography's Fernet.generate_key makes)
    "fernet_key": ("AIRFLOW_FERNET_KEY", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()),
}


def _write(path: Path, text: str) -> None:
    """Owner-only, replaced atomically (a reader never sees half a secret)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


def ensure(folder: Path, environ: dict[str, str]) -> list[str]:
    """Write every secret and what is derived from them; return the names generated now."""
    folder.mkdir(parents=True, exist_ok=True)
    values, made = {}, []
    for name, (variable, generate) in SECRETS.items():
        path = folder / name
        value = environ.get(variable) or (path.read_text(encoding="utf-8") if path.exists() else "")
        if not value:
            value = generate()
            made.append(name)
        values[name] = value
        _write(path, value)
    login = f"{DB_USER}:{quote(values['postgres_password'], safe='')}@{DB_HOST}:{DB_PORT}"
    ledger = f"postgresql://{login}/{LEDGER_DB}"
    _write(folder / "sql_alchemy_conn", f"postgresql+psycopg2://{login}/{AIRFLOW_DB}")
    _write(folder / "ledger_dsn", ledger)
    _write(folder / "connections.json", json.dumps({LEDGER_CONN_ID: ledger}) + "\n")
    return made


def main() -> None:
    folder = Path(os.environ.get("SECRETS_DIR", "/var/lib/f1lake-secrets"))
    made = ensure(folder, dict(os.environ))
    print(f"secrets: {len(SECRETS)} in {folder}, generated now: {', '.join(made) or 'none'}")
    if "admin_password" in made:
        print(
            "secrets: Airflow's admin password: "
            f"docker compose exec airflow-api-server cat {folder / 'admin_password'}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
