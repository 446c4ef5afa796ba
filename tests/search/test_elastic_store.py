"""ElasticStore's I/O paths against a fake HTTP endpoint: the requests it sends and how it reads replies.

No Elasticsearch server runs on these machines: every reply here is canned by the test, and the tests
assert the requests (paths, parameters, bodies). Search semantics against a real cluster are covered by
the backend contract suite when ``VIGIL_ES_URL`` is set (tests/search/test_elastic_contract.py).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from vigil.errors import ConfigError, NotFoundError, QueryError, StoreError
from vigil.records import DeadLetter, FeedState, Stage
from vigil.search.elastic import ElasticStore, bodies
from vigil.search.elastic.documents import to_source
from vigil.search.query import parse
from vigil.search.store import SearchRequest, Store, TrendRequest
from vigil.settings import Settings

from .elastic_fake import FakeElastic, Recorded, Reply, fake_elastic, route_setup, search_reply
from .factories import make_document

ARTICLES = "/vigil-articles/_search"
WORKSPACE_INDICES = ("reviews", "events", "users", "tokens", "sessions", "login-failures", "alert-status",
                     "negative-contexts", "feedback-versions")


@pytest.fixture
def fake() -> Iterator[FakeElastic]:
    with fake_elastic() as server:
        route_setup(server)
        yield server


@pytest.fixture
def store(fake: FakeElastic) -> Iterator[ElasticStore]:
    opened = ElasticStore.from_settings(Settings(es_url=fake.url, es_api_key=SecretStr("k3y"), store="elasticsearch"),
                                        retry_backoff=0.0)
    fake.clear()
    yield opened
    opened.close()


def ok_bulk(request: Recorded) -> Reply:
    ops = request.body[::2]
    items = [{next(iter(op)): {"_index": "vigil-articles-000001", "_id": next(iter(op.values()))["_id"],
                               "status": 201, "result": "created"}} for op in ops]
    return 200, {"took": 1, "errors": False, "items": items}


def hit(source: dict[str, Any], *, index: str = "vigil-articles-000001", sort: list[Any] | None = None,
        score: float | None = None, highlight: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"_index": index, "_id": source["id"], "_score": score, "_source": source}
    if sort is not None:
        out["sort"] = sort
    if highlight is not None:
        out["highlight"] = {"body": [highlight]}
    return out


# ------------------------------------------------------------------ opening


def test_unreachable_cluster_fails_fast_with_a_clear_message() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with pytest.raises(StoreError, match=f"cannot reach Elasticsearch at {url}"):
        ElasticStore.from_settings(Settings(es_url=url, store="elasticsearch"))
    assert time.perf_counter() - started < 3.0


def test_opening_creates_template_write_index_and_side_indices(fake: FakeElastic) -> None:
    store = ElasticStore.from_settings(Settings(es_url=fake.url, es_api_key=SecretStr("k3y"), store="elasticsearch"))
    store.close()
    assert isinstance(store, Store)
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/"), ("PUT", "/_index_template/vigil-articles"), ("HEAD", "/_alias/vigil-articles"),
        ("PUT", "/vigil-articles-000001"),
        ("HEAD", "/vigil-feeds"), ("PUT", "/vigil-feeds"), ("HEAD", "/vigil-dead-letters"),
        ("PUT", "/vigil-dead-letters"), ("HEAD", "/vigil-runs"), ("PUT", "/vigil-runs"),
        *[(method, f"/vigil-{name}") for name in WORKSPACE_INDICES for method in ("HEAD", "PUT")]]
    assert all(r.headers["authorization"] == "ApiKey k3y" for r in fake.requests)
    assert fake.requests[3].body == {"aliases": {"vigil-articles": {"is_write_index": True}}}
    assert fake.requests[1].body["template"]["mappings"]["dynamic"] is False


def test_existing_deployment_only_refreshes_the_template() -> None:
    with fake_elastic() as server:
        route_setup(server, exists=True)
        ElasticStore.from_settings(Settings(es_url=server.url, es_index_prefix="news", store="elasticsearch")).close()
        assert [r.method for r in server.requests if r.method == "PUT"] == ["PUT"]
        assert server.requests[1].path == "/_index_template/news-articles"


def test_an_index_created_meanwhile_by_another_process_is_fine(fake: FakeElastic) -> None:
    fake.on("PUT", "/vigil-runs", (400, {"error": {"type": "resource_already_exists_exception",
                                                   "reason": "index [vigil-runs] already exists"}, "status": 400}))
    ElasticStore.from_settings(Settings(es_url=fake.url, store="elasticsearch")).close()


def test_missing_ca_certificate_is_a_config_error(tmp_path: Path) -> None:
    settings = Settings(es_url="https://127.0.0.1:9", es_ca_cert=tmp_path / "missing.pem", store="elasticsearch")
    with pytest.raises(ConfigError, match="VIGIL_ES_CA_CERT"):
        ElasticStore.from_settings(settings)


def test_wrong_api_key_is_reported(fake: FakeElastic) -> None:
    fake.on("GET", "/", (401, {"error": {"type": "security_exception", "reason": "unable to authenticate"},
                               "status": 401}))
    with pytest.raises(StoreError, match=r"HTTP 401 security_exception.*VIGIL_ES_API_KEY"):
        ElasticStore.from_settings(Settings(es_url=fake.url, store="elasticsearch"))


# ------------------------------------------------------------------ writing


def test_upsert_indexes_new_documents_through_the_write_alias_and_collapses_copies(
        fake: FakeElastic, store: ElasticStore) -> None:
    original = make_document("Convoy blocked", "The convoy waited.", source="first.example", slug="convoy")
    copy = make_document("Convoy blocked", "The convoy waited.", source="second.example", slug="convoy",
                         duplicate_of=original.article.id)
    members = [hit({**to_source(d, seq=i), "id": d.article.id}) for i, d in enumerate([original, copy])]

    def articles(request: Recorded) -> Reply:
        if "ids" in request.body["query"]:
            return search_reply([])  # none of them exists yet
        return search_reply(members)  # the cluster of the original

    fake.on("POST", ARTICLES, articles)
    fake.on("POST", "/vigil-events/_mget", (200, {"docs": []}))
    fake.on("PUT", "/_bulk", ok_bulk)
    counts = store.upsert([original, copy])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    index_bulk, update_bulk = fake.calls("PUT", "/_bulk")
    assert index_bulk.params == {"refresh": "wait_for"}
    assert index_bulk.body[0] == {"index": {"_index": "vigil-articles", "_id": original.article.id}}
    assert index_bulk.body[1]["dup_group"] == index_bulk.body[3]["dup_group"] == original.article.id
    lookup = fake.calls("POST", ARTICLES)[0].body
    assert lookup["query"] == {"ids": {"values": [original.article.id, copy.article.id]}}
    cluster = fake.calls("POST", ARTICLES)[1].body
    assert cluster["query"] == bodies.build_cluster_query([original.article.id])
    updates = {update_bulk.body[i]["update"]["_id"]: update_bulk.body[i + 1]["doc"]
               for i in range(0, len(update_bulk.body), 2)}
    assert updates == {original.article.id: {"collapsed": False, "independent_sources": 2, "duplicates": 1},
                       copy.article.id: {"collapsed": True}}


def test_changed_documents_are_rewritten_in_their_backing_index(fake: FakeElastic, store: ElasticStore) -> None:
    doc = make_document(indicators=("mass_killing",))
    same = make_document(slug="same")
    old = to_source(make_document(text="Earlier wording.", indicators=("mass_killing",)), seq=42)
    event_id = doc.tags.events[0].id

    def articles(request: Recorded) -> Reply:
        if "ids" in request.body["query"]:
            return search_reply([hit(old, index="vigil-articles-000003"),
                                 hit(to_source(same, seq=43), index="vigil-articles-000003")])
        return search_reply([hit(to_source(doc, seq=42), index="vigil-articles-000003")])

    fake.on("POST", ARTICLES, articles)
    fake.on("POST", "/vigil-events/_mget", (200, {"docs": [{"_id": event_id, "found": True,
                                                            "_source": {"status": "confirmed"}}]}))
    fake.on("PUT", "/_bulk", ok_bulk)
    fake.on("POST", "/vigil-events/_delete_by_query", (200, {"deleted": 0}))
    counts = store.upsert([doc, same])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 1)
    bulk, events = fake.calls("PUT", "/_bulk")  # the cluster needs no update
    assert bulk.body[0] == {"index": {"_index": "vigil-articles-000003", "_id": doc.article.id}}
    assert bulk.body[1]["seq"] == 42 and bulk.body[1]["review"] == ["confirmed"]
    assert fake.calls("POST", "/vigil-events/_mget")[0].body == {"ids": [event_id]}
    # the event document is a partial upsert: the review state it holds is not overwritten
    assert events.body[0] == {"update": {"_index": "vigil-events", "_id": event_id}}
    assert events.body[1]["doc_as_upsert"] is True and "status" not in events.body[1]["doc"]
    [cleanup] = fake.calls("POST", "/vigil-events/_delete_by_query")
    assert cleanup.body == {"query": {"bool": {"filter": [{"terms": {"article_id": [doc.article.id]}}],
                                               "must_not": [{"ids": {"values": [event_id]}}]}}}


def test_rejected_documents_become_dead_letters_and_transient_ones_are_retried(
        fake: FakeElastic, store: ElasticStore) -> None:
    bad = make_document("Bad", slug="bad")
    busy = make_document("Busy", slug="busy")
    fake.on("POST", ARTICLES, lambda r: search_reply([]))
    fake.on("POST", "/vigil-events/_mget", (200, {"docs": []}))
    fake.on("POST", "/vigil-dead-letters/_search", search_reply([]))
    fake.on("PUT", "/vigil-dead-letters/_doc/[0-9]+", (201, {"result": "created"}))
    first = (200, {"errors": True, "items": [
        {"index": {"_id": bad.article.id, "status": 400,
                   "error": {"type": "document_parsing_exception", "reason": "failed to parse field [published_at]"}}},
        {"index": {"_id": busy.article.id, "status": 429,
                   "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}}]})
    retry = (200, {"errors": False, "items": [{"index": {"_id": busy.article.id, "status": 201}}]})
    fake.on("PUT", "/_bulk", [first, retry, (200, {"errors": False, "items": []})])
    counts = store.upsert([bad, busy])
    assert (counts.new, counts.updated) == (1, 0)
    bulks = fake.calls("PUT", "/_bulk")
    assert [len(b.body) for b in bulks[:2]] == [4, 2]
    assert bulks[1].body[0]["index"]["_id"] == busy.article.id
    [letter] = fake.calls("PUT", "/vigil-dead-letters/_doc/[0-9]+")
    assert letter.body["stage"] == "index" and letter.body["url"] == bad.article.url
    assert letter.body["reason"] == "es-document_parsing_exception" and letter.body["resolved"] is False
    assert letter.body["letter"]["detail"] == "failed to parse field [published_at]"


# ------------------------------------------------------------------ reading


def test_search_sends_the_built_body_and_reads_hits_facets_and_cursor(fake: FakeElastic, store: ElasticStore) -> None:
    docs = [make_document(f"Camps {i}", "Images show detention camps expanding.", slug=f"c{i}",
                          countries=("MM",), indicators=("detention",)) for i in range(3)]
    hits = [hit(to_source(d, seq=i), score=2.0 - i / 10, sort=[2.0 - i / 10, i, d.article.id],
                highlight="Images show \ue000detention\ue001 \ue000camps\ue001 expanding.")
            for i, d in enumerate(docs)]
    aggs = {"facet_country": {"sum_other_doc_count": 0, "buckets": [{"key": "MM", "doc_count": 3}]},
            "facet_indicator": {"sum_other_doc_count": 4, "buckets": [{"key": "detention", "doc_count": 3}]}}
    fake.on("POST", ARTICLES, search_reply(hits, total=3, aggregations=aggs))
    request = SearchRequest(query='"detention camps"', limit=2, facets=("country", "indicator"), facet_limit=1)
    page = store.search(request)
    [sent] = fake.calls("POST", ARTICLES)
    assert sent.body == bodies.build_search_body(request, parse(request.query), sort="relevance")
    assert [h.id for h in page.hits] == [d.article.id for d in docs[:2]]
    assert page.hits[0].snippet == "Images show [detention camps] expanding."
    assert (page.hits[0].countries, page.hits[0].indicators, page.hits[0].score) == (("MM",), ("detention",), 2.0)
    assert page.total == 3
    assert [(f.value, f.count) for f in page.facets["country"]] == [("MM", 3)]
    assert page.facets_truncated == {"country": False, "indicator": True}
    assert page.next_cursor is not None
    fake.clear()
    store.search(request.model_copy(update={"cursor": page.next_cursor}))
    assert fake.calls("POST", ARTICLES)[0].body["search_after"] == [1.9, 1, docs[1].article.id]
    plain = store.search(request.model_copy(update={"highlight": False}))
    assert plain.hits[0].snippet == "Images show detention camps expanding."


def test_query_without_words_is_sorted_by_date_and_unscored(fake: FakeElastic, store: ElasticStore) -> None:
    doc = make_document()
    fake.on("POST", ARTICLES, search_reply([hit(to_source(doc, seq=1), sort=[1768469400000, 1, doc.article.id],
                                                highlight="Delegates met on Tuesday")]))
    page = store.search(SearchRequest(query="country:SD"))
    assert fake.requests[0].body["sort"][0] == {"published_at": {"order": "desc"}}
    assert "should" not in fake.requests[0].body["query"]["bool"]
    assert page.hits[0].score is None and page.hits[0].published_at == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(("reply", "error", "message"), [
    ((400, {"error": {"type": "search_phase_execution_exception", "reason": "all shards failed",
                      "root_cause": [{"type": "query_shard_exception", "reason": "too many clauses"}]},
            "status": 400}), QueryError, "refused the query: query_shard_exception: too many clauses"),
    ((404, {"error": {"type": "index_not_found_exception", "reason": "no such index [vigil-articles]"},
            "status": 404}), StoreError, "HTTP 404 index_not_found_exception"),
    (search_reply([], timed_out=True), QueryError, "longer than 10 s"),
])
def test_search_errors_are_vigil_errors(fake: FakeElastic, store: ElasticStore, reply: Reply,
                                        error: type[Exception], message: str) -> None:
    fake.on("POST", ARTICLES, reply)
    with pytest.raises(error, match=message):
        store.search(SearchRequest(query="massacre"))


def test_bad_query_is_refused_before_any_request(fake: FakeElastic, store: ElasticStore) -> None:
    with pytest.raises(QueryError):
        store.search(SearchRequest(query="*massacre"))
    assert fake.requests == []


def test_trends_ask_matching_buckets_then_totals(fake: FakeElastic, store: ElasticStore) -> None:
    jan, feb = 1767225600000, 1769904000000  # 2026-01-01, 2026-02-01 UTC
    matching = {"first": {"value": jan + 3 * 86_400_000}, "last": {"value": feb + 9 * 86_400_000},
                "series": {"buckets": [
                    {"key": "SD", "doc_count": 2, "buckets": {"buckets": [{"key": jan, "doc_count": 2}]}},
                    {"key": "MM", "doc_count": 1, "buckets": {"buckets": [{"key": feb, "doc_count": 1}]}}]}}
    totals = {"totals": {"buckets": [{"key": jan, "doc_count": 3}, {"key": feb, "doc_count": 2}]}}
    fake.on("POST", ARTICLES, [search_reply([], aggregations=matching), search_reply([], aggregations=totals)])
    request = TrendRequest(query="", interval="month", split_by="country", normalise=True,
                           since=date(2026, 1, 1), until=date(2026, 2, 28))
    series = store.trends(request)
    first, second = fake.calls("POST", ARTICLES)
    assert first.body == bodies.build_trend_body(request, parse(""))
    assert second.body == bodies.build_totals_body(date(2026, 1, 1), date(2026, 2, 28), "month")
    assert [s.key for s in series] == ["SD", "MM"]
    assert [(p.bucket, p.count, p.total, p.value) for p in series[0].points] == [
        (date(2026, 1, 1), 2, 3, pytest.approx(2 / 3)), (date(2026, 2, 1), 0, 2, 0.0)]


def test_trend_without_matches_and_open_range_has_no_totals_request(fake: FakeElastic, store: ElasticStore) -> None:
    fake.on("POST", ARTICLES, search_reply([], aggregations={"first": {"value": None}, "last": {"value": None},
                                                             "series": {"buckets": []}}))
    assert store.trends(TrendRequest(query="country:ZZ", split_by="indicator")) == []
    assert len(fake.requests) == 1


def test_stats_read_aggregations_and_counts(fake: FakeElastic, store: ElasticStore) -> None:
    aggs = {"duplicates": {"doc_count": 1}, "by_language": {"buckets": [{"key": "en", "doc_count": 4}]},
            "by_country": {"buckets": [{"key": "SD", "doc_count": 2}]},
            "by_indicator": {"buckets": [{"key": "detention", "doc_count": 1}]}, "events": {"value": 4.0},
            "oldest": {"value": 1767427200000}, "newest": {"value": 1767427200000}}
    fake.on("POST", ARTICLES, search_reply([], total=5, aggregations=aggs))
    fake.on("POST", "/vigil-dead-letters/_count", (200, {"count": 2}))
    fake.on("POST", "/vigil-feeds/_count", (200, {"count": 7}))
    fake.on("GET", "/vigil-articles/_mapping", (200, {"vigil-articles-000001": {"mappings": {
        "_meta": {"schema_version": 1}}}}))
    stats = store.stats()
    assert (stats.articles, stats.duplicates, stats.events, stats.dead_letters, stats.feeds) == (5, 1, 4, 2, 7)
    assert stats.by_language == {"en": 4} and stats.schema_version == 1
    assert stats.oldest == datetime(2026, 1, 3, 8, tzinfo=UTC)
    assert fake.calls("POST", "/vigil-dead-letters/_count")[0].body == {"query": {"term": {"resolved": False}}}


# ------------------------------------------------------------------ feeds, failures, reviews


def test_feed_state_round_trip_by_hashed_url(fake: FakeElastic, store: ElasticStore) -> None:
    state = FeedState(url="https://example.org/feed.xml", etag='"abc"', consecutive_failures=2)
    fake.on("GET", "/vigil-feeds/_doc/[0-9a-f]{64}", (404, {"found": False}))
    assert store.get_feed_state(state.url) is None
    fake.on("PUT", "/vigil-feeds/_doc/[0-9a-f]{64}", (200, {"result": "created"}))
    store.put_feed_state(state)
    [put] = fake.calls("PUT")
    assert put.params == {"refresh": "wait_for"}
    assert put.body == {"url": state.url, "state": state.model_dump(mode="json")}
    fake.on("GET", "/vigil-feeds/_doc/[0-9a-f]{64}", (200, {"found": True, "_source": put.body}))
    assert store.get_feed_state(state.url) == state


def test_dead_letter_for_the_same_url_counts_attempts(fake: FakeElastic, store: ElasticStore) -> None:
    letter = DeadLetter(stage=Stage.FETCH, url="https://a.example/x", reason="timeout",
                        at=datetime(2026, 1, 2, tzinfo=UTC))
    stored = {"_index": "vigil-dead-letters", "_id": "00000000000000000042",
              "_source": {"letter": letter.model_dump(mode="json"), "created": 42}}
    fake.on("POST", "/vigil-dead-letters/_search", search_reply([stored]))
    fake.on("PUT", "/vigil-dead-letters/_doc/.*", (200, {"result": "updated"}))
    store.add_dead_letter(letter.model_copy(update={"reason": "http-503"}))
    [put] = fake.calls("PUT")
    assert put.path == "/vigil-dead-letters/_doc/00000000000000000042"
    assert put.body["letter"]["attempts"] == 2 and put.body["reason"] == "http-503" and put.body["created"] == 42
    assert fake.calls("POST")[0].body["query"] == {"bool": {"filter": [
        {"term": {"resolved": False}}, {"term": {"stage": "fetch"}}, {"term": {"url": "https://a.example/x"}}]}}


def test_resolving_an_unknown_dead_letter_is_not_found(fake: FakeElastic, store: ElasticStore) -> None:
    fake.on("POST", "/vigil-dead-letters/_update/.*", (404, {"error": {"type": "document_missing_exception",
                                                                       "reason": "missing"}, "status": 404}))
    with pytest.raises(NotFoundError):
        store.resolve_dead_letter(999_999)


def test_review_appends_to_the_log_and_updates_the_article_review_states(
        fake: FakeElastic, store: ElasticStore) -> None:
    doc = make_document(indicators=("mass_killing", "detention"))
    first, second = (e.id for e in doc.tags.events)
    fake.on("GET", f"/vigil-events/_doc/{first}", (200, {"_id": first, "found": True,
                                                         "_source": {"article_id": doc.article.id}}))
    fake.on("PUT", "/vigil-reviews/_create/[0-9]+", (201, {"result": "created"}))
    fake.on("POST", f"/vigil-events/_update/{first}", (200, {"result": "updated"}))
    fake.on("POST", ARTICLES, search_reply([hit({"id": doc.article.id, "event_ids": [first, second]},
                                                index="vigil-articles-000002")]))
    fake.on("POST", "/vigil-events/_mget", (200, {"docs": [{"_id": first, "found": True,
                                                            "_source": {"status": "confirmed"}},
                                                           {"_id": second, "found": False}]}))
    fake.on("POST", f"/vigil-articles-000002/_update/{doc.article.id}", (200, {"result": "updated"}))
    store.put_review(first, "confirmed", at=datetime(2026, 1, 5, tzinfo=UTC))
    [create] = fake.calls("PUT", "/vigil-reviews/_create/.*")
    assert create.body["status"] == "confirmed" and create.body["event_id"] == first
    assert create.params == {"refresh": "wait_for"}
    [state] = fake.calls("POST", "/vigil-events/_update/.*")
    assert state.body["script"]["params"]["state"]["status"] == "confirmed"
    [update] = fake.calls("POST", "/vigil-articles-000002/_update/.*")
    assert update.body == {"doc": {"review": ["confirmed", "pending"]}}
    assert not [r for r in fake.requests if r.path.startswith("/vigil-reviews/") and r.method != "PUT"]
    fake.on("GET", "/vigil-events/_doc/no-such-event", (404, {"_id": "no-such-event", "found": False}))
    with pytest.raises(NotFoundError):
        store.put_review("no-such-event", "rejected", at=datetime(2026, 1, 5, tzinfo=UTC))
    with pytest.raises(StoreError, match="review status"):
        store.put_review(first, "pending", at=datetime(2026, 1, 5, tzinfo=UTC))


def test_destroy_deletes_only_this_prefix(fake: FakeElastic, store: ElasticStore) -> None:
    fake.on("DELETE", "/[^_/][^/]*", (200, {"acknowledged": True}))
    fake.on("DELETE", "/_index_template/vigil-articles", (404, {"error": {"type": "resource_not_found_exception",
                                                                          "reason": "missing"}, "status": 404}))
    store.destroy()
    assert [r.path for r in fake.calls("DELETE")] == [
        "/vigil-articles-*", "/vigil-feeds", "/vigil-dead-letters", "/vigil-runs",
        *[f"/vigil-{name}" for name in WORKSPACE_INDICES], "/vigil-alerts", "/_index_template/vigil-articles"]
    assert fake.calls("DELETE")[0].params == {"ignore_unavailable": "true", "allow_no_indices": "true",
                                              "expand_wildcards": "open,closed"}
