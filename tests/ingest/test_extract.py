from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vigil.errors import ExtractionError
from vigil.ingest import extract as extract_module
from vigil.ingest.dedupe import similarity
from vigil.ingest.encoding import decide_encoding
from vigil.ingest.extract import choose_date, extract_article, extract_html
from vigil.ingest.urls import article_id
from vigil.records import DateSource, FeedEntry, FetchedPage

from .support import NOW, fixture_bytes

BASE = "http://127.0.0.1:9"


def fetched(name: str, url: str, *, header_charset: str | None = None) -> FetchedPage:
    body = fixture_bytes(name, BASE)
    return FetchedPage(requested_url=url, final_url=url, status=200, content_type="text/html", body=body,
                       encoding=decide_encoding(body, header_charset, "page"), fetched_at=NOW)


def entry(url: str, published: datetime | None = None, summary: str = "") -> FeedEntry:
    return FeedEntry(feed_url=f"{BASE}/feed", url=url, title="Feed title", summary=summary,
                     published_at=published, language="en")


def test_article_fields() -> None:
    url = f"{BASE}/news/kessa-arrivals?utm_source=rss"
    art = extract_article(fetched("page_en.html", url), entry=entry(url), feed_url=f"{BASE}/feed", now=NOW)
    assert art.url == f"{BASE}/news/kessa-arrivals"  # rel=canonical, same site
    assert art.id == article_id(f"{BASE}/news/kessa-arrivals")
    assert art.source_domain == "127.0.0.1"
    assert art.title == "Thousands reach Kessa after three-day walk"
    assert "river town of Kessa" in art.text and "Cookie settings" not in art.text
    assert "Market prices rise again" not in art.text
    assert art.extraction_method == "trafilatura"
    assert art.published_at == datetime(2026, 11, 10, 7, 45, tzinfo=UTC) and art.date_source == DateSource.PAGE
    assert art.declared_language == "en" and art.authors == ("Test Reporter",)
    assert len(art.content_hash) == 64 and len(art.near_dup_keys) == 20 and art.fingerprint


def test_cross_site_canonical_is_ignored() -> None:
    html = fixture_bytes("page_en.html", "https://other-site.example")
    page = FetchedPage(requested_url=f"{BASE}/x", final_url=f"{BASE}/x", status=200, content_type="text/html",
                       body=html, encoding="utf-8", fetched_at=NOW)
    art = extract_article(page, entry=None, feed_url=None, now=NOW)
    assert art.url == f"{BASE}/x"


def test_feed_date_when_page_has_none() -> None:
    feed_date = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
    art = extract_article(fetched("page_nodate.html", f"{BASE}/n"), entry=entry(f"{BASE}/n", feed_date),
                          feed_url=None, now=NOW)
    assert (art.published_at, art.date_source) == (feed_date, DateSource.FEED)


def test_future_page_date_falls_through_to_fetch_time() -> None:
    art = extract_article(fetched("page_future.html", f"{BASE}/f"), entry=None, feed_url=None, now=NOW)
    assert art.date_source == DateSource.FETCH and art.published_at == NOW


@pytest.mark.parametrize(("page", "feed", "expected"), [
    (datetime(2026, 11, 10, 7, 0, tzinfo=UTC), datetime(2026, 11, 10, 8, 0, tzinfo=UTC), DateSource.PAGE),
    (datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 10, 8, 0, tzinfo=UTC), DateSource.FEED),  # bare day
    (datetime(2019, 1, 1, tzinfo=UTC), datetime(2026, 11, 10, 8, 0, tzinfo=UTC), DateSource.FEED),  # stray date
    (datetime(1970, 1, 1, tzinfo=UTC), None, DateSource.FETCH),  # absurdly old
    (NOW + timedelta(days=30), NOW + timedelta(days=40), DateSource.FETCH),  # both in the future
    (None, datetime(1990, 5, 1, tzinfo=UTC), DateSource.FETCH),
])
def test_choose_date(page: datetime | None, feed: datetime | None, expected: DateSource) -> None:
    assert choose_date(page, feed, NOW, NOW)[1] == expected


@pytest.mark.parametrize(("name", "header", "language", "needle"), [
    ("page_ru_cp1251.html", "utf-8", "ru", "более двух тысяч человек"),
    ("page_ar_cp1256.html", None, "ar", "أكثر من ثلاثة آلاف أسرة"),
])
def test_wrongly_declared_pages(name: str, header: str | None, language: str, needle: str) -> None:
    art = extract_article(fetched(name, f"{BASE}/{language}", header_charset=header), entry=None, feed_url=None,
                          now=NOW)
    assert needle in art.text and art.declared_language == language
    assert art.date_source == DateSource.PAGE


def test_no_text_raises() -> None:
    with pytest.raises(ExtractionError) as info:
        extract_article(fetched("page_empty.html", f"{BASE}/v"), entry=None, feed_url=None, now=NOW)
    assert info.value.reason == "no-text"


def test_feed_summary_as_last_resort() -> None:
    summary = "Families who fled the hills say they need shelter, clean water and medicine before the rains."
    art = extract_article(fetched("page_empty.html", f"{BASE}/v"), entry=entry(f"{BASE}/v", summary=summary),
                          feed_url=None, now=NOW)
    assert art.extraction_method == "feed-summary" and art.text == summary


def test_second_extractor_when_trafilatura_finds_too_little(monkeypatch: pytest.MonkeyPatch) -> None:
    paras = "".join(f"<div class='c'>Paragraph {i}: the river rose overnight and families moved to higher ground "
                    f"near the old mill, where volunteers handed out blankets.</div>" for i in range(3))
    html = f"<html><body><div id='story'>{paras}</div></body></html>"
    monkeypatch.setattr(extract_module.trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    result = extract_html(html, url=f"{BASE}/d", now=NOW)
    assert result.method == "readability" and "Paragraph 2: the river rose" in result.text


def test_syndicated_copy_is_similar_and_unrelated_is_not() -> None:
    a = extract_article(fetched("page_en.html", f"{BASE}/a"), entry=None, feed_url=None, now=NOW)
    b = extract_article(fetched("page_wire.html", f"{BASE}/wire/a"), entry=None, feed_url=None, now=NOW)
    ru = extract_article(fetched("page_ru_cp1251.html", f"{BASE}/ru"), entry=None, feed_url=None, now=NOW)
    assert a.id != b.id and a.content_hash != b.content_hash
    assert similarity(a.fingerprint, b.fingerprint) >= 0.7
    assert set(a.near_dup_keys) & set(b.near_dup_keys)
    assert similarity(a.fingerprint, ru.fingerprint) < 0.2
