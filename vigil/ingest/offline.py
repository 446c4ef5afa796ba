"""Functions behind the ingest CLI commands: ``vigil extract``, ``feeds check``/``status``, ``reextract``."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vigil.errors import ExtractionError, FeedError, FetchError
from vigil.ingest import health
from vigil.ingest.encoding import decide_encoding
from vigil.ingest.extract import choose_date, extract_article, extract_html
from vigil.ingest.feeds import parse_feed
from vigil.ingest.fetch import Fetcher
from vigil.ingest.raw import RawCapture
from vigil.records import ExtractedArticle, FeedEntry, FeedSpec, FeedState, FetchedPage


def read_saved_page(path: Path) -> bytes:
    """Bytes of a saved page (``.html`` or ``.html.gz``)."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" or data[:2] == b"\x1f\x8b" else data


def extract_saved(path: Path, *, url: str | None, now: datetime) -> dict[str, Any]:
    """Extract a saved page; the JSON-ready record ``vigil extract`` prints. Raises ExtractionError
    (and OSError for unreadable files)."""
    result = extract_html(read_saved_page(path), url=url, now=now)
    published, source = choose_date(result.page_date, None, now, now)
    return {
        "title": result.title, "text": result.text, "authors": list(result.authors),
        "published_at": published.isoformat() if source.value != "fetch" else None,
        "date_source": source.value if source.value != "fetch" else None,
        "language": result.declared_language, "method": result.method,
        "canonical_url": result.canonical_url,
    }


def extract_jsonl(lines: Iterable[str], *, now: datetime) -> Iterator[dict[str, Any]]:
    """For each input line ``{"id", "path", "url"}`` one output record: ``{"id", "title", "text",
    "authors", "published_at", "date_source", "language", "method"}`` or ``{"id", "error"}``.

    ``language`` is the page's declared language (html lang); a caller with a language detector may
    replace it.
    """
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            ident = item.get("id", number) if isinstance(item, dict) else number
            path = Path(item["path"])
            url = item.get("url")
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            yield {"id": number, "error": f"bad input line: {exc}"}
            continue
        try:
            record = extract_saved(path, url=url, now=now)
        except ExtractionError as exc:
            yield {"id": ident, "error": f"{exc.reason}: {exc}"}
            continue
        except (OSError, EOFError) as exc:
            yield {"id": ident, "error": f"unreadable: {exc}"}
            continue
        record.pop("canonical_url", None)
        yield {"id": ident, **record}


@dataclass(frozen=True)
class FeedCheck:
    """One line of ``vigil feeds check``."""

    url: str
    name: str
    language: str
    state: str  # ok, empty, failed
    reason: str = ""
    status: int | None = None
    items: int = 0
    newest: datetime | None = None
    latency_ms: float = 0.0
    title: str = ""


def check_feed(feed: FeedSpec, fetcher: Fetcher) -> FeedCheck:
    """Fetch and parse one feed now (no conditional GET), reporting its state."""
    started = time.monotonic()
    try:
        page = fetcher.fetch(feed.url, kind="feed")
        parsed = parse_feed(page, feed)
    except (FetchError, FeedError) as exc:
        return FeedCheck(feed.url, feed.name, feed.language, "failed", reason=exc.reason,
                         latency_ms=(time.monotonic() - started) * 1000)
    latency = (time.monotonic() - started) * 1000
    dates = [e.published_at for e in parsed.entries if e.published_at]
    return FeedCheck(feed.url, feed.name, feed.language, "ok" if parsed.entries else "empty",
                     status=page.status, items=len(parsed.entries), newest=max(dates) if dates else None,
                     latency_ms=latency, title=parsed.title)


def status_rows(feeds: Sequence[FeedSpec], states: Iterable[FeedState],
                now: datetime | None = None) -> list[dict[str, Any]]:
    """Rows for ``vigil feeds status``: one per catalogue feed, health from the stored state."""
    now = now or datetime.now(UTC)
    by_url = {s.url: s for s in states}
    rows = []
    for feed in feeds:
        state = by_url.get(feed.url, FeedState(url=feed.url))
        rows.append({
            "name": feed.name, "url": feed.url, "language": feed.language, "group": feed.group,
            "status": health.status_label(state, now),
            "last_success": state.last_success_at, "last_error": state.last_error,
            "failures": state.consecutive_failures, "items_seen": state.items_seen,
            "items_new": state.items_new, "latency_ms": state.latency_ms, "not_modified": state.not_modified,
            "next_due": health.next_due(state, timedelta(0)),
        })
    return rows


def reextract(raw: RawCapture, article_id: str, *, fetched_at: datetime, now: datetime,
              feed_url: str | None = None, entry: FeedEntry | None = None) -> ExtractedArticle | None:
    """Run extraction again on a raw capture (``vigil reextract``); None if nothing is stored for the id.
    ``fetched_at`` should be the stored article's fetch time so date provenance stays honest."""
    html = raw.get(article_id)
    url = raw.get_url(article_id)
    if html is None or url is None:
        return None
    page = FetchedPage(requested_url=url, final_url=url, status=200, content_type="text/html", body=html,
                       encoding=decide_encoding(html, None, "page"), fetched_at=fetched_at)
    return extract_article(page, entry=entry, feed_url=feed_url, now=now)
