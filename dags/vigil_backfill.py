"""
### Vigil backfill (manual)

Re-processes the articles published in a date range, one mapped task per day:

* `retag`: tags the stored text again (after a lexicon, gazetteer or model change);
* `reextract`: extracts the text again from the raw captures (after an extraction fix), then tags;
* `reingest`: fetches the pages again (pool `vigil_fetch`), then extracts and tags.

Re-processing upserts: an article whose result did not change counts as `unchanged`. Trigger it
from the UI ("Trigger DAG w/ config") or
`airflow dags trigger vigil_backfill -c '{"mode": "retag", "since": "2026-11-01", "until": "2026-11-07"}'`.
Logic lives in `vigil.maintenance` (tested without Airflow).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import Param, dag, task
from vigil_common import TIME_LIMITS, default_args, fail_fast, options

OPTS = options()


@dag(
    dag_id="vigil_backfill",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["vigil", "backfill"],
    doc_md=__doc__,
    params={
        "mode": Param("retag", enum=["retag", "reextract", "reingest"], description="What to re-do."),
        "since": Param("2026-11-01", type="string", format="date", description="First day (UTC, inclusive)."),
        "until": Param("2026-11-01", type="string", format="date", description="Last day (UTC, inclusive)."),
    },
)
def vigil_backfill() -> None:
    @task
    def days(params: dict[str, Any] | None = None) -> list[str]:
        """The days of the range (checked: at most a year)."""
        from vigil.maintenance import backfill_days

        params = params or {}
        with fail_fast():
            return backfill_days(params["since"], params["until"])

    @task(pool=OPTS.fetch_pool, execution_timeout=TIME_LIMITS["backfill"], max_active_tis_per_dagrun=1,
          map_index_template="{{ params.mode }} {{ task.op_kwargs['day'] }}")
    def reprocess(day: str, params: dict[str, Any] | None = None) -> dict[str, int]:
        from vigil_common import settings

        from vigil.maintenance import backfill_day

        with fail_fast():
            return backfill_day(settings(), (params or {})["mode"], day)

    @task
    def summarise(results: Any) -> dict[str, int]:
        from collections import Counter

        total: Counter[str] = Counter()
        for counts in results:
            total.update(counts)
        print(f"backfill total: {dict(total)}")
        return dict(total)

    summarise(reprocess.expand(day=days()))


vigil_backfill()
