"""Request bodies of searches, aggregations and bulk writes (pure builders, no I/O).

Every function returns the JSON body the store sends, so tests can check each request exactly
without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from vigil.search import cursors
from vigil.search.elastic.compile import compile_es, date_range, positive_text
from vigil.search.elastic.documents import HIT_SOURCE
from vigil.search.query.ast import MatchAll, Node
from vigil.search.store import FacetField, Interval, SearchRequest, TrendRequest

Body = dict[str, Any]

FACET_FIELDS: dict[str, str] = {
    "country": "countries", "indicator": "indicators", "language": "language", "source": "source_domain",
    "actor": "actors", "group": "groups",
}
"""Facet / trend split name -> keyword field."""
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
"""Highlight tags (private-use characters); the store turns them into ``[``/``]`` or removes them."""
SNIPPET_CHARS = 240
FRAGMENT_CHARS = 200
MAX_ANALYZED_OFFSET = 500_000
"""Characters of a body the highlighter reads at most (bounds highlighting cost on huge pages)."""
QUERY_TIMEOUT = "10s"
STEMMED_FIELDS = ["lang.*.title^4", "lang.*.body"]
"""Language-analyzed fields: they only add to the score of documents the query already matches."""

SORTS: dict[str, list[Body]] = {
    "relevance": [{"_score": {"order": "desc"}}, {"seq": {"order": "asc"}}, {"id": {"order": "asc"}}],
    "newest": [{"published_at": {"order": "desc"}}, {"seq": {"order": "desc"}}, {"id": {"order": "desc"}}],
    "oldest": [{"published_at": {"order": "asc"}}, {"seq": {"order": "asc"}}, {"id": {"order": "asc"}}],
}
"""Keyset orders; ``seq`` (first indexing) then ``id`` break ties so ``search_after`` never skips a hit."""
NOT_COLLAPSED: Body = {"term": {"collapsed": False}}


def request_filters(*, countries: Sequence[str] = (), languages: Sequence[str] = (), since: date | None = None,
                    until: date | None = None, collapse: bool = True) -> list[Body]:
    """The structured filters of a request (ANDed with the query, never scored)."""
    filters: list[Body] = []
    if countries:
        filters.append({"terms": {"countries": [c.upper() for c in countries]}})
    if languages:
        filters.append({"terms": {"language": [lang.lower() for lang in languages]}})
    if since is not None or until is not None:
        filters.append(date_range("published_at", since, until))
    if collapse:
        filters.append(NOT_COLLAPSED)
    return filters


def selection_query(node: Node, filters: list[Body], *, boost: bool = False) -> Body:
    """``node`` plus ``filters``; with ``boost``, stemmed-field matches of its words add to the score."""
    clauses: Body = {}
    if not isinstance(node, MatchAll):
        clauses["must"] = [compile_es(node)]
    if filters:
        clauses["filter"] = filters
    if boost:
        texts = list(dict.fromkeys(positive_text(node)))
        if texts:
            clauses["should"] = [{"multi_match": {"query": t, "fields": STEMMED_FIELDS}} for t in texts]
    return {"bool": clauses} if clauses else {"match_all": {}}


def build_search_body(request: SearchRequest, node: Node, *, sort: str, after: list[Any] | None = None,
                      with_total: bool = True, timeout: str = QUERY_TIMEOUT) -> Body:
    """One page of ``request``: ``limit + 1`` hits (the extra one says whether a next page exists)."""
    filters = request_filters(countries=request.countries, languages=request.languages, since=request.since,
                              until=request.until, collapse=request.collapse_duplicates)
    body: Body = {
        "query": selection_query(node, filters, boost=sort == "relevance"),
        "sort": SORTS[sort],
        "size": request.limit + 1,
        "_source": HIT_SOURCE,
        "track_total_hits": with_total,
        "timeout": timeout,
        "highlight": {
            "pre_tags": [MARK_OPEN], "post_tags": [MARK_CLOSE], "max_analyzed_offset": MAX_ANALYZED_OFFSET,
            "fields": {"body": {"type": "unified", "fragment_size": FRAGMENT_CHARS, "number_of_fragments": 1,
                                "no_match_size": SNIPPET_CHARS}},
        },
    }
    if after is not None:
        body["search_after"] = after
    if request.facets:
        body["aggs"] = facet_aggs(request.facets, request.facet_limit)
    return body


def facet_aggs(facets: Iterable[FacetField], limit: int) -> Body:
    """A terms aggregation per facet: most documents first, ties by value (as the SQLite store orders)."""
    return {f"facet_{name}": {"terms": {"field": FACET_FIELDS[name], "size": limit,
                                        "shard_size": max(100, limit * 5),
                                        "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for name in dict.fromkeys(facets)}


def _histogram(interval: Interval) -> Body:
    return {"date_histogram": {"field": "published_at", "calendar_interval": interval, "time_zone": "UTC",
                               "min_doc_count": 1}}


def build_trend_body(request: TrendRequest, node: Node, *, timeout: str = QUERY_TIMEOUT) -> Body:
    """Matching articles (duplicates collapsed) per bucket, split by the top terms; first and last day."""
    filters = request_filters(since=request.since, until=request.until, collapse=True)
    series: Body = _histogram(request.interval)
    if request.split_by is not None:
        series = {"terms": {"field": FACET_FIELDS[request.split_by], "size": request.top,
                            "shard_size": max(100, request.top * 5),
                            "order": [{"_count": "desc"}, {"_key": "asc"}]},
                  "aggs": {"buckets": _histogram(request.interval)}}
    return {
        "size": 0,
        "track_total_hits": False,
        "timeout": timeout,
        "query": selection_query(node, filters),
        "aggs": {"first": {"min": {"field": "published_at"}}, "last": {"max": {"field": "published_at"}},
                 "series": series},
    }


def build_totals_body(first: date, last: date, interval: Interval, *, timeout: str = QUERY_TIMEOUT) -> Body:
    """All (non-collapsed) articles per bucket from ``first`` to ``last``: the normalisation denominator."""
    return {
        "size": 0,
        "track_total_hits": False,
        "timeout": timeout,
        "query": {"bool": {"filter": [NOT_COLLAPSED, date_range("published_at", first, last)]}},
        "aggs": {"totals": _histogram(interval)},
    }


def build_stats_body(terms_size: int = 10_000) -> Body:
    def terms(field: str) -> Body:
        return {"terms": {"field": field, "size": terms_size}}

    return {
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            "duplicates": {"filter": {"exists": {"field": "duplicate_of"}}},
            "by_language": terms("language"),
            "by_country": terms("countries"),
            "by_indicator": terms("indicators"),
            "events": {"sum": {"field": "event_count"}},
            "oldest": {"min": {"field": "published_at"}},
            "newest": {"max": {"field": "published_at"}},
        },
    }


def build_candidates_body(keys: Sequence[str], limit: int) -> Body:
    """Articles sharing near-duplicate keys: score = number of shared keys; then oldest, first indexed."""
    return {
        "query": {"bool": {"should": [{"constant_score": {"filter": {"term": {"near_dup_keys": k}}, "boost": 1}}
                                      for k in keys], "minimum_should_match": 1}},
        "sort": [{"_score": {"order": "desc"}}, {"published_at": {"order": "asc"}}, {"seq": {"order": "asc"}},
                 {"id": {"order": "asc"}}],
        "size": limit,
        "_source": ["id", "fingerprint", "source_domain", "duplicate_of", "published_at"],
    }


def build_cluster_query(roots: Sequence[str]) -> Body:
    """Originals ``roots`` and every article that names one of them as ``duplicate_of``."""
    return {"bool": {"should": [{"ids": {"values": list(roots)}}, {"terms": {"duplicate_of": list(roots)}}],
                     "minimum_should_match": 1}}


def build_bulk_actions(items: Iterable[tuple[str, str, Body]], *, op: str = "index") -> list[Body]:
    """Bulk operations for ``(index, id, body)``: ``index`` puts whole sources, ``update`` partial docs."""
    actions: list[Body] = []
    for index, doc_id, body in items:
        actions.append({op: {"_index": index, "_id": doc_id}})
        actions.append({"doc": body} if op == "update" else body)
    return actions


# ---------------------------------------------------------------------- cursors


def encode_cursor(request: SearchRequest, sort: str, values: Sequence[Any]) -> str:
    """An opaque cursor holding the ``sort`` values of the last hit of a page (for ``search_after``)."""
    return cursors.encode(request, sort, values, backend="es")


def decode_cursor(request: SearchRequest, sort: str) -> list[Any] | None:
    """The ``search_after`` values of ``request.cursor`` (None on the first page); QueryError if not ours."""
    return cursors.decode(request, sort, lambda k: len(k) == 3 and isinstance(k[0], int | float)
                          and isinstance(k[1], int) and isinstance(k[2], str), backend="es")
