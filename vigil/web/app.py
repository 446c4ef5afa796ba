"""Build the FastAPI application over a store: pages, JSON API, static files, errors, security headers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vigil.errors import NotFoundError, QueryError, StoreError, VigilError
from vigil.search.review import InvalidReview, ReviewStore, review_store_for
from vigil.search.store import Store
from vigil.web import api, pages
from vigil.web.deps import Workspace
from vigil.web.security import LoginLimiter, SessionManager

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (forms and JSON are small; anything bigger is refused with 413)."""
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
}


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (by Content-Length, or while streaming)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _too_large(scope, receive, send, self.limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(scope, receive, send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse({"detail": f"request body over {limit // 1024} KiB"}, status_code=413)
    await response(scope, receive, send)


def create_app(store: Store, *, secret_key: str, session_hours: float = 12.0, public_search: bool = True,
               reviews: ReviewStore | None = None) -> FastAPI:
    """The analyst workspace over ``store`` (which the caller opens and closes)."""
    if len(secret_key) < 16:
        raise VigilError("the web secret key must have at least 16 characters")
    review_store = reviews or review_store_for(store)
    app = FastAPI(title="Vigil", version="0.1.0", description="Search, country watch, alerts and analyst review.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.workspace = Workspace(store=store, reviews=review_store,
                                    sessions=SessionManager(review_store, secret_key, session_hours),
                                    limiter=LoginLimiter(review_store), public_search=public_search)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _errors(app)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api") or request.cookies.get("vigil_session"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(BodyLimit)
    return app


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api")


def _errors(app: FastAPI) -> None:
    def respond(request: Request, status: int, detail: str, **extra: Any) -> Response:
        if _wants_html(request):
            return pages.error_page(request, status, detail)
        return JSONResponse({"detail": detail, **extra}, status_code=status)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return respond(request, 400, str(exc), position=exc.position, query=exc.query)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return respond(request, 404, str(exc))

    @app.exception_handler(InvalidReview)
    async def invalid(request: Request, exc: InvalidReview) -> Response:
        return respond(request, 409, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        log.error("store error: %s", exc)
        return respond(request, 503, "the store is unavailable; try again later")

    @app.exception_handler(VigilError)
    async def vigil_error(request: Request, exc: VigilError) -> Response:
        return respond(request, 400, str(exc))

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> Response:
        return respond(request, 422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        if _wants_html(request):
            first = exc.errors()[0] if exc.errors() else {}
            where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
            return pages.error_page(request, 422, f"{where}: {first.get('msg', 'invalid input')}")
        return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 401 and _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)
        if _wants_html(request):
            return pages.error_page(request, exc.status_code, str(exc.detail))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def _plain(errors: Any) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
