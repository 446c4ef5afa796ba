"""Index bodies, documents and queries of the analyst workspace on Elasticsearch (pure, no I/O).

``<prefix>-reviews`` is the append-only decision log (documents are only ever *created*);
``<prefix>-events`` holds one document per indicator event (filter/sort fields for the review queue and
the country pages, plus the event's current review state, a cache of its latest verdict). Accounts,
tokens (hashes only), sessions (hashed ids), login failures, the alert status log and the feedback
(negative contexts, versions) each have a small index of their own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from vigil.records import IndexedDocument, IndicatorEvent
from vigil.search.review import QUEUE_COUNT_CAP, STATUS_OF_ACTION, QueueFilter, ReviewDecision

Body = dict[str, Any]
_KEYWORD: Body = {"type": "keyword"}
_DATE: Body = {"type": "date"}
_DAY: Body = {"type": "date", "format": "date"}
_LONG: Body = {"type": "long"}
_OPAQUE: Body = {"type": "object", "enabled": False}

QUEUE_WINDOW = 100_500
"""``max_result_window`` of the events index: the queue pages by offset up to QueueFilter's 100 000."""
MAX_TERMS = 10_000
"""Bucket and collapse sizes where every key is wanted (categories, periods, alerts)."""

DECISION_PROPERTIES: Body = {
    "id": _LONG, "event_id": _KEYWORD, "article_id": _KEYWORD, "action": _KEYWORD, "status": _KEYWORD,
    "reviewer": _KEYWORD, "at": _DATE, "event_category": _KEYWORD, "lexicon_version": _KEYWORD,
    "decision": _OPAQUE, "detail": _OPAQUE,
}
EVENT_PROPERTIES: Body = {
    "event_id": _KEYWORD, "article_id": _KEYWORD, "category": _KEYWORD, "country": _KEYWORD,
    "severity": {"type": "byte"}, "day": _DAY, "month": _KEYWORD, "language": _KEYWORD,
    "lexicon_version": _KEYWORD, "collapsed": {"type": "boolean"}, "actors": _KEYWORD, "groups": _KEYWORD,
    "status": _KEYWORD, "precision": _KEYWORD, "decision_id": _LONG, "event": _OPAQUE,
}
USER_PROPERTIES: Body = {"username": _KEYWORD, "role": _KEYWORD, "created_at": _DATE,
                         "disabled": {"type": "boolean"}, "password_hash": {"type": "keyword", "index": False}}
TOKEN_PROPERTIES: Body = {"id": _LONG, "username": _KEYWORD, "name": _KEYWORD, "created_at": _DATE,
                          "last_used_at": _DATE, "revoked": {"type": "boolean"}}
SESSION_PROPERTIES: Body = {"username": _KEYWORD, "csrf": {"type": "keyword", "index": False},
                            "created_at": _DATE, "expires_at": _DATE}
LOGIN_FAILURE_PROPERTIES: Body = {"key": _KEYWORD, "at": _DATE}
ALERT_STATUS_PROPERTIES: Body = {"alert_id": _KEYWORD, "status": _KEYWORD, "seq": _LONG, "change": _OPAQUE}
CONTEXT_PROPERTIES: Body = {"id": _LONG, "category": _KEYWORD, "language": _KEYWORD, "active": {"type": "boolean"},
                            "context": _OPAQUE}
FEEDBACK_VERSION_PROPERTIES: Body = {"version": _LONG, "change": {"type": "keyword", "index": False},
                                     "by": _KEYWORD, "at": _DATE}


def index_body(properties: Body, **settings: Any) -> Body:
    """Create-index body of a one-shard workspace index (strict field list, nothing dynamic)."""
    return {"settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1", **settings},
            "mappings": {"dynamic": False, "properties": properties}}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------- events


def event_source(doc: IndexedDocument, event: IndicatorEvent) -> Body:
    """The article-derived fields of one event document (a partial doc: review state fields are kept)."""
    published = doc.article.published_at.astimezone(UTC)
    return {
        "event_id": event.id, "article_id": doc.article.id, "category": event.category,
        "country": event.country.upper() if event.country else None, "severity": event.severity,
        "day": published.date().isoformat(), "month": published.strftime("%Y-%m"),
        "language": doc.article.language.lower(),
        "lexicon_version": event.evidence[0].lexicon_version if event.evidence else "",
        "collapsed": False,
        "actors": sorted({a.id.lower() for a in doc.tags.actors if a.id}),
        "groups": sorted({g.id.lower() for g in doc.tags.groups if g.id}),
        "event": event.model_dump(mode="json"),
    }


def stale_events_query(article_ids: list[str], keep: list[str]) -> Body:
    """Events of re-indexed articles that their new tags no longer contain (body of ``_delete_by_query``)."""
    query: Body = {"bool": {"filter": [{"terms": {"article_id": article_ids}}]}}
    if keep:
        query["bool"]["must_not"] = [{"ids": {"values": keep}}]
    return {"query": query}


def precision_class(decision: ReviewDecision) -> str | None:
    """How a verdict counts for precision: a category correction rejects the tagger's category."""
    if decision.action == "note":
        return None
    if decision.action == "correct" and not (decision.category and decision.category != decision.event_category):
        return "corrected"
    return "confirmed" if decision.action == "confirm" else "rejected"


STATE_SCRIPT = ("if (ctx._source.decision_id == null || ctx._source.decision_id < params.decision_id) "
                "{ ctx._source.putAll(params.state) } else { ctx.op = 'noop' }")
"""Only a later decision replaces an event's state (two analysts at once: the latest id wins)."""


def state_update(decision_id: int, status: str, precision: str | None) -> Body:
    """``_update`` body setting an event's review state to the verdict ``decision_id``."""
    return {"script": {"lang": "painless", "source": STATE_SCRIPT,
                       "params": {"decision_id": decision_id,
                                  "state": {"status": status, "precision": precision, "decision_id": decision_id}}}}


# ---------------------------------------------------------------------- decisions


def decision_source(decision: ReviewDecision, article_id: str) -> Body:
    """A log document: filter fields and the whole decision (not indexed)."""
    return {"id": decision.id, "event_id": decision.event_id, "article_id": article_id, "action": decision.action,
            "status": STATUS_OF_ACTION.get(decision.action), "reviewer": decision.reviewer, "at": _iso(decision.at),
            "event_category": decision.event_category, "lexicon_version": decision.lexicon_version,
            "decision": decision.model_dump(mode="json")}


def state_source(decision_id: int, event_id: str, article_id: str, status: str, at: datetime,
                 detail: dict[str, Any]) -> Body:
    """A log document of ``Store.put_review`` (a bare status, no analyst's decision record)."""
    return {"id": decision_id, "event_id": event_id, "article_id": article_id, "status": status, "at": _iso(at),
            "detail": detail}


DECISIONS_ONLY: Body = {"exists": {"field": "action"}}
NEWEST_FIRST: list[Body] = [{"id": {"order": "desc"}}]


def decisions_body(*, event_id: str | None = None, reviewer: str | None = None, before_id: int | None = None,
                   limit: int = 100, newest_first: bool = True) -> Body:
    """Decisions of one event (oldest first) or the audit trail (newest first, keyset by id)."""
    filters: list[Body] = [DECISIONS_ONLY]
    if event_id is not None:
        filters.append({"term": {"event_id": event_id}})
    if reviewer is not None:
        filters.append({"term": {"reviewer": reviewer}})
    if before_id is not None:
        filters.append({"range": {"id": {"lt": before_id}}})
    return {"query": {"bool": {"filter": filters}}, "sort": [{"id": {"order": "desc" if newest_first else "asc"}}],
            "size": limit, "_source": ["decision"], "track_total_hits": False}


def latest_decisions_body(event_ids: list[str]) -> Body:
    """The newest decision of each of ``event_ids`` (field collapsing on ``event_id``)."""
    return {"query": {"bool": {"filter": [DECISIONS_ONLY, {"terms": {"event_id": event_ids}}]}},
            "collapse": {"field": "event_id"}, "sort": NEWEST_FIRST, "size": len(event_ids),
            "_source": ["decision"], "track_total_hits": False}


# ---------------------------------------------------------------------- queue, precision, country


def queue_body(filters: QueueFilter) -> Body:
    """One page of the review queue from the events index (copies of an original left out)."""
    clauses: list[Body] = [{"term": {"collapsed": False}}]
    must_not: list[Body] = []
    if filters.status == "pending":
        must_not.append({"exists": {"field": "status"}})
    elif filters.status != "all":
        clauses.append({"term": {"status": filters.status}})
    for field, values in (("country", [c.upper() for c in filters.countries]),
                          ("category", [c.lower() for c in filters.categories]),
                          ("language", [x.lower() for x in filters.languages])):
        if values:
            clauses.append({"terms": {field: values}})
    query: Body = {"bool": {"filter": clauses}}
    if must_not:
        query["bool"]["must_not"] = must_not
    severity, day = {"severity": {"order": "desc"}}, {"day": {"order": "desc"}}
    order = [severity, day] if filters.sort == "severity" else [day, severity]
    return {"query": query, "sort": [*order, {"event_id": {"order": "asc"}}], "from": filters.offset,
            "size": filters.limit, "_source": ["event", "status"],
            "track_total_hits": QUEUE_COUNT_CAP + 1 if filters.with_total else False}


QUEUE_ARTICLE_SOURCE = ["id", "title", "url", "source_domain", "language", "published_at", "independent_sources"]


def precision_body(by: Literal["all", "month", "lexicon"]) -> Body:
    """Counts of current verdicts per category (and publication month or lexicon version)."""
    verdicts: Body = {"verdict": {"terms": {"field": "precision", "size": 3}}}
    inner = verdicts
    if by != "all":
        field = "month" if by == "month" else "lexicon_version"
        inner = {"period": {"terms": {"field": field, "size": MAX_TERMS, "missing": "unknown"}, "aggs": verdicts}}
    return {"size": 0, "track_total_hits": False, "query": {"bool": {"filter": [{"exists": {"field": "precision"}}]}},
            "aggs": {"category": {"terms": {"field": "category", "size": MAX_TERMS}, "aggs": inner}}}


def _top(field: str, top: int) -> Body:
    return {"terms": {"field": field, "size": top, "order": [{"articles": "desc"}, {"_key": "asc"}]},
            "aggs": {"articles": {"cardinality": {"field": "article_id"}}}}


def country_body(country: str, since: date, until: date, top: int) -> Body:
    """Weekly events per category (ISO weeks, Monday first) and the top actors/groups by articles."""
    return {"size": 0, "track_total_hits": False,
            "query": {"bool": {"filter": [{"term": {"country": country.upper()}}, {"term": {"collapsed": False}},
                                          {"range": {"day": {"gte": since.isoformat(), "lte": until.isoformat()}}}]}},
            "aggs": {"weekly": {"date_histogram": {"field": "day", "calendar_interval": "week",
                                                   "format": "yyyy-MM-dd"},
                                "aggs": {"category": {"terms": {"field": "category", "size": MAX_TERMS}}}},
                     "actors": _top("actors", top), "groups": _top("groups", top)}}


# ---------------------------------------------------------------------- accounts, alerts, feedback


def login_failures_query(key: str, since: datetime | None = None) -> Body:
    filters: list[Body] = [{"term": {"key": key}}]
    if since is not None:
        filters.append({"range": {"at": {"gte": _iso(since)}}})
    return {"bool": {"filter": filters}}


def expired_sessions_query(now: datetime) -> Body:
    return {"query": {"range": {"expires_at": {"lt": _iso(now)}}}}


def alert_statuses_body(alert_ids: list[str] | None) -> Body:
    """The newest status change of each alert (collapsing on ``alert_id``)."""
    query: Body = {"terms": {"alert_id": alert_ids}} if alert_ids is not None else {"match_all": {}}
    return {"query": query, "collapse": {"field": "alert_id"}, "sort": [{"seq": {"order": "desc"}}],
            "size": len(alert_ids) if alert_ids is not None else MAX_TERMS, "_source": ["change"],
            "track_total_hits": False}


LATEST_VERSION_BODY: Body = {"size": 0, "track_total_hits": False, "aggs": {"latest": {"max": {"field": "version"}}}}
