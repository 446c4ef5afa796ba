"""Server-rendered pages (Jinja2). Each page renders the same view model the JSON API returns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import ValidationError

from vigil.errors import NotFoundError, QueryError
from vigil.search.review import REJECT_REASONS, DecisionInput, feedback_document
from vigil.search.store import Interval, SortOrder
from vigil.web import api, views
from vigil.web.deps import CSRF, WS, Admin, Analyst, Principal, Reader, Viewer, Who, csrf_token
from vigil.web.security import PRE_SESSION_COOKIE, SESSION_COOKIE, verify_password

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
_MARK = re.compile(r"\[([^\[\]]+)\]")


def _marks(snippet: str) -> Markup:
    """Escape a snippet, then turn the store's [match] markers into <mark>."""
    return Markup(_MARK.sub(lambda m: f"<mark>{m.group(1)}</mark>", str(escape(snippet))))


def _sentence(sentence: str, matched: str) -> Markup:
    before, hit, after = views.highlight_sentence(sentence, matched)
    return Markup(f"{escape(before)}<mark>{escape(hit)}</mark>{escape(after)}" if hit else escape(sentence))


templates.env.filters["marks"] = _marks
templates.env.globals["highlight"] = _sentence
templates.env.globals["REJECT_REASONS"] = REJECT_REASONS


def _safe_next(target: str | None, default: str = "/search") -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def render(request: Request, who: Principal, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    new_pre = None
    if who.session is None and not request.cookies.get(PRE_SESSION_COOKIE):
        new_pre = request.app.state.workspace.sessions.new_pre_token()
        request.state.pre_token = new_pre
    response = templates.TemplateResponse(request, name, {
        "user": who.user, "csrf": csrf_token(request, who), "path": request.url.path, **context},
        status_code=status)
    if new_pre:
        response.set_cookie(PRE_SESSION_COOKIE, new_pre, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    who: Principal = getattr(request.state, "principal", None) or Principal()
    return render(request, who, "error.html", status=status, status_code=status, detail=detail)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/search", status_code=303)


# ---------------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, who: Who, next: str | None = None) -> HTMLResponse:
    return render(request, who, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse, dependencies=[CSRF])
def login(request: Request, ws: WS, who: Who, username: Annotated[str, Form(max_length=80)],
          password: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = "/search") -> Response:
    address = request.client.host if request.client else "unknown"
    key = ws.limiter.key(username, address)
    if ws.limiter.blocked(key):
        return render(request, who, "login.html", status=429, next=_safe_next(next),
                      error="Too many failed logins; wait 15 minutes and try again.")
    account = ws.reviews.get_user(username.strip())
    if account is None or account[0].disabled or not verify_password(account[1], password):
        ws.limiter.failed(key)
        return render(request, who, "login.html", status=401, next=_safe_next(next),
                      error="Wrong username or password.")
    ws.limiter.succeeded(key)
    if who.session is not None:
        ws.sessions.end(who.session)
    _, cookie = ws.sessions.start(account[0])
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=ws.sessions.max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout", dependencies=[CSRF])
def logout(ws: WS, who: Who) -> RedirectResponse:
    if who.session is not None:
        ws.sessions.end(who.session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---------------------------------------------------------------------- search and countries


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, ws: WS, who: Reader, q: Annotated[str, Query(max_length=4096)] = "",
           country: Annotated[list[str], Query()] = [], lang: Annotated[list[str], Query()] = [],  # noqa: B006
           since: str | None = None, until: str | None = None, sort: SortOrder = "relevance",
           cursor: Annotated[str | None, Query(max_length=512)] = None, interval: Interval = "week",
           full: bool = False) -> HTMLResponse:
    """Hits first; facets and the trend come from /api/search by script (``full=1`` renders them here)."""
    params = {"q": q, "country": country, "lang": lang, "since": since or "", "until": until or "", "sort": sort}
    export_qs = urlencode({k: v for k, v in params.items() if v}, doseq=True)
    try:
        view = api.search(ws, who, q, country, lang, since, until, sort, cursor, 20, interval, full, full)
    except QueryError as exc:
        return render(request, who, "search.html", status=400, view=None, params=params, query_error=exc,
                      export_qs=export_qs)
    return render(request, who, "search.html", view=view, params=params, query_error=None, export_qs=export_qs,
                  deferred=not full, interval=interval,
                  facet_link=lambda field, value: _facet_link(params, field, value))


def _facet_link(params: dict[str, Any], field: str, value: str) -> str:
    p = dict(params)
    if field == "country":
        p["country"] = [*p["country"], value]
    elif field == "language":
        p["lang"] = [*p["lang"], value]
    else:
        name = {"indicator": "indicator", "source": "source"}.get(field, field)
        term = f'{name}:"{value}"' if not re.fullmatch(r"[\w.\-]+", value) else f"{name}:{value}"
        p["q"] = f"{p['q']} {term}".strip()
    return "/search?" + urlencode({k: v for k, v in p.items() if v}, doseq=True)


@router.get("/countries", response_class=HTMLResponse)
def country_pick(code: Annotated[str, Query(max_length=2)] = "") -> RedirectResponse:
    return RedirectResponse(f"/countries/{code.upper()}" if code else "/search", status_code=303)


@router.get("/countries/{code}", response_class=HTMLResponse)
def country(request: Request, ws: WS, who: Reader, code: str, until: str | None = None) -> HTMLResponse:
    view = api.country(ws, who, code, until)
    return render(request, who, "country.html", view=view)


# ---------------------------------------------------------------------- alerts and feeds


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, ws: WS, who: Viewer, status: str = "open") -> HTMLResponse:
    chosen = status if status in ("open", "acknowledged", "closed", "all") else "open"
    view = api.alerts(ws, who, chosen, None)  # type: ignore[arg-type]
    return render(request, who, "alerts.html", view=view, chosen=chosen)


@router.post("/alerts/{alert_id}/status", dependencies=[CSRF])
def alert_status(ws: WS, who: Analyst, alert_id: str, status: Annotated[str, Form()],
                 note: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    body = api.AlertStatusInput(status=status, note=note)  # type: ignore[arg-type]
    assert who.user is not None
    api.set_alert_status(ws, who.user, alert_id, body.status, body.note)
    return RedirectResponse("/alerts", status_code=303)


@router.get("/feeds", response_class=HTMLResponse)
def feeds(request: Request, ws: WS, who: Viewer) -> HTMLResponse:
    return render(request, who, "feeds.html", view=views.feeds_view(ws.store))


# ---------------------------------------------------------------------- review


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request, ws: WS, who: Viewer, country: Annotated[list[str], Query()] = [],  # noqa: B006
          category: Annotated[list[str], Query()] = [], lang: Annotated[list[str], Query()] = [],  # noqa: B006
          status: str = "pending", offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
          done: str | None = None) -> HTMLResponse:
    chosen = status if status in ("pending", "confirmed", "rejected", "corrected", "all") else "pending"
    filters = api.queue_filter(country, category, lang, chosen, limit=25, offset=offset)
    page = ws.reviews.review_queue(filters)
    here = "/review?" + urlencode({"country": list(filters.countries), "category": list(filters.categories),
                                   "lang": list(filters.languages), "status": chosen}, doseq=True)
    return render(request, who, "queue.html", page=page, filters=filters, here=here, done=done,
                  can_review=who.user is not None and who.user.role in ("analyst", "admin"))


@router.post("/review/{event_id}", dependencies=[CSRF])
def decide(ws: WS, who: Analyst, event_id: str, action: Annotated[str, Form()],
           reason: Annotated[str, Form()] = "", country: Annotated[str, Form(max_length=2)] = "",
           category: Annotated[str, Form(max_length=40)] = "", note: Annotated[str, Form(max_length=2000)] = "",
           next: Annotated[str, Form()] = "/review") -> RedirectResponse:
    try:
        decision = DecisionInput(action=action, reason=reason or None,  # type: ignore[arg-type]
                                 country=country.upper() or None, category=category.lower() or None, note=note)
    except ValidationError as exc:
        raise views.BadInput("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from exc
    assert who.user is not None
    ws.reviews.add_review(event_id, decision, reviewer=who.user.username)
    target = _safe_next(next, "/review")
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}done={action}", status_code=303)


@router.get("/review/events/{event_id}", response_class=HTMLResponse)
def event(request: Request, ws: WS, who: Viewer, event_id: str) -> HTMLResponse:
    detail = api.review_event(ws, who, event_id)
    doc = ws.store.get(detail.item.event.article_id)
    contexts = []
    if doc is not None:
        text = f"{doc.article.title}\n\n{doc.article.text}"
        contexts = [views.context_window(text, h.start, h.end) for h in detail.item.event.evidence]
    return render(request, who, "event.html", detail=detail, contexts=contexts,
                  can_review=who.user is not None and who.user.role in ("analyst", "admin"),
                  is_admin=who.user is not None and who.user.role == "admin")


@router.get("/review/audit", response_class=HTMLResponse)
def audit(request: Request, ws: WS, who: Viewer, reviewer: str | None = None,
          before_id: int | None = None) -> HTMLResponse:
    rows = ws.reviews.audit_trail(limit=100, reviewer=reviewer or None, before_id=before_id)
    return render(request, who, "audit.html", rows=rows, reviewer=reviewer or "")


@router.get("/review/precision", response_class=HTMLResponse)
def precision(request: Request, ws: WS, who: Viewer, by: str = "all") -> HTMLResponse:
    chosen = by if by in ("all", "month", "lexicon") else "all"
    return render(request, who, "precision.html", view=views.precision_view(ws.reviews, chosen))


# ---------------------------------------------------------------------- feedback (admin)


@router.get("/admin/feedback", response_class=HTMLResponse)
def feedback(request: Request, ws: WS, who: Admin, decision: int | None = None) -> HTMLResponse:
    contexts = ws.reviews.negative_contexts(include_inactive=True)
    prefill = None
    if decision is not None:
        found = [d for d in ws.reviews.audit_trail(limit=1, before_id=decision + 1) if d.id == decision]
        if not found:
            raise NotFoundError(f"no review decision {decision}")
        prefill = found[0]
    doc = feedback_document(contexts, ws.reviews.feedback_version())
    return render(request, who, "feedback.html", contexts=contexts, prefill=prefill, doc=doc)


@router.post("/admin/feedback", dependencies=[CSRF])
def feedback_add(ws: WS, who: Admin, category: Annotated[str, Form()], language: Annotated[str, Form()],
                 pattern: Annotated[str, Form()], decision_id: Annotated[str, Form()] = "") -> RedirectResponse:
    try:
        body = api.NegativeContextInput(category=category.strip().lower(), language=language.strip().lower(),
                                        pattern=pattern, decision_id=int(decision_id) if decision_id else None)
    except (ValidationError, ValueError) as exc:
        raise views.BadInput(f"invalid negative context: {exc}") from exc
    api.add_negative_context(ws, who, body)
    return RedirectResponse("/admin/feedback", status_code=303)


@router.post("/admin/feedback/{context_id}/deactivate", dependencies=[CSRF])
def feedback_deactivate(ws: WS, who: Admin, context_id: int) -> RedirectResponse:
    api.deactivate_negative_context(ws, who, context_id)
    return RedirectResponse("/admin/feedback", status_code=303)
