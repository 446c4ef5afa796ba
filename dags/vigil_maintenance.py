"""
### Vigil weekly maintenance

1. **retry_dead_letters**: retries the retryable dead letters (pages fetched again, failed extraction
   or tagging re-done from the raw capture) and resolves those that now succeed.
2. **prune_raw**: deletes raw HTML captures older than `VIGIL_RAW_RETENTION_DAYS` (default 90).
3. **prune_runs**: deletes the ingest DAG's claim-check directories (`<VIGIL_DATA_DIR>/runs/`) older than
   14 days.
4. **optimise**: optimises the store (SQLite: `PRAGMA optimize` and a WAL checkpoint), last, after
   the writes.

Schedule: `VIGIL_MAINTENANCE_SCHEDULE` (cron, UTC; default Sundays 04:00, clear of the nightly ingest).
Logic lives in `vigil.maintenance` (tested without Airflow).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import TriggerRule, dag, task
from vigil_common import TIME_LIMITS, default_args, fail_fast, options

OPTS = options()


@dag(
    dag_id="vigil_maintenance",
    schedule=OPTS.maintenance_schedule,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(execution_timeout=TIME_LIMITS["maintenance"]),
    tags=["vigil", "maintenance"],
    doc_md=__doc__,
)
def vigil_maintenance() -> None:
    @task(pool=OPTS.fetch_pool)
    def retry_dead_letters() -> dict[str, int]:
        from vigil_common import settings

        from vigil.maintenance import retry_dead_letters as retry

        with fail_fast():
            return retry(settings())

    @task
    def prune_raw() -> int:
        from vigil_common import settings

        from vigil.maintenance import prune_raw as prune

        with fail_fast():
            return prune(settings())

    @task
    def prune_runs() -> int:
        from vigil_common import settings

        from vigil.maintenance import prune_runs as prune

        with fail_fast():
            return prune(settings())

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def optimise() -> dict[str, Any]:
        from vigil_common import settings

        from vigil.maintenance import optimise_store

        with fail_fast():
            return optimise_store(settings())

    [retry_dead_letters(), prune_raw(), prune_runs()] >> optimise()


vigil_maintenance()
