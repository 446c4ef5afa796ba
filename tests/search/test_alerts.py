"""Alerts: the pure decision, the SQL aggregation (copies once, no commemorations), storage and config."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from vigil import staging
from vigil.errors import ConfigError, NotFoundError, StoreError
from vigil.records import IndexedDocument
from vigil.search.alerts import (
    AlertConfig,
    DayAggregate,
    ScoreRow,
    aggregate_documents,
    alert_id,
    compute_alerts,
    daily_scores,
    decide,
    load_alert_config,
    rows_from_aggregates,
    split_history,
)
from vigil.search.elastic import ElasticStore
from vigil.search.sqlite import SqliteStore
from vigil.search.sqlite.review import SqliteReviewStore
from vigil.search.store import StoreStats
from vigil.settings import PROJECT_ROOT, Settings

from .elastic_fake import FakeElastic, fake_elastic, route_setup, search_reply
from .factories import make_document

DAY = date(2026, 2, 10)
NOW = datetime(2026, 2, 11, 3, 0, tzinfo=UTC)
CONFIG = AlertConfig()
QUIET = (0.0,) * 28


def row(score: float = 8.0, *, sources: int = 2, severity: int = 5, history: tuple[float, ...] = QUIET,
        country: str = "SD", category: str = "mass_killing") -> ScoreRow:
    return ScoreRow(country=country, category=category, day=DAY, score=score, reports=sources, sources=sources,
                    severity=severity, history=history)


# --------------------------------------------------------------------------- decide (pure)


def test_a_jump_over_a_quiet_baseline_alerts_with_its_numbers() -> None:
    [alert] = decide([row()], CONFIG, computed_at=NOW)
    assert alert.model_dump(exclude={"computed_at"}) == {
        "id": alert_id("SD", "mass_killing", DAY), "country": "SD", "category": "mass_killing", "day": DAY,
        "level": "alert", "severity": 5, "urgency": "medium", "score": 8.0, "baseline_median": 0.0,
        "baseline_mad": 0.0, "baseline_days": 28, "z": 8.0, "reports": 2, "independent_sources": 2,
        "rising": False, "evidence": (), "status": "open", "status_by": None, "status_at": None,
        "status_note": "", "method": "robust-z/1"}
    assert alert.computed_at == NOW
    assert alert.summary == "mass_killing in SD: score 8 vs baseline 0 (z 8), 2 reports from 2 outlets"


def test_one_outlet_is_not_enough() -> None:
    assert decide([row(sources=1)], CONFIG) == []


def test_small_scores_and_routine_noise_do_not_alert() -> None:
    noisy = tuple(float(x) for x in [4, 8, 0, 6, 12, 4, 8, 0, 4, 8, 12, 4, 6, 8] * 2)
    assert decide([row(3.9)], CONFIG) == []
    assert decide([row(14.0, history=noisy)], CONFIG) == []  # median 6, MAD 2 -> z 2.70
    [just] = decide([row(16.0, history=noisy)], CONFIG)  # z 3.37: just above
    assert (just.baseline_median, just.baseline_mad, just.z, just.level) == (6.0, 2.0, 3.372, "warning")
    assert decide([row(16.0, history=noisy)], CONFIG.model_copy(update={"z_threshold": 3.5})) == []


def test_levels_combine_severity_and_urgency() -> None:
    cases = [row(5.0, severity=2, category="repression"),      # z 5: low urgency -> 2 points: watch
             row(7.0, severity=3, category="incitement"),      # z 7: medium -> 4 points: warning
             row(12.0, severity=4, category="detention"),      # z 12: high -> 6 points: alert
             row(5.0, severity=5, category="genocidal_intent")]  # z 5: low -> 5 points: warning
    got = [(a.category, a.level, a.urgency) for a in decide(cases, CONFIG)]
    assert got == [("detention", "alert", "high"), ("genocidal_intent", "warning", "low"),
                   ("incitement", "warning", "medium"), ("repression", "watch", "low")]


def test_a_departure_that_continues_the_day_before_is_more_urgent() -> None:
    [alert] = decide([row(5.0, history=(*QUIET[:-1], 5.0))], CONFIG)
    assert (alert.rising, alert.urgency, alert.level) == (True, "medium", "alert")


def test_a_short_history_caps_the_level_at_watch() -> None:
    [alert] = decide([row(20.0, history=(0.0,) * 13)], CONFIG)
    assert (alert.level, alert.urgency, alert.baseline_days) == ("watch", "high", 13)


def test_rows_fill_days_without_events_with_zero_and_start_at_coverage() -> None:
    aggs = [DayAggregate(country="SD", category="detention", day=DAY - timedelta(days=2), score=4.0, reports=1,
                         sources=1, severity=4),
            DayAggregate(country="SD", category="detention", day=DAY, score=8.0, reports=2, sources=2, severity=4),
            DayAggregate(country="ML", category="trigger", day=DAY - timedelta(days=1), score=1.6, reports=1,
                         sources=1, severity=2)]
    today, history = split_history(aggs, DAY)
    [only] = rows_from_aggregates(today, history, DAY, 28, first_day=DAY - timedelta(days=5))
    assert (only.country, only.category, only.score, only.history) == ("SD", "detention", 8.0,
                                                                        (0.0, 0.0, 0.0, 4.0, 0.0))
    assert len(rows_from_aggregates(today, history, DAY, 28, first_day=date(2025, 1, 1))[0].history) == 28


# --------------------------------------------------------------------------- SQLite


def story(slug: str, source: str, day: date, *, category: str = "mass_killing", country: str = "SD",
          duplicate_of: str | None = None, hour: int = 9) -> IndexedDocument:
    return make_document(f"Report {slug}", f"Original test text about {slug} for the alert fixtures.", slug=slug,
                         source=source, published=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                         countries=(country,), indicators=(category,), duplicate_of=duplicate_of)


def historical(doc: IndexedDocument) -> IndexedDocument:
    events = tuple(e.model_copy(update={"historical": True}) for e in doc.tags.events)
    return doc.model_copy(update={"tags": doc.tags.model_copy(update={"events": events})})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "vigil.sqlite3")
    coverage = make_document("Quiet start", "Nothing to report in this original fixture text.", slug="start",
                             published=datetime(2026, 1, 1, 8, tzinfo=UTC), countries=("SD",))
    opened.upsert([coverage, story("old", "one.example", DAY - timedelta(days=20))])
    yield opened
    opened.close()


def test_two_independent_outlets_raise_an_alert_with_evidence(store: SqliteStore) -> None:
    a, b = story("a", "one.example", DAY), story("b", "two.example", DAY, hour=11)
    store.upsert([a, b])
    [alert] = compute_alerts(store, DAY, CONFIG, computed_at=NOW)
    assert (alert.country, alert.category, alert.score, alert.reports, alert.independent_sources) == (
        "SD", "mass_killing", 8.0, 2, 2)
    assert (alert.baseline_days, alert.baseline_median, alert.level) == (28, 0.0, "alert")
    assert [e.id for e in alert.evidence] == [a.article.id, b.article.id]
    assert alert.evidence[0].url == a.article.url and alert.evidence[0].source_domain == "one.example"
    assert store.alerts() == [alert]


def test_syndicated_copies_count_once(store: SqliteStore) -> None:
    a = story("a", "one.example", DAY)
    copy = story("a-copy", "two.example", DAY, duplicate_of=a.article.id)
    store.upsert([a, copy])
    [r] = daily_scores(store, DAY, 28)
    assert (r.score, r.reports, r.sources) == (4.0, 1, 1)
    assert compute_alerts(store, DAY, CONFIG) == []


def test_copies_of_an_absent_original_are_one_story(store: SqliteStore) -> None:
    first = story("x1", "two.example", DAY, duplicate_of="f" * 64)
    second = story("x2", "three.example", DAY, duplicate_of="f" * 64)
    store.upsert([first, second, story("own", "one.example", DAY)])
    [r] = daily_scores(store, DAY, 28)
    assert (r.score, r.reports, r.sources) == (8.0, 2, 2)


def test_commemorations_do_not_alert(store: SqliteStore) -> None:
    store.upsert([historical(story("a", "one.example", DAY)), historical(story("b", "two.example", DAY))])
    assert daily_scores(store, DAY, 28) == []
    assert compute_alerts(store, DAY, CONFIG) == []


def test_events_analysts_rejected_do_not_count(store: SqliteStore) -> None:
    a, b = story("a", "one.example", DAY), story("b", "two.example", DAY)
    store.upsert([a, b])
    store.put_review(b.tags.events[0].id, "rejected", at=NOW)
    [r] = daily_scores(store, DAY, 28)
    assert (r.score, r.sources) == (4.0, 1)


def test_history_forms_the_baseline(store: SqliteStore) -> None:
    docs = [story(f"h{i}-{s}", s, DAY - timedelta(days=i)) for i in range(1, 21) for s in ("one.example",
                                                                                            "two.example")]
    store.upsert([*docs, story("a", "one.example", DAY), story("b", "two.example", DAY)])
    [r] = daily_scores(store, DAY, 28)
    assert r.history == (0.0,) * 8 + (12.0,) + (8.0,) * 19  # the fixture's old story adds to day -20
    assert compute_alerts(store, DAY, CONFIG) == []  # the same as every day: routine, not a warning


def test_recomputing_upserts_and_keeps_the_analysts_status(store: SqliteStore) -> None:
    store.upsert([story("a", "one.example", DAY), story("b", "two.example", DAY)])
    [first] = compute_alerts(store, DAY, CONFIG, computed_at=NOW)
    acked = store.update_alert_status(first.id, "acknowledged", by="ana", note="seen", at=NOW)
    assert (acked.status, acked.status_by, acked.status_note) == ("acknowledged", "ana", "seen")
    store.upsert([story("c", "three.example", DAY)])
    [again] = compute_alerts(store, DAY, CONFIG, computed_at=NOW + timedelta(hours=1))
    assert again.id == first.id and again.score == 12.0 and again.status == "acknowledged"
    assert len(store.alerts(status=None)) == 1
    assert store.alerts(status="open") == [] and store.alerts(status="acknowledged") == [again]


def test_alert_listing_filters(store: SqliteStore) -> None:
    store.upsert([story(f"{s}-{d}", s, d, country=c) for d in (DAY - timedelta(days=3), DAY)
                  for c in ("SD", "ML") for s in (f"{c}-one.example", f"{c}-two.example")])
    for d in (DAY - timedelta(days=3), DAY):
        compute_alerts(store, d, CONFIG)
    assert [(a.country, a.day) for a in store.alerts(country="ml")] == [("ML", DAY), ("ML", DAY - timedelta(days=3))]
    assert {a.day for a in store.alerts(since=DAY)} == {DAY}
    assert len(store.alerts(limit=3)) == 3


def test_status_changes_are_checked(store: SqliteStore) -> None:
    with pytest.raises(NotFoundError):
        store.update_alert_status("nope", "closed", by="ana")
    store.upsert([story("a", "one.example", DAY), story("b", "two.example", DAY)])
    [alert] = compute_alerts(store, DAY, CONFIG)
    with pytest.raises(StoreError, match="alert status must be one of open, acknowledged, closed"):
        store.update_alert_status(alert.id, "solved", by="ana")


def test_python_aggregation_matches_the_sql_one(store: SqliteStore) -> None:
    a = story("a", "one.example", DAY)
    store.upsert([a, story("a-copy", "two.example", DAY, duplicate_of=a.article.id),
                  story("b", "three.example", DAY), historical(story("c", "four.example", DAY)),
                  story("d", "one.example", DAY - timedelta(days=2), category="detention"),
                  story("e", "one.example", DAY, category="detention", country="ML"),
                  story("f", "one.example", DAY - timedelta(days=4))])
    native = daily_scores(store, DAY, 28)
    python = daily_scores(DocumentsOnly(store), DAY, 28)
    assert python == native and len(native) == 2
    aggregates, first = aggregate_documents(store.iter_documents(DAY - timedelta(days=28), DAY), DAY)
    assert [(a.country, a.category, a.day, a.score) for a in aggregates] == [
        ("ML", "detention", DAY, 3.2), ("SD", "mass_killing", DAY - timedelta(days=20), 4.0),
        ("SD", "mass_killing", DAY - timedelta(days=4), 4.0), ("SD", "mass_killing", DAY, 8.0)]
    assert first == DAY - timedelta(days=20)


def test_cached_history_follows_new_and_rejected_events(store: SqliteStore) -> None:
    store.upsert([story("a", "one.example", DAY), story("b", "two.example", DAY)])
    assert daily_scores(store, DAY, 28)[0].history.count(4.0) == 1
    late = story("late", "three.example", DAY - timedelta(days=15))
    store.upsert([late])  # an old day gets a new article after it was cached
    assert daily_scores(store, DAY, 28)[0].history.count(4.0) == 2
    store.put_review(late.tags.events[0].id, "rejected", at=datetime.now(UTC))
    assert daily_scores(store, DAY, 28)[0].history.count(4.0) == 1


class DocumentsOnly:
    """A store with documents and nothing else (the fallback path Elasticsearch uses)."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner

    def iter_documents(self, since: date | None = None, until: date | None = None) -> Iterator[IndexedDocument]:
        return self.inner.iter_documents(since, until)

    def stats(self) -> StoreStats:
        return self.inner.stats()


class DocumentsAndReviews(DocumentsOnly):
    """The fallback path with review statuses, as the Elasticsearch store offers them."""

    def review_statuses(self, event_ids: list[str]) -> dict[str, str]:
        reviews = SqliteReviewStore(self.inner)
        items = {i: reviews.queue_item(i) for i in event_ids}
        return {i: item.status for i, item in items.items() if item is not None and item.status != "pending"}


def test_the_document_path_leaves_out_rejected_events_too(store: SqliteStore) -> None:
    a, b = story("a", "one.example", DAY), story("b", "two.example", DAY)
    store.upsert([a, b])
    store.put_review(b.tags.events[0].id, "rejected", at=NOW)
    [native] = daily_scores(store, DAY, 28)
    assert (native.score, native.sources) == (4.0, 1)
    assert daily_scores(DocumentsAndReviews(store), DAY, 28) == [native]
    [blind] = daily_scores(DocumentsOnly(store), DAY, 28)  # a store that cannot say counts every event
    assert (blind.score, blind.sources) == (8.0, 2)


def test_stores_without_sql_aggregation_get_the_same_alerts(store: SqliteStore) -> None:
    store.upsert([story("a", "one.example", DAY), story("b", "two.example", DAY, hour=11)])
    native = compute_alerts(store, DAY, CONFIG, save=False, computed_at=NOW)
    fallback = compute_alerts(DocumentsOnly(store), DAY, CONFIG, save=False, computed_at=NOW)
    assert fallback == native and len(native) == 1
    with pytest.raises(StoreError, match="cannot keep alerts"):
        compute_alerts(DocumentsOnly(store), DAY, CONFIG)


def test_staging_calls_compute_alerts(store: SqliteStore, tmp_path: Path) -> None:
    store.upsert([story("a", "one.example", DAY), story("b", "two.example", DAY)])
    result = staging.compute_alerts(Settings(data_dir=tmp_path), DAY, store=store)
    assert result == {"day": "2026-02-10", "status": "ok", "alerts": 1}
    assert len(store.alerts()) == 1


# --------------------------------------------------------------------------- config


def test_shipped_config_is_the_default() -> None:
    assert load_alert_config(PROJECT_ROOT / "config" / "alerts.yaml") == AlertConfig()


def test_config_errors_name_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text("lookback_days: 28\nz_treshold: 3\n")
    with pytest.raises(ConfigError, match=r"alerts.yaml:2: z_treshold: unknown field 'z_treshold' \(check"):
        load_alert_config(path)
    path.write_text("lookback_days: 10\nmin_baseline_days: 14\n")
    with pytest.raises(ConfigError, match="min_baseline_days cannot exceed lookback_days"):
        load_alert_config(path)
    path.write_text("levels:\n  warning: 5\n  alert: 5\n")
    with pytest.raises(ConfigError, match=r"levels\.alert must be greater than levels\.warning"):
        load_alert_config(path)


# --------------------------------------------------------------------------- Elasticsearch (request shapes)


@pytest.fixture
def fake() -> Iterator[FakeElastic]:
    with fake_elastic() as server:
        route_setup(server)
        yield server


@pytest.fixture
def es(fake: FakeElastic) -> Iterator[ElasticStore]:
    opened = ElasticStore.from_settings(Settings(es_url=fake.url, store="elasticsearch"), retry_backoff=0.0)
    fake.clear()
    yield opened
    opened.close()


def test_elastic_put_alerts_creates_the_index_and_keeps_statuses(fake: FakeElastic, es: ElasticStore) -> None:
    new, known = decide([row(), row(category="detention", severity=4)], CONFIG, computed_at=NOW)
    acked = known.model_copy(update={"status": "acknowledged", "status_by": "ana"})
    fake.on("HEAD", "/vigil-alerts", (404, None))
    fake.on("POST", "/vigil-alerts/_mget", (200, {"docs": [
        {"_id": new.id, "found": False}, {"_id": known.id, "found": True,
                                          "_source": {"alert": acked.model_dump(mode="json")}}]}))
    fake.on("PUT", "/_bulk", lambda r: (200, {"errors": False, "items": [
        {"index": {"_id": op["index"]["_id"], "status": 200}} for op in r.body[::2]]}))
    stored = es.put_alerts([new, known])
    assert [(a.id, a.status) for a in stored] == [(new.id, "open"), (known.id, "acknowledged")]
    assert [(r.method, r.path) for r in fake.requests] == [
        ("HEAD", "/vigil-alerts"), ("PUT", "/vigil-alerts"), ("POST", "/vigil-alerts/_mget"), ("PUT", "/_bulk")]
    assert fake.requests[1].body["mappings"]["properties"]["alert"] == {"type": "object", "enabled": False}
    assert fake.requests[2].body == {"ids": [new.id, known.id]}
    bulk = fake.requests[3]
    assert bulk.params["refresh"] == "wait_for"
    assert bulk.body[0] == {"index": {"_index": "vigil-alerts", "_id": new.id}}
    assert {k: v for k, v in bulk.body[3].items() if k != "alert"} == {
        "id": known.id, "country": "SD", "category": "detention", "day": "2026-02-10", "level_rank": 1,
        "level": "warning", "severity": 4, "status": "acknowledged"}


def test_elastic_alert_listing_and_status_requests(fake: FakeElastic, es: ElasticStore) -> None:
    [alert] = decide([row()], CONFIG, computed_at=NOW)
    source = {"alert": alert.model_dump(mode="json")}
    fake.on("HEAD", "/vigil-alerts", (200, None))
    fake.on("POST", "/vigil-alerts/_search", search_reply([{"_id": alert.id, "_source": source, "sort": [1]}]))
    assert es.alerts(country="sd", since=DAY, status="open", limit=5) == [alert]
    body = fake.calls("POST", "/vigil-alerts/_search")[0].body
    assert body["query"] == {"bool": {"filter": [{"term": {"country": "SD"}},
                                                 {"range": {"day": {"gte": "2026-02-10"}}},
                                                 {"term": {"status": "open"}}]}}
    assert body["sort"][0] == {"day": {"order": "desc"}} and body["size"] == 5
    fake.on("GET", "/vigil-alerts/_doc/.*", (200, {"_id": alert.id, "found": True, "_source": source}))
    fake.on("PUT", "/vigil-alerts/_doc/.*", (200, {"result": "updated"}))
    closed = es.update_alert_status(alert.id, "closed", by="ana", note="resolved", at=NOW)
    assert (closed.status, closed.status_by, closed.status_note) == ("closed", "ana", "resolved")
    put = fake.calls("PUT", "/vigil-alerts/_doc/.*")[0]
    assert put.body["status"] == "closed" and put.params["refresh"] == "wait_for"
    fake.on("GET", "/vigil-alerts/_doc/.*", (404, {"_id": "x", "found": False}))
    with pytest.raises(NotFoundError):
        es.update_alert_status("x", "closed", by="ana")


def test_elastic_without_alerts_index_lists_nothing(fake: FakeElastic, es: ElasticStore) -> None:
    fake.on("HEAD", "/vigil-alerts", (404, None))
    assert es.alerts() == []
    assert [r.method for r in fake.requests] == ["HEAD"]
