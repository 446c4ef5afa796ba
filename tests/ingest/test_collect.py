"""One feed end to end through the ingest stage: outcomes are counted and add up."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

from vigil.ingest.collect import ENTRY_OUTCOMES, PAGE_OUTCOMES, extract_pages, fetch_feed
from vigil.ingest.fetch import Fetcher
from vigil.ingest.raw import RawCapture
from vigil.ingest.urls import article_id
from vigil.records import FeedSpec, FeedState, Stage

from .support import NOW, Server, fixture_bytes, make_policy


def rss(items: Sequence[tuple[str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link>"
                   f"<pubDate>Tue, 10 Nov 2026 0{i % 10}:00:00 +0000</pubDate></item>"
                   for i, (t, link) in enumerate(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Faults</title>'
            f"<ttl>30</ttl>{body}</channel></rss>").encode()


def nothing_known(ids: Sequence[str]) -> set[str]:
    return set()


def serve_site(server: Server) -> None:
    base = server.base
    server.static("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.static("/news/kessa-arrivals", fixture_bytes("page_en.html", base))
    server.static("/wire/kessa", fixture_bytes("page_wire.html", base))
    server.static("/ru", fixture_bytes("page_ru_cp1251.html", base), content_type="text/html; charset=utf-8")
    server.static("/empty", fixture_bytes("page_empty.html", base))
    server.status("/gone", 404)
    server.status("/broken", 500)
    server.redirect("/meta", "http://169.254.169.254/latest/meta-data/")
    server.redirect("/internal", "http://10.0.0.1/")
    server.static("/private/x", fixture_bytes("page_en.html", base))
    server.static("/pic", b"\x89PNG", content_type="image/png")

    def silent(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)

    server.route("/hang", silent)


def test_fault_feed_every_entry_has_one_outcome(server: Server, tmp_path: object) -> None:
    serve_site(server)
    b = server.base
    items = [
        ("Kessa arrivals", f"{b}/news/kessa-arrivals?utm_source=rss&amp;utm_medium=feed"),
        ("Kessa arrivals again", f"{b}/news/kessa-arrivals?fbclid=zz"),
        ("Wire copy", f"{b}/wire/kessa"),
        ("Russian page", f"{b}/ru"),
        ("Empty page", f"{b}/empty"),
        ("Gone", f"{b}/gone"),
        ("Broken", f"{b}/broken"),
        ("Metadata", f"{b}/meta"),
        ("Internal", f"{b}/internal"),
        ("Private", f"{b}/private/x"),
        ("Picture", f"{b}/pic"),
        ("Hangs", f"{b}/hang"),
        ("Not http", "ftp://127.0.0.1/file"),
    ]
    server.static("/feed.xml", rss(items), content_type="application/rss+xml")
    feed = FeedSpec(url=f"{b}/feed.xml", name="Faults", language="en")
    with Fetcher(make_policy()) as fetcher:
        result = fetch_feed(feed, FeedState(url=feed.url), fetcher=fetcher, is_known=nothing_known, now=NOW,
                            max_articles=50)
    counts = result.counts
    assert counts["feed-ok"] == 1
    assert result.entries == len(items) == sum(counts.get(o, 0) for o in ENTRY_OUTCOMES)
    assert counts["duplicate-in-feed"] == 1 and counts["fetched"] == 4
    reasons = sorted(letter.reason for letter in result.dead_letters)
    assert reasons == sorted(["http-404", "http-500", "blocked-address", "blocked-address",
                              "robots-disallowed", "bad-content-type", "timeout", "entry-without-link"])
    assert counts["entry-invalid"] == 1  # the ftp:// link never reaches the fetcher
    assert counts["fetch-failed"] == len(result.dead_letters) - 1
    stages = sorted(letter.stage.value for letter in result.dead_letters)
    assert stages == ["feed"] + ["fetch"] * 7
    retryable = {letter.reason for letter in result.dead_letters if letter.retryable}
    assert retryable == {"http-500", "timeout"}
    assert result.state.ttl_minutes == 30 and result.state.items_seen == len(items)

    raw = RawCapture(tmp_path / "raw")  # type: ignore[operator]
    articles, letters, page_counts = extract_pages(list(result.pairs), feed_url=feed.url, now=NOW, raw=raw)
    assert sum(page_counts.get(o, 0) for o in PAGE_OUTCOMES) == counts["fetched"]
    assert page_counts["extracted"] == 3 and [lt.reason for lt in letters] == ["no-text"]
    assert letters[0].stage == Stage.EXTRACT
    by_url = {a.url: a for a in articles}
    assert f"{b}/news/kessa-arrivals" in by_url
    assert "более двух тысяч человек" in by_url[f"{b}/ru"].text
    assert set(raw.iter_ids()) == {a.id for a in articles} | {article_id(f"{b}/empty")}


def test_conditional_get_then_known_entries(server: Server) -> None:
    serve_site(server)
    body = fixture_bytes("feed_en.xml", server.base)

    def feed_route(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"f1"':
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", '"f1"')
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    server.route("/feed.xml", feed_route)
    feed = FeedSpec(url=server.url("/feed.xml"), name="Gazette", language="en")
    with Fetcher(make_policy()) as fetcher:
        first = fetch_feed(feed, FeedState(url=feed.url), fetcher=fetcher, is_known=nothing_known, now=NOW,
                           max_articles=50)
        assert first.state.etag == '"f1"' and first.counts["fetched"] == 2
        second = fetch_feed(feed, first.state, fetcher=fetcher, is_known=nothing_known,
                            now=NOW + timedelta(hours=2), max_articles=50)
        assert second.counts == {"feed-not-modified": 1} and second.state.not_modified == 1
        known = {article_id(e.url) for e, _ in first.pairs}
        third = fetch_feed(feed, FeedState(url=feed.url), fetcher=fetcher,
                           is_known=lambda ids: known & set(ids), now=NOW, max_articles=50)
    assert third.counts["known"] == 2 and "fetched" not in third.counts
    assert server.hits["/news/kessa-arrivals"] == 1


def test_failing_feed_is_backed_off_not_hammered(server: Server) -> None:
    server.static("/feed.html", fixture_bytes("page_en.html", server.base))
    feed = FeedSpec(url=server.url("/feed.html"), name="Not a feed", language="en")
    with Fetcher(make_policy()) as fetcher:
        failed = fetch_feed(feed, FeedState(url=feed.url), fetcher=fetcher, is_known=nothing_known, now=NOW,
                            max_articles=10)
        assert failed.counts == {"feed-failed": 1}
        assert [(lt.stage, lt.reason) for lt in failed.dead_letters] == [(Stage.FEED, "not-a-feed")]
        assert failed.state.consecutive_failures == 1
        again = fetch_feed(feed, failed.state, fetcher=fetcher, is_known=nothing_known,
                           now=NOW + timedelta(minutes=30), max_articles=10)
    assert again.counts == {"feed-backed-off": 1}
    assert server.hits["/feed.html"] == 1


def test_over_limit_entries_are_counted(server: Server) -> None:
    serve_site(server)
    items = [(f"Story {i}", f"{server.base}/gone?n={i}") for i in range(6)]
    server.static("/feed.xml", rss(items), content_type="application/rss+xml")
    feed = FeedSpec(url=server.url("/feed.xml"), name="Many", language="en")
    with Fetcher(make_policy()) as fetcher:
        result = fetch_feed(feed, FeedState(url=feed.url), fetcher=fetcher, is_known=nothing_known, now=NOW,
                            max_articles=4)
    assert result.counts["over-limit"] == 2 and result.counts["fetch-failed"] == 4
    assert sum(result.counts.get(o, 0) for o in ENTRY_OUTCOMES) == 6
