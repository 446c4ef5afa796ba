"""Article documents as Elasticsearch holds them, and back (pure, no I/O).

An article document has flat keyword fields for filters, facets and trends, ``title``/``body`` for
matching, ``lang.<code>.title/body`` (language analyzer, excluded from ``_source``) for ranking, and
``doc``: the rest of the :class:`~vigil.records.IndexedDocument` as JSON (not indexed), so ``get`` returns
exactly what was stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from vigil.records import IndexedDocument
from vigil.search.elastic.mapping import LANGUAGE_ANALYZERS
from vigil.search.store import Hit

PENDING = "pending"


def doc_hash(doc: IndexedDocument) -> str:
    """What decides ``unchanged``: the document minus ``indexed_at`` and ``independent_sources``."""
    payload = doc.model_dump_json(exclude={"indexed_at", "independent_sources"})
    return hashlib.sha256(payload.encode()).hexdigest()


def domain(value: str) -> str:
    return value.strip().lower().removeprefix("www.")


def review_states(event_ids: Iterable[str], decisions: Mapping[str, str]) -> list[str]:
    """The distinct review states of an article's events (``pending`` for an undecided one), sorted."""
    return sorted({decisions.get(e, PENDING) for e in event_ids})


def to_source(doc: IndexedDocument, *, seq: int, decisions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``_source`` of ``doc``; ``seq`` orders documents by first indexing, ``decisions`` maps event id
    -> review status. Cluster fields (``collapsed``, ``independent_sources``, ``duplicates``) start as a
    lone article's and are set by the store after the batch."""
    art, tags = doc.article, doc.tags
    countries: dict[str, tuple[bool, int]] = {}
    for c in tags.countries:
        focus, mentions = countries.get(c.code.upper(), (False, 0))
        countries[c.code.upper()] = (focus or c.focus, mentions + c.count)
    ordered = sorted(countries, key=lambda code: (not countries[code][0], -countries[code][1], code))
    # Only categories that became events: a hit cancelled by a negative context is evidence, not a tag.
    categories = {e.category.lower() for e in tags.events}
    event_ids = [e.id for e in tags.events]
    language = art.language.lower()
    source: dict[str, Any] = {
        "id": art.id,
        "alias_ids": list(art.alias_ids),
        "url": art.url,
        "source_domain": domain(art.source_domain),
        "language": language,
        "published_at": _iso(art.published_at),
        "date_source": str(art.date_source),
        "fingerprint": art.fingerprint,
        "doc_hash": doc_hash(doc),
        "duplicate_of": doc.duplicate_of,
        "dup_group": doc.duplicate_of or art.id,
        "collapsed": False,
        "independent_sources": doc.independent_sources,
        "duplicates": 0,
        "indexed_at": _iso(doc.indexed_at),
        "seq": seq,
        "title": art.title,
        "body": art.text,
        "countries": ordered,
        "indicators": sorted(categories),
        "actors": sorted({a.id.lower() for a in tags.actors if a.id}),
        "groups": sorted({g.id.lower() for g in tags.groups if g.id}),
        "near_dup_keys": sorted(set(art.near_dup_keys)),
        "event_ids": event_ids,
        "event_count": len(event_ids),
        "review": review_states(event_ids, decisions or {}),
        "doc": doc.model_dump(mode="json", exclude={"article": {"title", "text"}}),
    }
    if language in LANGUAGE_ANALYZERS:
        source["lang"] = {language: {"title": art.title, "body": art.text}}
    return source


def from_source(source: Mapping[str, Any]) -> IndexedDocument:
    """The stored document, with its current ``independent_sources``."""
    data = dict(source["doc"])
    data["article"] = {**data["article"], "title": source["title"], "text": source["body"]}
    data["independent_sources"] = source.get("independent_sources", data.get("independent_sources", 1))
    return IndexedDocument.model_validate(data)


HIT_SOURCE = ["id", "url", "title", "source_domain", "language", "published_at", "date_source", "countries",
              "indicators", "independent_sources", "duplicates"]
"""``_source`` fields a search fetches (never the body: snippets come from the highlighter)."""


def to_hit(source: Mapping[str, Any], *, snippet: str, score: float | None) -> Hit:
    return Hit(
        id=source["id"], url=source["url"], title=source["title"], source_domain=source["source_domain"],
        language=source["language"], published_at=parse_time(source["published_at"]),
        date_source=source["date_source"], countries=tuple(source.get("countries") or ()),
        indicators=tuple(source.get("indicators") or ()), snippet=snippet, score=score,
        independent_sources=int(source.get("independent_sources") or 1),
        duplicates=int(source.get("duplicates") or 0))


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
