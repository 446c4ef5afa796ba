"""Exports stream every result with provenance, page by page, in constant memory."""

from __future__ import annotations

import inspect
import io
import json
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vigil.search.export import (
    DEFAULT_FIELDS,
    ExportError,
    iter_export,
    write_csv,
    write_export,
    write_jsonl,
)
from vigil.search.sqlite import SqliteStore
from vigil.search.store import Hit, SearchPage, SearchRequest

from .factories import make_document

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "vigil.sqlite3")
    yield opened
    opened.close()


def test_an_export_of_several_pages_streams_every_row_once_in_order(store: SqliteStore) -> None:
    docs = [make_document(f"Valley report {i}", f"Original fixture text number {i} about the valley.",
                          slug=f"r{i}", source=f"outlet{i % 7}.example", published=START + timedelta(hours=i))
            for i in range(250)]
    store.upsert(docs)
    calls = 0
    original = store._search

    def counting(request: SearchRequest, *, with_total: bool) -> SearchPage:
        nonlocal calls
        calls += 1
        return original(request, with_total=with_total)

    store._search = counting  # type: ignore[method-assign]
    rows = iter_export(store, SearchRequest(query="valley", sort="oldest"), ("id", "published_at"), page_size=100)
    assert inspect.isgenerator(rows)
    got = list(rows)
    assert calls == 2  # 200-row pages (the store's floor), so more than one page
    assert [r["id"] for r in got] == [d.article.id for d in docs]
    assert got[0]["published_at"] == "2026-01-01T00:00:00+00:00"


def test_the_user_limit_is_the_only_cap(store: SqliteStore) -> None:
    store.upsert([make_document(f"Valley {i}", "Original fixture text about the valley.", slug=f"v{i}",
                                published=START + timedelta(hours=i)) for i in range(30)])
    assert len(list(iter_export(store, SearchRequest(query="valley"), ("id",), limit=12, page_size=5))) == 12
    assert len(list(iter_export(store, SearchRequest(query="valley"), ("id",)))) == 30


def test_rows_carry_provenance(store: SqliteStore) -> None:
    doc = make_document("Militia raid reported", "Original fixture text: militia raid on the valley villages.",
                        source="www.news.example", indicators=("mass_killing",), countries=("SD", "TD"),
                        actors=("rsf",))
    store.upsert([doc])
    [row] = iter_export(store, SearchRequest(query="militia"), (*DEFAULT_FIELDS, "focus_country", "actors"))
    assert row == {
        "id": doc.article.id, "url": "https://www.news.example/news/militia-raid-reported",
        "title": "Militia raid reported", "source_domain": "news.example", "language": "en",
        "published_at": "2026-01-15T09:30:00+00:00", "date_source": "page", "countries": ["SD", "TD"],
        "indicators": ["mass_killing"], "independent_sources": 1, "duplicates": 0, "lexicon_version": "test-1",
        "evidence": [{"category": "mass_killing", "severity": 5, "text": "mass killing",
                      "sentence": "Original fixture text: militia raid on the valley villages.", "start": 0,
                      "end": 10, "pattern": "mass_killing", "lexicon_version": "test-1", "weight": 1.0,
                      "historical": False, "reported_speech": False, "negated_by": None}],
        "focus_country": "SD", "actors": ["rsf"]}


def test_csv_and_jsonl_writers_exact_output() -> None:
    rows = [{"id": "a", "title": "=SUM(A1)", "countries": ["SD", "TD"], "score": -1.5, "independent_sources": 2,
             "evidence": [{"text": "massacre", "weight": 1.0}], "lexicon_version": None},
            {"id": "b", "title": "Plain, with comma", "countries": [], "score": None, "independent_sources": 1,
             "evidence": [], "lexicon_version": "v2"}]
    fields = ["id", "title", "countries", "score", "independent_sources", "evidence", "lexicon_version"]
    out = io.StringIO()
    assert write_csv(iter(rows), out, fields) == 2
    assert out.getvalue() == (
        "id,title,countries,score,independent_sources,evidence,lexicon_version\n"
        "a,'=SUM(A1),SD;TD,-1.5,2,\"[{\"\"text\"\":\"\"massacre\"\",\"\"weight\"\":1.0}]\",\n"
        "b,\"Plain, with comma\",,,1,,v2\n")
    out = io.StringIO()
    assert write_jsonl(iter(rows[:1]), out) == 1
    assert json.loads(out.getvalue()) == rows[0] and out.getvalue().count("\n") == 1
    with pytest.raises(ExportError, match="csv or jsonl"):
        write_export([], io.StringIO(), "xlsx", fields)


def test_unknown_fields_are_refused(store: SqliteStore) -> None:
    with pytest.raises(ExportError, match="unknown export field\\(s\\) colour"):
        next(iter_export(store, SearchRequest(), ("id", "colour")))


class ManyHits:
    """A store that makes up ``n`` hits lazily (to measure the exporter, not a database)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        for i in range(self.n):
            yield Hit(id=f"{i:08d}", url=f"https://x.example/{i}", title=f"Title {i}", source_domain="x.example",
                      language="en", published_at=START, date_source="page", countries=("SD",), indicators=(),
                      snippet="original fixture snippet")

    def get(self, article_id: str) -> None:
        return None


def peak_bytes(n: int) -> int:
    out = io.StringIO()
    tracemalloc.start()
    try:
        rows = iter_export(ManyHits(n), SearchRequest(), ("id", "url", "title"))  # type: ignore[arg-type]
        write_csv(rows, _Sink(out), ["id", "url", "title"])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Sink(io.StringIO):
    """Counts what is written without keeping it."""

    def __init__(self, _: io.StringIO) -> None:
        super().__init__()
        self.written = 0

    def write(self, s: str) -> int:
        self.written += len(s)
        return len(s)


def test_memory_does_not_grow_with_the_export_size() -> None:
    small, large = peak_bytes(1_000), peak_bytes(20_000)
    assert large < small * 1.5 + 50_000
