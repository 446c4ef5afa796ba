"""Exact request bodies of the analyst workspace on Elasticsearch (pure builders, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from vigil.search.elastic import review_bodies as rb
from vigil.search.elastic.mapping import IndexNames
from vigil.search.review import QueueFilter, ReviewDecision

from .factories import make_document

AT = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)


def decision(action: str = "confirm", **fields: object) -> ReviewDecision:
    base: dict[str, object] = {"id": 7, "event_id": "ev1", "action": action, "reviewer": "ana", "at": AT,
                               "event_category": "mass_killing", "event_country": "SD", "language": "en",
                               "lexicon_version": "test-1", "published_day": date(2026, 1, 15)}
    return ReviewDecision.model_validate({**base, **fields})


def test_workspace_indices_are_strict_and_the_queue_can_page_deep() -> None:
    bodies = IndexNames("news").workspace_indices()
    assert list(bodies) == ["news-reviews", "news-events", "news-users", "news-tokens", "news-sessions",
                            "news-login-failures", "news-alert-status", "news-negative-contexts",
                            "news-feedback-versions"]
    assert rb.index_body({"a": {"type": "keyword"}}) == {
        "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
        "mappings": {"dynamic": False, "properties": {"a": {"type": "keyword"}}}}
    assert bodies["news-events"]["settings"]["max_result_window"] == 100_500
    assert "token" not in rb.TOKEN_PROPERTIES and "password_hash" in rb.USER_PROPERTIES
    assert rb.USER_PROPERTIES["password_hash"] == {"type": "keyword", "index": False}


def test_event_source_carries_filter_fields_but_no_review_state() -> None:
    doc = make_document(indicators=("mass_killing",), actors=("RSF",), groups=("Masalit",))
    event = doc.tags.events[0]
    source = rb.event_source(doc, event)
    assert {k: v for k, v in source.items() if k != "event"} == {
        "event_id": event.id, "article_id": doc.article.id, "category": "mass_killing", "country": "SD",
        "severity": event.severity, "day": "2026-01-15", "month": "2026-01", "language": "en",
        "lexicon_version": "test-1", "collapsed": False, "actors": ["rsf"], "groups": ["masalit"]}
    assert source["event"] == event.model_dump(mode="json")


def test_stale_events_query() -> None:
    assert rb.stale_events_query(["a1"], ["e1", "e2"]) == {"query": {"bool": {
        "filter": [{"terms": {"article_id": ["a1"]}}], "must_not": [{"ids": {"values": ["e1", "e2"]}}]}}}
    assert rb.stale_events_query(["a1", "a2"], []) == {"query": {"bool": {
        "filter": [{"terms": {"article_id": ["a1", "a2"]}}]}}}


def test_precision_class_of_each_verdict() -> None:
    assert rb.precision_class(decision("confirm")) == "confirmed"
    assert rb.precision_class(decision("reject", reason="historical")) == "rejected"
    assert rb.precision_class(decision("correct", country="TD")) == "corrected"
    assert rb.precision_class(decision("correct", category="detention")) == "rejected"
    assert rb.precision_class(decision("note", note="check later")) is None


def test_state_update_only_moves_forward() -> None:
    assert rb.state_update(9, "corrected", "rejected") == {"script": {
        "lang": "painless",
        "source": "if (ctx._source.decision_id == null || ctx._source.decision_id < params.decision_id) "
                  "{ ctx._source.putAll(params.state) } else { ctx.op = 'noop' }",
        "params": {"decision_id": 9, "state": {"status": "corrected", "precision": "rejected", "decision_id": 9}}}}


def test_decision_and_state_log_documents() -> None:
    d = decision("reject", reason="not_an_event")
    assert rb.decision_source(d, "art1") == {
        "id": 7, "event_id": "ev1", "article_id": "art1", "action": "reject", "status": "rejected",
        "reviewer": "ana", "at": "2026-02-03T10:00:00Z", "event_category": "mass_killing",
        "lexicon_version": "test-1", "decision": d.model_dump(mode="json")}
    assert rb.decision_source(decision("note", note="x"), "art1")["status"] is None
    assert rb.state_source(8, "ev1", "art1", "confirmed", AT, {"by": "script"}) == {
        "id": 8, "event_id": "ev1", "article_id": "art1", "status": "confirmed", "at": "2026-02-03T10:00:00Z",
        "detail": {"by": "script"}}


def test_decision_queries() -> None:
    assert rb.decisions_body(event_id="ev1", limit=10_000, newest_first=False) == {
        "query": {"bool": {"filter": [{"exists": {"field": "action"}}, {"term": {"event_id": "ev1"}}]}},
        "sort": [{"id": {"order": "asc"}}], "size": 10_000, "_source": ["decision"], "track_total_hits": False}
    assert rb.decisions_body(reviewer="ana", before_id=99, limit=5) == {
        "query": {"bool": {"filter": [{"exists": {"field": "action"}}, {"term": {"reviewer": "ana"}},
                                      {"range": {"id": {"lt": 99}}}]}},
        "sort": [{"id": {"order": "desc"}}], "size": 5, "_source": ["decision"], "track_total_hits": False}
    assert rb.latest_decisions_body(["e1", "e2"]) == {
        "query": {"bool": {"filter": [{"exists": {"field": "action"}}, {"terms": {"event_id": ["e1", "e2"]}}]}},
        "collapse": {"field": "event_id"}, "sort": [{"id": {"order": "desc"}}], "size": 2,
        "_source": ["decision"], "track_total_hits": False}


def test_queue_body_pending_by_severity() -> None:
    assert rb.queue_body(QueueFilter(countries=("sd",), categories=("Mass_Killing",), languages=("EN",),
                                     limit=20, offset=40)) == {
        "query": {"bool": {"filter": [{"term": {"collapsed": False}}, {"terms": {"country": ["SD"]}},
                                      {"terms": {"category": ["mass_killing"]}}, {"terms": {"language": ["en"]}}],
                           "must_not": [{"exists": {"field": "status"}}]}},
        "sort": [{"severity": {"order": "desc"}}, {"day": {"order": "desc"}}, {"event_id": {"order": "asc"}}],
        "from": 40, "size": 20, "_source": ["event", "status"], "track_total_hits": 10_001}


def test_queue_body_by_status_newest_without_total() -> None:
    assert rb.queue_body(QueueFilter(status="rejected", sort="newest", with_total=False)) == {
        "query": {"bool": {"filter": [{"term": {"collapsed": False}}, {"term": {"status": "rejected"}}]}},
        "sort": [{"day": {"order": "desc"}}, {"severity": {"order": "desc"}}, {"event_id": {"order": "asc"}}],
        "from": 0, "size": 50, "_source": ["event", "status"], "track_total_hits": False}
    assert rb.queue_body(QueueFilter(status="all"))["query"] == {"bool": {"filter": [{"term": {"collapsed": False}}]}}


def test_precision_bodies() -> None:
    verdict = {"verdict": {"terms": {"field": "precision", "size": 3}}}
    query = {"bool": {"filter": [{"exists": {"field": "precision"}}]}}
    assert rb.precision_body("all") == {
        "size": 0, "track_total_hits": False, "query": query,
        "aggs": {"category": {"terms": {"field": "category", "size": 10_000}, "aggs": verdict}}}
    assert rb.precision_body("lexicon")["aggs"]["category"]["aggs"] == {
        "period": {"terms": {"field": "lexicon_version", "size": 10_000, "missing": "unknown"}, "aggs": verdict}}
    assert rb.precision_body("month")["aggs"]["category"]["aggs"]["period"]["terms"]["field"] == "month"


def test_country_body() -> None:
    top: dict[str, Any] = {"terms": {"field": "actors", "size": 5, "order": [{"articles": "desc"}, {"_key": "asc"}]},
           "aggs": {"articles": {"cardinality": {"field": "article_id"}}}}
    assert rb.country_body("sd", date(2026, 1, 1), date(2026, 1, 31), 5) == {
        "size": 0, "track_total_hits": False,
        "query": {"bool": {"filter": [{"term": {"country": "SD"}}, {"term": {"collapsed": False}},
                                      {"range": {"day": {"gte": "2026-01-01", "lte": "2026-01-31"}}}]}},
        "aggs": {"weekly": {"date_histogram": {"field": "day", "calendar_interval": "week", "format": "yyyy-MM-dd"},
                            "aggs": {"category": {"terms": {"field": "category", "size": 10_000}}}},
                 "actors": top, "groups": {**top, "terms": {**top["terms"], "field": "groups"}}}}


def test_account_alert_and_feedback_queries() -> None:
    assert rb.login_failures_query("ana|127.0.0.1", AT) == {"bool": {"filter": [
        {"term": {"key": "ana|127.0.0.1"}}, {"range": {"at": {"gte": "2026-02-03T10:00:00Z"}}}]}}
    assert rb.login_failures_query("k") == {"bool": {"filter": [{"term": {"key": "k"}}]}}
    assert rb.expired_sessions_query(AT) == {"query": {"range": {"expires_at": {"lt": "2026-02-03T10:00:00Z"}}}}
    assert rb.alert_statuses_body(["a1", "a2"]) == {
        "query": {"terms": {"alert_id": ["a1", "a2"]}}, "collapse": {"field": "alert_id"},
        "sort": [{"seq": {"order": "desc"}}], "size": 2, "_source": ["change"], "track_total_hits": False}
    assert rb.alert_statuses_body(None)["query"] == {"match_all": {}}
    assert rb.alert_statuses_body(None)["size"] == 10_000
    assert rb.LATEST_VERSION_BODY == {"size": 0, "track_total_hits": False,
                                      "aggs": {"latest": {"max": {"field": "version"}}}}
