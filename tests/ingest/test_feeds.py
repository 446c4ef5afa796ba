from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vigil.errors import FeedError
from vigil.ingest.encoding import decide_encoding
from vigil.ingest.feeds import parse_feed
from vigil.records import FeedSpec, FetchedPage

from .support import NOW, fixture_bytes

BASE = "http://127.0.0.1:9"


def page_of(name: str, *, charset: str | None = None) -> FetchedPage:
    body = fixture_bytes(name, BASE)
    kind = "page" if name.endswith(".html") else "feed"
    return FetchedPage(requested_url=f"{BASE}/feed", final_url=f"{BASE}/feed", status=200,
                       content_type="application/rss+xml", body=body,
                       encoding=decide_encoding(body, charset, kind), fetched_at=NOW)  # type: ignore[arg-type]


def spec(language: str = "en") -> FeedSpec:
    return FeedSpec(url=f"{BASE}/feed", name="Test", language=language)


def test_rss_with_ttl_and_dates() -> None:
    parsed = parse_feed(page_of("feed_en.xml"), spec())
    assert parsed.title == "Vigil Test Gazette" and parsed.ttl_minutes == 90
    assert len(parsed.entries) == 3 and not parsed.skipped
    first = parsed.entries[0]
    assert first.url == f"{BASE}/news/kessa-arrivals?utm_source=rss&utm_medium=feed"
    assert first.published_at == datetime(2026, 11, 10, 0, 30, tzinfo=UTC)
    assert first.summary == "Aid agencies say families walked for three days." and first.language == "en"


@pytest.mark.parametrize(("name", "language", "count", "title"), [
    ("feed_zh_gb2312.xml", "zh", 3, "山区村民因洪水转移至县城"),
    ("feed_pt_latin1.xml", "pt", 3, "Moradores da região ribeirinha pedem ajuda após enchente"),
    ("feed_ru_cp1251.xml", "ru", 2, "Жители Сосновки просят открыть временные пункты размещения"),
    ("feed_ar_cp1256.xml", "ar", 2, "وصول آلاف الأسر النازحة إلى بلدة الوادي الأخضر"),
])
def test_legacy_encodings(name: str, language: str, count: int, title: str) -> None:
    parsed = parse_feed(page_of(name), spec(language))
    assert len(parsed.entries) == count
    assert parsed.entries[0].title == title
    assert parsed.language == language


def test_wrong_declared_encoding_in_header_and_xml() -> None:
    # cp1251 bytes, XML declaration and HTTP header both claiming UTF-8
    parsed = parse_feed(page_of("feed_ru_cp1251.xml", charset="utf-8"), spec("ru"))
    assert parsed.entries[1].title == "В районной больнице не хватает лекарств"


def test_atom_with_update_period_and_entry_without_link() -> None:
    parsed = parse_feed(page_of("feed_atom_sy.xml"), spec())
    assert parsed.ttl_minutes == 360  # daily, 4 times
    assert [e.url for e in parsed.entries] == [f"{BASE}/news/one"]
    assert [(s.index, s.reason) for s in parsed.skipped] == [(1, "entry-without-link")]


def test_malformed_feed_recovers_entries() -> None:
    parsed = parse_feed(page_of("feed_malformed.xml"), spec())
    assert parsed.recovered
    assert [e.url for e in parsed.entries][:1] == [f"{BASE}/news/a"]


def test_garbage_is_malformed() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(page_of("feed_garbage.xml"), spec())
    assert info.value.reason == "malformed-feed"


def test_html_page_is_not_a_feed() -> None:
    html = (b"<!DOCTYPE html><html><head><link rel='alternate' type='application/rss+xml' href='/rss'>"
            b"</head><body><p>News</p></body></html>")
    page = FetchedPage(requested_url=f"{BASE}/", final_url=f"{BASE}/", status=200, content_type="text/html",
                       body=html, encoding="utf-8", fetched_at=NOW)
    with pytest.raises(FeedError) as info:
        parse_feed(page, spec())
    assert info.value.reason == "not-a-feed" and f"{BASE}/rss" in str(info.value)
