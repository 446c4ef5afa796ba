"""ElasticStore as a ReviewStore against the fake endpoint: the requests it sends and how it reads replies.

Every reply is canned by the test (no Elasticsearch runs here); the tests assert requests, above all that
the review log only ever receives ``_create`` requests (no update, no delete, no overwrite).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from vigil.errors import NotFoundError
from vigil.search.elastic import ElasticStore
from vigil.search.elastic import review_bodies as rb
from vigil.search.review import (
    AlertStatusChange,
    DecisionInput,
    InvalidReview,
    QueueFilter,
    ReviewStore,
    Session,
    review_store_for,
)
from vigil.search.sqlite.review import digest
from vigil.settings import Settings

from .elastic_fake import FakeElastic, Recorded, Reply, fake_elastic, route_setup, search_reply
from .factories import make_document

AT = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
DOC = make_document(indicators=("mass_killing", "detention"), actors=("rsf",))
EVENT = DOC.tags.events[0]


@pytest.fixture
def fake() -> Iterator[FakeElastic]:
    with fake_elastic() as server:
        route_setup(server)
        yield server


@pytest.fixture
def store(fake: FakeElastic) -> Iterator[ElasticStore]:
    opened = ElasticStore.from_settings(Settings(es_url=fake.url, store="elasticsearch"))
    fake.clear()
    yield opened
    opened.close()


def event_doc() -> dict[str, object]:
    return {"_index": "vigil-events", "_id": EVENT.id, "found": True, "_source": rb.event_source(DOC, EVENT)}


def article_hit() -> dict[str, object]:
    return {"_index": "vigil-articles-000001", "_id": DOC.article.id, "_score": None,
            "_source": {"id": DOC.article.id, "title": DOC.article.title, "url": DOC.article.url,
                        "source_domain": "example.org", "language": "en", "published_at": "2026-01-15T09:30:00Z",
                        "independent_sources": 2, "event_ids": [e.id for e in DOC.tags.events]}}


def route_review(fake: FakeElastic, create: Reply | list[Reply] = (201, {"result": "created"})) -> None:
    fake.on("GET", f"/vigil-events/_doc/{EVENT.id}", (200, event_doc()))
    fake.on("PUT", "/vigil-reviews/_create/[0-9]+", create)
    fake.on("POST", f"/vigil-events/_update/{EVENT.id}", (200, {"result": "updated"}))
    fake.on("POST", "/vigil-articles/_search", search_reply([article_hit()]))
    fake.on("POST", "/vigil-events/_mget", (200, {"docs": [{"_id": EVENT.id, "found": True,
                                                            "_source": {"status": "corrected"}}]}))
    fake.on("POST", f"/vigil-articles-000001/_update/{DOC.article.id}", (200, {"result": "updated"}))


def review_log_writes(fake: FakeElastic) -> list[Recorded]:
    return [r for r in fake.requests if r.path.startswith("/vigil-reviews") and not r.path.endswith("/_search")]


def test_elastic_store_is_its_own_review_store(store: ElasticStore) -> None:
    assert isinstance(store, ReviewStore)
    assert review_store_for(store) is store


def test_a_decision_is_created_in_the_log_and_becomes_the_event_state(fake: FakeElastic, store: ElasticStore) -> None:
    route_review(fake)
    made = store.add_review(EVENT.id, DecisionInput(action="correct", category="detention"), reviewer="ana", at=AT)
    assert (made.event_category, made.category, made.reviewer, made.lexicon_version) == (
        "mass_killing", "detention", "ana", "test-1")
    assert made.published_day == date(2026, 1, 15) and made.at == AT
    [create] = fake.calls("PUT", "/vigil-reviews/_create/.*")
    assert create.path == f"/vigil-reviews/_create/{made.id}" and create.params == {"refresh": "wait_for"}
    assert create.body == rb.decision_source(made, DOC.article.id)
    [state] = fake.calls("POST", f"/vigil-events/_update/{EVENT.id}")
    assert state.body == rb.state_update(made.id, "corrected", "rejected")
    [article] = fake.calls("POST", f"/vigil-articles-000001/_update/{DOC.article.id}")
    assert article.body == {"doc": {"review": ["corrected", "pending"]}}
    assert [r.method for r in review_log_writes(fake)] == ["PUT"]  # append-only: one create, nothing else


def test_a_taken_id_is_never_overwritten(fake: FakeElastic, store: ElasticStore) -> None:
    conflict = (409, {"error": {"type": "version_conflict_engine_exception", "reason": "exists"}, "status": 409})
    route_review(fake, [conflict, (201, {"result": "created"})])
    made = store.add_review(EVENT.id, DecisionInput(action="confirm"), reviewer="ana", at=AT)
    first, second = fake.calls("PUT", "/vigil-reviews/_create/.*")
    assert first.path != second.path == f"/vigil-reviews/_create/{made.id}"
    assert all(r.method == "PUT" and "/_create/" in r.path for r in review_log_writes(fake))


def test_notes_leave_the_state_and_bad_corrections_send_nothing(fake: FakeElastic, store: ElasticStore) -> None:
    route_review(fake)
    store.add_review(EVENT.id, DecisionInput(action="note", note="ask the Khartoum desk"), reviewer="ana", at=AT)
    assert not fake.calls("POST", f"/vigil-events/_update/{EVENT.id}")
    fake.clear()
    with pytest.raises(InvalidReview):
        store.add_review(EVENT.id, DecisionInput(action="correct", country="SD"), reviewer="ana")
    assert not review_log_writes(fake)
    fake.on("GET", "/vigil-events/_doc/nope", (404, {"_id": "nope", "found": False}))
    with pytest.raises(NotFoundError):
        store.add_review("nope", DecisionInput(action="confirm"), reviewer="ana")


def test_decisions_are_read_oldest_first_for_an_event_and_newest_first_in_the_audit(
        fake: FakeElastic, store: ElasticStore) -> None:
    made = {"id": 5, "event_id": EVENT.id, "action": "confirm", "reviewer": "ana",
                             "at": "2026-02-03T10:00:00Z", "event_category": "mass_killing"}
    fake.on("POST", "/vigil-reviews/_search", search_reply([{"_id": "5", "_source": {"decision": made}}]))
    [one] = store.reviews_for_event(EVENT.id)
    assert one.id == 5 and one.reviewer == "ana"
    store.audit_trail(limit=3, reviewer="ana", before_id=9)
    first, audit = fake.calls("POST", "/vigil-reviews/_search")
    assert first.body == rb.decisions_body(event_id=EVENT.id, limit=rb.MAX_TERMS, newest_first=False)
    assert audit.body == rb.decisions_body(reviewer="ana", before_id=9, limit=3)


def test_queue_reads_events_then_their_articles_and_latest_decisions(fake: FakeElastic, store: ElasticStore) -> None:
    source = rb.event_source(DOC, EVENT)
    fake.on("POST", "/vigil-events/_search", search_reply(
        [{"_id": EVENT.id, "_source": {"event": source["event"], "status": "confirmed"}}], total=10_001))
    fake.on("POST", "/vigil-articles/_search", search_reply([article_hit()]))
    latest = {"id": 6, "event_id": EVENT.id, "action": "confirm", "reviewer": "ana", "at": "2026-02-03T10:00:00Z",
              "event_category": "mass_killing"}
    fake.on("POST", "/vigil-reviews/_search", search_reply([{"_id": "6", "_source": {"decision": latest}}]))
    filters = QueueFilter(status="confirmed", countries=("SD",))
    page = store.review_queue(filters)
    assert (page.total, page.total_capped) == (10_000, True)
    [item] = page.items
    assert (item.event.id, item.status, item.title, item.independent_sources) == (
        EVENT.id, "confirmed", DOC.article.title, 2)
    assert item.last_decision is not None and item.last_decision.id == 6
    assert fake.calls("POST", "/vigil-events/_search")[0].body == rb.queue_body(filters)
    assert fake.calls("POST", "/vigil-articles/_search")[0].body == {
        "query": {"ids": {"values": [DOC.article.id]}}, "size": 1, "_source": rb.QUEUE_ARTICLE_SOURCE,
        "track_total_hits": False}
    assert fake.calls("POST", "/vigil-reviews/_search")[0].body == rb.latest_decisions_body([EVENT.id])


def test_queue_item_of_an_unknown_event_is_none(fake: FakeElastic, store: ElasticStore) -> None:
    fake.on("GET", "/vigil-events/_doc/nope", (404, {"_id": "nope", "found": False}))
    assert store.queue_item("nope") is None


def test_precision_report_reads_the_aggregation(fake: FakeElastic, store: ElasticStore) -> None:
    def verdicts(**counts: int) -> dict[str, object]:
        return {"buckets": [{"key": k, "doc_count": n} for k, n in counts.items()]}

    aggs = {"category": {"buckets": [{"key": "mass_killing", "doc_count": 4, "period": {"buckets": [
        {"key": "2026-01", "doc_count": 3, "verdict": verdicts(confirmed=2, rejected=1)},
        {"key": "unknown", "doc_count": 1, "verdict": verdicts(corrected=1)}]}}]}}
    fake.on("POST", "/vigil-events/_search", search_reply([], aggregations=aggs))
    rows = store.precision_report(by="month")
    assert [(r.category, r.period, r.confirmed, r.rejected, r.corrected) for r in rows] == [
        ("mass_killing", "2026-01", 2, 1, 0), ("mass_killing", "unknown", 0, 0, 1)]
    assert rows[0].precision == pytest.approx(2 / 3)
    assert fake.calls("POST", "/vigil-events/_search")[0].body == rb.precision_body("month")


def test_country_overview_reads_weeks_and_tops(fake: FakeElastic, store: ElasticStore) -> None:
    aggs = {"weekly": {"buckets": [{"key_as_string": "2026-01-12", "key": 0, "doc_count": 3, "category": {
                "buckets": [{"key": "mass_killing", "doc_count": 2}, {"key": "detention", "doc_count": 1}]}}]},
            "actors": {"buckets": [{"key": "rsf", "doc_count": 3, "articles": {"value": 2}}]},
            "groups": {"buckets": []}}
    fake.on("POST", "/vigil-events/_search", search_reply([], aggregations=aggs))
    view = store.country_overview("SD", date(2026, 1, 1), date(2026, 1, 31), top=4)
    assert view.weekly == ((date(2026, 1, 12), "mass_killing", 2), (date(2026, 1, 12), "detention", 1))
    assert (view.events, view.actors, view.groups) == (3, (("rsf", 2),), ())
    assert fake.calls("POST", "/vigil-events/_search")[0].body == rb.country_body(
        "SD", date(2026, 1, 1), date(2026, 1, 31), 4)


def test_accounts_and_tokens_store_hashes_only(fake: FakeElastic, store: ElasticStore) -> None:
    fake.on("PUT", "/vigil-users/_create/ana", (201, {"result": "created"}))
    user = store.add_user("ana", "$argon2id$hash", "analyst")
    [create] = fake.calls("PUT", "/vigil-users/_create/ana")
    assert create.body == {"username": "ana", "role": "analyst", "created_at": user.model_dump(mode="json")[
        "created_at"], "disabled": False, "password_hash": "$argon2id$hash"}
    fake.on("PUT", "/vigil-users/_create/ana", (409, {"error": {"type": "version_conflict_engine_exception",
                                                                "reason": "exists"}, "status": 409}))
    with pytest.raises(InvalidReview, match="already exists"):
        store.add_user("ana", "h", "viewer")
    fake.on("GET", "/vigil-users/_doc/ana", (200, {"_id": "ana", "found": True, "_source": create.body}))
    fake.on("PUT", "/vigil-tokens/_create/[0-9a-f]+", (201, {"result": "created"}))
    hashed = digest("vgl_secret")
    token = store.add_token("ana", "nightly script", hashed)
    [stored] = fake.calls("PUT", "/vigil-tokens/_create/.*")
    assert stored.path == f"/vigil-tokens/_create/{hashed}" and "vgl_secret" not in str(stored.body)
    assert stored.body["name"] == "nightly script" and stored.body["id"] == token.id < 2 ** 53
    fake.on("GET", f"/vigil-tokens/_doc/{hashed}", (200, {"_id": hashed, "found": True, "_source": stored.body}))
    found = store.user_for_token(hashed)
    assert found is not None and found.username == "ana"
    fake.on("GET", "/vigil-tokens/_doc/other", (404, {"found": False}))
    assert store.user_for_token("other") is None


def test_sessions_and_login_failures(fake: FakeElastic, store: ElasticStore) -> None:
    session = Session(id="raw-session-id", username="ana", csrf="c5rf", created_at=AT,
                      expires_at=AT + timedelta(hours=1))
    fake.on("POST", "/vigil-sessions/_delete_by_query", (200, {"deleted": 0}))
    fake.on("PUT", "/vigil-sessions/_doc/[0-9a-f]+", (201, {"result": "created"}))
    store.add_session(session)
    [put] = fake.calls("PUT", "/vigil-sessions/_doc/.*")
    assert put.path == f"/vigil-sessions/_doc/{digest('raw-session-id')}" and "raw-session-id" not in str(put.body)
    fake.on("GET", f"/vigil-sessions/_doc/{digest('raw-session-id')}", (200, {"found": True, "_source": put.body}))
    assert store.get_session("raw-session-id") == session
    fake.on("DELETE", "/vigil-sessions/_doc/.*", (404, {"result": "not_found"}))
    store.delete_session("raw-session-id")
    fake.on("POST", "/vigil-login-failures/_doc", (201, {"result": "created"}))
    fake.on("POST", "/vigil-login-failures/_count", (200, {"count": 3}))
    fake.on("POST", "/vigil-login-failures/_delete_by_query", (200, {"deleted": 3}))
    store.record_login_failure("ana|127.0.0.1", AT)
    assert store.login_failures("ana|127.0.0.1", AT - timedelta(minutes=15)) == 3
    store.clear_login_failures("ana|127.0.0.1")
    assert fake.calls("POST", "/vigil-login-failures/_count")[0].body == {
        "query": rb.login_failures_query("ana|127.0.0.1", AT - timedelta(minutes=15))}
    assert fake.calls("POST", "/vigil-login-failures/_delete_by_query")[0].body == {
        "query": rb.login_failures_query("ana|127.0.0.1")}


def test_alert_status_is_an_appended_log_read_by_collapse(fake: FakeElastic, store: ElasticStore) -> None:
    change = AlertStatusChange(alert_id="a1", status="acknowledged", by="ana", at=AT)
    fake.on("PUT", "/vigil-alert-status/_create/[0-9]+", (201, {"result": "created"}))
    store.set_alert_status(change)
    [create] = fake.calls("PUT", "/vigil-alert-status/_create/.*")
    assert create.body["change"] == change.model_dump(mode="json") and create.body["alert_id"] == "a1"
    fake.on("POST", "/vigil-alert-status/_search", search_reply([{"_source": {"change": create.body["change"]}}]))
    assert store.alert_statuses(["a1"]) == {"a1": change}
    assert store.alert_statuses([]) == {}
    assert fake.calls("POST", "/vigil-alert-status/_search")[0].body == rb.alert_statuses_body(["a1"])


def test_feedback_versions_are_created_under_their_number(fake: FakeElastic, store: ElasticStore) -> None:
    fake.on("POST", "/vigil-feedback-versions/_search",
            search_reply([], aggregations={"latest": {"value": 2.0}}))
    fake.on("PUT", "/vigil-feedback-versions/_create/3", (201, {"result": "created"}))
    fake.on("PUT", "/vigil-negative-contexts/_doc/3", (201, {"result": "created"}))
    ctx = store.add_negative_context("mass_killing", "en", "cup final", added_by="root", decision_id=5)
    assert (ctx.id, ctx.version, ctx.active) == (3, 3, True)
    [put] = fake.calls("PUT", "/vigil-negative-contexts/_doc/3")
    assert put.body == {"id": 3, "category": "mass_killing", "language": "en", "active": True,
                        "context": ctx.model_dump(mode="json")}
    assert fake.calls("PUT", "/vigil-feedback-versions/_create/3")[0].body["change"] == "add mass_killing/en: cup final"
    assert store.feedback_version() == 2
    fake.on("GET", "/vigil-negative-contexts/_doc/3", (200, {"found": True, "_source": put.body}))
    fake.on("POST", "/vigil-feedback-versions/_search", search_reply([], aggregations={"latest": {"value": 3.0}}))
    fake.on("PUT", "/vigil-feedback-versions/_create/4", (201, {"result": "created"}))
    off = store.deactivate_negative_context(3, by="root")
    assert not off.active and fake.calls("PUT", "/vigil-negative-contexts/_doc/3")[-1].body["active"] is False
