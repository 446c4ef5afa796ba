"""Page dates: declared dates before guesses, no year-only guesses, the publisher's own day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest

from vigil.ingest import dates
from vigil.ingest.extract import choose_date, extract_html
from vigil.records import DateSource

from .support import NOW

BASE = "http://127.0.0.1:9"
BODY = "".join(f"<p>Paragraph {i}: the ferry to the island ran again after a week of storms, and traders "
               f"unloaded sacks of maize and crates of soap on the quay before noon.</p>" for i in range(4))


def page(head: str = "", body_extra: str = "") -> str:
    return (f"<html lang='en'><head><title>Ferry runs again</title>{head}</head>"
            f"<body><article><h1>Ferry runs again</h1>{body_extra}{BODY}</article></body></html>")


def tree(head: str = "", body_extra: str = "") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(page(head, body_extra))


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-10T07:45:00Z", datetime(2026, 11, 10, 7, 45, tzinfo=UTC)),
    ("2026-11-10T07:45:00.250+0100", datetime(2026, 11, 10, 7, 45, tzinfo=timezone(timedelta(hours=1)))),
    ("2026-5-7 22:17:36", datetime(2026, 5, 7, 22, 17, 36, tzinfo=UTC)),
    ("2026/05/07", datetime(2026, 5, 7, tzinfo=UTC)),
    ("Di., 25.08.2026 - 14:45", datetime(2026, 8, 25, 14, 45, tzinfo=UTC)),
    ("Tue, 10 Nov 2026 07:45:00 GMT", datetime(2026, 11, 10, 7, 45, tzinfo=UTC)),
    ("10/05/2026", None),  # day or month first? unknown
    ("2026-02-30", None),
    ("", None),
])
def test_parse_date(value: str, expected: datetime | None) -> None:
    assert dates.parse_date(value) == expected


def test_published_meta_beats_htmldate_and_the_url_date() -> None:
    head = ('<meta property="og:updated_time" content="2026-11-15T10:00:00+01:00">'
            '<meta property="article:published_time" content="2026-11-10T09:30:00+01:00">')
    result = extract_html(page(head), url=f"{BASE}/2026/11/08/ferry", now=NOW)
    assert result.page_date == datetime(2026, 11, 10, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert result.date_method == dates.META


def test_json_ld_date_published_not_date_modified() -> None:
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
          '{"@type": "WebPage", "datePublished": "2020-01-01T00:00:00Z"},'
          '{"@type": "NewsArticle", "dateModified": "2026-11-12T08:00:00Z",'
          ' "datePublished": "2026-11-09T06:15:00Z"}]}</script>')
    found = dates.page_date(tree(ld), url=None, guess=None, now=NOW)
    assert found == dates.PageDate(datetime(2026, 11, 9, 6, 15, tzinfo=UTC), dates.JSON_LD)


def test_marked_up_date_published() -> None:
    extra = '<p>Updated <time datetime="2026-11-12">12 Nov</time></p><time itemprop="datePublished" ' \
            'datetime="2026-11-08T17:00:00+03:00">8 Nov</time>'
    found = dates.page_date(tree(body_extra=extra), url=None, guess="2026-11-12T00:00:00", now=NOW)
    assert found is not None and found.method == dates.MARKUP and found.when.day == 8


def test_future_declared_date_is_passed_over() -> None:
    head = '<meta property="article:published_time" content="2031-01-01T00:00:00Z">'
    ld = '<script type="application/ld+json">{"@type": "Article", "datePublished": "2026-11-09"}</script>'
    found = dates.page_date(tree(head + ld), url=None, guess=None, now=NOW)
    assert found == dates.PageDate(datetime(2026, 11, 9, tzinfo=UTC), dates.JSON_LD)


@pytest.mark.parametrize("guess", ["2019-01-01T00:00:00", "2026-03-01T00:00:00"])
def test_year_or_month_alone_is_no_date_and_the_feed_wins(guess: str) -> None:
    found = dates.page_date(tree(body_extra="<p>Copyright 2019. Archive: March 2026</p>"), url=None,
                            guess=guess, now=NOW)
    assert found is None
    feed = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
    assert choose_date(None, feed, NOW, NOW) == (feed, DateSource.FEED)


def test_first_of_the_month_written_out_is_kept() -> None:
    found = dates.page_date(tree(body_extra="<p class='date'>Posted 01.03.2026</p>"), url=None,
                            guess="2026-03-01T00:00:00", now=NOW)
    assert found == dates.PageDate(datetime(2026, 3, 1, tzinfo=UTC), dates.GUESS)
    assert found is not None and not found.declared


def test_utc_time_shown_in_the_offset_the_page_gives() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-11-10T02:30:00Z"}' \
         '</script>'
    extra = '<time datetime="2026-11-09T21:30:00-05:00">9 November, 9:30 pm</time>'
    found = dates.page_date(tree(ld, extra), url=None, guess=None, now=NOW)
    assert found is not None and found.when.isoformat() == "2026-11-09T21:30:00-05:00"


def test_utc_time_shown_on_the_urls_day() -> None:
    head = '<meta property="article:published_time" content="2026-11-11T02:10:00+00:00">'
    found = dates.page_date(tree(head), url=f"{BASE}/2026/11/10/ferry-runs", guess=None, now=NOW)
    assert found is not None and found.when.date().isoformat() == "2026-11-10"
    assert found.when == datetime(2026, 11, 11, 2, 10, tzinfo=UTC)  # the same instant


def test_local_offset_is_not_moved_to_the_urls_day() -> None:
    head = '<meta property="article:published_time" content="2026-11-11T09:00:00+01:00">'
    found = dates.page_date(tree(head), url=f"{BASE}/2026/11/10/ferry-runs", guess=None, now=NOW)
    assert found is not None and found.when.isoformat() == "2026-11-11T09:00:00+01:00"


def test_url_day() -> None:
    assert dates.url_day(f"{BASE}/news/2026/11/10/ferry") == datetime(2026, 11, 10).date()
    assert dates.url_day(f"{BASE}/news/2026-11-10-ferry") == datetime(2026, 11, 10).date()
    assert dates.url_day(f"{BASE}/news/20261110/ferry") is None
    assert dates.url_day(None) is None
