"""Frozen, typed records that flow between Vigil's stages.

One article's path: ``FeedSpec`` -> ``FeedEntry`` -> ``FetchedPage`` -> ``ExtractedArticle`` ->
``Article`` (with its language) -> ``Tags`` -> ``IndexedDocument`` (in a store). Failures become
``DeadLetter`` records; every batch returns a ``RunReport`` of outcome counts.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
"""A datetime that must carry a timezone (naive datetimes are rejected)."""


class Record(BaseModel):
    """Base for every record: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- ingest


class FeedSpec(Record):
    """One feed of a catalogue (``config/feeds.yaml``)."""

    url: str
    name: str
    language: str = Field(description="ISO 639-1 code of the feed's language")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 of the outlet, if national")
    regions: tuple[str, ...] = ()
    group: str = Field(default="default", description="scheduling group (one Airflow mapped task each)")


class FeedEntry(Record):
    """One item of a parsed feed."""

    feed_url: str
    url: str = Field(description="article link as the feed gives it")
    title: str
    summary: str = ""
    published_at: AwareDatetime | None = Field(default=None, description="the feed's date, if any")
    guid: str | None = None
    language: str | None = Field(default=None, description="the feed's declared language")


class FetchedPage(Record):
    """An HTTP response body after the fetcher's safety checks."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    requested_url: str
    final_url: str = Field(description="URL after redirects")
    status: int
    content_type: str
    body: bytes
    encoding: str | None = Field(default=None, description="charset the fetcher decided on, if known")
    fetched_at: AwareDatetime
    etag: str | None = None
    last_modified: str | None = None


class FeedState(Record):
    """What Vigil remembers about one feed between runs: conditional GET and health."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: AwareDatetime | None = None
    last_success_at: AwareDatetime | None = None
    last_error_at: AwareDatetime | None = None
    last_error: str | None = None
    consecutive_failures: int = Field(default=0, ge=0)
    not_before: AwareDatetime | None = Field(default=None, description="back-off: do not fetch before this")
    ttl_minutes: int | None = Field(default=None, description="the feed's own refresh hint (ttl, sy:updatePeriod)")
    items_seen: int = Field(default=0, ge=0, description="entries in the last successful fetch")
    items_new: int = Field(default=0, ge=0, description="new articles from the last successful fetch")
    latency_ms: float | None = None
    not_modified: int = Field(default=0, ge=0, description="304 responses received in total")


class DateSource(StrEnum):
    """Where an article's ``published_at`` came from, best first."""

    PAGE = "page"
    FEED = "feed"
    FETCH = "fetch"


class ExtractedArticle(Record):
    """Text and metadata extracted from a page, before language detection."""

    id: str = Field(description="sha256 hex of the normalised canonical URL")
    url: str = Field(description="normalised canonical URL")
    source_domain: str
    feed_url: str | None
    title: str
    text: str
    authors: tuple[str, ...] = ()
    published_at: AwareDatetime
    date_source: DateSource
    fetched_at: AwareDatetime
    declared_language: str | None = Field(default=None, description="html lang / meta, if the page declares one")
    extraction_method: str = Field(description="which extractor produced the text, e.g. 'trafilatura'")
    content_hash: str = Field(description="sha256 hex of the normalised text")
    fingerprint: str = Field(default="", description="near-duplicate signature (hex), see vigil.ingest.dedupe")
    near_dup_keys: tuple[str, ...] = Field(default=(), description="LSH band keys: articles sharing one are "
                                           "near-duplicate candidates")
    alias_ids: tuple[str, ...] = Field(default=(), description="ids of other URLs that led to this article (the "
                                       "feed's link, the URL before redirects) so they count as known next time")


class LanguageDecision(Record):
    """The detected language and why."""

    code: str = Field(description="ISO 639-1, or 'und' when unsure")
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: tuple[str, ...] = Field(default=(), description="e.g. 'langdetect:fr:0.99', 'declared:fr'")


class Article(ExtractedArticle):
    """An extracted article with its language decided."""

    language: str
    language_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


# --------------------------------------------------------------------------- tags


class Span(Record):
    """Character offsets into the tagged text (title + two newlines + body)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class CountryMention(Record):
    code: str = Field(description="ISO 3166-1 alpha-2")
    count: int = Field(ge=1)
    focus: bool = False
    spans: tuple[Span, ...] = ()


class EntityMention(Record):
    """An actor or targeted group from the reference lists (or unlisted, id None)."""

    id: str | None
    name: str
    kind: str = Field(description="actor type, group kind, or the NER label for unlisted entities")
    country: str | None = None
    count: int = Field(ge=1)
    spans: tuple[Span, ...] = ()


class IndicatorHit(Record):
    """One match of an indicator trigger, with its evidence."""

    category: str
    severity: int = Field(ge=1, le=5)
    text: str = Field(description="the matched words")
    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    pattern: str = Field(description="the lexicon pattern that matched")
    lexicon_version: str
    weight: float = Field(ge=0.0, le=1.0, description="1.0 full; lower when context rules downgrade it")
    historical: bool = False
    reported_speech: bool = False
    negated_by: str | None = Field(default=None, description="negative context that downgraded it")


class IndicatorEvent(Record):
    """The unit analysts review: one (category, country) per article."""

    id: str = Field(description="sha256 of article id, category and country")
    article_id: str
    category: str
    country: str | None
    severity: int = Field(ge=1, le=5)
    score: float = Field(ge=0.0)
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: tuple[IndicatorHit, ...]
    actors: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    historical: bool = False


class Tags(Record):
    """Everything the tagger found in one article."""

    language: str
    countries: tuple[CountryMention, ...] = ()
    actors: tuple[EntityMention, ...] = ()
    groups: tuple[EntityMention, ...] = ()
    unlisted: tuple[EntityMention, ...] = ()
    indicators: tuple[IndicatorHit, ...] = ()
    events: tuple[IndicatorEvent, ...] = ()
    lexicon_version: str = ""

    @property
    def focus_country(self) -> str | None:
        return next((c.code for c in self.countries if c.focus), None)


# --------------------------------------------------------------------------- search


class IndexedDocument(Record):
    """What a store holds for one article."""

    article: Article
    tags: Tags
    duplicate_of: str | None = Field(default=None, description="id of the first copy seen, if syndicated")
    independent_sources: int = Field(default=1, ge=1)
    indexed_at: AwareDatetime


# --------------------------------------------------------------------------- outcomes


class Stage(StrEnum):
    FEED = "feed"
    FETCH = "fetch"
    EXTRACT = "extract"
    LANGUAGE = "language"
    TAG = "tag"
    INDEX = "index"


class DeadLetter(Record):
    """An item that failed, with why; kept so nothing is silently lost."""

    stage: Stage
    url: str
    feed_url: str | None = None
    reason: str = Field(description="short machine-readable reason, e.g. 'http-404', 'timeout'")
    detail: str = ""
    retryable: bool = False
    attempts: int = Field(default=1, ge=1)
    at: AwareDatetime


class RunReport(Record):
    """Counts of outcomes for a batch (a run, a feed, a group)."""

    counts: dict[str, int] = Field(default_factory=dict)
    feeds: int = 0
    started_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    def __add__(self, other: RunReport) -> RunReport:
        merged = Counter(self.counts)
        merged.update(other.counts)
        return RunReport(
            counts=dict(merged),
            feeds=self.feeds + other.feeds,
            started_at=_min_opt(self.started_at, other.started_at),
            finished_at=_max_opt(self.finished_at, other.finished_at),
            details={**self.details, **other.details},
        )

    def get(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


def _min_opt(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((x for x in (a, b) if x is not None), default=None)


def _max_opt(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((x for x in (a, b) if x is not None), default=None)
