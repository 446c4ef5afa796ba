"""The DAGs run for real with ``dag.test()`` (SQLite, no scheduler) against the demo site on 127.0.0.1."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DemoEnv, use_demo_site

from vigil.demo_site import DEMO_SITE_DIR, DemoSite
from vigil.runtime import open_store
from vigil.settings import Settings

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

CONTENT = DEMO_SITE_DIR.parent / "content"
ALL_GROUPS = ("africa", "americas", "europe", "mena")


def demo_article_count(languages: Sequence[str] | None = None) -> int:
    total = 0
    for path in CONTENT.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if languages is None or data["language"] in languages:
            total += len(data["articles"])
    return total


def task_states(run: Any, groups: Sequence[str] = ALL_GROUPS) -> dict[str, str]:
    """``{"feed_group.fetch[americas]": "failed", "plan": "success", ...}`` (mapped in plan's sorted order)."""
    out = {}
    for ti in run.get_task_instances():
        key = ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{sorted(groups)[ti.map_index]}]"
        out[key] = str(ti.state)
    return out


def run_report(data_dir: Path, run_id: str) -> Any:
    store = open_store(Settings(data_dir=data_dir))
    try:
        reports = [r for r in store.run_reports(limit=100) if r["run_id"] == run_id and r["scope"] == "run"]
        return reports[0]["report"] if reports else None
    finally:
        store.close()


def test_ingest_runs_end_to_end_and_a_second_run_adds_nothing(dagbag: Any, demo: DemoEnv) -> None:
    dag = dagbag.get_dag("vigil_ingest")
    first = dag.test()
    assert first.state == "success", task_states(first)
    states = task_states(first)
    groups = {"africa", "americas", "europe", "mena"}
    assert {k for k in states if k.startswith("feed_group.index[")} == {f"feed_group.index[{g}]" for g in groups}
    assert set(states.values()) == {"success"}

    expected = demo_article_count()
    report = run_report(demo.data_dir, first.run_id)
    assert report.get("indexed") == expected, report.counts
    assert report.details["groups_failed"] == 0
    assert set(report.details["groups"]) == groups
    store = open_store(Settings(data_dir=demo.data_dir))
    try:
        assert store.stats().articles == expected
        scopes = {r["scope"] for r in store.run_reports(limit=100) if r["run_id"] == first.run_id}
        assert scopes == {"run"} | {f"group:{g}" for g in groups}
    finally:
        store.close()
    run_dir = demo.data_dir / "runs"
    assert len(list(run_dir.iterdir())) == 1  # the claim-check files of this run

    second = dag.test()
    assert second.state == "success", task_states(second)
    again = run_report(demo.data_dir, second.run_id)
    assert again.get("indexed") == 0, again.counts
    store = open_store(Settings(data_dir=demo.data_dir))
    try:
        assert store.stats().articles == expected
    finally:
        store.close()


def test_one_broken_group_fails_alone_and_the_summary_says_so(dagbag: Any, airflow_env: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # americas has one feed (es): the whole group fails. europe has three: uk fails, the group goes on.
    groups = ["americas", "europe", "mena"]
    with DemoSite(broken={"/feeds/es.xml", "/feeds/uk.xml"}) as site:
        demo = use_demo_site(monkeypatch, site, tmp_path)
        run = dagbag.get_dag("vigil_ingest").test(run_conf={"groups": groups})
    states = task_states(run, groups)
    assert run.state == "success", states
    assert states["feed_group.fetch[americas]"] == "failed"
    assert states["feed_group.index[americas]"] == "upstream_failed"
    for group in ("europe", "mena"):
        assert states[f"feed_group.index[{group}]"] == "success"
    assert states["summarise"] == "success"

    report = run_report(demo.data_dir, run.run_id)
    americas = report.details["groups"]["americas"]
    assert americas["status"] == "failed" and americas["stage"] == "fetch"
    assert "GroupFailedError" in americas["error"] and "/feeds/es.xml (http-500)" in americas["error"]
    europe = report.details["groups"]["europe"]
    assert europe["status"] == "ok" and europe["counts"]["feed-failed"] == 1 and europe["counts"]["feed-ok"] == 2
    assert report.get("group-failed") == 1 and report.details["groups_failed"] == 1
    assert report.get("indexed") == demo_article_count(["de", "ru", "ar"])

    store = open_store(Settings(data_dir=demo.data_dir))
    try:
        failed_feeds = {s.url.rsplit("/", 1)[-1] for s in store.feed_states() if s.consecutive_failures}
        assert failed_feeds == {"es.xml", "uk.xml"}  # feed health recorded for both
        letters = {d.letter.url.rsplit("/", 1)[-1] for d in store.dead_letters()}
        assert {"es.xml", "uk.xml"} <= letters
    finally:
        store.close()


def test_alerts_dag_runs_on_the_ingested_index(dagbag: Any, demo: DemoEnv) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    query = (select(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)
             .where(AssetModel.uri == "vigil://store/articles").order_by(AssetEvent.id))
    with create_session() as session:
        before = len(session.scalars(query).all())
    ingest = dagbag.get_dag("vigil_ingest").test(run_conf={"groups": ["mena"]})
    assert ingest.state == "success", task_states(ingest, ["mena"])
    with create_session() as session:
        events = session.scalars(query).all()
        assert len(events) == before + 1
        assert events[-1].extra["run_id"] == ingest.run_id
        assert events[-1].extra["indexed"] == demo_article_count(["ar"])

    alerts = dagbag.get_dag("vigil_alerts").test()
    assert alerts.state == "success", task_states(alerts)
    ti = alerts.get_task_instance("compute")
    assert ti.state == "success"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("problem", ["missing-feeds-file", "unreachable-elasticsearch"])
def test_bad_configuration_fails_fast_with_a_clear_message(problem: str, dagbag: Any, demo: DemoEnv,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capfd: pytest.CaptureFixture[str]) -> None:
    if problem == "missing-feeds-file":
        missing = demo.feeds_file.with_name("nope.yaml")
        monkeypatch.setenv("VIGIL_FEEDS_FILE", str(missing))
        expected = f"{missing}: file not found"
    else:
        port = _closed_port()
        monkeypatch.setenv("VIGIL_STORE", "elasticsearch")
        monkeypatch.setenv("VIGIL_ES_URL", f"http://127.0.0.1:{port}")
        expected = f"cannot reach Elasticsearch at http://127.0.0.1:{port}"
    run = dagbag.get_dag("vigil_ingest").test()
    states = task_states(run)
    assert run.state == "failed"
    assert states["plan"] == "failed"
    assert not any(k.startswith("feed_group.fetch[") for k in states)  # nothing was fetched
    ti = run.get_task_instance("plan")
    assert ti.try_number == 1  # no retry for bad configuration
    log = capfd.readouterr()
    assert f"Vigil configuration problem: {expected}" in log.out + log.err


def test_maintenance_and_backfill_dags_run(dagbag: Any, demo: DemoEnv) -> None:
    ingest = dagbag.get_dag("vigil_ingest").test(run_conf={"groups": ["mena"]})
    assert ingest.state == "success", task_states(ingest, ["mena"])
    store = open_store(Settings(data_dir=demo.data_dir))
    try:
        days = Counter(d.article.published_at.astimezone(UTC).date().isoformat() for d in store.iter_documents())
    finally:
        store.close()
    day, on_day = days.most_common(1)[0]

    maintenance = dagbag.get_dag("vigil_maintenance").test()
    assert maintenance.state == "success", task_states(maintenance)
    assert maintenance.get_task_instance("prune_runs").xcom_pull(task_ids="prune_runs") == 0  # runs are fresh

    backfill = dagbag.get_dag("vigil_backfill").test(run_conf={"mode": "retag", "since": day, "until": day})
    assert backfill.state == "success"
    total = backfill.get_task_instance("summarise").xcom_pull(task_ids="summarise")
    assert total["articles"] == on_day and total.get("updated", 0) + total.get("unchanged", 0) == on_day
