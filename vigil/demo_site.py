"""Serve the bundled demo news site (``examples/demo-site/site``) on 127.0.0.1.

Used by ``vigil demo``, by the tests and by the Airflow end-to-end test. Files are served as they are,
except that the placeholder ``__BASE_URL__`` in text files is replaced by the server's real address.
Paths listed in ``broken`` answer 500 (to simulate one failing feed group in tests).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from vigil.settings import PROJECT_ROOT

DEMO_SITE_DIR = PROJECT_ROOT / "examples" / "demo-site" / "site"
PLACEHOLDER = "__BASE_URL__"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".yaml": "text/yaml; charset=utf-8",
}


class DemoSite:
    """A threaded static server for the demo site; a context manager that yields itself."""

    def __init__(self, root: Path = DEMO_SITE_DIR, *, port: int = 0, broken: Iterable[str] = ()) -> None:
        if not (root / "index.html").is_file():
            raise FileNotFoundError(f"demo site not found at {root} (run examples/demo-site/build.py)")
        self.root = root.resolve()
        self.broken = set(broken)
        self.requests: list[str] = []
        handler = self._handler_class()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-site", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def feeds_file(self) -> Path:
        return self.root / "feeds.yaml"

    def start(self) -> DemoSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "VigilDemo/1"

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                site.requests.append(path)
                if path in site.broken:
                    self._send(500, b"simulated failure", "text/plain")
                    return
                target = (site.root / path.lstrip("/")).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if site.root not in target.parents or not target.is_file():
                    self._send(404, b"not found", "text/plain")
                    return
                body = target.read_bytes()
                ctype = _TYPES.get(target.suffix, "application/octet-stream")
                if ctype.startswith(("text/", "application/xml")):
                    body = body.replace(PLACEHOLDER.encode(), site.base_url.encode())
                self._send(200, body, ctype)

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

        return Handler
