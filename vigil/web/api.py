"""The JSON API: everything the pages show, plus the actions, described by OpenAPI at /api/openapi.json."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field

from vigil.errors import NotFoundError
from vigil.search.review import (
    ROLES,
    AlertStatusChange,
    ApiToken,
    DecisionInput,
    NegativeContext,
    QueueFilter,
    QueueItem,
    QueuePage,
    ReviewDecision,
    Role,
    User,
    feedback_document,
)
from vigil.search.store import Hit, Interval, SearchRequest, SortOrder
from vigil.web import views
from vigil.web.deps import CSRF, WS, Admin, Analyst, Reader, Viewer, Who
from vigil.web.security import hash_password, new_token

router = APIRouter(prefix="/api")

Countries = Annotated[list[str], Query(description="ISO 3166-1 alpha-2 (repeatable or comma-separated)")]
Languages = Annotated[list[str], Query(description="ISO 639-1 (repeatable or comma-separated)")]
QueryText = Annotated[str, Query(max_length=4096, description="query language: words, \"phrases\", field:value")]
EXPORT_FIELDS = ("id", "published_at", "title", "url", "source_domain", "language", "countries", "indicators",
                 "independent_sources", "duplicates")


class Me(BaseModel):
    user: User | None
    csrf_token: str | None = Field(default=None, description="send as X-CSRF-Token with cookie credentials")


class NewUser(BaseModel):
    username: str = Field(pattern=r"^[a-z0-9_.\-]{2,40}$")
    password: str = Field(min_length=10, max_length=200)
    role: Role = "analyst"


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=80)


class CreatedToken(BaseModel):
    token: str = Field(description="shown once; send as 'Authorization: Bearer <token>'")
    info: ApiToken


class AlertStatusInput(BaseModel):
    status: Literal["acknowledged", "closed", "open"]
    note: str = Field(default="", max_length=2000)


class NegativeContextInput(BaseModel):
    category: str = Field(pattern=r"^[a-z_]{2,40}$")
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    pattern: str = Field(min_length=2, max_length=80, description="a word or short phrase (term syntax)")
    decision_id: int | None = None


class EventDetail(BaseModel):
    item: QueueItem
    decisions: list[ReviewDecision]


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise views.BadInput(f"{name} must be a date like 2026-01-31, not {value!r}") from exc


@router.get("/me", response_model=Me, tags=["accounts"])
def me(who: Who) -> Me:
    return Me(user=who.user, csrf_token=who.session.csrf if who.session else None)


@router.get("/search", response_model=views.SearchView, tags=["search"])
def search(ws: WS, _: Reader, q: QueryText = "", country: Countries = [],  # noqa: B006
           lang: Languages = [], since: str | None = None, until: str | None = None,  # noqa: B006
           sort: SortOrder = "relevance", cursor: Annotated[str | None, Query(max_length=512)] = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20, interval: Interval = "week",
           facets: bool = True, trend: bool = True) -> views.SearchView:
    """Hits with highlighted snippets, facets (country, indicator, language, source) and the query's trend.

    ``facets=false`` / ``trend=false`` leave those out (the search page fetches them after the hits).
    """
    return views.search_view(
        ws.store, query=q, countries=views.clean_codes(country, views.COUNTRY, True),
        languages=views.clean_codes(lang, views.LANGUAGE, False), since=_day(since, "since"),
        until=_day(until, "until"), sort=sort, cursor=cursor, limit=limit, interval=interval, facets=facets,
        trend_chart=trend)


def _export_request(q: str, country: list[str], lang: list[str], since: str | None, until: str | None,
                    sort: SortOrder) -> SearchRequest:
    return SearchRequest(query=q, countries=tuple(views.clean_codes(country, views.COUNTRY, True)),
                         languages=tuple(views.clean_codes(lang, views.LANGUAGE, False)),
                         since=_day(since, "since"), until=_day(until, "until"), sort=sort, limit=500,
                         highlight=False)


def _row(hit: Hit) -> dict[str, object]:
    data = hit.model_dump(mode="json", include=set(EXPORT_FIELDS))
    return {k: data[k] for k in EXPORT_FIELDS}


@router.get("/export.csv", tags=["search"], response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}}})
def export_csv(ws: WS, _: Reader, q: QueryText = "", country: Countries = [],  # noqa: B006
               lang: Languages = [], since: str | None = None, until: str | None = None,  # noqa: B006
               sort: SortOrder = "newest") -> StreamingResponse:
    """Every matching article (no cap), one row each, with its source URL and outlet."""
    request = _export_request(q, country, lang, since, until, sort)
    ws.store.search(request.model_copy(update={"limit": 1}))  # a malformed query fails before streaming

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_FIELDS)
        for hit in ws.store.iter_hits(request):
            row = _row(hit)
            writer.writerow([";".join(v) if isinstance(v, list) else v for v in row.values()])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue()

    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="vigil-search.csv"'})


@router.get("/export.jsonl", tags=["search"], response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {}}}})
def export_jsonl(ws: WS, _: Reader, q: QueryText = "", country: Countries = [],  # noqa: B006
                 lang: Languages = [], since: str | None = None, until: str | None = None,  # noqa: B006
                 sort: SortOrder = "newest") -> StreamingResponse:
    """Every matching article (no cap) as JSON lines."""
    request = _export_request(q, country, lang, since, until, sort)
    ws.store.search(request.model_copy(update={"limit": 1}))
    lines = (json.dumps(_row(hit), ensure_ascii=False) + "\n" for hit in ws.store.iter_hits(request))
    return StreamingResponse(lines, media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="vigil-search.jsonl"'})


@router.get("/countries/{code}", response_model=views.CountryView, tags=["search"])
def country(ws: WS, _: Reader, code: str, until: str | None = None) -> views.CountryView:
    """Indicator trend by category, recent alerts, top actors and groups, latest evidence."""
    if not views.COUNTRY.match(code.upper()):
        raise NotFoundError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return views.country_view(ws.store, ws.reviews, code.upper(), until=_day(until, "until"))


@router.get("/alerts", response_model=views.AlertsView, tags=["alerts"])
def alerts(ws: WS, _: Viewer, status: Literal["open", "acknowledged", "closed", "all"] = "open",
           country: str | None = None) -> views.AlertsView:
    return views.alerts_view(ws.store, ws.reviews, country=country.upper() if country else None,
                             status=None if status == "all" else status)


@router.post("/alerts/{alert_id}/status", response_model=AlertStatusChange, tags=["alerts"],
             dependencies=[CSRF])
def alert_status(ws: WS, who: Analyst, alert_id: str, body: AlertStatusInput) -> AlertStatusChange:
    """Acknowledge, close or reopen an alert (recorded with who and when)."""
    return set_alert_status(ws, who.user, alert_id, body.status, body.note)  # type: ignore[arg-type]


def set_alert_status(ws: WS, user: User, alert_id: str, status: str, note: str) -> AlertStatusChange:
    known = views.alerts_view(ws.store, ws.reviews, status=None, limit=10_000)
    if not known.available or alert_id not in {a.id for a in known.alerts}:
        raise NotFoundError(f"no alert {alert_id!r}")
    change = AlertStatusChange(alert_id=alert_id, status=status, by=user.username,  # type: ignore[arg-type]
                               at=datetime.now(UTC), note=note)
    ws.reviews.set_alert_status(change)
    update = getattr(ws.store, "update_alert_status", None)
    if update is not None:
        views._call_accepting(update, alert_id=alert_id, status=status, by=user.username, at=change.at, note=note)
    return change


@router.get("/review/queue", response_model=QueuePage, tags=["review"])
def review_queue(ws: WS, _: Viewer, country: Countries = [], category: Annotated[list[str], Query()] = [],  # noqa: B006
                 lang: Languages = [], status: Literal["pending", "confirmed", "rejected", "corrected", "all"]  # noqa: B006
                 = "pending", sort: Literal["severity", "newest"] = "severity",
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> QueuePage:
    """Auto-tagged indicator events, most severe and newest first."""
    return ws.reviews.review_queue(queue_filter(country, category, lang, status, sort, limit, offset))


def queue_filter(country: list[str], category: list[str], lang: list[str], status: str, sort: str = "severity",
                 limit: int = 50, offset: int = 0) -> QueueFilter:
    categories = [c.strip().lower() for v in category for c in v.split(",") if c.strip()]
    return QueueFilter(countries=tuple(views.clean_codes(country, views.COUNTRY, True)),
                       categories=tuple(categories), languages=tuple(views.clean_codes(lang, views.LANGUAGE, False)),
                       status=status, sort=sort, limit=limit, offset=offset)  # type: ignore[arg-type]


@router.get("/review/events/{event_id}", response_model=EventDetail, tags=["review"])
def review_event(ws: WS, _: Viewer, event_id: str) -> EventDetail:
    item = ws.reviews.queue_item(event_id)
    if item is None:
        raise NotFoundError(f"no indicator event {event_id!r}")
    return EventDetail(item=item, decisions=ws.reviews.reviews_for_event(event_id))


@router.post("/review/events/{event_id}/decisions", response_model=ReviewDecision, status_code=201,
             tags=["review"], dependencies=[CSRF])
def review_decide(ws: WS, who: Analyst, event_id: str, decision: DecisionInput) -> ReviewDecision:
    """Confirm, reject with a reason, correct the country or category, or add a note (append-only)."""
    assert who.user is not None
    return ws.reviews.add_review(event_id, decision, reviewer=who.user.username)


@router.get("/review/audit", response_model=list[ReviewDecision], tags=["review"])
def review_audit(ws: WS, _: Viewer, reviewer: str | None = None, before_id: int | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[ReviewDecision]:
    """The audit trail, newest first."""
    return ws.reviews.audit_trail(limit=limit, reviewer=reviewer, before_id=before_id)


@router.get("/review/precision", response_model=views.PrecisionView, tags=["review"])
def review_precision(ws: WS, _: Viewer, by: Literal["all", "month", "lexicon"] = "all") -> views.PrecisionView:
    """Confirmed and rejected counts per category (and month or lexicon version): the tagger's precision."""
    return views.precision_view(ws.reviews, by)


@router.get("/feeds", response_model=views.FeedsView, tags=["feeds"])
def feeds(ws: WS, _: Viewer) -> views.FeedsView:
    return views.feeds_view(ws.store)


@router.get("/feedback/negative-contexts", response_model=list[NegativeContext], tags=["feedback"])
def negative_contexts(ws: WS, _: Viewer, include_inactive: bool = False) -> list[NegativeContext]:
    return ws.reviews.negative_contexts(include_inactive=include_inactive)


@router.post("/feedback/negative-contexts", response_model=NegativeContext, status_code=201, tags=["feedback"],
             dependencies=[CSRF])
def add_negative_context(ws: WS, who: Admin, body: NegativeContextInput) -> NegativeContext:
    """Turn a rejected pattern's context into a negative context for its category (admin; bumps the version)."""
    assert who.user is not None
    return ws.reviews.add_negative_context(body.category, body.language, body.pattern.strip().lower(),
                                           added_by=who.user.username, decision_id=body.decision_id)


@router.post("/feedback/negative-contexts/{context_id}/deactivate", response_model=NegativeContext,
             tags=["feedback"], dependencies=[CSRF])
def deactivate_negative_context(ws: WS, who: Admin, context_id: int) -> NegativeContext:
    assert who.user is not None
    return ws.reviews.deactivate_negative_context(context_id, by=who.user.username)


@router.get("/feedback/export.yaml", tags=["feedback"], response_class=PlainTextResponse)
def feedback_export(ws: WS, _: Viewer) -> PlainTextResponse:
    """The tagger's ``config/indicators/feedback.yaml``: active negative contexts with the feedback version."""
    import yaml

    doc = feedback_document(ws.reviews.negative_contexts(), ws.reviews.feedback_version())
    return PlainTextResponse(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), media_type="text/yaml")


@router.get("/users", response_model=list[User], tags=["accounts"])
def users(ws: WS, _: Admin) -> list[User]:
    return ws.reviews.users()


@router.post("/users", response_model=User, status_code=201, tags=["accounts"], dependencies=[CSRF])
def add_user(ws: WS, _: Admin, body: NewUser) -> User:
    return ws.reviews.add_user(body.username, hash_password(body.password), body.role)


@router.post("/tokens", response_model=CreatedToken, status_code=201, tags=["accounts"], dependencies=[CSRF])
def add_token(ws: WS, who: Viewer, body: Annotated[NewToken, Body()]) -> CreatedToken:
    """A new API token for the logged-in user."""
    assert who.user is not None
    token, hashed = new_token()
    return CreatedToken(token=token, info=ws.reviews.add_token(who.user.username, body.name, hashed))


__all__ = ["ROLES", "router"]
