"""Searches without words on SQLite: every driver returns the same pages; totals stop at the cap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from vigil.search.query.parser import parse
from vigil.search.sqlite import SqliteStore, sql
from vigil.search.store import SearchRequest

from .factories import make_document

COUNTRIES = ("SD", "SS", "CD")
LANGS = ("en", "fr", "ar")
START = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    docs = []
    for i in range(60):
        countries = (COUNTRIES[i % 3],) if i % 5 else (COUNTRIES[i % 3], COUNTRIES[(i + 1) % 3])
        docs.append(make_document(
            f"Report number {i} on the river towns", "Officials described the market and the harvest.",
            slug=f"r{i}", source=f"outlet{i % 4}.example", language=LANGS[i % 3],
            published=START + timedelta(hours=7 * (i % 17), minutes=i), countries=countries,
            indicators=("siege_starvation",) if i % 4 == 0 else (), actors=("rsf",) if i % 6 == 0 else ()))
    docs.append(make_document("Copy of report 0", "Officials described the market.", slug="copy0",
                              source="copies.example", duplicate_of=docs[0].article.id))
    with SqliteStore(tmp_path / "vigil.sqlite3") as s:
        s.upsert(docs)
        yield s


SHAPES = [
    ("country:SD", {}),
    ("", {"countries": ("SD", "SS")}),
    ("", {"languages": ("fr",)}),
    ("", {"languages": ("fr", "ar"), "countries": ("CD",)}),
    ("indicator:siege_starvation country:SD", {}),
    ("source:outlet1.example -lang:en", {}),
    ("actor:rsf", {"since": date(2026, 1, 2), "until": date(2026, 1, 4)}),
    ("indicator:sie* source:outlet0.example date:2026-01-02..2026-01-05", {}),
    ("country:SD OR lang:ar", {}),
]


@pytest.mark.parametrize(("query", "filters"), SHAPES)
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_every_driver_reads_the_same_pages_and_count(store: SqliteStore, query: str, filters: dict[str, object],
                                                     sort: str) -> None:
    plain = sql.selection(parse(query), **filters)  # type: ignore[arg-type]
    probed = sql.selection(parse(query), probes=True, **filters)  # type: ignore[arg-type]
    assert probed.drivers and probed.drivers[0].name == "walk"
    db = store._db()
    expected = db.execute(*sql.page_sql(plain, sort, None, 1000)).fetchall()
    count = db.execute(*sql.count_sql(plain)).fetchone()[0]
    assert count == len(expected) > 0
    after = expected[len(expected) // 2]
    for driver in probed.drivers:
        chosen = probed.with_driver(driver)
        assert db.execute(*sql.page_sql(chosen, sort, None, 1000)).fetchall() == expected, driver.name
        assert db.execute(*sql.page_sql(chosen, sort, (after[1], after[0]), 1000)).fetchall() == \
            expected[len(expected) // 2 + 1:], driver.name
        assert db.execute(*sql.count_sql(chosen)).fetchone()[0] == count, driver.name


def test_search_pages_match_the_full_order_and_total_is_capped(store: SqliteStore,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    request = SearchRequest(countries=("SD",), sort="relevance", limit=7)  # relevance without words: newest
    everything = list(store.iter_hits(request))
    assert [h.published_at for h in everything] == sorted((h.published_at for h in everything), reverse=True)
    page = store.search(request)
    assert (page.total, page.total_capped) == (len(everything), False)
    seen = list(page.hits)
    while page.next_cursor:
        page = store.search(request.model_copy(update={"cursor": page.next_cursor}))
        seen.extend(page.hits)
    assert [h.id for h in seen] == [h.id for h in everything]
    monkeypatch.setattr(sql, "COUNT_CAP", 5)
    capped = store.search(request)
    assert (capped.total, capped.total_capped) == (5, True)
    assert store.search(SearchRequest(query="actor:rsf country:CD")).total_capped is False
    assert store.search(SearchRequest(query="council")).total_capped is False  # words: exact count


def test_choice_walks_for_common_filters_and_drives_from_rare_ones() -> None:
    sel = sql.selection(parse("source:outlet1.example"), countries=("SD",), probes=True)
    walk, tag, source = sel.drivers
    assert (walk.name, tag.name, source.name) == ("walk", "article_countries", "articles_source")
    page, count = sql.choose_drivers(sel.drivers, [1_000_000, 50_000, 500], 1_000_000, 21)
    assert (page.name, count.name) == ("articles_source", "articles_source")
    page, count = sql.choose_drivers(sel.drivers, [1_000_000, 50_000, 50_000], 1_000_000, 21)
    assert page.name == "articles_source" and count.name == "article_countries"  # ordered; fewer lookups
    page, _ = sql.choose_drivers(sel.drivers[:2], [1_000_000, 300], 1_000_000, 21)
    assert page.name == "article_countries"
