"""Every DAG file imports cleanly, carries its metadata, and has the expected task graph."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path
from typing import Any

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"

pytestmark = pytest.mark.airflow

EXPECTED_DAGS = {"vigil_ingest", "vigil_alerts", "vigil_maintenance", "vigil_backfill"}
HEAVY_MODULES = ("spacy", "trafilatura", "httpx", "vigil.pipeline", "vigil.runtime", "vigil.ingest", "vigil.nlp",
                 "vigil.search", "vigil.maintenance", "elasticsearch", "sqlite3")


def test_every_dag_file_imports_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == EXPECTED_DAGS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_dag_metadata(dag_id: str, airflow_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.delenv("VIGIL_DAG_RETRIES")  # the production default, not the tests' 0
    dag = DagBag(dag_folder=str(DAGS)).get_dag(dag_id)
    assert dag.doc_md and dag.doc_md.strip().startswith("###")
    assert "vigil" in dag.tags and len(dag.tags) >= 2
    assert dag.owner == "vigil"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.execution_timeout is not None, task.task_id


def test_ingest_graph_shape(dagbag: Any) -> None:
    dag = dagbag.get_dag("vigil_ingest")
    assert dag.schedule == "0 2 * * *"
    chain = ["feed_group.fetch", "feed_group.extract", "feed_group.tag", "feed_group.index"]
    assert set(dag.task_ids) == {"plan", *chain, "summarise"}
    # every mapped task receives its group name from plan's list
    assert dag.get_task("plan").downstream_task_ids == {*chain, "summarise"}
    for upstream, downstream in itertools.pairwise(chain):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}
    assert dag.get_task("feed_group.index").downstream_task_ids == {"summarise"}
    assert dag.get_task("feed_group.fetch").pool == "vigil_fetch"
    assert dag.get_task("feed_group.index").max_active_tis_per_dagrun == 1
    summarise = dag.get_task("summarise")
    assert summarise.trigger_rule == "all_done"
    assert [o.uri for o in summarise.outlets] == ["vigil://store/articles"]
    assert type(dag.task_group_dict["feed_group"]).__name__ == "MappedTaskGroup"


def test_alerts_is_scheduled_on_the_index_asset(dagbag: Any) -> None:
    dag = dagbag.get_dag("vigil_alerts")
    assert [a.uri for a in dag.schedule] == ["vigil://store/articles"]
    assert dag.task_ids == ["compute"]


def test_maintenance_and_backfill_shape(dagbag: Any) -> None:
    maintenance = dagbag.get_dag("vigil_maintenance")
    assert maintenance.schedule == "0 4 * * 0"
    assert maintenance.get_task("optimise").upstream_task_ids == {"retry_dead_letters", "prune_raw", "prune_runs"}
    backfill = dagbag.get_dag("vigil_backfill")
    assert backfill.schedule is None
    assert set(backfill.params.keys()) == {"mode", "since", "until"}
    assert backfill.get_task("reprocess").downstream_task_ids == {"summarise"}


@pytest.mark.parametrize("path", sorted(p for p in DAGS.glob("*.py")), ids=lambda p: p.name)
def test_dag_files_import_nothing_heavy_at_top_level(path: Path) -> None:
    """Top-level imports stay cheap: the heavy modules are imported inside tasks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            top += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.append(node.module)
    heavy = [m for m in top if m.startswith(HEAVY_MODULES)]
    assert heavy == []
