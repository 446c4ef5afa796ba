"""Airflow in tests: a private AIRFLOW_HOME (SQLite) set up once per session, before Airflow is imported.

Only tests in this directory use these fixtures; nothing here is global (each environment change is
undone when the session or test ends). Retries are off (``VIGIL_DAG_RETRIES=0``) so a failing task
fails at once: ``dag.test()`` would otherwise wait out the retry delays.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vigil.demo_site import DemoSite

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"


@pytest.fixture(scope="session")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point Airflow at a temporary home and the repo's dags/, then create its metadata database."""
    home = tmp_path_factory.mktemp("airflow-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_HOME", str(home))
        mp.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
        mp.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        mp.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home}/airflow.db")
        mp.setenv("VIGIL_DAG_RETRIES", "0")
        mp.syspath_prepend(str(DAGS))  # what Airflow does for the DAGs folder (vigil_common)
        from airflow.utils import db

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # migration chatter is not ours
            db.resetdb()
        yield home


@pytest.fixture(scope="session")
def dagbag(airflow_env: Path) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@dataclass
class DemoEnv:
    site: DemoSite
    data_dir: Path
    feeds_file: Path


def resolved_feeds(site: DemoSite, target: Path) -> Path:
    """A copy of the demo catalogue with the server's real address in place of ``__BASE_URL__``."""
    text = site.feeds_file.read_text(encoding="utf-8").replace("__BASE_URL__", site.base_url)
    target.write_text(text, encoding="utf-8")
    return target


def use_demo_site(mp: pytest.MonkeyPatch, site: DemoSite, tmp: Path) -> DemoEnv:
    env = DemoEnv(site=site, data_dir=tmp / "data", feeds_file=resolved_feeds(site, tmp / "feeds.yaml"))
    mp.setenv("VIGIL_DATA_DIR", str(env.data_dir))
    mp.setenv("VIGIL_FEEDS_FILE", str(env.feeds_file))
    mp.setenv("VIGIL_STORE", "sqlite")
    mp.setenv("VIGIL_ALLOW_HOSTS", "127.0.0.1")
    mp.setenv("VIGIL_PER_HOST_DELAY", "0")
    mp.setenv("VIGIL_PER_HOST_CONCURRENCY", "8")
    mp.setenv("VIGIL_CONNECT_TIMEOUT", "5")
    mp.setenv("VIGIL_READ_TIMEOUT", "10")
    return env


@pytest.fixture()
def demo(airflow_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoEnv]:
    """The demo site served on 127.0.0.1 and VIGIL_* pointing at it and at a fresh data directory."""
    with DemoSite() as site:
        yield use_demo_site(monkeypatch, site, tmp_path)
