#!/usr/bin/env bash
# `make airflow`: Airflow standalone (api-server + scheduler + dag-processor + triggerer in one process
# tree) on this machine, with the repo's dags/ and Vigil's embedded store. UI: http://localhost:8080
# (user "admin", password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated).
# Ctrl-C or SIGTERM stops it cleanly (Airflow standalone only shuts down cleanly on SIGINT, so a
# SIGTERM is passed on as SIGINT). Any VIGIL_* variable set when calling it reaches the tasks.
set -euo pipefail
set -m  # job control: standalone gets its own process group and keeps SIGINT (which a non-interactive
        # shell would otherwise make its background jobs ignore)

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"  # standalone starts its parts as `airflow ...` subprocesses
command -v airflow >/dev/null || { echo "airflow not found in $ROOT/.venv: run 'make install-dev'" >&2; exit 1; }

export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/data/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"   # default 32 workers: too many here
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG="${AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG:-4}"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-30}"
export VIGIL_DATA_DIR="${VIGIL_DATA_DIR:-$ROOT/data}"
FETCH_POOL="${VIGIL_FETCH_POOL:-vigil_fetch}"
FETCH_SLOTS="${VIGIL_FETCH_POOL_SLOTS:-2}"
mkdir -p "$AIRFLOW_HOME" "$VIGIL_DATA_DIR"

echo "AIRFLOW_HOME=$AIRFLOW_HOME  DAGs: $AIRFLOW__CORE__DAGS_FOLDER  VIGIL_DATA_DIR=$VIGIL_DATA_DIR"
airflow db migrate >/dev/null
airflow pools set "$FETCH_POOL" "$FETCH_SLOTS" "Vigil: feed groups fetched at the same time" >/dev/null
echo "pool $FETCH_POOL: $FETCH_SLOTS slots. New DAGs start paused: airflow dags unpause vigil_ingest"

# Started through a one-line exec that restores SIGINT's default: a shell started in the background
# (`make airflow &`, CI) passes SIGINT on as ignored, and standalone then never sees Ctrl-C.
python -c 'import os, signal; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp("airflow", ["airflow", "standalone"])' &
AIRFLOW_PID=$!

stop() {
    trap - INT TERM
    echo "stopping Airflow (pid $AIRFLOW_PID) ..."
    # What Ctrl-C does in a terminal: SIGINT to standalone and to every component it started.
    kill -INT -- "-$AIRFLOW_PID" 2>/dev/null || true
    local waited=0
    while kill -0 "$AIRFLOW_PID" 2>/dev/null && [ "$waited" -lt "${AIRFLOW_STOP_TIMEOUT:-20}" ]; do
        sleep 1; waited=$((waited + 1))
    done
    if kill -0 "$AIRFLOW_PID" 2>/dev/null; then
        echo "Airflow did not stop in ${waited}s; terminating its process group" >&2
        kill -TERM -- "-$AIRFLOW_PID" 2>/dev/null || true
        sleep 10
    fi
    # Whatever is left in the group (idle LocalExecutor workers ignore SIGINT and SIGTERM) is ours to end.
    kill -KILL -- "-$AIRFLOW_PID" 2>/dev/null || true
    wait "$AIRFLOW_PID" 2>/dev/null || true
    echo "Airflow stopped"
    exit 0
}
trap stop INT TERM
wait "$AIRFLOW_PID"
