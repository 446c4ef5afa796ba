"""The Airflow stage functions (claim-check files, readiness, summary, maintenance), tested without Airflow."""

from __future__ import annotations

import gzip
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from vigil import maintenance, staging
from vigil.demo_site import DemoSite
from vigil.errors import ConfigError, StoreError
from vigil.ingest.raw import RawCapture
from vigil.nlp.tagger import TagInput
from vigil.records import DeadLetter, FeedSpec, FeedState, Stage, Tags
from vigil.runtime import open_store
from vigil.settings import Settings

pytestmark = pytest.mark.slow


class FakeTagger:
    """Tags nothing but the language (the real tagger has its own tests); counts what it was given."""

    def __init__(self, marker: str = "") -> None:
        self.seen = 0
        self.marker = marker

    def tag_many(self, items: Iterable[TagInput]) -> Iterator[Tags]:
        for item in items:
            self.seen += 1
            yield Tags(language=item.language or "und", lexicon_version=self.marker)


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite() as served:
        yield served


def demo_settings(site: DemoSite, tmp: Path, **extra: object) -> Settings:
    feeds = tmp / "feeds.yaml"
    feeds.write_text(site.feeds_file.read_text(encoding="utf-8").replace("__BASE_URL__", site.base_url),
                     encoding="utf-8")
    return Settings(data_dir=tmp / "data", feeds_file=feeds, allow_hosts=("127.0.0.1",), per_host_delay=0,
                    per_host_concurrency=8, **extra)  # type: ignore[arg-type]


def run_group(settings: Settings, group: str, run_id: str, tagger: FakeTagger) -> dict[str, int]:
    fetched = staging.fetch_group(settings, group, run_id)
    extracted = staging.extract_group(settings, fetched)
    tagged = staging.tag_group(settings, extracted, tagger=tagger)
    return staging.index_group(settings, tagged)


# --------------------------------------------------------------------------- options


def test_dag_options_defaults_and_overrides() -> None:
    assert staging.dag_options({}) == staging.DagOptions()
    opts = staging.dag_options({"VIGIL_SCHEDULE": "30 1 * * *", "VIGIL_DAG_RETRIES": "0",
                                "VIGIL_DAG_RETRY_DELAY": "1.5", "VIGIL_FETCH_POOL": "slow_fetch"})
    assert (opts.schedule, opts.retries, opts.retry_delay, opts.fetch_pool) == \
        ("30 1 * * *", 0, timedelta(seconds=1.5), "slow_fetch")
    with pytest.raises(ConfigError, match="VIGIL_DAG_RETRIES must be a number, got 'two'"):
        staging.dag_options({"VIGIL_DAG_RETRIES": "two"})
    with pytest.raises(ConfigError, match="must be >= 0"):
        staging.dag_options({"VIGIL_DAG_RETRY_DELAY": "-1"})


def test_es_overrides_from_connection_fields() -> None:
    assert staging.es_overrides(host="es.example.org", port=9200, schema="http", password="k3y") == \
        {"es_url": "http://es.example.org:9200", "es_api_key": "k3y"}
    assert staging.es_overrides(host="https://es.example.org:9243/", port=9200,
                                extra={"api_key": "x", "ca_cert": "/etc/ca.pem"}) == \
        {"es_url": "https://es.example.org:9243", "es_api_key": "x", "es_ca_cert": "/etc/ca.pem"}
    assert staging.es_overrides(host="es", schema="weird")["es_url"] == "https://es"
    assert staging.es_overrides(host="elasticsearch", port=9200, conn_type="http")["es_url"] == \
        "http://elasticsearch:9200"  # AIRFLOW_CONN_VIGIL_ELASTICSEARCH=http://elasticsearch:9200
    with pytest.raises(ConfigError, match="has no host"):
        staging.es_overrides(host=None)


def test_run_dir_is_file_name_safe(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    path = staging.run_dir(settings, "scheduled__2026-11-21T02:00:00+00:00")
    assert path == tmp_path / "runs" / "scheduled__2026-11-21T02_00_00_00_00"
    assert staging.safe_name("../..") == "_"


# --------------------------------------------------------------------------- claim-check files


def test_claim_files_round_trip_and_are_written_atomically(tmp_path: Path) -> None:
    header = staging.Header(run_id="r1", group="g", stage="fetch", started_at=datetime(2026, 11, 21, tzinfo=UTC))
    ledgers = [staging.FeedLedger(feed=FeedSpec(url=f"https://news.example/{i}.xml", name=f"n{i}", language="en"),
                                  state=FeedState(url=f"https://news.example/{i}.xml"), counts={"feed-ok": 1})
               for i in range(2)]
    path = tmp_path / "g.fetch.jsonl.gz"
    with staging.ClaimWriter(path, header) as out:
        out.ledger(ledgers[0])
        out.ledger(ledgers[1])
    got_header, feeds = staging.read_claim(path)
    assert got_header == header
    assert [(ledger.feed.url, items) for ledger, items in feeds] == [(ledgers[0].feed.url, []),
                                                                     (ledgers[1].feed.url, [])]

    broken = tmp_path / "broken.fetch.jsonl.gz"
    with pytest.raises(RuntimeError), staging.ClaimWriter(broken, header) as out:
        out.ledger(ledgers[0])
        raise RuntimeError("killed half-way")
    assert not broken.exists()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind

    with pytest.raises(StoreError, match=r"is missing .* VIGIL_DATA_DIR not shared"):
        staging.read_claim(tmp_path / "gone.jsonl.gz")


# --------------------------------------------------------------------------- readiness


def test_plan_lists_groups_and_refuses_unknown_ones(site: DemoSite, tmp_path: Path) -> None:
    settings = demo_settings(site, tmp_path)
    assert staging.plan_groups(settings) == ["africa", "americas", "europe", "mena"]
    assert staging.plan_groups(settings, only=["mena", "africa"]) == ["africa", "mena"]
    with pytest.raises(ConfigError, match=r"unknown feed group.* asia; the catalogue has: africa, americas"):
        staging.plan_groups(settings, only=["asia"])


def test_missing_feeds_file_fails_with_its_path(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, feeds_file=tmp_path / "absent.yaml")
    with pytest.raises(ConfigError, match=r"absent\.yaml: file not found"):
        staging.check_ready(settings)


def test_unreachable_elasticsearch_fails_fast_with_its_url(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path, store="elasticsearch", es_url=f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(StoreError, match=f"cannot reach Elasticsearch at http://127.0.0.1:{port}"):
        staging.check_store(settings)
    assert time.monotonic() - started < staging.ES_PROBE_TIMEOUT + 1
    with pytest.raises(ConfigError, match="needs VIGIL_ES_URL or the Airflow connection"):
        staging.check_store(Settings(data_dir=tmp_path, store="elasticsearch"))


# --------------------------------------------------------------------------- the stages


def test_stages_ingest_a_group_through_files_and_rerun_harmlessly(site: DemoSite, tmp_path: Path) -> None:
    settings = demo_settings(site, tmp_path)
    tagger = FakeTagger()
    fetched = staging.fetch_group(settings, "mena", "run-1")
    assert fetched == str(tmp_path / "data" / "runs" / "run-1" / "mena.fetch.jsonl.gz")
    header, feeds = staging.read_claim(Path(fetched))
    (ledger, pairs), = list(feeds)
    assert header.group == "mena" and ledger.feed.language == "ar" and ledger.counts["feed-ok"] == 1
    assert len(pairs) == ledger.counts["fetched"] > 0
    store = open_store(settings)
    try:
        assert store.get_feed_state(ledger.feed.url) is None  # nothing written before index
    finally:
        store.close()

    extracted = staging.extract_group(settings, fetched)
    tagged = staging.tag_group(settings, extracted, tagger=tagger)
    counts = staging.index_group(settings, tagged)
    assert counts["indexed"] == len(pairs) == tagger.seen
    assert counts["feed-ok"] == 1 and counts["extracted"] == len(pairs)
    assert json.loads((Path(fetched).parent / "mena.index.json").read_text())["counts"] == counts
    assert len(list(RawCapture(settings.raw_dir).iter_ids())) == len(pairs)

    again = staging.index_group(settings, tagged)  # an Airflow retry of the last stage
    assert again["indexed"] == 0 and again["unchanged"] == len(pairs)
    store = open_store(settings)
    try:
        assert store.stats().articles == len(pairs)
        assert store.get_feed_state(ledger.feed.url).last_success_at is not None  # type: ignore[union-attr]
        scopes = [r["scope"] for r in store.run_reports()]
        assert scopes == ["group:mena", "group:mena"]
    finally:
        store.close()

    # A new run finds everything known (or the feed not due yet): nothing new is indexed.
    second = run_group(settings, "mena", "run-2", tagger)
    assert second.get("indexed", 0) == 0


def test_claim_files_hold_bodies_but_stage_results_are_only_paths_and_counts(site: DemoSite,
                                                                                tmp_path: Path) -> None:
    settings = demo_settings(site, tmp_path)
    fetched = staging.fetch_group(settings, "americas", "run-x")
    assert isinstance(fetched, str) and len(fetched) < 300
    with gzip.open(fetched, "rt", encoding="utf-8") as fh:
        kinds = [next(iter(json.loads(line))) for line in fh]
    assert kinds[:2] == ["header", "ledger"] and set(kinds[2:]) == {"pair"}
    counts = staging.index_group(settings, staging.tag_group(settings, staging.extract_group(settings, fetched),
                                                             tagger=FakeTagger()))
    assert all(isinstance(k, str) and isinstance(v, int) for k, v in counts.items())


def test_a_group_whose_feeds_all_fail_raises_and_the_summary_records_it(tmp_path: Path) -> None:
    with DemoSite(broken={"/feeds/es.xml", "/feeds/fr.xml"}) as broken_site:
        settings = demo_settings(broken_site, tmp_path)
        with pytest.raises(staging.GroupFailedError, match=r"'americas': all 1 feed\(s\) failed: .*es\.xml"):
            staging.fetch_group(settings, "americas", "run-b")
        africa = run_group(settings, "africa", "run-b", FakeTagger())
    assert africa["feed-failed"] == 1 and africa["feed-ok"] == 3 and africa["indexed"] > 0

    report = staging.summarise(settings, "run-b", ["africa", "americas"])
    groups = report.details["groups"]
    assert groups["africa"]["status"] == "ok"
    assert groups["americas"] == {"status": "failed", "stage": "fetch",
                                  "error": groups["americas"]["error"]}
    assert groups["americas"]["error"].startswith("GroupFailedError: feed group 'americas'")
    assert report.get("group-failed") == 1 and report.get("indexed") == africa["indexed"]
    assert report.feeds == 5
    store = open_store(settings)
    try:
        failing = {s.url.rsplit("/", 1)[-1]: s.consecutive_failures for s in store.feed_states()
                   if s.consecutive_failures}
        assert failing == {"es.xml": 1, "fr.xml": 1}
        stored = store.run_reports()
        assert stored[0]["scope"] == "run" and stored[0]["report"] == report
    finally:
        store.close()


def test_a_group_failing_after_fetch_records_nothing_so_the_next_run_refetches(site: DemoSite,
                                                                               tmp_path: Path) -> None:
    settings = demo_settings(site, tmp_path)
    fetched = staging.fetch_group(settings, "mena", "run-c")
    with pytest.raises(ConfigError):
        staging.tag_group(settings.model_copy(update={"config_dir": tmp_path / "no-config"}),
                          staging.extract_group(settings, fetched))
    report = staging.summarise(settings, "run-c", ["mena"])
    status = report.details["groups"]["mena"]
    assert status["status"] == "failed" and status["stage"] == "tag"
    assert status["error"].startswith("ConfigError: ")
    store = open_store(settings)
    try:
        assert store.feed_states() == []  # the feed will be read again, its entries not lost
    finally:
        store.close()


def test_a_group_that_never_ran_is_reported_as_failed_at_fetch(tmp_path: Path) -> None:
    status = staging.group_status(tmp_path, "asia")
    assert status == {"status": "failed", "stage": "fetch", "error": "not run: the task did not finish"}


def test_compute_alerts_uses_the_config_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config")
    settings.config_dir.mkdir()
    result = staging.compute_alerts(settings, date(2026, 11, 21))  # no alerts.yaml: built-in defaults
    assert result == {"day": "2026-11-21", "status": "ok", "alerts": 0}
    (settings.config_dir / "alerts.yaml").write_text("min_sourcez: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"alerts\.yaml:1: min_sourcez: unknown field"):
        staging.compute_alerts(settings, date(2026, 11, 21))


# --------------------------------------------------------------------------- maintenance


def test_prune_runs_and_raw_captures_by_age(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, raw_retention_days=30)
    old, new = tmp_path / "runs" / "old", tmp_path / "runs" / "new"
    for d in (old, new):
        d.mkdir(parents=True)
        (d / "g.fetch.jsonl.gz").write_bytes(b"x")
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    assert maintenance.prune_runs(settings) == 1
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["new"]

    raw = RawCapture(settings.raw_dir)
    raw.put("a" * 64, b"<html>old</html>", "https://news.example/old")
    raw.put("b" * 64, b"<html>new</html>", "https://news.example/new")
    old_file = next(settings.raw_dir.glob("aa/*.gz"))
    os.utime(old_file, (month_ago, month_ago))
    assert maintenance.prune_raw(settings) == 1
    assert list(raw.iter_ids()) == ["b" * 64]


def test_optimise_embedded_store(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    open_store(settings).close()
    assert maintenance.optimise_store(settings)["store"] == "sqlite"


def test_backfill_days_are_checked() -> None:
    assert maintenance.backfill_days("2026-10-30", "2026-11-02") == \
        ["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]
    with pytest.raises(ConfigError, match="is before"):
        maintenance.backfill_days("2026-11-02", "2026-11-01")
    with pytest.raises(ConfigError, match="must look like 2026-11-01"):
        maintenance.backfill_days("yesterday", "2026-11-01")
    with pytest.raises(ConfigError, match="longer than 366"):
        maintenance.backfill_days("2024-01-01", "2026-01-01")


def test_backfill_retags_and_reextracts_a_day(site: DemoSite, tmp_path: Path) -> None:
    settings = demo_settings(site, tmp_path)
    run_group(settings, "mena", "run-d", FakeTagger())
    store = open_store(settings)
    try:
        docs = list(store.iter_documents())
        day = docs[0].article.published_at.astimezone(UTC).date()
        on_day = [d for d in docs if d.article.published_at.astimezone(UTC).date() == day]
        retagged = maintenance.backfill_day(settings, "retag", day, store=store, tagger=FakeTagger("v2"))
        assert retagged["articles"] == len(on_day) and retagged["updated"] == len(on_day)
        assert {store.get(d.article.id).tags.lexicon_version for d in on_day} == {"v2"}  # type: ignore[union-attr]

        again = maintenance.backfill_day(settings, "reextract", day.isoformat(), store=store,
                                         tagger=FakeTagger("v2"))
        assert again["articles"] == len(on_day)
        assert again.get("no-raw-capture", 0) == 0 and again.get("extract-failed", 0) == 0
        assert again.get("indexed", 0) == 0  # same ids: upserted, not added
        assert store.stats().articles == len(docs)
    finally:
        store.close()
    with pytest.raises(ConfigError, match="choose one of reingest, retag, reextract"):
        maintenance.backfill_day(settings, "redo", day)  # type: ignore[arg-type]


def test_retry_dead_letters_resolves_what_now_works(site: DemoSite, tmp_path: Path) -> None:
    settings = demo_settings(site, tmp_path)
    store = open_store(settings)
    now = datetime.now(UTC)
    page_url = f"{site.base_url}/en/" + next(p.name for p in (site.root / "en").glob("*.html"))
    feed_url = f"{site.base_url}/feeds/en.xml"
    try:
        store.add_dead_letter(DeadLetter(stage=Stage.FETCH, url=page_url, feed_url=feed_url, reason="http-503",
                                         retryable=True, at=now - timedelta(days=1)))
        store.add_dead_letter(DeadLetter(stage=Stage.FEED, url=feed_url, feed_url=feed_url, reason="timeout",
                                         retryable=True, at=now - timedelta(days=1)))
        store.add_dead_letter(DeadLetter(stage=Stage.FETCH, url=f"{site.base_url}/en/gone.html",
                                         feed_url=feed_url, reason="http-503", retryable=True, at=now))
        counts = maintenance.retry_dead_letters(settings, store=store, tagger=FakeTagger(), now=now)
        assert counts == {"resolved": 1, "feed-still-failing": 1, "still-failing": 1}
        assert store.stats().articles == 1
        left = {d.letter.url: d.letter for d in store.dead_letters()}
        assert set(left) == {feed_url, f"{site.base_url}/en/gone.html"}
        gone = left[f"{site.base_url}/en/gone.html"]
        assert (gone.reason, gone.retryable, gone.attempts) == ("http-404", False, 2)  # not retried again

        store.put_feed_state(FeedState(url=feed_url, last_success_at=now))
        assert maintenance.retry_dead_letters(settings, store=store, tagger=FakeTagger(), now=now) == \
            {"feed-recovered": 1}
        assert maintenance.retry_dead_letters(settings, store=store, tagger=FakeTagger(), now=now) == {}
    finally:
        store.close()
