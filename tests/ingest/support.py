"""Helpers of the ingest tests: a scripted HTTP server on 127.0.0.1, policies, a fake clock."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vigil.ingest.fetch import Fetcher
from vigil.ingest.safety import FetchPolicy

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

Handler = Callable[[BaseHTTPRequestHandler], None]


def fixture_bytes(name: str, base: str = "") -> bytes:
    """A fixture file with ``__BASE__`` replaced by the server's base URL."""
    return (FIXTURES / name).read_bytes().replace(b"__BASE__", base.encode("ascii"))


@dataclass
class Server:
    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def static(self, path: str, body: bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
               headers: dict[str, str] | None = None) -> None:
        def handler(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(body)
        self.route(path, handler)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        def handler(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()
        self.route(path, handler)

    def status(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.static(path, b"error", status=status, content_type="text/plain", headers=headers)


def _make_handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            path = self.path
            with server.lock:
                server.hits[path] += 1
                server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                handler = server.routes.get(path)
                if handler is None and path == "/robots.txt":
                    handler = _not_found
                if handler is None:
                    _not_found(self)
                else:
                    handler(self)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with server.lock:
                    server.in_flight -= 1

    return H


def _not_found(h: BaseHTTPRequestHandler) -> None:
    h.send_response(404)
    h.send_header("Content-Length", "9")
    h.send_header("Content-Type", "text/plain")
    h.end_headers()
    h.wfile.write(b"not found")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-body are expected in fault tests; do not print tracebacks."""


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    httpd = _QuietServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def make_policy(**overrides: object) -> FetchPolicy:
    values: dict[str, object] = {
        "user_agent": "VigilBot/0.1 (+https://example.org/vigil-tests)",
        "connect_timeout": 0.5, "read_timeout": 0.5, "total_timeout": 2.0,
        "max_body_bytes": 200_000, "max_decompressed_bytes": 500_000, "max_redirects": 5,
        "per_host_concurrency": 4, "per_host_delay": 0.0, "max_retry_after": 5.0, "max_retries": 2,
        "allow_hosts": ("127.0.0.1",), "respect_robots": True,
    }
    values.update(overrides)
    return FetchPolicy(**values)  # type: ignore[arg-type]


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.t += seconds


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(make_policy()) as f:
        yield f


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@pytest.fixture
def stalled_port() -> Iterator[int]:
    """A port whose listen backlog is full: connecting to it hangs (a connect timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            s.connect(("127.0.0.1", port))
        fillers.append(s)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for s in fillers:
            s.close()
        listener.close()
