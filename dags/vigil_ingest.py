"""
### Vigil nightly ingest

Fetches every feed of the catalogue (`VIGIL_FEEDS_FILE`, default `config/feeds.yaml`), extracts the
article text, detects language, tags countries, actors, groups and atrocity indicators, and indexes
the result in the configured store (`VIGIL_STORE`: embedded SQLite or Elasticsearch).

* **plan**: checks the configuration (feeds file, data directory, store reachable) and lists the feed
  groups (`group:` in the catalogue). Bad configuration fails here at once, without retries.
* **feed_group** (one mapped copy per group): `fetch` -> `extract` -> `tag` -> `index`. The stages hand
  each other claim-check files under `<VIGIL_DATA_DIR>/runs/<run_id>/`; XCom carries only paths and
  counts. `fetch` runs in the pool `vigil_fetch`, which bounds concurrent fetching. A failing group
  never stops the others; a group whose every feed failed fails its `fetch` (retried with back-off).
* **summarise** (runs whatever happened): counts of outcomes per group, written to the store as the
  run's report; updates the Asset `vigil://store/articles`, which triggers `vigil_alerts`. It fails
  the run only when no group succeeded.

Params: `groups` (list of group names; empty: all). Logic lives in `vigil.staging` (tested without
Airflow). Schedule: `VIGIL_SCHEDULE` (cron, UTC; default 02:00).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import Param, TriggerRule, dag, task, task_group
from vigil_common import DAGRUN_TIMEOUT, INDEX, TIME_LIMITS, default_args, fail_fast, label_map_index, options

OPTS = options()


@dag(
    dag_id="vigil_ingest",
    schedule=OPTS.schedule,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=DAGRUN_TIMEOUT,
    default_args=default_args(),
    tags=["vigil", "ingest"],
    doc_md=__doc__,
    params={
        "groups": Param([], type="array", items={"type": "string"},
                        description="Feed groups to ingest (empty: every group of the catalogue)."),
    },
)
def vigil_ingest() -> None:
    @task(execution_timeout=TIME_LIMITS["plan"])
    def plan(params: dict[str, Any] | None = None) -> list[str]:
        """Check the configuration and list the feed groups."""
        from vigil_common import settings

        from vigil.staging import plan_groups

        with fail_fast(store_errors=True):
            return plan_groups(settings(), only=(params or {}).get("groups") or ())

    @task(pool=OPTS.fetch_pool, execution_timeout=TIME_LIMITS["fetch"], map_index_template="{{ vigil_group }}")
    def fetch(group: str, run_id: str | None = None) -> str:
        """Fetch the group's feeds and new pages; return the claim-check path."""
        from vigil_common import settings

        from vigil.staging import fetch_group

        label_map_index(group)
        with fail_fast():
            return fetch_group(settings(), group, str(run_id))

    @task(execution_timeout=TIME_LIMITS["extract"], map_index_template="{{ vigil_group }}")
    def extract(group: str, path: str) -> str:
        from vigil_common import settings

        from vigil.staging import extract_group

        label_map_index(group)
        with fail_fast():
            return extract_group(settings(), path)

    @task(execution_timeout=TIME_LIMITS["tag"], map_index_template="{{ vigil_group }}")
    def tag(group: str, path: str) -> str:
        from vigil_common import settings

        from vigil.staging import tag_group

        label_map_index(group)
        with fail_fast():
            return tag_group(settings(), path)

    # One writer at a time per run: the embedded SQLite store has a single writer anyway.
    @task(execution_timeout=TIME_LIMITS["index"], map_index_template="{{ vigil_group }}",
          max_active_tis_per_dagrun=1)
    def index(group: str, path: str) -> dict[str, int]:
        from vigil_common import settings

        from vigil.staging import index_group

        label_map_index(group)
        with fail_fast():
            return index_group(settings(), path)

    @task_group(group_id="feed_group")
    def feed_group(group: str) -> Any:
        fetched = fetch(group)
        extracted = extract(group, fetched)
        tagged = tag(group, extracted)
        return index(group, tagged)

    @task(trigger_rule=TriggerRule.ALL_DONE, outlets=[INDEX], execution_timeout=TIME_LIMITS["summarise"])
    def summarise(groups: list[str], run_id: str | None = None, dag_run: Any = None,
                  outlet_events: Any = None) -> dict[str, Any]:
        """Counts of outcomes per group, stored as the run's report; fails only if every group failed."""
        from airflow.sdk.exceptions import AirflowFailException
        from vigil_common import settings

        from vigil.staging import summarise as summarise_run

        with fail_fast():
            report = summarise_run(settings(), str(run_id), groups,
                                   started_at=getattr(dag_run, "start_date", None))
        details = report.details
        if groups and details["groups_ok"] == 0:
            raise AirflowFailException(f"every feed group failed: {details['groups']}")
        if outlet_events is not None:
            outlet_events[INDEX].extra = {"run_id": str(run_id), "indexed": report.get("indexed"),
                                          "groups_failed": details["groups_failed"]}
        return report.model_dump(mode="json")

    groups = plan()
    results = feed_group.expand(group=groups)
    results >> summarise(groups)  # the summary reads the groups' result files, not their XComs


vigil_ingest()
