"""The embedded store: one SQLite file (WAL, FTS5), safe for many readers and one writer.

Connections are per thread (reads run concurrently); writes are serialised by a lock and run in
``BEGIN IMMEDIATE`` transactions, with a busy timeout for writers in other processes. Every read that
runs user queries has a time limit (a progress handler interrupts it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from vigil.errors import NotFoundError, QueryError, StoreError
from vigil.records import DeadLetter, FeedState, IndexedDocument, RunReport
from vigil.search.query.parser import MAX_CLAUSES, REVIEW_STATUSES, parse
from vigil.search.sqlite import sql
from vigil.search.sqlite.alerts import SqliteAlerts
from vigil.search.sqlite.buckets import bucket_of, build_series, day_number, from_day_number
from vigil.search.sqlite.paging import decode_cursor, encode_cursor
from vigil.search.sqlite.schema import current_version, migrate
from vigil.search.store import (
    DuplicateCandidate,
    EventCount,
    FacetCount,
    Hit,
    SearchPage,
    SearchRequest,
    StoredDeadLetter,
    StoreStats,
    TrendRequest,
    TrendSeries,
    UpsertCounts,
)

log = logging.getLogger(__name__)

QUERY_TIMEOUT_S = 10.0
"""Longest a search or trend may run before it is interrupted."""
FACET_TIMEOUT_S = 2.0
"""Longest one facet may run; a facet cut by time is reported as truncated and left empty."""
MMAP_MB = 2047
"""Memory-map up to this much of the file (SQLite's default build caps it just under 2 GiB): reads of
cached pages skip a system call and a copy; 0 turns it off."""
PLAIN_SNIPPET_CHARS = 240
_CHUNK = 500
_MATCH_TABLE = "temp.vigil_facet_match"


class _Interrupted(Exception):
    pass


class SqliteStore(SqliteAlerts):
    """The default :class:`vigil.search.store.Store`: a SQLite file created (with its directory) if missing."""

    progress_steps = 20_000
    """SQLite VM steps between time-limit checks."""

    def __init__(self, path: Path, *, query_timeout: float = QUERY_TIMEOUT_S,
                 facet_timeout: float = FACET_TIMEOUT_S, max_clauses: int = MAX_CLAUSES,
                 cache_mb: int = 64, mmap_mb: int = MMAP_MB) -> None:
        self.path = Path(path)
        self.query_timeout = query_timeout
        self.facet_timeout = facet_timeout
        self.max_clauses = max_clauses
        self._cache_kib = cache_mb * 1024
        self._mmap_bytes = mmap_mb * 2**20
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._write_lock:
                migrate(self._db())
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc

    @classmethod
    def open(cls, path: Path, **options: Any) -> SqliteStore:
        return cls(path, **options)

    # ------------------------------------------------------------------ connections

    def _db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise StoreError("the store is closed")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{int(self._cache_kib)}")
        conn.execute(f"PRAGMA mmap_size = {int(self._mmap_bytes)}")
        self._local.conn = conn
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:  # pragma: no cover - closing is best effort
                    log.warning("closing a store connection failed", exc_info=True)
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            db = self._db()
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write to {self.path}: {exc}") from exc
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            else:
                db.execute("COMMIT")

    @contextmanager
    def _read(self, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """A read transaction (one snapshot) with a time limit; errors become Vigil errors."""
        db = self._db()
        limit = self.query_timeout if timeout is None else timeout
        own = db.in_transaction is False
        try:
            if own:
                db.execute("BEGIN")
            with self._deadline(db, limit):
                yield db
        except _Interrupted as exc:
            raise QueryError(f"the query took longer than {limit:g} s: narrow it (fewer words, "
                             "a date range, a country)") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"store read failed: {exc}") from exc
        finally:
            if own and db.in_transaction:
                db.execute("COMMIT")

    @contextmanager
    def _deadline(self, db: sqlite3.Connection, seconds: float) -> Iterator[None]:
        """Interrupt statements after ``seconds``; nests (the innermost, earliest deadline wins)."""
        stack: list[float] = self._local.__dict__.setdefault("deadlines", [])
        outer = stack[-1] if stack else float("inf")
        stack.append(min(outer, perf_counter() + seconds))

        def check() -> int:
            return 1 if stack and perf_counter() > stack[-1] else 0

        db.set_progress_handler(check, self.progress_steps)
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise _Interrupted from exc
            raise
        finally:
            stack.pop()
            if not stack:
                db.set_progress_handler(None, 0)

    # ------------------------------------------------------------------ articles

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self._read() as db:
            for chunk in _chunks(wanted):
                rows = db.execute(f"SELECT id FROM articles WHERE id IN ({_marks(chunk)}) UNION "
                                  f"SELECT alias_id FROM article_aliases WHERE alias_id IN ({_marks(chunk)})",
                                  [*chunk, *chunk])
                found.update(r[0] for r in rows)
        return found

    def upsert(self, docs: Sequence[IndexedDocument]) -> UpsertCounts:
        """Insert or replace documents by article id; identical re-submissions are ``unchanged``."""
        outcomes: Counter[str] = Counter()
        try:
            with self._write() as db:
                roots: set[str] = set()
                for doc in docs:
                    outcomes[self._upsert_one(db, doc, roots)] += 1
                for root in sorted(roots):
                    self._refresh_cluster(db, root)
        except sqlite3.Error as exc:
            raise StoreError(f"upsert failed: {exc}") from exc
        return UpsertCounts(**outcomes)

    def _upsert_one(self, db: sqlite3.Connection, doc: IndexedDocument, roots: set[str]) -> str:
        art, tags = doc.article, doc.tags
        if art.alias_ids:
            db.executemany("INSERT OR IGNORE INTO article_aliases (alias_id, article_id) VALUES (?, ?)",
                           [(alias, art.id) for alias in art.alias_ids])
        digest = _doc_hash(doc)
        row = db.execute("SELECT seq, doc_hash, duplicate_of FROM articles WHERE id = ?", (art.id,)).fetchone()
        if row is not None and row[1] == digest:
            return "unchanged"
        countries: dict[str, tuple[int, int]] = {}
        for c in tags.countries:
            focus, mentions = countries.get(c.code.upper(), (0, 0))
            countries[c.code.upper()] = (focus or int(c.focus), mentions + c.count)
        # Only categories that became events: a hit cancelled by a negative context is evidence, not a tag.
        tag_values = {"country": set(countries), "indicator": {e.category.lower() for e in tags.events},
                      "actor": {a.id.lower() for a in tags.actors if a.id},
                      "group": {g.id.lower() for g in tags.groups if g.id}}
        published = int(art.published_at.timestamp())
        meta = (art.url, _domain(art.source_domain), art.language.lower(), published, published // 86400,
                str(art.date_source), art.fingerprint, doc.duplicate_of, doc.independent_sources, digest,
                doc.indexed_at.isoformat(), sql.facet_tags_json(tag_values))
        blob = zlib.compress(doc.model_dump_json(exclude={"article": {"title", "text"}}).encode(), 6)
        if row is None:
            seq = db.execute(
                "INSERT INTO articles (url, source_domain, language, published_at, day, date_source, "
                "fingerprint, duplicate_of, independent_sources, doc_hash, indexed_at, facet_tags, id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*meta, art.id)).lastrowid
            db.execute("INSERT INTO article_texts (seq, title, body, doc) VALUES (?, ?, ?, ?)",
                       (seq, art.title, art.text, blob))
            outcome = "new"
        else:
            seq = row[0]
            db.execute(
                "UPDATE articles SET url = ?, source_domain = ?, language = ?, published_at = ?, day = ?, "
                "date_source = ?, fingerprint = ?, duplicate_of = ?, independent_sources = ?, doc_hash = ?, "
                "indexed_at = ?, facet_tags = ? WHERE seq = ?", (*meta, seq))
            db.execute("UPDATE article_texts SET title = ?, body = ?, doc = ? WHERE seq = ?",
                       (art.title, art.text, blob, seq))
            for table in (*sql.FACET_TABLES.values(), "near_dup_keys", "events"):
                db.execute(f"DELETE FROM {table} WHERE seq = ?", (seq,))
            if row[2] and row[2] != doc.duplicate_of:
                roots.add(row[2])
            outcome = "updated"
        assert seq is not None
        db.executemany("INSERT INTO article_countries (value, seq, focus, mentions) VALUES (?, ?, ?, ?)",
                       [(code, seq, f, m) for code, (f, m) in countries.items()])
        for field in ("indicator", "actor", "group"):
            self._tag_rows(db, sql.FACET_TABLES[field], seq, tag_values[field])
        db.executemany("INSERT OR IGNORE INTO near_dup_keys (key, seq) VALUES (?, ?)",
                       [(k, seq) for k in set(art.near_dup_keys)])
        db.executemany(
            "INSERT OR REPLACE INTO events (id, seq, article_id, category, country, severity, score, "
            "confidence, historical, day, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(e.id, seq, art.id, e.category.lower(), e.country.upper() if e.country else None, e.severity,
              e.score, e.confidence, int(e.historical), published // 86400, e.model_dump_json())
             for e in tags.events])
        roots.add(doc.duplicate_of or art.id)
        return outcome

    @staticmethod
    def _tag_rows(db: sqlite3.Connection, table: str, seq: int, values: set[str]) -> None:
        db.executemany(f"INSERT INTO {table} (value, seq) VALUES (?, ?)", [(v, seq) for v in sorted(values)])

    @staticmethod
    def _refresh_cluster(db: sqlite3.Connection, root: str) -> None:
        """Collapse copies under their original and count the distinct outlets that carried it."""
        present = db.execute("SELECT seq FROM articles WHERE id = ?", (root,)).fetchone()
        if present is None:
            db.execute("UPDATE articles SET collapsed = 0 WHERE duplicate_of = ?", (root,))
            return
        db.execute("UPDATE articles SET collapsed = 1 WHERE duplicate_of = ? AND id != ?", (root, root))
        db.execute("UPDATE articles SET collapsed = 0 WHERE seq = ?", (present[0],))
        db.execute(
            "UPDATE articles SET independent_sources = (SELECT count(DISTINCT source_domain) FROM articles "
            "WHERE id = ?1 OR duplicate_of = ?1) WHERE seq = ?2", (root, present[0]))

    def get(self, article_id: str) -> IndexedDocument | None:
        with self._read() as db:
            row = db.execute(
                "SELECT t.title, t.body, t.doc, a.independent_sources FROM articles a "
                "JOIN article_texts t ON t.seq = a.seq WHERE a.id = ?", (article_id,)).fetchone()
        return None if row is None else _load_doc(row)

    def near_duplicate_candidates(self, keys: Sequence[str], limit: int = 50) -> list[DuplicateCandidate]:
        """Indexed articles sharing any of ``keys``: most shared keys first, then oldest."""
        wanted = list(dict.fromkeys(keys))[:_CHUNK]
        if not wanted:
            return []
        with self._read() as db:
            rows = db.execute(
                "SELECT a.id, a.fingerprint, a.source_domain, a.duplicate_of, a.published_at, count(*) AS shared "
                f"FROM near_dup_keys k JOIN articles a ON a.seq = k.seq WHERE k.key IN ({_marks(wanted)}) "
                "GROUP BY a.seq ORDER BY shared DESC, a.published_at, a.seq LIMIT ?", (*wanted, limit)).fetchall()
        return [DuplicateCandidate(id=r[0], fingerprint=r[1], source_domain=r[2], duplicate_of=r[3],
                                   published_at=_ts(r[4])) for r in rows]

    def iter_documents(self, since: date | None = None, until: date | None = None) -> Iterator[IndexedDocument]:
        """Every document published in ``since``..``until`` (UTC days, inclusive), in indexing order."""
        params: list[object] = []
        where = sql.date_sql("a.published_at", since, until, params)
        last = 0
        while True:
            with self._read() as db:
                rows = db.execute(
                    "SELECT t.title, t.body, t.doc, a.independent_sources, a.seq FROM articles a "
                    f"JOIN article_texts t ON t.seq = a.seq WHERE a.seq > ? AND {where} ORDER BY a.seq LIMIT ?",
                    (last, *params, _CHUNK)).fetchall()
            if not rows:
                return
            for row in rows:
                yield _load_doc(row)
            last = rows[-1][4]

    # ------------------------------------------------------------------ search

    def search(self, request: SearchRequest) -> SearchPage:
        return self._search(request, with_total=True)

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of ``request``, page by page (no cap: exports use this)."""
        page_request = request.model_copy(update={"facets": (), "limit": max(request.limit, 200)})
        while True:
            page = self._search(page_request, with_total=False)
            yield from page.hits
            if page.next_cursor is None:
                return
            page_request = page_request.model_copy(update={"cursor": page.next_cursor})

    def _selection(self, query: str, **filters: Any) -> sql.Selection:
        return sql.selection(parse(query, max_clauses=self.max_clauses), **filters)

    def _search(self, request: SearchRequest, *, with_total: bool) -> SearchPage:
        started = perf_counter()
        sel = self._selection(request.query, countries=request.countries, languages=request.languages,
                              since=request.since, until=request.until, collapse=request.collapse_duplicates,
                              probes=not request.facets)
        sort = request.sort if (request.sort != "relevance" or sel.fts_match) else "newest"
        after = decode_cursor(request, sort)
        facets: dict[str, tuple[FacetCount, ...]] = {}
        truncated: dict[str, bool] = {}
        total, capped = 0, False
        with self._read() as db:
            page_sel = count_sel = sel
            if sel.drivers:  # no words: walk an index newest/oldest first, or drive from a selective filter
                page_sel, count_sel = self._plan(db, sel, request.limit + 1)
            small: list[tuple[int, float]] | None = None
            if sel.drivers and with_total:  # a match within the cap: one pass gives the total and the page
                keys_query, params = sql.keys_sql(count_sel, sql.COUNT_CAP + 1)
                small = db.execute(keys_query, params).fetchall()
                if len(small) > sql.COUNT_CAP:  # more than the cap: the page walks its own driver
                    small, total, capped = None, sql.COUNT_CAP, True
            if request.facets:  # one pass over the match: page, total and facets all read the match table
                total = self._fill_match(db, sel, sort)
                page_query, params = sql.match_page_sql(_MATCH_TABLE, sort, after, request.limit + 1)
            elif small is not None:
                total = len(small)
            else:
                page_query, params = sql.page_sql(page_sel, sort, after, request.limit + 1)
            rows: list[tuple[int, float]] = (
                _keyset_page(small, sort, after, request.limit + 1) if small is not None
                else db.execute(page_query, params).fetchall())
            more = len(rows) > request.limit
            rows = rows[:request.limit]
            hits = self._hits(db, sel, rows, request.highlight, scored=sort == "relevance")
            if request.facets:
                facets, truncated = self._facets(db, tuple(dict.fromkeys(request.facets)), request.facet_limit)
            elif with_total and not sel.drivers:
                count_query, params = sql.count_sql(sel)
                total = int(db.execute(count_query, params).fetchone()[0])
        cursor = encode_cursor(request, sort, (rows[-1][1], rows[-1][0])) if more and rows else None
        return SearchPage(hits=tuple(hits), total=total, total_capped=capped, next_cursor=cursor, facets=facets,
                          facets_truncated=truncated, took_ms=round((perf_counter() - started) * 1000, 2))

    def _plan(self, db: sqlite3.Connection, sel: sql.Selection, limit: int) -> tuple[sql.Selection, sql.Selection]:
        """The selections that read the page and the count, driven as :func:`sql.choose_drivers` picks."""
        total_rows = int(db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])
        sizes = [total_rows if not d.size_sql else
                 int(db.execute(d.size_sql, (*d.size_params, sql.SIZE_BOUND)).fetchone()[0]) for d in sel.drivers]
        page, count = sql.choose_drivers(sel.drivers, sizes, total_rows, limit)
        log.debug("search without words: page driven by %s, count by %s (sizes %s)", page.name, count.name, sizes)
        return sel.with_driver(page), sel.with_driver(count)

    def _hits(self, db: sqlite3.Connection, sel: sql.Selection, rows: list[tuple[int, float]],
              highlight: bool, *, scored: bool) -> list[Hit]:
        seqs = [r[0] for r in rows]
        if not seqs:
            return []
        marks = _marks(seqs)
        meta = {r[0]: r for r in db.execute(
            "SELECT a.seq, a.id, a.url, t.title, a.source_domain, a.language, a.published_at, a.date_source, "
            f"a.independent_sources, substr(t.body, 1, {PLAIN_SNIPPET_CHARS}) FROM articles a "
            f"JOIN article_texts t ON t.seq = a.seq WHERE a.seq IN ({marks})", seqs)}
        snippets: dict[int, str] = {}
        if sel.fts_match is not None:
            snippet_query, params = sql.snippet_sql(sel.fts_match, seqs, highlight)
            snippets = dict(db.execute(snippet_query, params).fetchall())
        countries = _grouped(db.execute(
            f"SELECT seq, value FROM article_countries WHERE seq IN ({marks}) "
            "ORDER BY seq, focus DESC, mentions DESC, value", seqs))
        indicators = _grouped(db.execute(
            f"SELECT seq, value FROM article_indicators WHERE seq IN ({marks}) ORDER BY seq, value", seqs))
        ids = [meta[s][1] for s in seqs]
        copies = dict(db.execute(
            f"SELECT duplicate_of, count(*) FROM articles WHERE duplicate_of IN ({_marks(ids)}) "
            "GROUP BY duplicate_of", ids).fetchall())
        hits = []
        for seq, key in rows:
            m = meta[seq]
            snippet = snippets.get(seq) or (m[9] + ("…" if len(m[9]) >= PLAIN_SNIPPET_CHARS else ""))
            hits.append(Hit(
                id=m[1], url=m[2], title=m[3], source_domain=m[4], language=m[5], published_at=_ts(m[6]),
                date_source=m[7], countries=tuple(countries.get(seq, ())),
                indicators=tuple(indicators.get(seq, ())), snippet=snippet,
                score=-float(key) if scored else None, independent_sources=m[8],
                duplicates=copies.get(m[1], 0)))
        return hits

    def _fill_match(self, db: sqlite3.Connection, sel: sql.Selection, sort: str) -> int:
        db.execute(f"CREATE TABLE IF NOT EXISTS {_MATCH_TABLE} "
                   "(seq INTEGER NOT NULL, key NOT NULL, language TEXT, source TEXT, tags TEXT)")
        db.execute(f"DELETE FROM {_MATCH_TABLE}")
        fill, params = sql.fill_match_sql(sel, _MATCH_TABLE, sort)
        return db.execute(fill, params).rowcount

    def _facets(self, db: sqlite3.Connection, fields: tuple[str, ...], limit: int
                ) -> tuple[dict[str, tuple[FacetCount, ...]], dict[str, bool]]:
        """Facet counts over the match table: each column facet, then all tag facets in one pass.

        Each statement has its own time limit; a facet cut by time is empty and marked truncated.
        """
        facets: dict[str, tuple[FacetCount, ...]] = {}
        truncated: dict[str, bool] = {}
        tag_fields = [f for f in fields if f in sql.FACET_TABLES]
        for field in fields:
            if field in tag_fields:
                continue
            query, params = sql.facet_sql(field, _MATCH_TABLE, limit)
            rows = self._facet_rows(db, query, params, field)
            facets[field], truncated[field] = _top(rows, limit) if rows is not None else ((), True)
        if tag_fields:
            query, params = sql.tag_facets_sql(_MATCH_TABLE)
            rows = self._facet_rows(db, query, params, ", ".join(tag_fields))
            split: dict[str, list[tuple[str, int]]] = {f: [] for f in tag_fields}
            for tag, n in rows or ():
                field, _, value = str(tag).partition(":")
                if field in split:
                    split[field].append((value, int(n)))
            for field in tag_fields:
                facets[field], truncated[field] = _top(split[field], limit) if rows is not None else ((), True)
        return {f: facets[f] for f in fields}, {f: truncated[f] for f in fields}

    def _facet_rows(self, db: sqlite3.Connection, query: str, params: list[object], what: str
                    ) -> list[tuple[str, int]] | None:
        """Rows of one facet statement, or None when it ran out of time."""
        try:
            with self._deadline(db, self.facet_timeout):
                return [(r[0], r[1]) for r in db.execute(query, params)]
        except _Interrupted:
            log.warning("facet %s took longer than %.1f s and was dropped", what, self.facet_timeout)
            return None

    # ------------------------------------------------------------------ trends and stats

    def trends(self, request: TrendRequest) -> list[TrendSeries]:
        """Matching articles per day/week/month (duplicates collapsed), optionally split and normalised."""
        sel = self._selection(request.query, since=request.since, until=request.until, collapse=True)
        trend_query, params = sql.trend_sql(sel, request.split_by)
        with self._read() as db:
            rows = db.execute(trend_query, params).fetchall()
            days = [r[0] for r in rows]
            first = day_number(request.since) if request.since else min(days, default=None)
            last = day_number(request.until) if request.until else max(days, default=None)
            if first is None or last is None:
                return [] if request.split_by else build_series(
                    [], {}, request.since or request.until or date.today(),
                    request.until or request.since or date.today(), request.interval, split=False,
                    top=request.top, normalise=request.normalise)
            totals_from = first if request.since else day_number(
                bucket_of(from_day_number(first), request.interval))
            totals_query, params = sql.totals_sql(totals_from, last)
            totals = dict(db.execute(totals_query, params).fetchall())
        return build_series(((int(d), str(k), int(n)) for d, k, n in rows), totals, from_day_number(first),
                            from_day_number(last), request.interval, split=request.split_by is not None,
                            top=request.top, normalise=request.normalise)

    def stats(self) -> StoreStats:
        with self._read() as db:
            articles, duplicates, oldest, newest = db.execute(
                "SELECT count(*), count(duplicate_of), min(published_at), max(published_at) FROM articles"
            ).fetchone()
            return StoreStats(
                articles=articles, duplicates=duplicates,
                by_language=dict(db.execute("SELECT language, count(*) FROM articles GROUP BY language")),
                by_country=dict(db.execute("SELECT value, count(*) FROM article_countries GROUP BY value")),
                by_indicator=dict(db.execute("SELECT value, count(*) FROM article_indicators GROUP BY value")),
                events=db.execute("SELECT count(*) FROM events").fetchone()[0],
                dead_letters=db.execute("SELECT count(*) FROM dead_letters WHERE resolved = 0").fetchone()[0],
                feeds=db.execute("SELECT count(*) FROM feed_states").fetchone()[0],
                oldest=_ts(oldest) if oldest is not None else None,
                newest=_ts(newest) if newest is not None else None,
                schema_version=current_version(db))

    def event_counts(self, since: date, until: date, *, include_historical: bool = False) -> list[EventCount]:
        """Indicator events per (UTC day, country, category) in ``since``..``until`` (collapsed copies out)."""
        historical = "" if include_historical else " AND e.historical = 0"
        with self._read() as db:
            rows = db.execute(
                "SELECT e.day, e.country, e.category, count(*) FROM events e CROSS JOIN articles a ON a.seq = e.seq "
                f"WHERE e.day BETWEEN ? AND ? AND a.collapsed = 0{historical} "
                "GROUP BY e.day, e.country, e.category ORDER BY e.day, e.country, e.category",
                (day_number(since), day_number(until))).fetchall()
        return [EventCount(day=from_day_number(d), country=c, category=k, count=n) for d, c, k, n in rows]

    # ------------------------------------------------------------------ reviews (used by review:...)

    def put_review(self, event_id: str, status: str, *, at: datetime, detail: dict[str, Any] | None = None) -> None:
        """Record an analyst's decision on an indicator event (the review queue builds on this)."""
        if status not in REVIEW_STATUSES or status == "pending":
            raise StoreError(f"review status must be one of {', '.join(REVIEW_STATUSES[1:])}, not {status!r}")
        with self._write() as db:
            if db.execute("SELECT 1 FROM events WHERE id = ?", (event_id,)).fetchone() is None:
                raise NotFoundError(f"no indicator event {event_id!r}")
            db.execute("INSERT OR REPLACE INTO reviews (event_id, status, data, decided_at) VALUES (?, ?, ?, ?)",
                       (event_id, status, json.dumps(detail or {}, sort_keys=True), at.isoformat()))

    # ------------------------------------------------------------------ feeds, failures, runs

    def get_feed_state(self, url: str) -> FeedState | None:
        with self._read() as db:
            row = db.execute("SELECT data FROM feed_states WHERE url = ?", (url,)).fetchone()
        return None if row is None else FeedState.model_validate_json(row[0])

    def put_feed_state(self, state: FeedState) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO feed_states (url, data) VALUES (?, ?)",
                       (state.url, state.model_dump_json()))

    def feed_states(self) -> list[FeedState]:
        with self._read() as db:
            rows = db.execute("SELECT data FROM feed_states ORDER BY url").fetchall()
        return [FeedState.model_validate_json(r[0]) for r in rows]

    def add_dead_letter(self, letter: DeadLetter) -> None:
        """Record a failure; an open letter for the same stage and URL is replaced, its attempts counted."""
        with self._write() as db:
            row = db.execute("SELECT id, data FROM dead_letters WHERE resolved = 0 AND stage = ? AND url = ?",
                             (str(letter.stage), letter.url)).fetchone()
            if row is None:
                db.execute("INSERT INTO dead_letters (stage, url, reason, retryable, at, data) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (str(letter.stage), letter.url, letter.reason,
                                                         int(letter.retryable), letter.at.isoformat(),
                                                         letter.model_dump_json()))
                return
            previous = DeadLetter.model_validate_json(row[1])
            merged = letter.model_copy(update={"attempts": max(letter.attempts, previous.attempts + 1)})
            db.execute("UPDATE dead_letters SET reason = ?, retryable = ?, at = ?, data = ? WHERE id = ?",
                       (merged.reason, int(merged.retryable), merged.at.isoformat(), merged.model_dump_json(),
                        row[0]))

    def dead_letters(self, *, retryable: bool | None = None, include_resolved: bool = False,
                     limit: int = 1000) -> list[StoredDeadLetter]:
        where, params = ["1"], []
        if retryable is not None:
            where.append("retryable = ?")
            params.append(int(retryable))
        if not include_resolved:
            where.append("resolved = 0")
        with self._read() as db:
            rows = db.execute(f"SELECT id, data, resolved FROM dead_letters WHERE {' AND '.join(where)} "
                              "ORDER BY id LIMIT ?", (*params, limit)).fetchall()
        return [StoredDeadLetter(id=r[0], letter=DeadLetter.model_validate_json(r[1]), resolved=bool(r[2]))
                for r in rows]

    def resolve_dead_letter(self, letter_id: int | str) -> None:
        try:
            key = int(letter_id)
        except ValueError as exc:
            raise NotFoundError(f"no dead letter {letter_id!r}") from exc
        with self._write() as db:
            if db.execute("UPDATE dead_letters SET resolved = 1 WHERE id = ?", (key,)).rowcount == 0:
                raise NotFoundError(f"no dead letter {letter_id!r}")

    def add_run_report(self, run_id: str, report: RunReport, scope: str = "run") -> None:
        with self._write() as db:
            db.execute("INSERT INTO run_reports (run_id, scope, recorded_at, data) VALUES (?, ?, ?, ?)",
                       (run_id, scope, datetime.now(UTC).isoformat(), report.model_dump_json()))

    def run_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first: ``{"run_id", "scope", "recorded_at" (datetime), "report" (RunReport)}``."""
        with self._read() as db:
            rows = db.execute("SELECT run_id, scope, recorded_at, data FROM run_reports ORDER BY id DESC LIMIT ?",
                              (limit,)).fetchall()
        return [{"run_id": r[0], "scope": r[1], "recorded_at": datetime.fromisoformat(r[2]),
                 "report": RunReport.model_validate_json(r[3])} for r in rows]


# ---------------------------------------------------------------------- helpers


def _doc_hash(doc: IndexedDocument) -> str:
    payload = doc.model_dump_json(exclude={"indexed_at", "independent_sources"})
    return hashlib.sha256(payload.encode()).hexdigest()


def _load_doc(row: Sequence[Any]) -> IndexedDocument:
    data = json.loads(zlib.decompress(row[2]))
    data["article"]["title"], data["article"]["text"] = row[0], row[1]
    data["independent_sources"] = row[3]
    return IndexedDocument.model_validate(data)


def _domain(domain: str) -> str:
    return domain.strip().lower().removeprefix("www.")


def _ts(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), _CHUNK):
        yield values[i:i + _CHUNK]


def _top(counts: list[tuple[str, int]], limit: int) -> tuple[tuple[FacetCount, ...], bool]:
    """The ``limit`` largest counts (ties by value) and whether more values exist."""
    ranked = sorted(counts, key=lambda vn: (-vn[1], vn[0]))
    return tuple(FacetCount(value=str(v), count=int(n)) for v, n in ranked[:limit]), len(ranked) > limit


def _keyset_page(keys: list[tuple[int, float]], sort: str, after: tuple[float | int, int] | None,
                 limit: int) -> list[tuple[int, float]]:
    """The page of ``(seq, published_at)`` rows that :func:`sql.page_sql` would read, from all of them."""
    newest = sort == "newest"
    ordered = sorted(keys, key=lambda r: (r[1], r[0]), reverse=newest)
    if after is not None:
        mark = (after[0], after[1])
        ordered = [r for r in ordered if ((r[1], r[0]) < mark if newest else (r[1], r[0]) > mark)]
    return ordered[:limit]


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for seq, value in rows:
        out.setdefault(seq, []).append(value)
    return out

