# One image for every f1lake service of docker-compose.yml: the Airflow components, the replay
# API, the Lambda runner and moto, all on the locked dependencies (uv.lock), so the containers
# run the versions the tests run. The project is installed editable: docker-compose mounts
# f1lake/, the DAGs, sql/ and glue/ over the copies below.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow
RUN pip install --no-cache-dir uv \
    && useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow \
    && mkdir -p /opt/airflow/logs /opt/airflow/auth /var/lib/f1lake /var/lib/f1lake-secrets \
    && chown -R 50000:0 /opt/airflow /var/lib/f1lake /var/lib/f1lake-secrets \
    && chmod 700 /var/lib/f1lake-secrets
WORKDIR /opt/f1lake
COPY pyproject.toml uv.lock README.md ./
# The runtime and the local stack (extra `local`): neither the dev tools nor the CDK group.
RUN uv sync --frozen --no-default-groups --extra local --no-install-project
COPY . .
RUN uv sync --frozen --no-default-groups --extra local
USER 50000
