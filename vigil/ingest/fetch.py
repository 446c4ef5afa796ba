"""The polite, safe HTTP fetcher.

One :class:`Fetcher` per run, shared by threads. For every request it checks the URL (scheme, SSRF
guard), obeys robots.txt (cached per origin), waits for its turn at the host (per-host concurrency and
minimum delay, pushed back by Retry-After), follows redirects itself so every hop is checked, streams the
body under a wire-size cap, and decompresses under a second cap (gzip bombs).
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from vigil.errors import BlockedURLError, FetchError
from vigil.ingest.encoding import charset_from_content_type, decide_encoding
from vigil.ingest.robots import RobotsRules, parse_robots
from vigil.ingest.safety import FetchPolicy, GuardedBackend, Resolver, check_url
from vigil.records import FetchedPage

log = logging.getLogger(__name__)

Kind = Literal["feed", "page"]
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
RETRY_LATER_CODES = frozenset({429, 503})
RETRYABLE_CODES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
BINARY_PREFIXES = ("image/", "audio/", "video/", "font/", "model/", "multipart/")
BINARY_TYPES = frozenset({"application/pdf", "application/zip", "application/gzip", "application/x-gzip",
                          "application/msword", "application/vnd.ms-excel", "application/x-tar",
                          "application/javascript", "text/javascript", "text/css", "application/wasm"})
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SNIFF_TYPES = frozenset({"", "application/octet-stream", "text/plain", "binary/octet-stream"})
ACCEPT = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
            "text/xml;q=0.9, */*;q=0.3",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.3",
}
ROBOTS_UNAVAILABLE_TTL = 3600.0


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def content_type_ok(content_type: str, kind: Kind) -> bool:
    """Header check before reading the body: refuses binary types, and non-HTML for pages."""
    media = _media_type(content_type)
    if media.startswith(BINARY_PREFIXES) or media in BINARY_TYPES:
        return False
    if kind == "page":
        return media in PAGE_TYPES or media in SNIFF_TYPES
    return True


def _sniff_markup(body: bytes) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class _Decoder:
    """Incremental Content-Encoding decoder that refuses to produce more than ``limit`` bytes."""

    def __init__(self, coding: str, limit: int, url: str) -> None:
        self.coding, self.limit, self.url, self.produced = coding, limit, url, 0
        self._z: zlib._Decompress | None = None
        if coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._z = zlib.decompressobj(32 + zlib.MAX_WBITS)
            self._started = False
        elif coding not in ("", "identity"):
            raise FetchError(f"unsupported Content-Encoding {coding!r}", url=url, reason="bad-encoding")

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self.limit:
            raise FetchError(f"body decompresses past {self.limit} bytes", url=self.url, reason="too-large")
        return data

    def feed(self, chunk: bytes) -> bytes:
        if self._z is None:
            return self._count(chunk)
        out = bytearray()
        data = chunk
        while data:
            room = self.limit - self.produced + 1
            try:
                piece = self._z.decompress(data, room)
            except zlib.error as exc:
                if self.coding == "deflate" and self.produced == 0 and not out:
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate without zlib header
                    piece = self._decompress_raw(data, room)
                else:
                    raise FetchError(f"corrupt {self.coding} body: {exc}", url=self.url,
                                     reason="bad-encoding") from exc
            out += self._count(piece)
            data = self._z.unconsumed_tail
        return bytes(out)

    def _decompress_raw(self, data: bytes, room: int) -> bytes:
        assert self._z is not None
        try:
            return self._z.decompress(data, room)
        except zlib.error as exc:
            raise FetchError(f"corrupt deflate body: {exc}", url=self.url, reason="bad-encoding") from exc

    def flush(self) -> bytes:
        if self._z is None:
            return b""
        return self._count(self._z.flush())


@dataclass
class _HostSlot:
    semaphore: threading.BoundedSemaphore
    delay: float
    next_time: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class HostGate:
    """Per-host concurrency limit and minimum spacing between request starts."""

    def __init__(self, concurrency: int, delay: float, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self._concurrency, self._delay = concurrency, delay
        self._clock, self._sleep = clock, sleep
        self._slots: dict[str, _HostSlot] = {}
        self._lock = threading.Lock()

    def _slot(self, host: str) -> _HostSlot:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = _HostSlot(threading.BoundedSemaphore(self._concurrency), self._delay)
                self._slots[host] = slot
            return slot

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Wait for a free slot and for the host's delay, then hold the slot while the block runs."""
        slot = self._slot(host)
        slot.semaphore.acquire()
        try:
            with slot.lock:
                start = max(self._clock(), slot.next_time)
                slot.next_time = start + slot.delay
            wait = start - self._clock()
            if wait > 0:
                self._sleep(wait)
            yield
        finally:
            slot.semaphore.release()

    def push_back(self, host: str, seconds: float) -> None:
        """No request to ``host`` before ``seconds`` from now (Retry-After)."""
        slot = self._slot(host)
        with slot.lock:
            slot.next_time = max(slot.next_time, self._clock() + seconds)

    def set_min_delay(self, host: str, delay: float) -> None:
        """Raise the host's delay (robots.txt Crawl-delay); never lowers the policy's delay."""
        slot = self._slot(host)
        with slot.lock:
            slot.delay = max(self._delay, delay)


class _RetryLater(Exception):
    def __init__(self, error: FetchError, host: str, after: float | None) -> None:
        super().__init__(str(error))
        self.error, self.host, self.after = error, host, after


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class Fetcher:
    """Fetch feeds and pages politely and safely. Thread-safe; use as a context manager."""

    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], datetime] | None = None, resolver: Resolver | None = None) -> None:
        self.policy = policy
        self._clock, self._sleep = clock, sleep
        self._now = now or (lambda: datetime.now(UTC))
        if transport is None:
            http = httpx.HTTPTransport(retries=0)
            backend = GuardedBackend(policy, resolver) if resolver else GuardedBackend(policy)
            http._pool._network_backend = backend  # connect only to addresses the guard accepts
            transport = http
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, trust_env=False,
            timeout=httpx.Timeout(connect=policy.connect_timeout, read=policy.read_timeout,
                                  write=policy.read_timeout, pool=policy.total_timeout),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self.gate = HostGate(policy.per_host_concurrency, policy.per_host_delay, clock, sleep)
        self._robots: dict[str, tuple[RobotsRules, float, bool]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_guard = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ public
    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              kind: Kind = "page") -> FetchedPage:
        """GET ``url``; a 304 comes back as a page with status 304 and no body.

        Raises :class:`FetchError` (or :class:`BlockedURLError`) with a machine-readable ``reason``.
        429 and 503 with a Retry-After no longer than ``max_retry_after`` are retried in-run.
        """
        attempt = 0
        while True:
            try:
                return self._fetch_following(url, etag=etag, last_modified=last_modified, kind=kind)
            except _RetryLater as later:
                attempt += 1
                if later.after is None or later.after > self.policy.max_retry_after \
                        or attempt > self.policy.max_retries:
                    if later.after is not None:
                        self.gate.push_back(later.host, min(later.after, self.policy.max_retry_after))
                    raise later.error from None
                log.info("%s: %s, retrying in %.1fs", url, later.error.reason, later.after)
                self.gate.push_back(later.host, later.after)

    def robots_rules(self, url: str) -> tuple[RobotsRules, bool]:
        """The cached robots.txt rules for ``url``'s origin (fetched on first use), and whether
        robots.txt was unavailable (then the rules forbid everything for a while)."""
        origin = _origin(url)
        with self._robots_guard:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            cached = self._robots.get(origin)
            if cached and cached[1] > self._clock():
                return cached[0], cached[2]
            rules, ttl, unavailable = self._load_robots(origin)
            self._robots[origin] = (rules, self._clock() + ttl, unavailable)
            if rules.crawl_delay:
                self.gate.set_min_delay(_host_key(origin), min(rules.crawl_delay, self.policy.max_crawl_delay))
            return rules, unavailable

    # ------------------------------------------------------------------ internals
    def _load_robots(self, origin: str) -> tuple[RobotsRules, float, bool]:
        """RFC 9309: 4xx means no rules; 5xx or unreachable means assume everything is disallowed."""
        url = origin + "/robots.txt"
        try:
            status, _, body, _ = self._request(url, kind="robots", etag=None, last_modified=None,
                                               limit=self.policy.max_robots_bytes, follow=True)
        except FetchError as exc:
            if isinstance(exc, BlockedURLError) and exc.reason == "blocked-address":
                raise
            if exc.reason == "too-large":
                return RobotsRules.allow_all(), self.policy.robots_ttl, False
            log.warning("robots.txt of %s unavailable (%s): not fetching there for now", origin, exc.reason)
            return RobotsRules.forbid_all(), ROBOTS_UNAVAILABLE_TTL, True
        if 200 <= status < 300:
            text = body.decode("utf-8", errors="replace")
            return parse_robots(text, self.policy.user_agent), self.policy.robots_ttl, False
        if 400 <= status < 500:
            return RobotsRules.allow_all(), self.policy.robots_ttl, False
        return RobotsRules.forbid_all(), ROBOTS_UNAVAILABLE_TTL, True

    def _check_robots(self, url: str) -> None:
        if not self.policy.respect_robots:
            return
        rules, unavailable = self.robots_rules(url)
        if unavailable:
            raise FetchError("robots.txt could not be fetched", url=url, reason="robots-unavailable",
                             retryable=True)
        if not rules.allowed(url):
            raise BlockedURLError("disallowed by robots.txt", url=url, reason="robots-disallowed")

    def _fetch_following(self, url: str, *, etag: str | None, last_modified: str | None,
                         kind: Kind) -> FetchedPage:
        status, final_url, body, response_headers = self._request(
            url, kind=kind, etag=etag, last_modified=last_modified,
            limit=self.policy.max_decompressed_bytes, follow=True)
        content_type = response_headers.get("content-type", "")
        fetched_at = self._now()
        new_etag = response_headers.get("etag") or (etag if status == 304 else None)
        new_lm = response_headers.get("last-modified") or (last_modified if status == 304 else None)
        if status == 304:
            return FetchedPage(requested_url=url, final_url=final_url, status=304, content_type=content_type,
                               body=b"", encoding=None, fetched_at=fetched_at, etag=new_etag,
                               last_modified=new_lm)
        if _media_type(content_type) in SNIFF_TYPES and not _sniff_markup(body):
            raise FetchError(f"body is not markup (content type {content_type or 'missing'!r})",
                             url=final_url, reason="bad-content-type")
        encoding = decide_encoding(body, charset_from_content_type(content_type), kind) if body else None
        return FetchedPage(requested_url=url, final_url=final_url, status=status, content_type=content_type,
                           body=body, encoding=encoding, fetched_at=fetched_at, etag=new_etag,
                           last_modified=new_lm)

    def _request(self, url: str, *, kind: Kind | Literal["robots"], etag: str | None,
                 last_modified: str | None, limit: int, follow: bool,
                 ) -> tuple[int, str, bytes, httpx.Headers]:
        """GET with redirects followed by hand; returns (status, final URL, body, headers)."""
        current = url
        seen = {current}
        for _hop in range(self.policy.max_redirects + 1):
            check_url(current, self.policy)
            if kind != "robots":
                self._check_robots(current)
            status, headers, body = self._one(current, kind=kind, etag=etag, last_modified=last_modified,
                                              limit=limit)
            if status in REDIRECT_CODES and follow:
                location = headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without Location", url=current, reason=f"http-{status}")
                nxt = urljoin(current, location.strip())
                if nxt in seen:
                    raise FetchError("redirect loop", url=url, reason="redirect-loop")
                seen.add(nxt)
                current = nxt
                continue
            return status, current, body, headers
        raise FetchError(f"more than {self.policy.max_redirects} redirects", url=url,
                         reason="too-many-redirects")

    def _one(self, url: str, *, kind: Kind | Literal["robots"], etag: str | None, last_modified: str | None,
             limit: int) -> tuple[int, httpx.Headers, bytes]:
        headers = {"Accept": ACCEPT.get(kind, "text/plain, */*;q=0.5")}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = _host_key(url)
        deadline = time.monotonic() + self.policy.total_timeout
        with self.gate.turn(host):
            try:
                request = self._client.build_request("GET", url, headers=headers)
                response = self._client.send(request, stream=True)
            except BlockedURLError as exc:
                raise BlockedURLError(str(exc), url=url, reason=exc.reason) from exc
            except FetchError as exc:
                raise FetchError(str(exc), url=url, reason=exc.reason, retryable=exc.retryable) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__})", url=url, reason="timeout",
                                 retryable=True) from exc
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise BlockedURLError(f"bad URL: {exc}", url=url, reason="bad-url") from exc
            except httpx.ConnectError as exc:
                raise FetchError(f"cannot connect: {exc}", url=url, reason="connect-error",
                                 retryable=True) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"network error: {exc}", url=url, reason="network-error",
                                 retryable=True) from exc
            try:
                return self._handle(response, url, kind=kind, limit=limit, deadline=deadline)
            finally:
                response.close()

    def _handle(self, response: httpx.Response, url: str, *, kind: Kind | Literal["robots"], limit: int,
                deadline: float) -> tuple[int, httpx.Headers, bytes]:
        status = response.status_code
        if status in REDIRECT_CODES or status == 304:
            return status, response.headers, b""
        if kind == "robots" and status >= 400:
            return status, response.headers, b""
        if status in RETRY_LATER_CODES:
            after = parse_retry_after(response.headers.get("retry-after"), self._now())
            error = FetchError(f"HTTP {status}", url=url, reason=f"http-{status}", retryable=True,
                               retry_after=after)
            raise _RetryLater(error, _host_key(url), after)
        if status >= 400 or status < 200:
            raise FetchError(f"HTTP {status}", url=url, reason=f"http-{status}",
                             retryable=status in RETRYABLE_CODES)
        content_type = response.headers.get("content-type", "")
        if kind != "robots" and not content_type_ok(content_type, kind):
            raise FetchError(f"content type {content_type!r} refused for a {kind}", url=url,
                             reason="bad-content-type")
        declared = response.headers.get("content-length", "")
        wire_limit = min(limit, self.policy.max_body_bytes)
        if declared.isdigit() and int(declared) > wire_limit:
            raise FetchError(f"Content-Length {declared} exceeds {wire_limit}", url=url, reason="too-large")
        decoder = _Decoder(response.headers.get("content-encoding", "").strip().lower(), limit, url)
        out = bytearray()
        wire = 0
        try:
            for chunk in response.iter_raw():
                wire += len(chunk)
                if wire > wire_limit:
                    raise FetchError(f"body exceeds {wire_limit} bytes", url=url, reason="too-large")
                out += decoder.feed(chunk)
                if time.monotonic() > deadline:
                    raise FetchError("body took too long", url=url, reason="timeout", retryable=True)
            out += decoder.flush()
        except httpx.TimeoutException as exc:
            raise FetchError("timed out reading the body", url=url, reason="timeout", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"network error reading the body: {exc}", url=url, reason="network-error",
                             retryable=True) from exc
        return status, response.headers, bytes(out)
