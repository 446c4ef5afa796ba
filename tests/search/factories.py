"""Small builders of IndexedDocuments for search tests (all text here is original, written for Vigil)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from vigil.records import (
    Article,
    CountryMention,
    DateSource,
    EntityMention,
    IndexedDocument,
    IndicatorEvent,
    IndicatorHit,
    Tags,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SEVERITY = {"mass_killing": 5, "genocidal_intent": 5, "forced_displacement": 4, "detention": 4,
            "siege_starvation": 4, "incitement": 3, "repression": 2, "trigger": 2}


def sha(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def make_document(
    title: str = "Council meets on the northern valley",
    text: str = "Delegates met on Tuesday to discuss water rights in the northern valley.",
    *,
    slug: str | None = None,
    source: str = "example.org",
    language: str = "en",
    published: datetime = datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
    countries: Sequence[str] = ("SD",),
    focus: str | None = None,
    indicators: Sequence[str] = (),
    actors: Sequence[str] = (),
    groups: Sequence[str] = (),
    duplicate_of: str | None = None,
    near_dup_keys: Sequence[str] = (),
    fingerprint: str = "",
) -> IndexedDocument:
    """A document; its id derives from ``slug`` (default: the title) and ``source``."""
    url = f"https://{source}/news/{slug or title.lower().replace(' ', '-')}"
    article_id = sha(url)
    article = Article(
        id=article_id, url=url, source_domain=source, feed_url=f"https://{source}/feed.xml", title=title,
        text=text, published_at=published, date_source=DateSource.PAGE, fetched_at=published,
        extraction_method="trafilatura", content_hash=sha(text), fingerprint=fingerprint,
        near_dup_keys=tuple(near_dup_keys), language=language, language_confidence=0.99,
    )
    country = focus or (countries[0] if countries else None)
    hits = tuple(
        IndicatorHit(category=cat, severity=SEVERITY.get(cat, 3), text=cat.replace("_", " "),
                     sentence=text[:80], start=0, end=min(len(text), 10), pattern=cat, lexicon_version="test-1",
                     weight=1.0)
        for cat in indicators)
    events = tuple(
        IndicatorEvent(id=sha(article_id, hit.category, country or ""), article_id=article_id,
                       category=hit.category, country=country, severity=hit.severity, score=1.0,
                       confidence=0.8, evidence=(hit,), actors=tuple(actors), groups=tuple(groups))
        for hit in hits)
    tags = Tags(
        language=language,
        countries=tuple(CountryMention(code=c, count=2 if c == country else 1, focus=c == country)
                        for c in countries),
        actors=tuple(EntityMention(id=a, name=a.upper(), kind="armed_group", count=1) for a in actors),
        groups=tuple(EntityMention(id=g, name=g.title(), kind="ethnic", count=1) for g in groups),
        indicators=hits, events=events, lexicon_version="test-1",
    )
    return IndexedDocument(article=article, tags=tags, duplicate_of=duplicate_of, indexed_at=NOW)
