"""Fault injection against a real local HTTP server: every fault ends in a clear reason."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest

from vigil.errors import BlockedURLError, FetchError
from vigil.ingest.fetch import Fetcher, parse_retry_after

from .support import NOW, FakeClock, Server, fixture_bytes, gzip_bytes, make_policy

PAGE = b"<!DOCTYPE html><html><head><title>t</title></head><body><p>hello</p></body></html>"


def reason_of(fetcher: Fetcher, url: str, kind: str = "page") -> tuple[str, bool]:
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url, kind=kind)  # type: ignore[arg-type]
    return info.value.reason, info.value.retryable


def test_ok_page_records_user_agent_and_encoding(server: Server, fetcher: Fetcher) -> None:
    server.static("/a", PAGE)
    page = fetcher.fetch(server.url("/a"), kind="page")
    assert page.status == 200 and page.body == PAGE and page.encoding == "utf-8"
    headers = dict(server.requests)["/a"]
    assert headers["user-agent"] == "VigilBot/0.1 (+https://example.org/vigil-tests)"
    assert "gzip" in headers["accept-encoding"]


def test_http_500_is_retryable_and_404_is_not(server: Server, fetcher: Fetcher) -> None:
    server.status("/e500", 500)
    server.status("/e404", 404)
    assert reason_of(fetcher, server.url("/e500")) == ("http-500", True)
    assert reason_of(fetcher, server.url("/e404")) == ("http-404", False)


def test_503_with_retry_after_is_retried_after_waiting(server: Server) -> None:
    calls = {"n": 0}

    def flaky(h: BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            h.send_response(503)
            h.send_header("Retry-After", "3")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(PAGE)))
        h.end_headers()
        h.wfile.write(PAGE)

    server.route("/flaky", flaky)
    clock = FakeClock()
    with Fetcher(make_policy(), clock=clock, sleep=clock.sleep) as f:
        page = f.fetch(server.url("/flaky"))
    assert page.status == 200 and calls["n"] == 2
    assert sum(clock.sleeps) == pytest.approx(3.0)


def test_429_without_retry_after_fails_retryable(server: Server, fetcher: Fetcher) -> None:
    server.status("/busy", 429)
    assert reason_of(fetcher, server.url("/busy")) == ("http-429", True)
    assert server.hits["/busy"] == 1


def test_429_with_too_long_retry_after_is_not_waited_out(server: Server) -> None:
    server.status("/slow-down", 429, headers={"Retry-After": "3600"})
    clock = FakeClock()
    with Fetcher(make_policy(), clock=clock, sleep=clock.sleep) as f:
        with pytest.raises(FetchError) as info:
            f.fetch(server.url("/slow-down"))
        assert info.value.reason == "http-429" and info.value.retry_after == 3600
        assert server.hits["/slow-down"] == 1 and clock.sleeps == []
        # the host is pushed back: the next request to it waits
        server.static("/other", PAGE)
        f.fetch(server.url("/other"))
    assert clock.sleeps and clock.sleeps[0] == pytest.approx(5.0)  # capped at max_retry_after


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:30 GMT", NOW) == pytest.approx(30.0)
    assert parse_retry_after("120", NOW) == 120.0
    assert parse_retry_after("soon", NOW) is None


def test_connect_timeout(stalled_port: int) -> None:
    with Fetcher(make_policy(respect_robots=False, connect_timeout=0.3)) as f:
        started = time.monotonic()
        assert reason_of(f, f"http://127.0.0.1:{stalled_port}/x") == ("timeout", True)
        assert time.monotonic() - started < 2


def test_read_timeout(server: Server, fetcher: Fetcher) -> None:
    def silent(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)

    server.route("/silent", silent)
    assert reason_of(fetcher, server.url("/silent")) == ("timeout", True)


def test_slow_body_hits_the_total_deadline(server: Server) -> None:
    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(40):
            h.wfile.write(b"<p>x</p>")
            h.wfile.flush()
            time.sleep(0.1)

    server.route("/drip", drip)
    with Fetcher(make_policy(total_timeout=0.8)) as f:
        started = time.monotonic()
        assert reason_of(f, server.url("/drip")) == ("timeout", True)
        assert time.monotonic() - started < 2


def test_declared_body_past_cap(server: Server) -> None:
    server.static("/big", b"<p>" + b"x" * 300_000)
    with Fetcher(make_policy()) as f:
        assert reason_of(f, server.url("/big"))[0] == "too-large"


def test_undeclared_streamed_body_past_cap(server: Server) -> None:
    def stream(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"<p>" + b"y" * 9997 + b"</p>"[:0])

    server.route("/stream", stream)
    with Fetcher(make_policy()) as f:
        assert reason_of(f, server.url("/stream"))[0] == "too-large"


def test_gzip_bomb_is_refused(server: Server) -> None:
    bomb = gzip_bytes(b"<html>" + b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    server.static("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with Fetcher(make_policy()) as f:
        assert reason_of(f, server.url("/bomb"))[0] == "too-large"


def test_gzip_body_is_decoded(server: Server, fetcher: Fetcher) -> None:
    server.static("/gz", gzip_bytes(PAGE), headers={"Content-Encoding": "gzip"})
    assert fetcher.fetch(server.url("/gz")).body == PAGE


def test_redirect_loop(server: Server, fetcher: Fetcher) -> None:
    server.redirect("/loop1", "/loop2")
    server.redirect("/loop2", server.url("/loop1"))
    assert reason_of(fetcher, server.url("/loop1")) == ("redirect-loop", False)


def test_too_many_redirects(server: Server) -> None:
    for i in range(5):
        server.redirect(f"/r{i}", f"/r{i + 1}")
    server.static("/r5", PAGE)
    with Fetcher(make_policy(max_redirects=3)) as f:
        assert reason_of(f, server.url("/r0"))[0] == "too-many-redirects"
    with Fetcher(make_policy(max_redirects=5)) as f:
        page = f.fetch(server.url("/r0"))
        assert page.final_url == server.url("/r5") and page.requested_url == server.url("/r0")


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin",
                                    "http://[::ffff:169.254.169.254]/", "http://0.0.0.0/"])
def test_redirect_to_internal_addresses_is_refused(server: Server, fetcher: Fetcher, target: str) -> None:
    server.redirect("/go", target)
    with pytest.raises(BlockedURLError) as info:
        fetcher.fetch(server.url("/go"))
    assert info.value.reason == "blocked-address"


def test_loopback_host_not_on_allow_list_is_refused_at_connect(server: Server) -> None:
    port = server.base.rsplit(":", 1)[1]
    server.static("/a", PAGE)
    with Fetcher(make_policy(allow_hosts=())) as f:
        with pytest.raises(BlockedURLError) as info:
            f.fetch(server.url("/a"))
        assert info.value.reason == "blocked-address"
        with pytest.raises(BlockedURLError) as info:
            f.fetch(f"http://localhost:{port}/a")  # a name resolving to loopback: refused at connect
        assert info.value.reason == "blocked-address"
    assert server.hits["/a"] == 0


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/x"])
def test_only_plain_http_and_https(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(BlockedURLError) as info:
        fetcher.fetch(url)
    assert info.value.reason in {"bad-scheme", "bad-url"}


def test_robots_disallow_is_respected_and_cached(server: Server, fetcher: Fetcher) -> None:
    server.static("/robots.txt", b"User-agent: *\nDisallow: /private/\n\nUser-agent: VigilBot\nDisallow: /nobots/\n",
                  content_type="text/plain")
    server.static("/private/a", PAGE)
    server.static("/nobots/a", PAGE)
    server.static("/public", PAGE)
    assert fetcher.fetch(server.url("/private/a")).status == 200  # our own group replaces '*'
    with pytest.raises(BlockedURLError) as info:
        fetcher.fetch(server.url("/nobots/a"))
    assert info.value.reason == "robots-disallowed"
    fetcher.fetch(server.url("/public"))
    assert server.hits["/nobots/a"] == 0 and server.hits["/robots.txt"] == 1


def test_robots_5xx_means_wait(server: Server, fetcher: Fetcher) -> None:
    server.status("/robots.txt", 500)
    server.static("/a", PAGE)
    assert reason_of(fetcher, server.url("/a")) == ("robots-unavailable", True)
    assert server.hits["/a"] == 0


def test_robots_crawl_delay_raises_the_host_delay(server: Server) -> None:
    server.static("/robots.txt", b"User-agent: *\nCrawl-delay: 2\n", content_type="text/plain")
    server.static("/a", PAGE)
    clock = FakeClock()
    with Fetcher(make_policy(), clock=clock, sleep=clock.sleep) as f:
        f.fetch(server.url("/a"))
        f.fetch(server.url("/a"))
    assert sum(clock.sleeps) == pytest.approx(2.0)


def test_not_modified_is_a_page_not_an_error(server: Server, fetcher: Fetcher) -> None:
    def conditional(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.end_headers()
            return
        body = fixture_bytes("feed_en.xml", server.base)
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", '"v1"')
        h.send_header("Last-Modified", "Tue, 10 Nov 2026 08:00:00 GMT")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    server.route("/feed", conditional)
    first = fetcher.fetch(server.url("/feed"), kind="feed")
    assert first.status == 200 and first.etag == '"v1"' and first.last_modified
    again = fetcher.fetch(server.url("/feed"), etag=first.etag, last_modified=first.last_modified, kind="feed")
    assert again.status == 304 and again.body == b"" and again.etag == '"v1"'
    sent = server.requests[-1][1]
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == first.last_modified


def test_binary_content_type_refused(server: Server, fetcher: Fetcher) -> None:
    server.static("/img", b"\x89PNG....", content_type="image/png")
    server.static("/blob", b"\x00\x01binary", content_type="application/octet-stream")
    assert reason_of(fetcher, server.url("/img")) == ("bad-content-type", False)
    assert reason_of(fetcher, server.url("/blob")) == ("bad-content-type", False)


def test_wrong_charset_header_is_overruled(server: Server, fetcher: Fetcher) -> None:
    server.static("/ru", fixture_bytes("page_ru_cp1251.html"), content_type="text/html; charset=utf-8")
    page = fetcher.fetch(server.url("/ru"))
    assert page.encoding == "cp1251"
    assert "Сосновку" in page.body.decode(page.encoding)


def test_per_host_delay_spaces_requests(server: Server) -> None:
    server.static("/a", PAGE)
    clock = FakeClock()
    with Fetcher(make_policy(per_host_delay=1.5, respect_robots=False), clock=clock, sleep=clock.sleep) as f:
        for _ in range(3):
            f.fetch(server.url("/a"))
    assert clock.sleeps == pytest.approx([1.5, 1.5])


def test_per_host_concurrency_is_capped(server: Server) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(0.15)
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(PAGE)))
        h.end_headers()
        h.wfile.write(PAGE)

    for i in range(6):
        server.route(f"/s{i}", slow)
    with Fetcher(make_policy(per_host_concurrency=2, respect_robots=False)) as f, \
            ThreadPoolExecutor(max_workers=6) as pool:
        pages = list(pool.map(lambda i: f.fetch(server.url(f"/s{i}")), range(6)))
    assert all(p.status == 200 for p in pages)
    assert server.max_in_flight == 2


def test_fetcher_is_thread_safe_for_robots(server: Server) -> None:
    server.static("/robots.txt", b"User-agent: *\nAllow: /\n", content_type="text/plain")
    server.static("/a", PAGE)
    barrier = threading.Barrier(4)

    def go(_: int) -> int:
        barrier.wait()
        return f.fetch(server.url("/a")).status

    with Fetcher(make_policy()) as f, ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(go, range(4))) == [200] * 4
    assert server.hits["/robots.txt"] == 1
