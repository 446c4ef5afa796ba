"""Exports: every result of a search, with its provenance, streamed as CSV or JSON Lines.

:func:`iter_export` pages through the store with keyset cursors (``Store.iter_hits``) and yields one dict per
result, so an export of any size runs in constant memory; the only cap is the one the user asks for.
Provenance fields (URL, outlet, language, publication time and where it came from, the matched evidence,
the lexicon version) are in the default field set.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Literal

from vigil.errors import VigilError
from vigil.records import IndexedDocument
from vigil.search.store import Hit, SearchRequest, Store

ExportFormat = Literal["csv", "jsonl"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "jsonl")

HIT_FIELDS = ("id", "url", "title", "source_domain", "language", "published_at", "date_source", "countries",
              "indicators", "independent_sources", "duplicates", "snippet", "score")
"""Fields the search result itself carries."""
DOCUMENT_FIELDS = ("lexicon_version", "evidence", "focus_country", "actors", "groups", "feed_url", "fetched_at",
                   "extraction_method", "text")
"""Fields read from the stored document (one lookup per result)."""
ALL_FIELDS = HIT_FIELDS + DOCUMENT_FIELDS
DEFAULT_FIELDS = ("id", "url", "title", "source_domain", "language", "published_at", "date_source", "countries",
                  "indicators", "independent_sources", "duplicates", "lexicon_version", "evidence")
PAGE_SIZE = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(VigilError):
    """An export asked for something that does not exist (an unknown field or format)."""


def check_fields(fields: Sequence[str]) -> tuple[str, ...]:
    """The fields, validated and de-duplicated in order."""
    unknown = [f for f in fields if f not in ALL_FIELDS]
    if unknown:
        raise ExportError(f"unknown export field(s) {', '.join(unknown)}; choose from {', '.join(ALL_FIELDS)}")
    if not fields:
        raise ExportError("an export needs at least one field")
    return tuple(dict.fromkeys(fields))


def iter_export(store: Store, request: SearchRequest, fields: Sequence[str] = DEFAULT_FIELDS, *,
                limit: int | None = None, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Yield one row (field -> JSON-ready value) per result of ``request``, in its sort order.

    ``limit`` stops after that many rows (``None``: all of them); ``request.cursor`` resumes an export.
    """
    chosen = check_fields(fields)
    needs_doc = any(f in DOCUMENT_FIELDS for f in chosen)
    paged = request.model_copy(update={"limit": max(1, min(page_size, 1000)), "facets": ()})
    for count, hit in enumerate(store.iter_hits(paged), start=1):
        doc = store.get(hit.id) if needs_doc else None
        yield export_row(hit, doc, chosen)
        if limit is not None and count >= limit:
            return


def export_row(hit: Hit, doc: IndexedDocument | None, fields: Sequence[str]) -> dict[str, Any]:
    """One result as a flat dict of the chosen fields."""
    row: dict[str, Any] = {}
    for field in fields:
        if field in HIT_FIELDS:
            value = getattr(hit, field)
            row[field] = value.isoformat() if field == "published_at" else (
                list(value) if isinstance(value, tuple) else value)
        else:
            row[field] = None if doc is None else _doc_value(doc, field)
    return row


def _doc_value(doc: IndexedDocument, field: str) -> Any:
    art, tags = doc.article, doc.tags
    if field == "lexicon_version":
        return tags.lexicon_version or None
    if field == "evidence":
        return [{"category": h.category, "severity": h.severity, "text": h.text, "sentence": h.sentence,
                 "start": h.start, "end": h.end, "pattern": h.pattern, "lexicon_version": h.lexicon_version,
                 "weight": h.weight, "historical": h.historical, "reported_speech": h.reported_speech,
                 "negated_by": h.negated_by} for h in tags.indicators]
    if field == "focus_country":
        return tags.focus_country
    if field in ("actors", "groups"):
        return [m.id or m.name for m in getattr(tags, field)]
    if field == "fetched_at":
        return art.fetched_at.isoformat()
    if field == "text":
        return art.text
    return getattr(art, field)


def write_jsonl(rows: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    """Write one JSON object per line; return the number of rows."""
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], stream: IO[str], fields: Sequence[str]) -> int:
    """Write a header and one line per row; return the number of rows.

    Lists of words are joined with ``;``; evidence is a JSON array in its cell; a cell starting with a
    spreadsheet formula character gets a leading ``'`` (JSON Lines keeps values untouched).
    """
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_cell(row.get(f)) for f in fields])
        count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ";".join(value)
    elif isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_export(rows: Iterable[dict[str, Any]], stream: IO[str], fmt: str, fields: Sequence[str]) -> int:
    """Write ``rows`` in ``fmt`` (csv or jsonl)."""
    if fmt == "csv":
        return write_csv(rows, stream, fields)
    if fmt == "jsonl":
        return write_jsonl(rows, stream)
    raise ExportError(f"export format must be csv or jsonl, not {fmt!r}")
