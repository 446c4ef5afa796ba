"""The headline repeated as the first line of the body is not indexed twice."""

from __future__ import annotations

from vigil.ingest.extract import without_leading_title


def test_leading_title_line_is_dropped() -> None:
    text = "Rains Return to the Valley\nFarmers welcomed the first rains.\nMarkets reopened."
    assert without_leading_title(text, "Rains  return to the valley") == (
        "Farmers welcomed the first rains.\nMarkets reopened.")


def test_text_without_title_line_is_kept() -> None:
    text = "Farmers welcomed the first rains.\nMarkets reopened."
    assert without_leading_title(text, "Rains Return to the Valley") == text


def test_title_only_text_is_kept() -> None:
    assert without_leading_title("Rains Return", "Rains Return") == "Rains Return"


def test_feed_link_different_from_canonical_is_an_alias() -> None:
    from datetime import UTC, datetime

    from vigil.ingest.extract import alias_ids
    from vigil.ingest.urls import article_id
    from vigil.records import FeedEntry, FetchedPage

    page = FetchedPage(requested_url="https://news.example.org/a?utm_source=rss",
                       final_url="https://news.example.org/2026/a", status=200, content_type="text/html",
                       body=b"", fetched_at=datetime.now(UTC))
    entry = FeedEntry(feed_url="https://news.example.org/rss", url="https://news.example.org/a?utm_source=rss",
                      title="A")
    own = article_id("https://news.example.org/2026/a")
    assert alias_ids(own, page, entry) == (article_id("https://news.example.org/a"),)
