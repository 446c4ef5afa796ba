"""Who is asking, and may they: the request context shared by pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from vigil.search.review import ReviewStore, Role, Session, User, role_at_least
from vigil.search.sqlite.review import digest
from vigil.search.store import Store
from vigil.web.security import PRE_SESSION_COOKIE, SESSION_COOKIE, LoginLimiter, SessionManager, constant_equal


@dataclass
class Workspace:
    """Everything a request handler needs, built once by :func:`vigil.web.app.create_app`."""

    store: Store
    reviews: ReviewStore
    sessions: SessionManager
    limiter: LoginLimiter
    public_search: bool


@dataclass
class Principal:
    user: User | None = None
    session: Session | None = None
    via_token: bool = False

    @property
    def role(self) -> str:
        return self.user.role if self.user else "anonymous"


class LoginRequired(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=401, detail="log in first", headers={"WWW-Authenticate": "Bearer"})


class Forbidden(HTTPException):
    def __init__(self, needed: str) -> None:
        super().__init__(status_code=403, detail=f"this needs the {needed} role")


def workspace(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


WS = Annotated[Workspace, Depends(workspace)]


def principal(request: Request, ws: WS) -> Principal:
    """The user of a bearer token, or of the session cookie; anonymous otherwise. A bad token is a 401."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    header = request.headers.get("authorization", "")
    found = Principal()
    if header:
        scheme, _, token = header.partition(" ")
        user = ws.reviews.user_for_token(digest(token.strip())) if scheme.lower() == "bearer" else None
        if user is None or user.disabled:
            raise HTTPException(status_code=401, detail="invalid API token",
                                headers={"WWW-Authenticate": "Bearer"})
        found = Principal(user=user, via_token=True)
    else:
        session = ws.sessions.read(request.cookies.get(SESSION_COOKIE))
        if session is not None:
            account = ws.reviews.get_user(session.username)
            if account is not None and not account[0].disabled:
                found = Principal(user=account[0], session=session)
    request.state.principal = found
    return found


Who = Annotated[Principal, Depends(principal)]


def can_read(ws: WS, who: Who) -> Principal:
    """Read-only search: public when VIGIL_WEB_PUBLIC_SEARCH is on, otherwise any logged-in user."""
    if who.user is None and not ws.public_search:
        raise LoginRequired()
    return who


def need(role: Role) -> object:
    def check(who: Who) -> Principal:
        if who.user is None:
            raise LoginRequired()
        if not role_at_least(who.user.role, role):
            raise Forbidden(role)
        return who

    return Depends(check)


Reader = Annotated[Principal, Depends(can_read)]
Viewer = Annotated[Principal, need("viewer")]
Analyst = Annotated[Principal, need("analyst")]
Admin = Annotated[Principal, need("admin")]


def csrf_token(request: Request, who: Principal) -> str:
    """The token forms must send back: the session's, or the anonymous double-submit cookie's."""
    if who.session is not None:
        return who.session.csrf
    return str(getattr(request.state, "pre_token", None) or request.cookies.get(PRE_SESSION_COOKIE) or "")


async def check_csrf(request: Request, who: Who) -> None:
    """Every state-changing request with cookie credentials must carry the CSRF token (form field or header).

    Anonymous requests are refused as 'log in first' before the token is looked at (except the login form).
    """
    if who.via_token:
        return
    if who.user is None and request.url.path != "/login":
        raise LoginRequired()
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    expected = who.session.csrf if who.session else request.cookies.get(PRE_SESSION_COOKIE)
    if not constant_equal(sent, expected):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token; reload the page and try again")


CSRF = Depends(check_csrf)
