"""A fake Elasticsearch HTTP endpoint on 127.0.0.1 for ElasticStore tests (no real cluster exists here).

It records every request the official client sends (method, path, query string, parsed body) and answers
with canned responses registered by the test, plus the ``X-Elastic-Product`` header the client checks.
Nothing in it searches: responses are whatever the test says, and tests assert the *requests*.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, Any]
Responder = Callable[["Recorded"], Reply]


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeElastic:
    """Routes ``(method, path regex)`` to canned replies; unmatched requests get HTTP 500 (and are recorded)."""

    routes: list[tuple[str, re.Pattern[str], Responder]] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    url: str = ""

    def on(self, method: str, path: str, reply: Reply | Responder | list[Reply]) -> None:
        """Answer ``method path`` (a regex matched in full) with ``reply``; a list is replayed in order."""
        if isinstance(reply, list):
            queue = list(reply)

            def replay(_: Recorded) -> Reply:
                return queue.pop(0) if len(queue) > 1 else queue[0]

            responder: Responder = replay
        elif callable(reply):
            responder = reply
        else:
            fixed = reply

            def constant(_: Recorded) -> Reply:
                return fixed

            responder = constant
        self.routes.insert(0, (method, re.compile(path), responder))

    def answer(self, request: Recorded) -> Reply:
        self.requests.append(request)
        for method, pattern, responder in self.routes:
            if method == request.method and pattern.fullmatch(request.path):
                return responder(request)
        return 500, {"error": {"type": "fake_unrouted", "reason": f"no route for {request.method} {request.path}"},
                     "status": 500}

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method)
                and (path is None or re.fullmatch(path, r.path))]

    def clear(self) -> None:
        self.requests.clear()


def _handler(fake: FakeElastic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            body: Any = None
            if raw:
                lines = [line for line in raw.split("\n") if line.strip()]
                body = json.loads(raw) if "x-ndjson" not in (self.headers.get("Content-Type") or "") \
                    else [json.loads(line) for line in lines]
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            status, payload = fake.answer(Recorded(self.command, parts.path, params, body,
                                                   {k.lower(): v for k, v in self.headers.items()}))
            data = b"" if payload is None or self.command == "HEAD" else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=9")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    return Handler


@contextmanager
def fake_elastic() -> Iterator[FakeElastic]:
    fake = FakeElastic()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


INFO = {"name": "fake", "cluster_name": "fake", "version": {"number": "9.1.0"}, "tagline": "You Know, for Search"}


def route_setup(fake: FakeElastic, *, exists: bool = False) -> None:
    """Replies for opening a store: info, template, alias/index checks and index creation."""
    fake.on("GET", "/", (200, INFO))
    fake.on("PUT", "/_index_template/[^/]+", (200, {"acknowledged": True}))
    fake.on("HEAD", "/_alias/[^/]+", (200 if exists else 404, None))
    fake.on("HEAD", "/[^_/][^/]*", (200 if exists else 404, None))
    fake.on("PUT", "/[^_/][^/]*", lambda r: (200, {"acknowledged": True, "index": r.path.strip("/")}))


def search_reply(hits: list[dict[str, Any]], *, total: int | None = None, aggregations: dict[str, Any] | None = None,
                 timed_out: bool = False) -> Reply:
    body: dict[str, Any] = {"took": 3, "timed_out": timed_out,
                            "hits": {"total": {"value": len(hits) if total is None else total, "relation": "eq"},
                                     "hits": hits}}
    if aggregations is not None:
        body["aggregations"] = aggregations
    return 200, body
