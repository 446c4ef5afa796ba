"""The analyst workspace on Elasticsearch: :class:`vigil.search.review.ReviewStore` for ElasticStore (a mixin).

Review decisions are *created* in ``<prefix>-reviews`` (``op_type=create``: a taken id is a conflict,
never an overwrite) and nothing updates or deletes them. The queue, the country pages and the precision
report read ``<prefix>-events`` (one document per indicator event, kept by ``upsert``), whose review
state is a cache of the event's latest verdict, replaced only by a later decision id. Bodies come from
:mod:`.review_bodies`; this module sends them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from elasticsearch import ApiError, ConflictError, TransportError
from elasticsearch import NotFoundError as EsNotFoundError

from vigil.errors import NotFoundError, StoreError
from vigil.records import IndicatorEvent
from vigil.search.elastic import review_bodies as rb
from vigil.search.elastic.documents import parse_time, review_states
from vigil.search.elastic.mapping import IndexNames
from vigil.search.review import (
    STATUS_OF_ACTION,
    AlertStatusChange,
    ApiToken,
    CountryOverview,
    DecisionInput,
    InvalidReview,
    NegativeContext,
    PrecisionRow,
    QueueFilter,
    QueueItem,
    QueuePage,
    ReviewDecision,
    Role,
    Session,
    User,
)
from vigil.search.sqlite.review import digest

_T = TypeVar("_T")
_ID_LOCK = threading.Lock()
_last_id = 0
_CREATE_ATTEMPTS = 5


def next_id() -> int:
    """A per-process increasing id (microseconds since the epoch: under 2**53, safe in JSON for browsers)."""
    global _last_id
    with _ID_LOCK:
        _last_id = max(_last_id + 1, time.time_ns() // 1000)
        return _last_id


class ElasticReviews:
    """ReviewStore methods for :class:`~vigil.search.elastic.store.ElasticStore` (uses its plumbing)."""

    if TYPE_CHECKING:
        client: Any
        names: IndexNames

        def _call(self, what: str, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T: ...
        def _search(self, index: str, body: dict[str, Any], what: str = "a search") -> dict[str, Any]: ...
        def _scan(self, index: str, query: dict[str, Any], sort: list[dict[str, Any]], source: Any = True,
                  limit: int | None = None, page: int = 1000) -> Iterator[dict[str, Any]]: ...
        def _count(self, index: str, query: dict[str, Any]) -> int: ...
        def _decisions(self, event_ids: list[str]) -> dict[str, str]: ...

    # ------------------------------------------------------------------ plumbing

    def _get(self, index: str, doc_id: str, what: str) -> dict[str, Any] | None:
        """A document's ``_source`` by id, or None."""
        try:
            return dict(self.client.get(index=index, id=doc_id).body["_source"])
        except EsNotFoundError:
            return None
        except (ApiError, TransportError) as exc:
            return self._call(what, _raise, exc)

    def _append(self, index: str, build: Callable[[int], dict[str, Any]], what: str) -> int:
        """Create a document under a fresh id (another process holding the id: take the next). Never overwrites."""
        for _ in range(_CREATE_ATTEMPTS):
            doc_id = next_id()
            try:
                self.client.create(index=index, id=str(doc_id), document=build(doc_id), refresh="wait_for")
                return doc_id
            except ConflictError:
                continue
            except (ApiError, TransportError) as exc:
                self._call(what, _raise, exc)
        raise StoreError(f"could not find a free id for {what} after {_CREATE_ATTEMPTS} attempts")

    def _event_doc(self, event_id: str) -> dict[str, Any]:
        source = self._get(self.names.events, event_id, "an event lookup")
        if source is None:
            raise NotFoundError(f"no indicator event {event_id!r}")
        return source

    def _set_state(self, event_id: str, article_id: str, decision_id: int, status: str,
                   precision: str | None) -> None:
        """The event's review state (if ``decision_id`` is its latest) and its article's ``review`` states."""
        self._call("an event review state", self.client.update, index=self.names.events, id=event_id,
                   **rb.state_update(decision_id, status, precision), refresh="wait_for")
        body = {"query": {"ids": {"values": [article_id]}}, "size": 1, "_source": ["event_ids"],
                "track_total_hits": False}
        hits = self._search(self.names.articles, body, "an article lookup")["hits"]["hits"]
        if not hits:
            return
        event_ids = hits[0]["_source"].get("event_ids") or []
        self._call("a review update", self.client.update, index=hits[0]["_index"], id=hits[0]["_id"],
                   doc={"review": review_states(event_ids, self._decisions(event_ids))}, refresh="wait_for")

    # ------------------------------------------------------------------ reviews

    def add_review(self, event_id: str, decision: DecisionInput, *, reviewer: str,
                   at: datetime | None = None) -> ReviewDecision:
        """Append one decision to the log; a verdict also becomes the event's (and its article's) state."""
        source = self._event_doc(event_id)
        event = IndicatorEvent.model_validate(source["event"])
        if decision.action == "correct" and (decision.category or event.category) == event.category \
                and (decision.country or event.country) == event.country:
            raise InvalidReview("a correction must change the country or the category")
        record = {**decision.model_dump(), "event_id": event_id, "reviewer": reviewer, "at": at or datetime.now(UTC),
                  "event_category": event.category, "event_country": event.country,
                  "language": source.get("language", ""), "lexicon_version": source.get("lexicon_version", ""),
                  "published_day": date.fromisoformat(source["day"]) if source.get("day") else None}
        made: list[ReviewDecision] = []

        def build(decision_id: int) -> dict[str, Any]:
            made[:] = [ReviewDecision(id=decision_id, **record)]
            return rb.decision_source(made[0], event.article_id)

        self._append(self.names.reviews, build, "a review decision")
        result = made[0]
        status = STATUS_OF_ACTION.get(decision.action)
        if status is not None:
            self._set_state(event_id, event.article_id, result.id, status, rb.precision_class(result))
        return result

    def put_review(self, event_id: str, status: str, *, at: datetime, detail: dict[str, Any] | None = None) -> None:
        """Record a bare review status (the Store protocol's hook for ``review:``), appended to the log."""
        from vigil.search.query.parser import REVIEW_STATUSES

        if status not in REVIEW_STATUSES or status == "pending":
            raise StoreError(f"review status must be one of {', '.join(REVIEW_STATUSES[1:])}, not {status!r}")
        source = self._event_doc(event_id)
        article_id = str(source["article_id"])
        decision_id = self._append(
            self.names.reviews, lambda i: rb.state_source(i, event_id, article_id, status, at, detail or {}),
            "a review")
        self._set_state(event_id, article_id, decision_id, status, None)

    def _decision_list(self, body: dict[str, Any]) -> list[ReviewDecision]:
        hits = self._search(self.names.reviews, body, "a review lookup")["hits"]["hits"]
        return [ReviewDecision.model_validate(h["_source"]["decision"]) for h in hits]

    def reviews_for_event(self, event_id: str) -> list[ReviewDecision]:
        return self._decision_list(rb.decisions_body(event_id=event_id, limit=rb.MAX_TERMS, newest_first=False))

    def audit_trail(self, *, limit: int = 100, reviewer: str | None = None,
                    before_id: int | None = None) -> list[ReviewDecision]:
        return self._decision_list(rb.decisions_body(reviewer=reviewer, before_id=before_id, limit=limit))

    def review_queue(self, filters: QueueFilter) -> QueuePage:
        response = self._search(self.names.events, rb.queue_body(filters), "the review queue")
        hits = response["hits"]["hits"]
        total = len(hits) + filters.offset
        if filters.with_total:
            total = int(response["hits"]["total"]["value"])
        cap = rb.QUEUE_COUNT_CAP
        return QueuePage(items=tuple(self._items(hits)), total=min(total, cap), total_capped=total > cap)

    def queue_item(self, event_id: str) -> QueueItem | None:
        source = self._get(self.names.events, event_id, "an event lookup")
        if source is None:
            return None
        items = self._items([{"_id": event_id, "_source": source}])
        return items[0] if items else None

    def _items(self, hits: list[dict[str, Any]]) -> list[QueueItem]:
        """Queue items of event hits: their articles' titles and current cluster sizes, latest decisions."""
        if not hits:
            return []
        events = [IndicatorEvent.model_validate(h["_source"]["event"]) for h in hits]
        article_ids = list(dict.fromkeys(e.article_id for e in events))
        body = {"query": {"ids": {"values": article_ids}}, "size": len(article_ids),
                "_source": rb.QUEUE_ARTICLE_SOURCE, "track_total_hits": False}
        articles = {h["_id"]: h["_source"]
                    for h in self._search(self.names.articles, body, "an article lookup")["hits"]["hits"]}
        latest = {d.event_id: d for d in self._decision_list(rb.latest_decisions_body([e.id for e in events]))}
        items = []
        for event, hit in zip(events, hits, strict=True):
            art = articles.get(event.article_id)
            if art is None:  # the article went away after its events were read
                continue
            items.append(QueueItem(
                event=event, title=art["title"], url=art["url"], source_domain=art["source_domain"],
                language=art["language"], published_at=parse_time(art["published_at"]),
                independent_sources=int(art.get("independent_sources") or 1),
                status=hit["_source"].get("status") or "pending", last_decision=latest.get(event.id)))
        return items

    def precision_report(self, *, by: Literal["all", "month", "lexicon"] = "all") -> list[PrecisionRow]:
        """Per category (and period): the current verdict of every reviewed event, counted by aggregation."""
        response = self._search(self.names.events, rb.precision_body(by), "the precision report")
        rows = []
        for cat in response.get("aggregations", {}).get("category", {}).get("buckets", []):
            periods = cat["period"]["buckets"] if by != "all" else [{"key": "all", "verdict": cat["verdict"]}]
            for period in periods:
                counts = {str(b["key"]): int(b["doc_count"]) for b in period["verdict"]["buckets"]}
                rows.append(PrecisionRow(category=str(cat["key"]), period=str(period["key"]),
                                         confirmed=counts.get("confirmed", 0), rejected=counts.get("rejected", 0),
                                         corrected=counts.get("corrected", 0)))
        return sorted(rows, key=lambda r: (r.category, r.period))

    def country_overview(self, country: str, since: date, until: date, top: int = 8) -> CountryOverview:
        response = self._search(self.names.events, rb.country_body(country, since, until, top), "a country overview")
        aggs = response.get("aggregations", {})
        weekly = tuple((date.fromisoformat(w["key_as_string"]), str(c["key"]), int(c["doc_count"]))
                       for w in aggs.get("weekly", {}).get("buckets", [])
                       for c in w.get("category", {}).get("buckets", []))

        def tops(name: str) -> tuple[tuple[str, int], ...]:
            return tuple((str(b["key"]), int(b["articles"]["value"])) for b in aggs.get(name, {}).get("buckets", []))

        return CountryOverview(weekly=weekly, events=sum(n for _, _, n in weekly), actors=tops("actors"),
                               groups=tops("groups"))

    # ------------------------------------------------------------------ accounts

    def add_user(self, username: str, password_hash: str, role: Role) -> User:
        user = User(username=username, role=role, created_at=datetime.now(UTC))
        try:
            self.client.create(index=self.names.users, id=username, refresh="wait_for",
                               document={**user.model_dump(mode="json"), "password_hash": password_hash})
        except ConflictError as exc:
            raise InvalidReview(f"user {username!r} already exists") from exc
        except (ApiError, TransportError) as exc:
            self._call("an account", _raise, exc)
        return user

    def get_user(self, username: str) -> tuple[User, str] | None:
        source = self._get(self.names.users, username, "an account lookup")
        if source is None:
            return None
        return User.model_validate({k: v for k, v in source.items() if k != "password_hash"}), source["password_hash"]

    def _update_user(self, username: str, fields: dict[str, Any]) -> None:
        try:
            self.client.update(index=self.names.users, id=username, doc=fields, refresh="wait_for")
        except EsNotFoundError as exc:
            raise NotFoundError(f"no user {username!r}") from exc
        except (ApiError, TransportError) as exc:
            self._call("an account update", _raise, exc)

    def set_password(self, username: str, password_hash: str) -> None:
        self._update_user(username, {"password_hash": password_hash})

    def set_role(self, username: str, role: Role) -> None:
        self._update_user(username, {"role": role})

    def users(self) -> list[User]:
        hits = self._scan(self.names.users, {"match_all": {}}, [{"username": {"order": "asc"}}],
                          ["username", "role", "created_at", "disabled"])
        return [User.model_validate(h["_source"]) for h in hits]

    def add_token(self, username: str, name: str, token_hash: str) -> ApiToken:
        """Store a token by its hash (the document id); the token itself never reaches the store."""
        if self.get_user(username) is None:
            raise NotFoundError(f"no user {username!r}")
        token = ApiToken(id=next_id(), username=username, name=name, created_at=datetime.now(UTC))
        try:
            self.client.create(index=self.names.tokens, id=token_hash, document=token.model_dump(mode="json"),
                               refresh="wait_for")
        except ConflictError as exc:
            raise InvalidReview("that token is already registered") from exc
        except (ApiError, TransportError) as exc:
            self._call("an API token", _raise, exc)
        return token

    def user_for_token(self, token_hash: str) -> User | None:
        source = self._get(self.names.tokens, token_hash, "a token lookup")
        if source is None or source.get("revoked"):
            return None
        account = self.get_user(str(source["username"]))
        return account[0] if account else None

    def add_session(self, session: Session) -> None:
        """Store a session under its id's digest (expired sessions are swept first)."""
        self._call("a session sweep", self.client.delete_by_query, index=self.names.sessions,
                   **rb.expired_sessions_query(datetime.now(UTC)), conflicts="proceed")
        self._call("a session", self.client.index, index=self.names.sessions, id=digest(session.id),
                   document=session.model_dump(mode="json", exclude={"id"}), refresh="wait_for")

    def get_session(self, session_id: str) -> Session | None:
        source = self._get(self.names.sessions, digest(session_id), "a session lookup")
        return None if source is None else Session.model_validate({**source, "id": session_id})

    def delete_session(self, session_id: str) -> None:
        try:
            self.client.delete(index=self.names.sessions, id=digest(session_id), refresh="wait_for")
        except EsNotFoundError:
            pass
        except (ApiError, TransportError) as exc:
            self._call("ending a session", _raise, exc)

    def record_login_failure(self, key: str, at: datetime) -> None:
        self._call("a login failure", self.client.index, index=self.names.login_failures, refresh="wait_for",
                   document={"key": key, "at": at.astimezone(UTC).isoformat()})

    def login_failures(self, key: str, since: datetime) -> int:
        return self._count(self.names.login_failures, rb.login_failures_query(key, since))

    def clear_login_failures(self, key: str) -> None:
        self._call("clearing login failures", self.client.delete_by_query, index=self.names.login_failures,
                   query=rb.login_failures_query(key), conflicts="proceed", refresh=True)

    # ------------------------------------------------------------------ alerts

    def set_alert_status(self, change: AlertStatusChange) -> None:
        """Append to the alert status log (the latest change per alert is its status)."""
        self._append(self.names.alert_status, lambda i: {"alert_id": change.alert_id, "status": change.status,
                                                         "seq": i, "change": change.model_dump(mode="json")},
                     "an alert status")

    def alert_statuses(self, alert_ids: list[str] | None = None) -> dict[str, AlertStatusChange]:
        if alert_ids is not None and not alert_ids:
            return {}
        response = self._search(self.names.alert_status, rb.alert_statuses_body(alert_ids), "alert statuses")
        changes = [AlertStatusChange.model_validate(h["_source"]["change"]) for h in response["hits"]["hits"]]
        return {c.alert_id: c for c in changes}

    # ------------------------------------------------------------------ feedback

    def _bump(self, change: str, by: str, at: datetime) -> int:
        """The next feedback version, created under its number (two admins at once: one retries)."""
        for _ in range(_CREATE_ATTEMPTS):
            version = self.feedback_version() + 1
            try:
                self.client.create(index=self.names.feedback_versions, id=str(version), refresh="wait_for",
                                   document={"version": version, "change": change, "by": by,
                                             "at": at.astimezone(UTC).isoformat()})
                return version
            except ConflictError:
                continue
            except (ApiError, TransportError) as exc:
                self._call("a feedback version", _raise, exc)
        raise StoreError("could not record a feedback version: too many concurrent changes")

    def add_negative_context(self, category: str, language: str, pattern: str, *, added_by: str,
                             decision_id: int | None = None) -> NegativeContext:
        now = datetime.now(UTC)
        version = self._bump(f"add {category}/{language}: {pattern}", added_by, now)
        ctx = NegativeContext(id=version, category=category, language=language, pattern=pattern, version=version,
                              added_by=added_by, added_at=now, decision_id=decision_id)
        self._put_context(ctx)
        return ctx

    def _put_context(self, ctx: NegativeContext) -> None:
        self._call("a negative context", self.client.index, index=self.names.negative_contexts, id=str(ctx.id),
                   refresh="wait_for", document={"id": ctx.id, "category": ctx.category, "language": ctx.language,
                                                 "active": ctx.active, "context": ctx.model_dump(mode="json")})

    def deactivate_negative_context(self, context_id: int, *, by: str) -> NegativeContext:
        source = self._get(self.names.negative_contexts, str(context_id), "a negative context lookup")
        ctx = NegativeContext.model_validate(source["context"]) if source else None
        if ctx is None or not ctx.active:
            raise NotFoundError(f"no active negative context {context_id}")
        self._bump(f"remove {ctx.category}/{ctx.language}: {ctx.pattern}", by, datetime.now(UTC))
        ctx = ctx.model_copy(update={"active": False})
        self._put_context(ctx)
        return ctx

    def negative_contexts(self, *, include_inactive: bool = False) -> list[NegativeContext]:
        query: dict[str, Any] = {"match_all": {}} if include_inactive else {"term": {"active": True}}
        hits = self._scan(self.names.negative_contexts, query, [{"id": {"order": "asc"}}], ["context"])
        return [NegativeContext.model_validate(h["_source"]["context"]) for h in hits]

    def feedback_version(self) -> int:
        response = self._search(self.names.feedback_versions, rb.LATEST_VERSION_BODY, "the feedback version")
        value = response.get("aggregations", {}).get("latest", {}).get("value")
        return int(value or 0)


def _raise(exc: BaseException) -> Any:
    raise exc
