"""The Elasticsearch store: the :class:`vigil.search.store.Store` protocol over the official client.

Request bodies come from the pure builders (:mod:`.mapping`, :mod:`.compile`, :mod:`.bodies`,
:mod:`.documents`); this module only sends them and reads the answers. Writes use
``refresh=wait_for`` so what a call wrote is searchable when it returns (the contract the SQLite store
gives). Client errors become :class:`~vigil.errors.StoreError` (or ``QueryError`` for a refused query).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from elasticsearch import ApiError, BadRequestError, Elasticsearch, TransportError
from elasticsearch import NotFoundError as EsNotFoundError

from vigil.errors import ConfigError, NotFoundError, QueryError, StoreError
from vigil.records import DeadLetter, FeedState, IndexedDocument, RunReport, Stage
from vigil.search.elastic import bodies, review_bodies
from vigil.search.elastic.alerts import ElasticAlerts
from vigil.search.elastic.compile import scores
from vigil.search.elastic.documents import doc_hash, from_source, parse_time, to_hit, to_source
from vigil.search.elastic.mapping import IndexNames, build_template, first_index_body
from vigil.search.elastic.review import ElasticReviews
from vigil.search.query.ast import Node
from vigil.search.query.parser import MAX_CLAUSES, parse
from vigil.search.sqlite.buckets import bucket_of, build_series, day_number
from vigil.search.store import (
    DuplicateCandidate,
    FacetCount,
    Hit,
    SearchPage,
    SearchRequest,
    StoredDeadLetter,
    StoreStats,
    TrendRequest,
    TrendSeries,
    UpsertCounts,
)
from vigil.settings import Settings

log = logging.getLogger(__name__)

PING_TIMEOUT_S = 3.0
"""How long opening the store waits for the cluster's first answer."""
REQUEST_TIMEOUT_S = 30.0
QUERY_TIMEOUT_S = 10.0
TRANSIENT = frozenset({429, 502, 503, 504})
"""Per-document bulk statuses worth retrying."""
_CHUNK = 1000
_ADJACENT_MARKS = re.compile(f"{bodies.MARK_CLOSE}(\\s+){bodies.MARK_OPEN}")
_T = TypeVar("_T")


class ElasticStore(ElasticAlerts, ElasticReviews):
    """A :class:`~vigil.search.store.Store` and :class:`~vigil.search.review.ReviewStore` over Elasticsearch 9
    (indices named from ``prefix``).

    ``ElasticStore(client)`` uses a ready client (tests pass one pointed at a fake endpoint);
    :meth:`from_settings` builds the client from ``VIGIL_ES_*`` and checks the cluster answers.
    """

    def __init__(self, client: Elasticsearch, *, prefix: str = "vigil", url: str = "", setup: bool = True,
                 query_timeout: float = QUERY_TIMEOUT_S, max_clauses: int = MAX_CLAUSES, bulk_retries: int = 3,
                 retry_backoff: float = 0.5, owns_client: bool = False) -> None:
        self.client = client
        self.names = IndexNames(prefix)
        self.url = url or "the configured URL"
        self.query_timeout = query_timeout
        self.max_clauses = max_clauses
        self.bulk_retries = bulk_retries
        self.retry_backoff = retry_backoff
        self._owns_client = owns_client
        self._clock_lock = threading.Lock()
        self._last_tick = 0
        if setup:
            self.setup()

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> ElasticStore:
        """Connect to ``settings.es_url`` (API key, CA certificate), fail fast if unreachable, set up indices."""
        url = settings.es_url
        if not url:
            raise ConfigError("VIGIL_STORE=elasticsearch needs VIGIL_ES_URL (e.g. https://es.example.org:9200)")
        kwargs: dict[str, Any] = {"request_timeout": REQUEST_TIMEOUT_S, "retry_on_timeout": True, "max_retries": 3}
        if settings.es_api_key is not None:
            kwargs["api_key"] = settings.es_api_key.get_secret_value()
        if settings.es_ca_cert is not None:
            if not settings.es_ca_cert.is_file():
                raise ConfigError(f"VIGIL_ES_CA_CERT: no certificate file at {settings.es_ca_cert}")
            kwargs["ca_certs"] = str(settings.es_ca_cert)
        try:
            client = Elasticsearch(url, **kwargs)
        except (ValueError, TypeError) as exc:
            raise StoreError(f"invalid Elasticsearch settings for {url}: {exc}") from exc
        try:
            ping(client, url)
            return cls(client, prefix=settings.es_index_prefix, url=url, owns_client=True, **options)
        except BaseException:
            client.close()
            raise

    # ------------------------------------------------------------------ plumbing

    def _call(self, what: str, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Run one client call; translate the client's exceptions into Vigil's."""
        try:
            return fn(*args, **kwargs)
        except BadRequestError as exc:
            if _error_type(exc) in ("search_phase_execution_exception", "parsing_exception",
                                    "query_shard_exception", "too_many_nested_clauses"):
                raise QueryError(f"Elasticsearch refused the query: {_reason(exc)}") from exc
            raise StoreError(f"Elasticsearch refused {what}: {_reason(exc)}") from exc
        except ApiError as exc:
            raise StoreError(f"Elasticsearch refused {what}: HTTP {exc.meta.status} {_reason(exc)}") from exc
        except TransportError as exc:
            raise StoreError(f"cannot reach Elasticsearch at {self.url}: {_describe(exc)}") from exc

    def setup(self) -> None:
        """Create (idempotently) the articles template, its first index with the write alias, and side indices."""
        es = self.client
        self._call("the index template", es.indices.put_index_template, name=self.names.template,
                   body=build_template(self.names.prefix))
        if not self._call("an alias check", es.indices.exists_alias, name=self.names.articles):
            self._create(self.names.first_articles_index, first_index_body(self.names.prefix))
        for name, body in self.names.side_indices().items():
            if not self._call("an index check", es.indices.exists, index=name):
                self._create(name, body)

    def _create(self, index: str, body: dict[str, Any]) -> None:
        try:
            self.client.indices.create(index=index, body=body)
        except BadRequestError as exc:
            if _error_type(exc) != "resource_already_exists_exception":  # another process won the race
                raise StoreError(f"cannot create index {index}: {_reason(exc)}") from exc
        except (ApiError, TransportError) as exc:
            self._call(f"creating index {index}", _raise, exc)

    def destroy(self) -> None:
        """Delete every index and the template of this prefix (test clusters, ``vigil`` resets). Irreversible."""
        for pattern in self.names.all_indices():
            self._call(f"deleting {pattern}", self.client.indices.delete, index=pattern, ignore_unavailable=True,
                       allow_no_indices=True, expand_wildcards="open,closed")
        try:
            self.client.indices.delete_index_template(name=self.names.template)
        except EsNotFoundError:
            pass
        except (ApiError, TransportError) as exc:
            self._call("deleting the index template", _raise, exc)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> ElasticStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tick(self) -> int:
        """A per-process increasing number (nanoseconds since the epoch): insertion order of records."""
        with self._clock_lock:
            self._last_tick = max(self._last_tick + 1, time.time_ns())
            return self._last_tick

    def _search(self, index: str, body: dict[str, Any], what: str = "a search") -> dict[str, Any]:
        response = self._call(what, self.client.search, index=index, body=body)
        return dict(response.body)

    def _scan(self, index: str, query: dict[str, Any], sort: list[dict[str, Any]], source: Any = True,
              limit: int | None = None, page: int = _CHUNK) -> Iterator[dict[str, Any]]:
        """Every hit of ``query`` in ``sort`` order (which must end on a unique field), page by page."""
        after: list[Any] | None = None
        seen = 0
        while limit is None or seen < limit:
            size = page if limit is None else min(page, limit - seen)
            body: dict[str, Any] = {"query": query, "sort": sort, "size": size, "_source": source,
                                    "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            hits = self._search(index, body)["hits"]["hits"]
            yield from hits
            seen += len(hits)
            if len(hits) < size:
                return
            after = hits[-1]["sort"]

    # ------------------------------------------------------------------ articles

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found = set(self._existing(wanted, source=False))
        for i in range(0, len(wanted), _CHUNK):  # ids known as another URL of an article (feed link, redirect)
            chunk = [x for x in wanted[i:i + _CHUNK] if x not in found]
            if not chunk:
                continue
            body = {"query": {"terms": {"alias_ids": chunk}}, "size": len(chunk), "_source": ["alias_ids"],
                    "track_total_hits": False}
            for hit in self._search(self.names.articles, body, "an alias lookup")["hits"]["hits"]:
                found.update(set(hit["_source"].get("alias_ids") or ()) & set(chunk))
        return found

    def _existing(self, ids: list[str], source: Any = ("doc_hash", "duplicate_of", "seq")
                  ) -> dict[str, dict[str, Any]]:
        """Id -> hit (with ``_index``) of the articles among ``ids`` (searching every backing index)."""
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            body = {"query": {"ids": {"values": chunk}}, "size": len(chunk), "_source": source,
                    "track_total_hits": False}
            for hit in self._search(self.names.articles, body, "an id lookup")["hits"]["hits"]:
                found[hit["_id"]] = hit
        return found

    def upsert(self, docs: Sequence[IndexedDocument]) -> UpsertCounts:
        """Index new and changed documents (identical re-submissions are ``unchanged``).

        A changed document is rewritten in the backing index that holds it (so rollover never duplicates
        it); new ones go through the write alias. Documents Elasticsearch rejects are recorded as dead
        letters (stage ``index``) and not counted.
        """
        latest: dict[str, IndexedDocument] = {doc.article.id: doc for doc in docs}
        existing = self._existing(list(latest))
        stored = {i: h["_source"].get("doc_hash") for i, h in existing.items()}
        state = dict(stored)
        outcomes: list[tuple[str, str]] = []
        for doc in docs:
            digest = doc_hash(doc)
            art_id = doc.article.id
            result = "new" if art_id not in state else ("unchanged" if state[art_id] == digest else "updated")
            outcomes.append((art_id, result))
            state[art_id] = digest
        changed = [d for i, d in latest.items() if i not in stored or stored[i] != state[i]]
        if not changed:
            return UpsertCounts(unchanged=len(outcomes))
        decisions = self._decisions([e.id for d in changed for e in d.tags.events])
        items: list[tuple[str, str, dict[str, Any]]] = []
        for doc in changed:
            hit = existing.get(doc.article.id)
            index = hit["_index"] if hit else self.names.articles
            seq = int(hit["_source"]["seq"]) if hit and hit["_source"].get("seq") is not None else self._tick()
            items.append((index, doc.article.id, to_source(doc, seq=seq, decisions=decisions)))
        failed = self._bulk(items, "index", {d.article.id: d for d in changed})
        self._index_events([d for d in changed if d.article.id not in failed], set(existing))
        roots: set[str] = set()
        for doc in changed:
            if doc.article.id in failed:
                continue
            roots.add(doc.duplicate_of or doc.article.id)
            hit = existing.get(doc.article.id)
            old_root = hit["_source"].get("duplicate_of") if hit else None
            if old_root and old_root != doc.duplicate_of:
                roots.add(old_root)
        self._refresh_clusters(sorted(roots))
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        for art_id, result in outcomes:
            if art_id not in failed:
                counts[result] += 1
        return UpsertCounts(**counts)

    def _bulk(self, items: list[tuple[str, str, dict[str, Any]]], op: str,
              docs: dict[str, IndexedDocument] | None = None) -> set[str]:
        """Send ``items`` in bulk, retrying transient per-document failures; return the ids that failed.

        Failed articles become dead letters with Elasticsearch's error type and reason.
        """
        pending = items
        failed: set[str] = set()
        for attempt in range(self.bulk_retries + 1):
            if not pending:
                break
            if attempt:
                time.sleep(self.retry_backoff * 2 ** (attempt - 1))
            response = self._call("a bulk write", self.client.bulk,
                                  operations=bodies.build_bulk_actions(pending, op=op), refresh="wait_for")
            retry: list[tuple[str, str, dict[str, Any]]] = []
            for item, result in zip(pending, response.body.get("items", []), strict=False):
                status = next(iter(result.values()))
                if "error" not in status:
                    continue
                if status.get("status") in TRANSIENT and attempt < self.bulk_retries:
                    retry.append(item)
                    continue
                failed.add(item[1])
                self._bulk_failure(item[1], status, docs)
            pending = retry
        return failed

    def _bulk_failure(self, doc_id: str, status: dict[str, Any], docs: dict[str, IndexedDocument] | None) -> None:
        error = status.get("error") or {}
        kind = error.get("type", "error") if isinstance(error, dict) else "error"
        reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
        log.warning("Elasticsearch rejected document %s: %s", doc_id, kind)
        doc = (docs or {}).get(doc_id)
        if doc is None:
            return
        self.add_dead_letter(DeadLetter(
            stage=Stage.INDEX, url=doc.article.url, feed_url=doc.article.feed_url, reason=f"es-{kind}",
            detail=str(reason)[:500], retryable=status.get("status") in TRANSIENT, at=datetime.now(UTC)))

    def _index_events(self, docs: list[IndexedDocument], known: set[str]) -> None:
        """One ``<prefix>-events`` document per indicator event (partial updates keep review states);
        events that re-indexed articles no longer have are deleted."""
        items = [(self.names.events, e.id, review_bodies.event_source(d, e)) for d in docs for e in d.tags.events]
        if items:
            actions = bodies.build_bulk_actions(items, op="update")
            for action in actions[1::2]:
                action["doc_as_upsert"] = True
            response = self._call("an event bulk write", self.client.bulk, operations=actions, refresh="wait_for")
            if response.body.get("errors"):
                log.warning("Elasticsearch refused some indicator events (the review queue misses them)")
        updated = [d for d in docs if d.article.id in known]
        if updated:
            keep = [e.id for d in updated for e in d.tags.events]
            self._call("an event cleanup", self.client.delete_by_query, index=self.names.events, conflicts="proceed",
                       refresh=True, **review_bodies.stale_events_query([d.article.id for d in updated], keep))

    def review_statuses(self, event_ids: list[str]) -> dict[str, str]:
        """Event id -> review status, for the events that have a verdict (alerts leave out rejected ones)."""
        return self._decisions(event_ids)

    def _decisions(self, event_ids: list[str]) -> dict[str, str]:
        """Event id -> review status, for the events that have a verdict (from ``<prefix>-events``)."""
        out: dict[str, str] = {}
        unique = list(dict.fromkeys(event_ids))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i:i + _CHUNK]
            response = self._call("a review lookup", self.client.mget, index=self.names.events, ids=chunk,
                                  source=["status"])
            for doc in response.body.get("docs", []):
                if doc.get("found") and doc["_source"].get("status"):
                    out[doc["_id"]] = doc["_source"]["status"]
        return out

    def _refresh_clusters(self, roots: list[str]) -> None:
        """Collapse copies under their original and count the distinct outlets that carried it."""
        if not roots:
            return
        members: list[dict[str, Any]] = []
        for i in range(0, len(roots), 500):
            members.extend(self._scan(
                self.names.articles, bodies.build_cluster_query(roots[i:i + 500]),
                [{"seq": {"order": "asc"}}, {"id": {"order": "asc"}}],
                ["id", "duplicate_of", "source_domain", "collapsed", "independent_sources", "duplicates",
                 "event_ids"]))
        by_id = {m["_id"]: m for m in members}
        wanted: dict[str, dict[str, Any]] = {}
        for root in roots:
            copies = [m for m in members if m["_source"].get("duplicate_of") == root and m["_id"] != root]
            if root not in by_id:
                for m in copies:
                    wanted.setdefault(m["_id"], {})["collapsed"] = False
                continue
            for m in copies:
                wanted.setdefault(m["_id"], {})["collapsed"] = True
            sources = {by_id[root]["_source"]["source_domain"]} | {m["_source"]["source_domain"] for m in copies}
            wanted.setdefault(root, {}).update(collapsed=False, independent_sources=len(sources),
                                               duplicates=len(copies))
        updates = []
        for doc_id, fields in wanted.items():
            current = by_id[doc_id]["_source"]
            if any(current.get(k) != v for k, v in fields.items()):
                updates.append((by_id[doc_id]["_index"], doc_id, fields))
        if updates:
            self._bulk(updates, "update")
            events = [(self.names.events, event_id, {"collapsed": fields["collapsed"]})
                      for index, doc_id, fields in updates if "collapsed" in fields
                      for event_id in by_id[doc_id]["_source"].get("event_ids") or ()]
            if events:
                self._bulk(events, "update")

    def get(self, article_id: str) -> IndexedDocument | None:
        body = {"query": {"ids": {"values": [article_id]}}, "size": 1, "track_total_hits": False}
        hits = self._search(self.names.articles, body, "a document lookup")["hits"]["hits"]
        return from_source(hits[0]["_source"]) if hits else None

    def near_duplicate_candidates(self, keys: Sequence[str], limit: int = 50) -> list[DuplicateCandidate]:
        """Indexed articles sharing any of ``keys``: most shared keys first, then oldest."""
        wanted = list(dict.fromkeys(keys))[:500]
        if not wanted:
            return []
        hits = self._search(self.names.articles, bodies.build_candidates_body(wanted, limit))["hits"]["hits"]
        return [DuplicateCandidate(id=s["id"], fingerprint=s.get("fingerprint", ""), source_domain=s["source_domain"],
                                   duplicate_of=s.get("duplicate_of"), published_at=parse_time(s["published_at"]))
                for s in (h["_source"] for h in hits)]

    def iter_documents(self, since: date | None = None, until: date | None = None) -> Iterator[IndexedDocument]:
        """Every document published in ``since``..``until`` (UTC days, inclusive), in first-indexing order."""
        query = bodies.selection_query(parse(""), bodies.request_filters(since=since, until=until, collapse=False))
        for hit in self._scan(self.names.articles, query, [{"seq": {"order": "asc"}}, {"id": {"order": "asc"}}],
                              page=200):
            yield from_source(hit["_source"])

    # ------------------------------------------------------------------ search

    def search(self, request: SearchRequest) -> SearchPage:
        return self._search_page(request, with_total=True)

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of ``request``, page by page (no cap: exports use this)."""
        page_request = request.model_copy(update={"facets": (), "limit": max(request.limit, 200)})
        while True:
            page = self._search_page(page_request, with_total=False)
            yield from page.hits
            if page.next_cursor is None:
                return
            page_request = page_request.model_copy(update={"cursor": page.next_cursor})

    def _parse(self, query: str) -> Node:
        return parse(query, max_clauses=self.max_clauses)

    def _search_page(self, request: SearchRequest, *, with_total: bool) -> SearchPage:
        started = time.perf_counter()
        node = self._parse(request.query)
        sort = request.sort if (request.sort != "relevance" or scores(node)) else "newest"
        after = bodies.decode_cursor(request, sort)
        body = bodies.build_search_body(request, node, sort=sort, after=after, with_total=with_total,
                                        timeout=f"{self.query_timeout:g}s")
        response = self._search(self.names.articles, body)
        self._check_timeout(response)
        raw_hits = response["hits"]["hits"]
        more = len(raw_hits) > request.limit
        raw_hits = raw_hits[:request.limit]
        hits = [to_hit(h["_source"], snippet=_snippet(h, request.highlight),
                       score=float(h["_score"]) if sort == "relevance" and h.get("_score") is not None else None)
                for h in raw_hits]
        facets: dict[str, tuple[FacetCount, ...]] = {}
        truncated: dict[str, bool] = {}
        aggs = response.get("aggregations", {})
        for name in dict.fromkeys(request.facets):
            agg = aggs.get(f"facet_{name}", {})
            facets[name] = tuple(FacetCount(value=str(b["key"]), count=int(b["doc_count"]))
                                 for b in agg.get("buckets", []))
            truncated[name] = int(agg.get("sum_other_doc_count", 0)) > 0
        total = int(response["hits"].get("total", {}).get("value", 0)) if with_total else 0
        cursor = bodies.encode_cursor(request, sort, raw_hits[-1]["sort"]) if more and raw_hits else None
        return SearchPage(hits=tuple(hits), total=total, next_cursor=cursor, facets=facets,
                          facets_truncated=truncated, took_ms=round((time.perf_counter() - started) * 1000, 2))

    def _check_timeout(self, response: dict[str, Any]) -> None:
        if response.get("timed_out"):
            raise QueryError(f"the query took longer than {self.query_timeout:g} s: narrow it (fewer words, "
                             "a date range, a country)")

    # ------------------------------------------------------------------ trends and stats

    def trends(self, request: TrendRequest) -> list[TrendSeries]:
        """Matching articles per day/week/month (duplicates collapsed), optionally split and normalised."""
        node = self._parse(request.query)
        timeout = f"{self.query_timeout:g}s"
        response = self._search(self.names.articles, bodies.build_trend_body(request, node, timeout=timeout))
        self._check_timeout(response)
        aggs = response.get("aggregations", {})
        rows: list[tuple[int, str, int]] = []
        if request.split_by is None:
            rows = [(day_number(_bucket_day(b)), "all", int(b["doc_count"])) for b in aggs["series"]["buckets"]]
        else:
            for term in aggs["series"]["buckets"]:
                rows.extend((day_number(_bucket_day(b)), str(term["key"]), int(b["doc_count"]))
                            for b in term["buckets"]["buckets"])
        lo, hi = aggs.get("first", {}).get("value"), aggs.get("last", {}).get("value")
        first = request.since or (_ms_day(lo) if lo is not None else None)
        last = request.until or (_ms_day(hi) if hi is not None else None)
        if first is None or last is None:
            today = date.today()
            return [] if request.split_by else build_series(
                [], {}, request.since or request.until or today, request.until or request.since or today,
                request.interval, split=False, top=request.top, normalise=request.normalise)
        totals_from = first if request.since else bucket_of(first, request.interval)
        totals_body = bodies.build_totals_body(totals_from, last, request.interval, timeout=timeout)
        totals_response = self._search(self.names.articles, totals_body)
        self._check_timeout(totals_response)
        totals = {day_number(_bucket_day(b)): int(b["doc_count"])
                  for b in totals_response.get("aggregations", {})["totals"]["buckets"]}
        return build_series(rows, totals, first, last, request.interval, split=request.split_by is not None,
                            top=request.top, normalise=request.normalise)

    def stats(self) -> StoreStats:
        response = self._search(self.names.articles, bodies.build_stats_body(), "statistics")
        aggs = response.get("aggregations", {})

        def terms(name: str) -> dict[str, int]:
            return {str(b["key"]): int(b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])}

        oldest, newest = aggs.get("oldest", {}).get("value"), aggs.get("newest", {}).get("value")
        return StoreStats(
            articles=int(response["hits"]["total"]["value"]),
            duplicates=int(aggs.get("duplicates", {}).get("doc_count", 0)),
            by_language=terms("by_language"), by_country=terms("by_country"), by_indicator=terms("by_indicator"),
            events=int(aggs.get("events", {}).get("value") or 0),
            dead_letters=self._count(self.names.dead_letters, {"term": {"resolved": False}}),
            feeds=self._count(self.names.feeds, {"match_all": {}}),
            oldest=_ms_time(oldest) if oldest is not None else None,
            newest=_ms_time(newest) if newest is not None else None,
            schema_version=self._schema_version())

    def _count(self, index: str, query: dict[str, Any]) -> int:
        return int(self._call("a count", self.client.count, index=index, query=query).body["count"])

    def _schema_version(self) -> int | None:
        mappings = self._call("reading the mapping", self.client.indices.get_mapping, index=self.names.articles)
        versions = [m.get("mappings", {}).get("_meta", {}).get("schema_version") for m in mappings.body.values()]
        known = [int(v) for v in versions if v is not None]
        return max(known) if known else None

    # ------------------------------------------------------------------ feeds, failures, runs

    def get_feed_state(self, url: str) -> FeedState | None:
        try:
            response = self.client.get(index=self.names.feeds, id=_key(url))
        except EsNotFoundError:
            return None
        except (ApiError, TransportError) as exc:
            return self._call("a feed state lookup", _raise, exc)
        return FeedState.model_validate(response.body["_source"]["state"])

    def put_feed_state(self, state: FeedState) -> None:
        self._call("a feed state", self.client.index, index=self.names.feeds, id=_key(state.url),
                   document={"url": state.url, "state": state.model_dump(mode="json")}, refresh="wait_for")

    def feed_states(self) -> list[FeedState]:
        hits = self._scan(self.names.feeds, {"match_all": {}}, [{"url": {"order": "asc"}}], ["state"])
        return [FeedState.model_validate(h["_source"]["state"]) for h in hits]

    def add_dead_letter(self, letter: DeadLetter) -> None:
        """Record a failure; an open letter for the same stage and URL is replaced, its attempts counted."""
        query = {"bool": {"filter": [{"term": {"resolved": False}}, {"term": {"stage": str(letter.stage)}},
                                     {"term": {"url": letter.url}}]}}
        body = {"query": query, "size": 1, "_source": ["letter", "created"], "track_total_hits": False,
                "sort": [{"created": {"order": "asc"}}]}
        hits = self._search(self.names.dead_letters, body, "a dead letter lookup")["hits"]["hits"]
        created = self._tick()
        doc_id = f"{created:020d}"
        if hits:
            previous = DeadLetter.model_validate(hits[0]["_source"]["letter"])
            letter = letter.model_copy(update={"attempts": max(letter.attempts, previous.attempts + 1)})
            doc_id, created = hits[0]["_id"], int(hits[0]["_source"]["created"])
        self._call("a dead letter", self.client.index, index=self.names.dead_letters, id=doc_id, refresh="wait_for",
                   document={"stage": str(letter.stage), "url": letter.url, "reason": letter.reason,
                             "retryable": letter.retryable, "resolved": False,
                             "at": letter.at.astimezone(UTC).isoformat(), "created": created,
                             "letter": letter.model_dump(mode="json")})

    def dead_letters(self, *, retryable: bool | None = None, include_resolved: bool = False,
                     limit: int = 1000) -> list[StoredDeadLetter]:
        filters: list[dict[str, Any]] = []
        if retryable is not None:
            filters.append({"term": {"retryable": retryable}})
        if not include_resolved:
            filters.append({"term": {"resolved": False}})
        hits = self._scan(self.names.dead_letters, {"bool": {"filter": filters}}, [{"created": {"order": "asc"}}],
                          ["letter", "resolved"], limit=limit)
        return [StoredDeadLetter(id=h["_id"], letter=DeadLetter.model_validate(h["_source"]["letter"]),
                                 resolved=bool(h["_source"].get("resolved"))) for h in hits]

    def resolve_dead_letter(self, letter_id: int | str) -> None:
        try:
            self.client.update(index=self.names.dead_letters, id=str(letter_id), doc={"resolved": True},
                               refresh="wait_for")
        except EsNotFoundError as exc:
            raise NotFoundError(f"no dead letter {letter_id!r}") from exc
        except (ApiError, TransportError) as exc:
            self._call("resolving a dead letter", _raise, exc)

    def add_run_report(self, run_id: str, report: RunReport, scope: str = "run") -> None:
        self._call("a run report", self.client.index, index=self.names.runs, refresh="wait_for",
                   document={"run_id": run_id, "scope": scope, "recorded_at": datetime.now(UTC).isoformat(),
                             "created": self._tick(), "report": report.model_dump(mode="json")})

    def run_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first: ``{"run_id", "scope", "recorded_at" (datetime), "report" (RunReport)}``."""
        hits = self._scan(self.names.runs, {"match_all": {}}, [{"created": {"order": "desc"}}], True, limit=limit)
        return [{"run_id": s["run_id"], "scope": s["scope"], "recorded_at": parse_time(s["recorded_at"]),
                 "report": RunReport.model_validate(s["report"])} for s in (h["_source"] for h in hits)]


# ---------------------------------------------------------------------- helpers


def ping(client: Elasticsearch, url: str, timeout: float = PING_TIMEOUT_S) -> dict[str, Any]:
    """The cluster's info, asked once without retries; StoreError (fast) if it does not answer."""
    try:
        info = dict(client.options(request_timeout=timeout, max_retries=0).info().body)
    except ApiError as exc:
        raise StoreError(f"Elasticsearch at {url} refused the connection check: HTTP {exc.meta.status} "
                         f"{_reason(exc)} (check VIGIL_ES_API_KEY; the server must be Elasticsearch 9)") from exc
    except TransportError as exc:
        raise StoreError(f"cannot reach Elasticsearch at {url}: {_describe(exc)}") from exc
    except Exception as exc:  # UnsupportedProductError and friends
        raise StoreError(f"cannot use Elasticsearch at {url}: {exc}") from exc
    return info


def _describe(exc: BaseException) -> str:
    """The transport error with its innermost cause (``Connection refused``, a TLS failure ...)."""
    inner: BaseException = exc
    seen = 0
    while (inner.__cause__ or inner.__context__) is not None and seen < 10:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
        seen += 1
    errors = getattr(exc, "errors", ()) or ()
    if inner is exc and errors:
        inner = errors[-1]
    return str(exc) if inner is exc else f"{exc} ({type(inner).__name__}: {inner})"


def _raise(exc: BaseException) -> Any:
    raise exc


def _error_type(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return str(error.get("type", "")) if isinstance(error, dict) else ""


def _reason(exc: ApiError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    if isinstance(error, dict):
        causes = error.get("root_cause") or []
        cause = causes[0] if causes and isinstance(causes[0], dict) else error
        return f"{cause.get('type', 'error')}: {cause.get('reason', '')}".strip()
    return str(exc.message)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _bucket_day(bucket: dict[str, Any]) -> date:
    return _ms_day(bucket["key"])


def _ms_day(ms: float) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def _ms_time(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _snippet(hit: dict[str, Any], highlight: bool) -> str:
    fragments = hit.get("highlight", {}).get("body") or []
    text = str(fragments[0]) if fragments else ""
    text = _merge_marks(text)
    opening, closing = ("[", "]") if highlight else ("", "")
    return text.replace(bodies.MARK_OPEN, opening).replace(bodies.MARK_CLOSE, closing)


def _merge_marks(text: str) -> str:
    """``[detention] [camps]`` -> ``[detention camps]`` (a phrase is one highlight, as in the SQLite store)."""
    return _ADJACENT_MARKS.sub(r"\1", text)
