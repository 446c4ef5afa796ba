"""Article extraction: text, title, authors, dates with provenance, canonical URL, fingerprints.

trafilatura first; when it yields too little text, readability-lxml; when both yield less than the feed's
own summary, the summary. The method that produced the text is recorded, and so is where the date came
from (page, feed or fetch time). The page date is the one the page declares, else htmldate's guess
(:mod:`vigil.ingest.dates`); the title loses the site's name (:mod:`vigil.ingest.titles`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml.etree import LxmlError, ParserError
from readability import Document as Readability
from readability.readability import Unparseable

from vigil.errors import ExtractionError
from vigil.ingest import dates, titles
from vigil.ingest.dates import plausible
from vigil.ingest.dedupe import content_hash, fingerprint
from vigil.ingest.encoding import charset_from_content_type, decide_encoding, decode
from vigil.ingest.feeds import html_to_text
from vigil.ingest.urls import article_id, is_http_url, normalise_url, same_site, source_domain
from vigil.records import DateSource, ExtractedArticle, FeedEntry, FetchedPage

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 250
"""Below this, trafilatura's text is thought too little and the second extractor is tried."""
NO_TEXT_BELOW = 40
"""Below this, nothing usable was extracted: ``no-text``."""
EARLIEST_PLAUSIBLE = dates.EARLIEST_PLAUSIBLE
FUTURE_SLACK = dates.FUTURE_SLACK
PAGE_FEED_DISAGREE = timedelta(days=30)

_PARAGRAPHS = re.compile(r"</(p|div|h[1-6]|li|blockquote|tr|section|article)>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Extraction:
    """What one page yields before dates are decided and ids assigned."""

    title: str
    text: str
    authors: tuple[str, ...]
    page_date: datetime | None
    declared_language: str | None
    canonical_url: str | None
    method: str
    date_method: str | None = None
    """How ``page_date`` was found: json-ld, meta, markup (declared by the page) or htmldate (a guess)."""


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip().lower())[0]
    return code if len(code) in (2, 3) and code.isalpha() else None


def _head_metadata(tree: lxml.html.HtmlElement, base_url: str | None) -> tuple[str | None, str | None]:
    """(declared language, canonical URL) from ``<html lang>``, meta tags and ``<link rel=canonical>``."""
    lang = _lang_code(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"))
    if lang is None:
        for meta in tree.xpath("//meta[@http-equiv or @property]"):
            key = (meta.get("http-equiv") or meta.get("property") or "").lower()
            if key in ("content-language", "og:locale"):
                lang = _lang_code(meta.get("content"))
                if lang:
                    break
    canonical = None
    for link in tree.xpath("//link[@href]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = link.get("href", "").strip()
            canonical = urljoin(base_url, href) if base_url else href
            break
    return lang, canonical


def _readability_text(html: str, url: str | None) -> str:
    try:
        summary = Readability(html, url=url).summary(html_partial=True)
    except (Unparseable, ParserError, LxmlError, ValueError, TypeError) as exc:
        log.debug("readability failed on %s: %s", url, exc)
        return ""
    blocks = _PARAGRAPHS.sub("\n", summary)
    lines = (html_to_text(part) for part in blocks.split("\n"))
    return "\n".join(line for line in lines if line)


def extract_html(html: str | bytes, *, url: str | None, now: datetime, summary: str = "") -> Extraction:
    """Extract text and metadata from one HTML document. Raises ``ExtractionError`` (``no-text``,
    ``unparseable``)."""
    if isinstance(html, bytes):
        html = decode(html, decide_encoding(html, None, "page"))
    where = url or "(file)"
    try:
        tree = lxml.html.fromstring(html)
    except (ParserError, LxmlError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}", url=where, reason="unparseable") from exc
    declared, canonical = _head_metadata(tree, url)
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params=dates.htmldate_params(now),
    )
    meta = doc.as_dict() if doc is not None and not isinstance(doc, dict) else (doc or {})
    text = (meta.get("text") or "").strip()
    method = "trafilatura"
    if len(text) < MIN_TEXT_CHARS:
        second = _readability_text(html, url)
        if len(second) > len(text):
            text, method = second, "readability"
    if len(text) < MIN_TEXT_CHARS and len(summary) > len(text):
        text, method = summary.strip(), "feed-summary"
    if len(text) < NO_TEXT_BELOW:
        raise ExtractionError(f"no article text ({len(text)} characters)", url=where, reason="no-text")
    title = titles.clean_title(meta.get("title") or "", tree, url)
    text = without_leading_title(text, title)
    authors = tuple(a.strip() for a in re.split(r";|\|", meta.get("author") or "") if a.strip())
    found = dates.page_date(tree, url=url, guess=meta.get("date"), now=now)
    return Extraction(title=title, text=text, authors=authors,
                      page_date=found.when if found else None, declared_language=declared,
                      canonical_url=canonical, method=method, date_method=found.method if found else None)


def without_leading_title(text: str, title: str) -> str:
    """Drop the headline when it is repeated as the text's first line (an ``<h1>`` inside ``<article>``),
    so the title is indexed once and snippets do not repeat it."""
    first, _, rest = text.partition("\n")
    if title and rest.strip() and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.strip()
    return text


def choose_date(page_date: datetime | None, feed_date: datetime | None, fetched_at: datetime,
                now: datetime) -> tuple[datetime, DateSource]:
    """The publication date and where it came from: page, else feed, else fetch time.

    An implausible date falls through to the next source. A page date that is a bare day (midnight) on
    the feed's day yields to the feed's exact time; one more than 30 days away from the feed's date is
    taken for a stray date on the page (a copyright year, a related story) and the feed wins.
    """
    page_ok = plausible(page_date, now)
    feed_ok = plausible(feed_date, now)
    if page_ok and page_date is not None:
        if feed_ok and feed_date is not None:
            bare_day = page_date.time() == datetime.min.time() and page_date.date() == feed_date.date()
            if bare_day or abs(page_date - feed_date) > PAGE_FEED_DISAGREE:
                return feed_date, DateSource.FEED
        return page_date, DateSource.PAGE
    if feed_ok and feed_date is not None:
        return feed_date, DateSource.FEED
    return fetched_at, DateSource.FETCH


def page_text(page: FetchedPage) -> str:
    """The page body decoded with the fetcher's charset decision (or a fresh one)."""
    codec = page.encoding or decide_encoding(page.body, charset_from_content_type(page.content_type), "page")
    return decode(page.body, codec)


def alias_ids(own_id: str, page: FetchedPage, entry: FeedEntry | None) -> tuple[str, ...]:
    """Ids of the other URLs that reached this article: the feed's link, the requested and final URLs."""
    urls = [page.requested_url, page.final_url] + ([entry.url] if entry else [])
    ids: list[str] = []
    for url in urls:
        try:
            ident = article_id(url)
        except ValueError:
            continue
        if ident != own_id and ident not in ids:
            ids.append(ident)
    return tuple(ids)


def extract_article(page: FetchedPage, *, entry: FeedEntry | None, feed_url: str | None,
                    now: datetime) -> ExtractedArticle:
    """A fetched page as an :class:`ExtractedArticle`. Raises :class:`ExtractionError`."""
    result = extract_html(page_text(page), url=page.final_url, now=now, summary=entry.summary if entry else "")
    url = page.final_url
    canon = result.canonical_url
    if canon and is_http_url(canon) and same_site(canon, page.final_url):
        url = canon
    norm = normalise_url(url)
    published_at, date_source = choose_date(result.page_date, entry.published_at if entry else None,
                                            page.fetched_at, now)
    title = result.title or (entry.title if entry else "")
    signature, keys = fingerprint(result.text)
    return ExtractedArticle(
        id=article_id(norm), url=norm, source_domain=source_domain(norm), feed_url=feed_url, title=title,
        text=result.text, authors=result.authors, published_at=published_at, date_source=date_source,
        fetched_at=page.fetched_at, declared_language=result.declared_language,
        extraction_method=result.method, content_hash=content_hash(result.text), fingerprint=signature,
        near_dup_keys=keys, alias_ids=alias_ids(article_id(norm), page, entry),
    )
