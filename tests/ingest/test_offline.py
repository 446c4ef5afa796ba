from __future__ import annotations

import gzip
import json
from pathlib import Path

from vigil.ingest import health
from vigil.ingest.fetch import Fetcher
from vigil.ingest.offline import check_feed, extract_jsonl, extract_saved, reextract, status_rows
from vigil.ingest.raw import RawCapture
from vigil.ingest.urls import article_id
from vigil.records import FeedSpec, FeedState

from .support import NOW, Server, fixture_bytes, make_policy


def test_extract_saved_html_and_gz(tmp_path: Path) -> None:
    html = fixture_bytes("page_en.html", "https://gazette.example")
    (tmp_path / "a.html").write_bytes(html)
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(html))
    for name in ("a.html", "b.html.gz"):
        record = extract_saved(tmp_path / name, url=None, now=NOW)
        assert record["title"] == "Thousands reach Kessa after three-day walk"
        assert record["date_source"] == "page" and record["published_at"].startswith("2026-11-10T07:45")
        assert record["method"] == "trafilatura" and record["language"] == "en"
        assert record["canonical_url"] == "https://gazette.example/news/kessa-arrivals"


def test_extract_jsonl_one_line_per_input(tmp_path: Path) -> None:
    (tmp_path / "ok.html").write_bytes(fixture_bytes("page_ru_cp1251.html"))
    (tmp_path / "empty.html").write_bytes(fixture_bytes("page_empty.html"))
    lines = [json.dumps({"id": "p1", "path": str(tmp_path / "ok.html"), "url": "https://e.example/ru"}),
             json.dumps({"id": "p2", "path": str(tmp_path / "empty.html"), "url": None}),
             json.dumps({"id": "p3", "path": str(tmp_path / "missing.html"), "url": None}),
             "not json"]
    out = list(extract_jsonl(lines, now=NOW))
    assert [o["id"] for o in out] == ["p1", "p2", "p3", 4]
    assert set(out[0]) == {"id", "title", "text", "authors", "published_at", "date_source", "language", "method"}
    assert "Сосновку" in out[0]["title"] and out[0]["language"] == "ru"
    assert out[1]["error"].startswith("no-text") and out[2]["error"].startswith("unreadable")
    assert out[3]["error"].startswith("bad input line")


def test_check_feed(server: Server) -> None:
    server.static("/feed.xml", fixture_bytes("feed_en.xml", server.base), content_type="application/rss+xml")
    server.status("/dead.xml", 410)
    with Fetcher(make_policy()) as fetcher:
        ok = check_feed(FeedSpec(url=server.url("/feed.xml"), name="G", language="en"), fetcher)
        dead = check_feed(FeedSpec(url=server.url("/dead.xml"), name="D", language="en"), fetcher)
    assert (ok.state, ok.items, ok.status, ok.title) == ("ok", 3, 200, "Vigil Test Gazette")
    assert (dead.state, dead.reason) == ("failed", "http-410")


def test_status_rows() -> None:
    feeds = [FeedSpec(url="https://a.example/rss", name="A", language="fr", group="africa"),
             FeedSpec(url="https://b.example/rss", name="B", language="ar", group="mena")]
    failing = health.record_failure(FeedState(url="https://b.example/rss"), NOW, "timeout")
    rows = status_rows(feeds, [failing], now=NOW)
    assert [(r["name"], r["status"], r["failures"]) for r in rows] == [("A", "never", 0), ("B", "backed-off", 1)]
    assert rows[1]["last_error"] == "timeout" and rows[1]["next_due"] == failing.not_before


def test_reextract_from_raw_capture(tmp_path: Path) -> None:
    raw = RawCapture(tmp_path)
    url = "https://gazette.example/news/kessa-arrivals"
    raw.put(article_id(url), fixture_bytes("page_en.html", "https://gazette.example"), url)
    art = reextract(raw, article_id(url), fetched_at=NOW, now=NOW)
    assert art is not None and art.id == article_id(url) and "river town of Kessa" in art.text
    assert reextract(raw, article_id("https://gazette.example/none"), fetched_at=NOW, now=NOW) is None
