"""
### Vigil alerts

Runs whenever the nightly ingest updates the index (the Asset `vigil://store/articles`, updated by
`vigil_ingest.summarise`), and computes the day's alerts (indicator spikes per country) with
`vigil.staging.compute_alerts`, which stores them for the web app and the CLI.

Param `day` (YYYY-MM-DD, optional): the day to compute; default the day the run was triggered (UTC).
Logic lives in `vigil.staging.compute_alerts` (tested without Airflow).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import Param, dag, task
from vigil_common import INDEX, TIME_LIMITS, default_args, fail_fast


@dag(
    dag_id="vigil_alerts",
    schedule=[INDEX],
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["vigil", "alerts"],
    doc_md=__doc__,
    params={"day": Param(None, type=["null", "string"], format="date",
                         description="Day to compute alerts for (default: the run's day, UTC).")},
)
def vigil_alerts() -> None:
    @task(execution_timeout=TIME_LIMITS["alerts"])
    def compute(params: dict[str, Any] | None = None, dag_run: Any = None,
                triggering_asset_events: Any = None) -> dict[str, Any]:
        """Compute and store the day's alerts."""
        from datetime import date

        from vigil_common import settings

        from vigil.staging import compute_alerts

        chosen = (params or {}).get("day")
        when = getattr(dag_run, "run_after", None) or datetime.now(UTC)
        day = date.fromisoformat(chosen) if chosen else when.astimezone(UTC).date()
        if triggering_asset_events:
            for event in triggering_asset_events.get(INDEX, []):
                print(f"triggered by ingest run {event.extra.get('run_id')}: "
                      f"{event.extra.get('indexed')} new articles")
        with fail_fast():
            return compute_alerts(settings(), day)

    compute()


vigil_alerts()
