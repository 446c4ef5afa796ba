"""What each page shows, built once and served both as HTML and as JSON (the API returns these models)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from vigil.errors import VigilError
from vigil.records import FeedState
from vigil.search.review import (
    AlertStatusChange,
    PrecisionRow,
    QueueFilter,
    QueueItem,
    QueuePage,
    ReviewStore,
)
from vigil.search.store import (
    FacetCount,
    FacetField,
    Interval,
    SearchPage,
    SearchRequest,
    SortOrder,
    Store,
    TrendRequest,
)

COUNTRY = re.compile(r"^[A-Z]{2}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
SEARCH_FACETS: tuple[FacetField, ...] = ("country", "indicator", "language", "source")
COUNTRY_WINDOW_DAYS = 182


class BadInput(VigilError):
    """A request parameter that is well-typed but unusable (e.g. a malformed date)."""


class View(BaseModel):
    """Base of page models (plain, serialisable)."""


class Chart(View):
    """A chart's data in the shape the page script hands to Chart.js."""

    labels: list[str]
    series: list[dict[str, Any]] = Field(description="[{key, values}] one per line or stack")
    stacked: bool = False


class SearchView(View):
    query: str
    countries: list[str]
    languages: list[str]
    since: date | None
    until: date | None
    sort: SortOrder
    page: SearchPage
    trend: Chart
    interval: Interval


class AlertView(View):
    id: str
    country: str | None = None
    category: str | None = None
    severity: float | int | None = None
    urgency: float | int | str | None = None
    status: str = "open"
    opened_at: str | None = None
    summary: str = ""
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    last_change: AlertStatusChange | None = None


class AlertsView(View):
    available: bool = Field(description="false until the store implements alerts()")
    alerts: list[AlertView]


class CountryView(View):
    code: str
    since: date
    until: date
    events: int = Field(description="indicator events in the window (syndicated copies once)")
    trend: Chart
    actors: list[FacetCount]
    groups: list[FacetCount]
    alerts: AlertsView
    evidence: list[QueueItem]


class FeedHealth(View):
    state: FeedState
    status: str


class FeedsView(View):
    feeds: list[FeedHealth]
    counts: dict[str, int]


class PrecisionView(View):
    by: str
    rows: list[PrecisionRow]
    totals: list[PrecisionRow]
    feedback_version: int


def clean_codes(values: Iterable[str], pattern: re.Pattern[str], upper: bool) -> list[str]:
    out = []
    for v in values:
        for part in v.split(","):
            code = part.strip().upper() if upper else part.strip().lower()
            if code and pattern.match(code) and code not in out:
                out.append(code)
    return out


def scoped_query(query: str, countries: list[str], languages: list[str]) -> str:
    """The query ANDed with country and language filters, for the trend (which takes only a query)."""
    parts = [f"({query})"] if query.strip() else []
    if countries:
        parts.append(f"country:({' OR '.join(countries)})")
    if languages:
        parts.append(f"lang:({' OR '.join(languages)})")
    return " ".join(parts)


def chart_of(series: list[Any]) -> Chart:
    labels = sorted({p.bucket.isoformat() for s in series for p in s.points})
    out = []
    for s in series:
        by_bucket = {p.bucket.isoformat(): p.value for p in s.points}
        out.append({"key": s.key, "values": [by_bucket.get(label, 0) for label in labels]})
    return Chart(labels=labels, series=out, stacked=len(series) > 1)


def search_view(store: Store, *, query: str, countries: list[str], languages: list[str], since: date | None,
                until: date | None, sort: SortOrder, cursor: str | None, limit: int, interval: Interval,
                facets: bool = True, trend_chart: bool = True) -> SearchView:
    """Hits (and the total); facets and the trend unless the page fetches them afterwards."""
    page = store.search(SearchRequest(query=query, countries=tuple(countries), languages=tuple(languages),
                                      since=since, until=until, sort=sort, cursor=cursor, limit=limit,
                                      facets=SEARCH_FACETS if facets else ()))
    trend: Chart = Chart(labels=[], series=[])
    if trend_chart and (query.strip() or countries or languages):
        trend = chart_of(store.trends(TrendRequest(query=scoped_query(query, countries, languages),
                                                   interval=interval, since=since, until=until)))
    return SearchView(query=query, countries=countries, languages=languages, since=since, until=until, sort=sort,
                      page=page, trend=trend, interval=interval)


def country_view(store: Store, reviews: ReviewStore, code: str, *, until: date | None = None,
                 days: int = COUNTRY_WINDOW_DAYS) -> CountryView:
    """Indicator events of the country by week and category, alerts, top actors and groups, latest evidence."""
    end = until or datetime.now(UTC).date()
    start = end - timedelta(days=days)
    overview = reviews.country_overview(code, start, end)
    first_week = start - timedelta(days=start.weekday())
    labels = [(first_week + timedelta(weeks=i)).isoformat() for i in range((end - first_week).days // 7 + 1)]
    by_category: dict[str, dict[str, int]] = {}
    for week, category, count in overview.weekly:
        by_category.setdefault(category, {})[week.isoformat()] = count
    ranked = sorted(by_category, key=lambda c: -sum(by_category[c].values()))
    trend = Chart(labels=labels, stacked=True,
                  series=[{"key": c, "values": [by_category[c].get(w, 0) for w in labels]} for c in ranked])
    evidence = reviews.review_queue(QueueFilter(countries=(code,), status="all", sort="newest", limit=8,
                                                with_total=False))
    return CountryView(code=code, since=start, until=end, events=overview.events, trend=trend,
                       actors=[FacetCount(value=v, count=n) for v, n in overview.actors],
                       groups=[FacetCount(value=v, count=n) for v, n in overview.groups],
                       alerts=alerts_view(store, reviews, country=code, limit=10), evidence=list(evidence.items))


def _call_accepting(fn: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with the keyword arguments its signature accepts (the alerts API is not settled yet)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**kwargs)
    return fn(**{k: v for k, v in kwargs.items() if k in params and v is not None})


def _as_dict(obj: Any) -> dict[str, Any]:
    if hasattr(obj, "model_dump"):
        return dict(obj.model_dump(mode="json"))
    if isinstance(obj, dict):
        return dict(obj)
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def _alert(raw: Any) -> AlertView:
    d = _as_dict(raw)
    evidence = d.get("evidence") or d.get("articles") or [{"id": a} for a in d.get("article_ids", ())]
    opened = d.get("opened_at") or d.get("at") or d.get("day") or d.get("created_at")
    return AlertView(id=str(d.get("id") or d.get("alert_id")), country=d.get("country"), category=d.get("category"),
                     severity=d.get("severity"), urgency=d.get("urgency"), status=str(d.get("status") or "open"),
                     opened_at=str(opened) if opened is not None else None,
                     summary=str(d.get("summary") or d.get("reason") or ""),
                     evidence=[_as_dict(e) if not isinstance(e, str) else {"id": e} for e in evidence][:10])


def alerts_view(store: Store, reviews: ReviewStore, *, country: str | None = None, status: str | None = "open",
                limit: int = 100) -> AlertsView:
    """Open alerts by severity and urgency, with the workspace's acknowledge/close state laid over them."""
    fn = getattr(store, "alerts", None)
    if fn is None:
        return AlertsView(available=False, alerts=[])
    alerts = [_alert(a) for a in _call_accepting(fn, country=country, limit=limit)]
    changes = reviews.alert_statuses([a.id for a in alerts])
    store_keeps_status = hasattr(store, "update_alert_status")
    merged = []
    for a in alerts:
        change = changes.get(a.id)
        if change is None:
            merged.append(a)
        elif store_keeps_status:  # the store's status is authoritative; the log says who changed it last here
            merged.append(a.model_copy(update={"last_change": change}))
        else:
            merged.append(a.model_copy(update={"status": change.status, "last_change": change}))
    if status is not None:
        merged = [a for a in merged if a.status == status]
    merged.sort(key=lambda a: (-_num(a.severity), -_num(a.urgency), a.opened_at or ""))
    return AlertsView(available=True, alerts=merged)


def _num(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    return {"high": 3.0, "medium": 2.0, "low": 1.0}.get(str(value).lower(), 0.0)


def feeds_view(store: Store) -> FeedsView:
    from vigil.ingest.health import status_label

    now = datetime.now(UTC)
    feeds = [FeedHealth(state=s, status=status_label(s, now)) for s in store.feed_states()]
    order = {"failing": 0, "backed-off": 1, "never": 2, "ok": 3}
    feeds.sort(key=lambda f: (order.get(f.status, 9), -f.state.consecutive_failures, f.state.url))
    counts: dict[str, int] = {}
    for f in feeds:
        counts[f.status] = counts.get(f.status, 0) + 1
    return FeedsView(feeds=feeds, counts=counts)


def queue_view(reviews: ReviewStore, filters: QueueFilter) -> QueuePage:
    return reviews.review_queue(filters)


def precision_view(reviews: ReviewStore, by: str) -> PrecisionView:
    rows = reviews.precision_report(by=by)  # type: ignore[arg-type]
    totals: dict[str, PrecisionRow] = {}
    for r in rows:
        t = totals.get(r.category) or PrecisionRow(category=r.category, period="all")
        totals[r.category] = t.model_copy(update={"confirmed": t.confirmed + r.confirmed,
                                                  "rejected": t.rejected + r.rejected,
                                                  "corrected": t.corrected + r.corrected})
    return PrecisionView(by=by, rows=rows, totals=list(totals.values()), feedback_version=reviews.feedback_version())


def highlight_sentence(sentence: str, matched: str) -> tuple[str, str, str]:
    """Split a sentence around the matched words (case-insensitive), for rendering with a <mark>."""
    at = sentence.lower().find(matched.lower()) if matched else -1
    if at < 0:
        return sentence, "", ""
    return sentence[:at], sentence[at:at + len(matched)], sentence[at + len(matched):]


def context_window(text: str, start: int, end: int, chars: int = 300) -> tuple[str, str, str]:
    """The matched span of the tagged text with ``chars`` characters either side."""
    if not 0 <= start <= end <= len(text):
        return "", "", ""
    lo, hi = max(0, start - chars), min(len(text), end + chars)
    return (("…" if lo else "") + text[lo:start], text[start:end], text[end:hi] + ("…" if hi < len(text) else ""))
