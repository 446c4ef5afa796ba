"""Parsing RSS, Atom and RDF feeds (feedparser over bytes we decoded ourselves)."""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html
from lxml.etree import ParserError, XMLSyntaxError

from vigil.errors import FeedError
from vigil.ingest.encoding import decide_encoding, decode, to_utf8_xml
from vigil.ingest.urls import is_http_url
from vigil.records import FeedEntry, FeedSpec, FetchedPage

log = logging.getLogger(__name__)

MAX_SUMMARY_CHARS = 2000
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
_ALT_FEED = re.compile(
    r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.IGNORECASE)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)
_PERIOD_MINUTES = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200, "yearly": 525600}


@dataclass(frozen=True)
class SkippedEntry:
    """A feed item that could not become a :class:`FeedEntry` (no usable link)."""

    index: int
    title: str
    reason: str


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its entries in feed order, refresh hint and what was skipped."""

    title: str
    entries: tuple[FeedEntry, ...]
    ttl_minutes: int | None = None
    skipped: tuple[SkippedEntry, ...] = ()
    recovered: bool = False
    language: str | None = None
    """The feed's own ``<language>`` (entries carry the catalogue's language, which is curated)."""


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return " ".join(fragment.split())
    try:
        text = lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()
    except (ParserError, XMLSyntaxError, ValueError):
        text = re.sub(r"<[^>]*>", " ", fragment)
    return " ".join(text.split())


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _link(entry: Any, base: str) -> str | None:
    candidates: list[str] = []
    if entry.get("link"):
        candidates.append(entry["link"])
    for link in entry.get("links", ()):
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            candidates.append(link["href"])
    guid = entry.get("id")
    if guid and (entry.get("guidislink") or str(guid).startswith(("http://", "https://"))):
        candidates.append(str(guid))
    for raw in candidates:
        url = urljoin(base, raw.strip())
        if is_http_url(url):
            return url
    return None


def _ttl_minutes(feed: Any) -> int | None:
    ttl = str(feed.get("ttl", "")).strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl)
    period = str(feed.get("sy_updateperiod", "")).strip().lower()
    if period in _PERIOD_MINUTES:
        freq = str(feed.get("sy_updatefrequency", "1")).strip()
        n = int(freq) if freq.isdigit() and int(freq) > 0 else 1
        return max(1, _PERIOD_MINUTES[period] // n)
    return None


def _language(feed: Any) -> str | None:
    lang = str(feed.get("language", "") or "").strip().lower()
    code = re.split(r"[-_]", lang)[0] if lang else ""
    return code if len(code) == 2 and code.isalpha() else None


def parse_feed(page: FetchedPage, feed: FeedSpec) -> ParsedFeed:
    """Parse a fetched feed. Raises :class:`FeedError` with reason ``not-a-feed`` (an HTML page, say)
    or ``malformed-feed`` (broken XML from which no entry could be recovered)."""
    body = page.body
    url = page.final_url
    if _HTML_START.match(body[:2048]):
        text = decode(body[:65536], page.encoding or "utf-8")
        alt = _ALT_FEED.search(text)
        hint = ""
        if alt and (href := _HREF.search(alt.group(0))):
            hint = f"; the page links a feed at {urljoin(url, href.group(1))}"
        raise FeedError(f"got an HTML page, not a feed{hint}", url=url, reason="not-a-feed")
    codec = page.encoding or decide_encoding(body, None, "feed")
    data = to_utf8_xml(decode(body, codec))
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    version = parsed.get("version", "")
    raw_entries = parsed.get("entries", [])
    if not raw_entries:
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            raise FeedError(f"malformed feed: {problem}", url=url, reason="malformed-feed")
        if not version:
            raise FeedError("not a feed (no RSS, Atom or RDF root)", url=url, reason="not-a-feed")
    fmeta = parsed.get("feed", {})
    declared = _language(fmeta)
    entries: list[FeedEntry] = []
    skipped: list[SkippedEntry] = []
    for i, raw in enumerate(raw_entries):
        title = html_to_text(raw.get("title", "") or "")
        link = _link(raw, url)
        if link is None:
            skipped.append(SkippedEntry(i, title, "entry-without-link"))
            continue
        summary = html_to_text(raw.get("summary", "") or "")[:MAX_SUMMARY_CHARS]
        guid = raw.get("id")
        entries.append(FeedEntry(feed_url=feed.url, url=link, title=title, summary=summary,
                                 published_at=_when(raw), guid=str(guid) if guid else None,
                                 language=feed.language))
    if parsed.get("bozo"):
        log.info("%s: malformed feed, %d entries recovered", url, len(entries))
    return ParsedFeed(title=html_to_text(fmeta.get("title", "") or ""), entries=tuple(entries),
                      ttl_minutes=_ttl_minutes(fmeta), skipped=tuple(skipped),
                      recovered=bool(parsed.get("bozo")), language=declared)
