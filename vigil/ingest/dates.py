"""A page's publication date and how it was found.

Declared dates come first, in this order: JSON-LD ``datePublished``, a ``<meta>`` that names the
publication time (``article:published_time``, ``pubdate``, ``dc.date.issued`` ...), an element marked
``itemprop=datePublished`` or ``<time pubdate>``. Only when the page declares none is htmldate asked to
guess (URL, visible text, generic ``date`` tags), with the URL's date as its last resort. A guess that is
only a year or a month (htmldate fills in the 1st, or 1 January) is not a date: it is dropped, so the
feed's date or the fetch time is used instead. Modification dates are never taken for publication dates.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html

log = logging.getLogger(__name__)

JSON_LD = "json-ld"
META = "meta"
MARKUP = "markup"
GUESS = "htmldate"
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "liveblogposting",
    "socialmediaposting", "scholarlyarticle", "report", "techarticle", "posting",
})
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "published_time", "datepublished", "date.published", "pubdate", "og:pubdate", "publishdate",
    "publish_date", "publish-date", "published-date", "publication_date", "dc.date.issued",
    "dcterms.issued", "citation_publication_date", "parsely-pub-date", "sailthru.date",
)
"""Meta names/properties/itemprops that say "published", best first."""
_PUBLISHED_KEY = re.compile(r"publish(?:ed)?[-_:.]?(?:time|date)|pub[-_]?date|\.issued$")
_NOT_PUBLISHED = re.compile(r"modif|updat|revis|expir|crawl|index")

_ISO_LIKE = re.compile(
    r"^\s*(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$", re.IGNORECASE)
_DAY_FIRST = re.compile(
    r"^\D{0,12}?(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4})"
    r"(?:[\s,-]+(?:um\s+)?(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?)?\D*$")


@dataclass(frozen=True)
class PageDate:
    """A page's publication date; ``method`` says how it was found (json-ld, meta, markup, htmldate)."""

    when: datetime
    method: str

    @property
    def declared(self) -> bool:
        """True when the page states the date in markup meant for machines (not a guess)."""
        return self.method != GUESS


def parse_date(value: str | None) -> datetime | None:
    """A timestamp in the forms pages use for machines: ISO 8601 (also ``2022-5-5 22:17``, ``+0100``
    offsets, ``/`` or ``.`` separators with the year first), RFC 2822, or day-first with dots
    (``25.01.2022 14:45``). Ambiguous forms (``10/05/2022``) give None. Naive times are taken as UTC; an
    offset is kept as the page gives it, so the day is the publisher's day."""
    if not value or not value.strip():
        return None
    text = value.strip()
    found = _ISO_LIKE.match(text) or _DAY_FIRST.match(text)
    if found is None:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when
    parts = found.groupdict()
    try:
        when = datetime(int(parts["y"]), int(parts["m"]), int(parts["d"]), int(parts["H"] or 0),
                        int(parts["M"] or 0), int(parts["S"] or 0), tzinfo=_offset(parts.get("tz")))
    except ValueError:
        return None
    return when


def _offset(value: str | None) -> timezone:
    if not value or value.upper() in ("Z", "UTC", "GMT"):
        return UTC
    digits = value[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if value[0] == "-" else delta)


def _json_objects(data: Any, depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_objects(item, depth)
    elif isinstance(data, dict):
        yield depth, data
        for key, value in data.items():
            if key in ("@graph", "mainEntity", "mainEntityOfPage") or (isinstance(value, dict) and key != "publisher"):
                yield from _json_objects(value, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def json_ld_date(tree: lxml.html.HtmlElement) -> datetime | None:
    """``datePublished`` of the page's JSON-LD, an article's before any other object's."""
    best: tuple[int, int, datetime] | None = None
    order = 0
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            match = re.search(r'"datePublished"\s*:\s*"([^"]+)"', raw)
            data = {"datePublished": match.group(1)} if match else None
        for depth, obj in _json_objects(data):
            value = obj.get("datePublished")
            when = parse_date(value) if isinstance(value, str) else None
            if when is None:
                continue
            rank = (0 if _types(obj) & ARTICLE_TYPES else 1) * 100 + depth
            order += 1
            if best is None or (rank, order) < best[:2]:
                best = (rank, order, when)
    return best[2] if best else None


def meta_date(tree: lxml.html.HtmlElement) -> datetime | None:
    """The publication time a ``<meta>`` declares: the known names in their order, then any other name
    that says published (never modified or updated)."""
    found: dict[str, datetime] = {}
    other: datetime | None = None
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if not key or key in found or _NOT_PUBLISHED.search(key):
            continue
        if key in PUBLISHED_META:
            when = parse_date(meta.get("content"))
            if when is not None:
                found[key] = when
        elif other is None and _PUBLISHED_KEY.search(key):
            other = parse_date(meta.get("content"))
    for key in PUBLISHED_META:
        if key in found:
            return found[key]
    return other


def markup_date(tree: lxml.html.HtmlElement) -> datetime | None:
    """An element marked as the publication date: ``itemprop=datePublished`` or ``<time pubdate>``."""
    for element in tree.xpath("//*[@itemprop='datePublished'][not(self::meta)] | //time[@pubdate]"):
        when = parse_date(element.get("datetime") or element.get("content") or element.text_content())
        if when is not None:
            return when
    return None


def plausible(when: datetime | None, now: datetime) -> bool:
    """Not in the future (beyond a day of clock and time-zone slack) and not before 1995."""
    return when is not None and EARLIEST_PLAUSIBLE <= when <= now + FUTURE_SLACK


def declared_date(tree: lxml.html.HtmlElement, now: datetime) -> PageDate | None:
    """The publication date the page declares for machines, if any (an implausible one is passed over)."""
    for method, finder in ((META, meta_date), (JSON_LD, json_ld_date), (MARKUP, markup_date)):
        when = finder(tree)
        if when is not None and plausible(when, now):
            return PageDate(when, method)
    return None


_URL_DAY = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/_.-]|$)")


def url_day(url: str | None) -> date | None:
    """The day a URL's path names (``/2026/11/10/``, ``/2026-11-10-``), if any."""
    found = _URL_DAY.search(urlsplit(url).path) if url else None
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def on_day(when: datetime, day: date) -> datetime:
    """A UTC timestamp shown on the URL's day when some real offset (UTC-12 to UTC+14) puts it there;
    the instant is kept, with the smallest whole-hour offset that does. Otherwise unchanged."""
    if when.utcoffset() != timedelta(0) or when.date() == day:
        return when
    for hours in sorted(range(-12, 15), key=abs):
        shifted = when.astimezone(timezone(timedelta(hours=hours)))
        if shifted.date() == day:
            return shifted
    return when


def coarse(when: datetime) -> bool:
    """Midnight on the 1st of a month: what a year or a month alone becomes when filled in."""
    return when.day == 1 and when.time() == datetime.min.time()


def _shows_first_day(tree: lxml.html.HtmlElement, url: str | None, when: datetime) -> bool:
    """Whether the page or its URL writes out the 1st of ``when``'s month (not only month and year)."""
    y, m = when.year, when.month
    numeric = rf"{y}[-/.]0?{m}[-/.]0?1(?!\d)|(?<!\d)0?1[-/.]0?{m}[-/.](?:{y}|{y % 100:02d})(?!\d)|(?<!\d)0?{m}/0?1/{y}"
    worded = (rf"(?<!\d)0?1(?:st|er|º|\.)?\s+(?:de\s+)?[^\W\d]{{3,12}}\.?,?\s+(?:de\s+)?{y}(?!\d)"
              rf"|[^\W\d]{{3,12}}\.?\s+0?1(?:st)?,?\s+{y}(?!\d)")
    text = " ".join([url or "", *tree.itertext()])
    return re.search(f"{numeric}|{worded}", text) is not None


def guessed_date(tree: lxml.html.HtmlElement, guess: str | None, *, url: str | None) -> PageDate | None:
    """htmldate's guess (``guess``), unless it is a year or a month alone: a 1st of the month that the
    page never writes out as a day."""
    when = parse_date(guess)
    if when is None or (coarse(when) and not _shows_first_day(tree, url, when)):
        return None
    return PageDate(when, GUESS)


def page_date(tree: lxml.html.HtmlElement, *, url: str | None, guess: str | None,
              now: datetime) -> PageDate | None:
    """The page's publication date: declared, else htmldate's guess. A declared UTC time is shown on the
    publisher's day when the page says which offset (:func:`localised`) or which day (the URL's day, else
    a bare day htmldate reads off the page) that is."""
    found = declared_date(tree, now)
    guessed = guessed_date(tree, guess, url=url)
    if found is None:
        return guessed
    when = localised(found.when, tree)
    day = url_day(url)
    if day is None and guessed is not None and guessed.when.time() == datetime.min.time():
        day = guessed.when.date()  # a day written on the page, not another timestamp
    if day is not None and abs(when.date() - day) <= timedelta(days=1):
        when = on_day(when, day)
    return PageDate(when, found.method)


def htmldate_params(now: datetime) -> dict[str, Any]:
    """htmldate settings for trafilatura: original (not updated) dates, none after today, the URL's
    date only as a last resort."""
    return {"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True, "extensive_search": True,
            "max_date": now.strftime("%Y-%m-%d"), "deferred_url_extractor": True}


def _stamps(tree: lxml.html.HtmlElement) -> Iterator[datetime]:
    """Every machine-readable timestamp on the page that carries a time of day."""
    for value in tree.xpath("//meta/@content | //time/@datetime | //*[@itemprop]/@content"):
        if len(value) >= 16 and value[:4].isdigit():
            when = parse_date(value)
            if when is not None:
                yield when
    for script in tree.xpath("//script[@type='application/ld+json']"):
        for value in re.findall(r'"date\w*"\s*:\s*"([^"]{16,40})"', script.text or ""):
            when = parse_date(value)
            if when is not None:
                yield when


def localised(when: datetime, tree: lxml.html.HtmlElement) -> datetime:
    """A UTC timestamp shown in the publisher's own offset when the page gives the same instant
    elsewhere with a local offset (so the day is the publisher's day, not Greenwich's)."""
    if when.utcoffset() != timedelta(0):
        return when
    for other in _stamps(tree):
        offset = other.utcoffset()
        if offset and abs(other - when) <= timedelta(minutes=1):
            return when.astimezone(other.tzinfo)
    return when
