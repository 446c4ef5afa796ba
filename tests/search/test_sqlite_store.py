"""SQLite-specific behaviour: file, schema and migrations, FTS kept in step, concurrency, time limits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vigil.errors import QueryError, StoreError
from vigil.search.sqlite import SqliteStore
from vigil.search.sqlite.schema import MIGRATIONS, SCHEMA_VERSION, migrate
from vigil.search.store import SearchRequest, SortOrder, Store

from .factories import make_document


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "nested" / "dir" / "vigil.sqlite3")
    yield s
    s.close()


def test_creates_file_in_wal_mode_with_schema_version(store: SqliteStore) -> None:
    assert store.path.exists()
    assert isinstance(store, Store)
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert "unicode61 remove_diacritics 2" in sql
    db.close()
    assert store.stats().schema_version == SCHEMA_VERSION


def test_reopen_keeps_data_and_open_classmethod(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    with SqliteStore(path) as first:
        first.upsert([make_document()])
    with SqliteStore.open(path) as again:
        assert again.stats().articles == 1


def test_migrations_run_in_order_once(tmp_path: Path) -> None:
    calls: list[int] = []

    def extra(db: sqlite3.Connection) -> None:
        calls.append(2)
        db.execute("CREATE TABLE extra (x)")

    steps: list[Callable[[sqlite3.Connection], None]] = [*MIGRATIONS, extra]
    db = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    assert migrate(db, steps) == SCHEMA_VERSION + 1
    assert migrate(db, steps) == SCHEMA_VERSION + 1
    assert calls == [2]
    db.close()


def test_failed_migration_rolls_back(tmp_path: Path) -> None:
    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    db = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    with pytest.raises(RuntimeError):
        migrate(db, [*MIGRATIONS, broken])
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone() == (0,)
    db.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(StoreError, match="newer than this Vigil"):
        SqliteStore(path)


def test_fts_stays_in_step_with_updates(store: SqliteStore) -> None:
    store.upsert([make_document(text="first words"), make_document("Other", slug="o", text="second words")])
    store.upsert([make_document(text="replaced text")])
    db = sqlite3.connect(store.path)
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    db.close()
    assert store.search(SearchRequest(query="first")).total == 0
    assert store.search(SearchRequest(query="replaced")).total == 1


def test_tags_are_normalised_into_tables(store: SqliteStore) -> None:
    store.upsert([make_document(countries=("SD", "TD"), indicators=("mass_killing",), actors=("RSF",),
                                groups=("masalit",))])
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT value FROM article_countries ORDER BY value").fetchall() == [("SD",), ("TD",)]
    assert db.execute("SELECT value FROM article_actors").fetchall() == [("rsf",)]
    assert db.execute("SELECT category, country FROM events").fetchall() == [("mass_killing", "SD")]
    plan = " ".join(r[3] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT seq FROM article_countries WHERE value = 'SD'"))
    assert "USING PRIMARY KEY" in plan or "USING COVERING INDEX" in plan
    db.close()


def test_reads_run_while_one_writer_writes(store: SqliteStore) -> None:
    store.upsert([make_document("Seed", slug="seed", text="river")])
    errors: list[BaseException] = []
    done = threading.Event()

    def write() -> None:
        try:
            for i in range(30):
                store.upsert([make_document(f"Doc {i}", slug=f"d{i}", text="river delta")])
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                page = store.search(SearchRequest(query="river", facets=("country",)))
                assert page.total >= 1
                assert page.facets["country"][0].count == page.total
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(3))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert store.search(SearchRequest(query="river")).total == 31


def test_slow_query_is_interrupted(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.sqlite3", query_timeout=0.0) as slow:
        slow.progress_steps = 50
        slow.upsert([make_document(f"Doc {i}", slug=f"d{i}") for i in range(300)])
        with pytest.raises(QueryError, match="took longer than"):
            slow.search(SearchRequest(query="valley OR country:SD"))


def test_slow_facet_is_dropped_and_marked(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "f.sqlite3", facet_timeout=0.0) as s:
        s.progress_steps = 50
        s.upsert([make_document(f"Doc {i}", slug=f"d{i}") for i in range(300)])
        page = s.search(SearchRequest(query="valley", facets=("country",)))
        assert page.total == 300
        assert page.facets["country"] == () and page.facets_truncated["country"] is True


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    s = SqliteStore(tmp_path / "c.sqlite3")
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.stats()


def test_review_status_is_validated(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="review status"):
        store.put_review("x", "pending", at=make_document().indexed_at)


def test_event_counts_per_day_country_category(store: SqliteStore) -> None:
    from datetime import UTC, date, datetime

    when = datetime(2026, 2, 3, 10, tzinfo=UTC)
    store.upsert([make_document("A", slug="a", indicators=("mass_killing", "detention"), published=when),
                  make_document("B", slug="b", indicators=("mass_killing",), published=when),
                  make_document("C", slug="c", indicators=("mass_killing",), countries=("TD",))])
    counts = store.event_counts(date(2026, 2, 1), date(2026, 2, 28))
    assert [(c.day, c.country, c.category, c.count) for c in counts] == [
        (date(2026, 2, 3), "SD", "detention", 1), (date(2026, 2, 3), "SD", "mass_killing", 2)]


def test_facet_tags_follow_upserts_and_the_v4_backfill_matches(tmp_path: Path) -> None:
    path = tmp_path / "tags.sqlite3"
    with SqliteStore(path) as s:
        s.upsert([make_document("Raid on the market", slug="a", countries=("SD", "TD"),
                                indicators=("mass_killing",), actors=("RSF",), groups=("Masalit",)),
                  make_document("Quiet harvest", slug="b", countries=())])
        s.upsert([make_document("Raid on the market", slug="a", countries=("SD",), actors=("RSF",))])  # re-tag
        page = s.search(SearchRequest(query="", facets=("country", "indicator", "actor", "group")))
        assert {f: [(c.value, c.count) for c in cs] for f, cs in page.facets.items()} == {
            "country": [("SD", 1)], "indicator": [], "actor": [("rsf", 1)], "group": []}
    db = sqlite3.connect(path, isolation_level=None)
    written = db.execute("SELECT seq, facet_tags FROM articles ORDER BY seq").fetchall()
    assert [t for _, t in written] == ['["country:SD","actor:rsf"]', "[]"]
    db.execute("ALTER TABLE articles DROP COLUMN facet_tags")  # as a version-3 file had it
    db.execute("DROP TABLE article_aliases")  # added by v5
    db.execute("PRAGMA user_version = 3")
    assert migrate(db) == SCHEMA_VERSION
    assert db.execute("SELECT seq, facet_tags FROM articles ORDER BY seq").fetchall() == written
    db.close()


def test_pages_with_facets_equal_pages_without(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    base = datetime(2026, 3, 1, tzinfo=UTC)
    with SqliteStore(tmp_path / "p.sqlite3") as s:
        s.upsert([make_document(f"Valley report {i}", "valley " * (1 + i % 4) + "water talks", slug=f"v{i}",
                                published=base + timedelta(hours=i // 3)) for i in range(25)])
        cases: list[tuple[str, SortOrder]] = [("valley", "relevance"), ("valley", "newest"), ("", "oldest"),
                                              ("valley", "oldest")]
        for query, sort in cases:
            plain = SearchRequest(query=query, sort=sort, limit=4)
            walks = []
            for request in (plain, plain.model_copy(update={"facets": ("language", "country")})):
                ids, cursor = [], None
                while True:
                    page = s.search(request.model_copy(update={"cursor": cursor}))
                    ids.append([(h.id, h.score) for h in page.hits])
                    cursor = page.next_cursor
                    if cursor is None:
                        break
                walks.append(ids)
                assert page.total == 25
            assert walks[0] == walks[1] and sum(len(p) for p in walks[0]) == 25


def test_alias_ids_count_as_known(tmp_path: Path) -> None:
    """A feed link that redirected or named another canonical URL is known next time."""
    doc = make_document("Convoy stopped at the bridge", slug="canon")
    doc = doc.model_copy(update={"article": doc.article.model_copy(update={"alias_ids": ("feedlink-id",)})})
    with SqliteStore(tmp_path / "alias.sqlite3") as s:
        s.upsert([doc])
        assert s.known_ids(["feedlink-id", doc.article.id, "other"]) == {"feedlink-id", doc.article.id}
        assert s.upsert([doc]).unchanged == 1
