"""What Vigil's DAG files share: default arguments, the index Asset, settings for a task.

Not a DAG file (the DAG processor imports it and finds no DAG). Top level stays cheap: no I/O, no heavy imports; the
only environment read at parse time is :func:`vigil.staging.dag_options` (schedule, retries, pool).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset

from vigil.staging import INDEX_ASSET_NAME, INDEX_ASSET_URI, DagOptions, dag_options

if TYPE_CHECKING:
    from vigil.settings import Settings

log = logging.getLogger(__name__)

INDEX = Asset(name=INDEX_ASSET_NAME, uri=INDEX_ASSET_URI, group="vigil")
ES_CONN_ID = "vigil_elasticsearch"

TIME_LIMITS = {
    "plan": timedelta(minutes=5),
    "fetch": timedelta(hours=3),
    "extract": timedelta(hours=1),
    "tag": timedelta(hours=2),
    "index": timedelta(hours=1),
    "summarise": timedelta(minutes=15),
    "alerts": timedelta(minutes=30),
    "maintenance": timedelta(hours=2),
    "backfill": timedelta(hours=4),
}
DAGRUN_TIMEOUT = timedelta(hours=12)


def options() -> DagOptions:
    """Schedule, retries, pool from ``VIGIL_*`` (read each time a DAG file is parsed)."""
    return dag_options(os.environ)


def default_args(**extra: Any) -> dict[str, Any]:
    """Owner, retries with exponential back-off, a default time limit."""
    opts = options()
    return {
        "owner": opts.owner,
        "retries": opts.retries,
        "retry_delay": opts.retry_delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": opts.max_retry_delay,
        "execution_timeout": timedelta(hours=1),
        **extra,
    }


def settings() -> Settings:
    """Settings from ``VIGIL_*`` (and ``.env``); for Elasticsearch, the connection ``vigil_elasticsearch``
    (if defined) supplies URL, API key and CA certificate. Call inside tasks only."""
    from vigil.settings import load_settings
    from vigil.staging import es_overrides

    with fail_fast():
        base = load_settings()
        if base.store != "elasticsearch":
            return base
        conn = _connection(ES_CONN_ID)
        if conn is None:
            return base
        log.info("Elasticsearch settings from the Airflow connection %r", ES_CONN_ID)
        overrides = es_overrides(host=conn.host, port=conn.port, schema=conn.schema, password=conn.password,
                                 extra=conn.extra_dejson, conn_type=conn.conn_type)
        return load_settings(**overrides)  # explicit values win over VIGIL_* variables


def _connection(conn_id: str) -> Any:
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


@contextmanager
def fail_fast(*, store_errors: bool = False) -> Iterator[None]:
    """Bad configuration fails the task at once (no retries), with the message in the task log."""
    from airflow.sdk.exceptions import AirflowFailException

    from vigil.errors import ConfigError, StoreError

    fatal: tuple[type[Exception], ...] = (ConfigError, StoreError) if store_errors else (ConfigError,)
    try:
        yield
    except fatal as exc:
        log.error("Vigil configuration problem: %s", exc)
        raise AirflowFailException(f"Vigil configuration problem: {exc}") from exc


def label_map_index(group: str) -> None:
    """Show the feed group's name instead of the map index in the UI (``map_index_template``)."""
    from airflow.sdk import get_current_context

    get_current_context()["vigil_group"] = group  # type: ignore[typeddict-unknown-key]
