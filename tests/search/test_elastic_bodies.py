"""Elasticsearch request bodies (template, documents, search, aggregations, bulk, cursors) without a server."""

from __future__ import annotations

from datetime import date

import pytest

from vigil.errors import ConfigError, QueryError
from vigil.search.elastic import bodies
from vigil.search.elastic.documents import from_source, to_source
from vigil.search.elastic.mapping import LANGUAGE_ANALYZERS, IndexNames, build_template, first_index_body
from vigil.search.query import parse
from vigil.search.store import SearchRequest, TrendRequest

from .factories import make_document

NOT_COLLAPSED = {"term": {"collapsed": False}}
HIGHLIGHT = {"pre_tags": ["\ue000"], "post_tags": ["\ue001"], "max_analyzed_offset": 500_000,
             "fields": {"body": {"type": "unified", "fragment_size": 200, "number_of_fragments": 1,
                                 "no_match_size": 240}}}


# ------------------------------------------------------------------ template and names


def test_template_is_explicit_and_rollover_ready() -> None:
    template = build_template("vigil")
    assert template["index_patterns"] == ["vigil-articles-*"]
    assert "aliases" not in template["template"]  # rollover refuses a template carrying the write alias
    mappings = template["template"]["mappings"]
    assert mappings["dynamic"] is False
    props = mappings["properties"]
    for keyword in ("id", "source_domain", "language", "countries", "indicators", "actors", "groups",
                    "dup_group", "duplicate_of", "review", "event_ids", "near_dup_keys"):
        assert props[keyword] == {"type": "keyword"}, keyword
    assert props["published_at"] == {"type": "date"} and props["indexed_at"] == {"type": "date"}
    assert props["title"] == props["body"] == {"type": "text", "analyzer": "vigil_text"}
    assert props["lang"]["properties"]["fr"] == {"properties": {"title": {"type": "text", "analyzer": "french"},
                                                                "body": {"type": "text", "analyzer": "french"}}}
    assert set(props["lang"]["properties"]) == set(LANGUAGE_ANALYZERS)
    assert props["doc"] == {"type": "object", "enabled": False}
    assert mappings["_source"] == {"excludes": ["lang.*"]}
    assert template["template"]["settings"]["analysis"] == {
        "tokenizer": {"vigil_words": {"type": "pattern", "pattern": r"[^\p{L}\p{N}\p{M}]+"}},
        "analyzer": {"vigil_text": {"type": "custom", "tokenizer": "vigil_words",
                                    "filter": ["lowercase", "asciifolding"]}},
    }


def test_write_alias_and_index_names() -> None:
    names = IndexNames("news")
    assert (names.articles, names.first_articles_index) == ("news-articles", "news-articles-000001")
    assert first_index_body("news") == {"aliases": {"news-articles": {"is_write_index": True}}}
    assert sorted(names.side_indices()) == [
        "news-alert-status", "news-dead-letters", "news-events", "news-feedback-versions", "news-feeds",
        "news-login-failures", "news-negative-contexts", "news-reviews", "news-runs", "news-sessions",
        "news-tokens", "news-users"]
    assert names.side_indices()["news-feeds"]["mappings"]["dynamic"] is False
    with pytest.raises(ConfigError, match="VIGIL_ES_INDEX_PREFIX"):
        IndexNames("Bad Prefix")


# ------------------------------------------------------------------ documents


def test_document_round_trip_and_fields() -> None:
    doc = make_document("Génocide dénoncé", "Texte.", language="fr", countries=("TD", "SD"), focus="SD",
                        indicators=("mass_killing", "detention"), actors=("RSF",), near_dup_keys=("k2", "k1"),
                        source="www.Presse.example")
    source = to_source(doc, seq=7, decisions={doc.tags.events[0].id: "confirmed"})
    assert source["countries"] == ["SD", "TD"]  # focus first
    assert source["indicators"] == ["detention", "mass_killing"]
    assert source["actors"] == ["rsf"] and source["source_domain"] == "presse.example"
    assert source["review"] == ["confirmed", "pending"] and source["event_count"] == 2
    assert source["lang"] == {"fr": {"title": "Génocide dénoncé", "body": "Texte."}}
    assert (source["dup_group"], source["collapsed"], source["seq"]) == (doc.article.id, False, 7)
    assert source["published_at"] == "2026-01-15T09:30:00Z"
    assert "title" not in source["doc"]["article"]
    stored = {k: v for k, v in source.items() if k != "lang"}  # _source excludes lang.*
    assert from_source(stored) == doc
    assert "lang" not in to_source(make_document(language="sw"), seq=1)


# ------------------------------------------------------------------ search


def test_search_body_for_a_ranked_filtered_faceted_page() -> None:
    request = SearchRequest(query="massacre country:SD", countries=("sd",), languages=("EN",),
                            since=date(2026, 1, 1), until=date(2026, 1, 31), limit=10, facets=("country", "source"),
                            facet_limit=5)
    body = bodies.build_search_body(request, parse(request.query), sort="relevance")
    assert body == {
        "query": {"bool": {
            "must": [{"bool": {"must": [{"multi_match": {"query": "massacre", "type": "phrase",
                                                         "fields": ["title^4", "body"]}}],
                               "filter": [{"term": {"countries": {"value": "SD"}}}]}}],
            "filter": [{"terms": {"countries": ["SD"]}}, {"terms": {"language": ["en"]}},
                       {"range": {"published_at": {"gte": "2026-01-01T00:00:00Z", "lt": "2026-02-01T00:00:00Z"}}},
                       NOT_COLLAPSED],
            "should": [{"multi_match": {"query": "massacre", "fields": ["lang.*.title^4", "lang.*.body"]}}],
        }},
        "sort": [{"_score": {"order": "desc"}}, {"seq": {"order": "asc"}}, {"id": {"order": "asc"}}],
        "size": 11,
        "_source": ["id", "url", "title", "source_domain", "language", "published_at", "date_source", "countries",
                    "indicators", "independent_sources", "duplicates"],
        "track_total_hits": True,
        "timeout": "10s",
        "highlight": HIGHLIGHT,
        "aggs": {
            "facet_country": {"terms": {"field": "countries", "size": 5, "shard_size": 100,
                                        "order": [{"_count": "desc"}, {"_key": "asc"}]}},
            "facet_source": {"terms": {"field": "source_domain", "size": 5, "shard_size": 100,
                                       "order": [{"_count": "desc"}, {"_key": "asc"}]}},
        },
    }


def test_search_body_by_date_after_a_cursor_without_collapse() -> None:
    request = SearchRequest(query="", sort="newest", limit=2, collapse_duplicates=False)
    body = bodies.build_search_body(request, parse(""), sort="newest", after=[1767225600000, 5, "abc"],
                                    with_total=False)
    assert body["query"] == {"match_all": {}}
    assert body["sort"] == [{"published_at": {"order": "desc"}}, {"seq": {"order": "desc"}},
                            {"id": {"order": "desc"}}]
    assert body["search_after"] == [1767225600000, 5, "abc"]
    assert (body["size"], body["track_total_hits"]) == (3, False)
    assert "aggs" not in body


def test_cursor_round_trip_and_refusals() -> None:
    request = SearchRequest(query="massacre", sort="newest")
    cursor = bodies.encode_cursor(request, "newest", [1767225600000, 5, "abc"])
    assert bodies.decode_cursor(request.model_copy(update={"cursor": cursor}), "newest") == [1767225600000, 5, "abc"]
    other = SearchRequest(query="genocide", sort="newest", cursor=cursor)
    with pytest.raises(QueryError, match="does not belong"):
        bodies.decode_cursor(other, "newest")
    with pytest.raises(QueryError, match="invalid cursor"):
        bodies.decode_cursor(SearchRequest(cursor="%%%"), "newest")
    assert bodies.decode_cursor(request, "newest") is None


# ------------------------------------------------------------------ aggregations


def test_trend_body_split_by_country() -> None:
    request = TrendRequest(query="massacre", interval="week", split_by="country", top=3, since=date(2026, 1, 1))
    body = bodies.build_trend_body(request, parse(request.query))
    histogram = {"date_histogram": {"field": "published_at", "calendar_interval": "week", "time_zone": "UTC",
                                    "min_doc_count": 1}}
    assert body == {
        "size": 0, "track_total_hits": False, "timeout": "10s",
        "query": {"bool": {"must": [{"multi_match": {"query": "massacre", "type": "phrase",
                                                     "fields": ["title^4", "body"]}}],
                           "filter": [{"range": {"published_at": {"gte": "2026-01-01T00:00:00Z"}}}, NOT_COLLAPSED]}},
        "aggs": {"first": {"min": {"field": "published_at"}}, "last": {"max": {"field": "published_at"}},
                 "series": {"terms": {"field": "countries", "size": 3, "shard_size": 100,
                                      "order": [{"_count": "desc"}, {"_key": "asc"}]},
                            "aggs": {"buckets": histogram}}},
    }


def test_totals_body_counts_every_uncollapsed_article() -> None:
    assert bodies.build_totals_body(date(2026, 1, 1), date(2026, 2, 28), "month") == {
        "size": 0, "track_total_hits": False, "timeout": "10s",
        "query": {"bool": {"filter": [NOT_COLLAPSED, {"range": {"published_at": {
            "gte": "2026-01-01T00:00:00Z", "lt": "2026-03-01T00:00:00Z"}}}]}},
        "aggs": {"totals": {"date_histogram": {"field": "published_at", "calendar_interval": "month",
                                               "time_zone": "UTC", "min_doc_count": 1}}},
    }


def test_bulk_actions_and_candidates() -> None:
    assert bodies.build_bulk_actions([("vigil-articles", "a", {"id": "a"}), ("vigil-articles-000001", "b",
                                                                             {"id": "b"})]) == [
        {"index": {"_index": "vigil-articles", "_id": "a"}}, {"id": "a"},
        {"index": {"_index": "vigil-articles-000001", "_id": "b"}}, {"id": "b"}]
    assert bodies.build_bulk_actions([("i", "a", {"collapsed": True})], op="update") == [
        {"update": {"_index": "i", "_id": "a"}}, {"doc": {"collapsed": True}}]
    body = bodies.build_candidates_body(["k1", "k2"], 5)
    assert body["query"]["bool"]["should"][0] == {"constant_score": {"filter": {"term": {"near_dup_keys": "k1"}},
                                                                     "boost": 1}}
    assert body["sort"][0] == {"_score": {"order": "desc"}} and body["size"] == 5
