"""SQL for searches and trends, built apart from running it (every function returns ``(sql, params)``).

All user values are parameters; identifiers come from fixed tables in this module and
:mod:`vigil.search.query.sqlite`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from vigil.search.query.ast import Node
from vigil.search.query.sqlite import FTS_TABLE, TAG_TABLES, compile_sqlite, date_sql

BM25 = f"bm25({FTS_TABLE}, 4.0, 1.0)"
"""Ranking: BM25 with a title match worth four body matches (lower is better, as FTS5 reports it)."""
SNIPPET_TOKENS = 32
FACET_COLUMNS = {"language": "a.language", "source": "a.source_domain"}
FACET_TABLES = TAG_TABLES
SortKey = tuple[float | int, int]


@dataclass(frozen=True)
class Selection:
    """The matching articles: tables (alias ``a``), conditions and their parameters."""

    tables: str
    where: str
    params: tuple[object, ...]
    fts_match: str | None

    @property
    def from_where(self) -> str:
        return f"FROM {self.tables} WHERE {self.where}"

    def joined(self, table: str) -> str:
        """``FROM ... WHERE ...`` with ``table`` joined as ``t`` on ``t.seq = a.seq``."""
        return f"FROM {self.tables} CROSS JOIN {table} t ON t.seq = a.seq WHERE {self.where}"


def selection(node: Node, *, countries: Sequence[str] = (), languages: Sequence[str] = (),
              since: date | None = None, until: date | None = None, collapse: bool = True) -> Selection:
    """Compile a query plus structured filters into one :class:`Selection`."""
    compiled = compile_sqlite(node)
    where: list[str] = [] if compiled.where == "1" else [compiled.where]
    params: list[object] = list(compiled.params)
    if countries:
        probe = "a.seq IN (SELECT t.seq FROM article_countries t WHERE t.value IN ({}))"
        if compiled.fts_match is not None:  # FTS drives: probe per hit instead of listing every article
            probe = "EXISTS (SELECT 1 FROM article_countries t WHERE t.seq = a.seq AND t.value IN ({}))"
        where.append(probe.format(_marks(countries)))
        params.extend(c.upper() for c in countries)
    if languages:
        where.append(f"a.language IN ({_marks(languages)})")
        params.extend(lang.lower() for lang in languages)
    if since is not None or until is not None:
        where.append(date_sql("a.published_at", since, until, params))
    if collapse:
        where.append("a.collapsed = 0")
    tables = "articles a"
    if compiled.fts_match is not None:
        tables = f"{FTS_TABLE} CROSS JOIN articles a ON a.seq = {FTS_TABLE}.rowid"  # FTS drives the join
        where.insert(0, f"{FTS_TABLE} MATCH ?")
        params.insert(0, compiled.fts_match)
    condition = " AND ".join(f"({w})" for w in where) if where else "1"
    return Selection(tables, condition, tuple(params), compiled.fts_match)


def page_sql(sel: Selection, sort: str, after: SortKey | None, limit: int) -> tuple[str, list[object]]:
    """One page of ``(seq, sort key)`` rows in ``sort`` order after the keyset ``after``.

    ``sort`` is ``relevance`` (only with an FTS match), ``newest`` or ``oldest``.
    """
    params: list[object] = list(sel.params)
    if sort == "relevance":
        if sel.fts_match is None:
            raise ValueError("relevance needs an FTS match")
        inner = f"SELECT a.seq AS seq, {BM25} AS key {sel.from_where}"
        sql = f"SELECT seq, key FROM ({inner})"
        if after is not None:
            sql += " WHERE key > ? OR (key = ? AND seq > ?)"
            params.extend([after[0], after[0], after[1]])
        sql += " ORDER BY key, seq LIMIT ?"
    else:
        op, direction = ("<", "DESC") if sort == "newest" else (">", "ASC")
        sql = f"SELECT a.seq, a.published_at {sel.from_where}"
        if after is not None:
            sql += f" AND (a.published_at, a.seq) {op} (?, ?)"
            params.extend([after[0], after[1]])
        sql += f" ORDER BY a.published_at {direction}, a.seq {direction} LIMIT ?"
    params.append(limit)
    return sql, params


def count_sql(sel: Selection) -> tuple[str, list[object]]:
    return f"SELECT count(*) {sel.from_where}", list(sel.params)


def facet_tags_json(tags: Mapping[str, Iterable[str]]) -> str:
    """The ``articles.facet_tags`` value: a JSON array of ``"field:value"`` (see schema migration 4)."""
    return json.dumps([f"{field}:{value}" for field in FACET_TABLES for value in sorted(tags.get(field, ()))],
                      ensure_ascii=False, separators=(",", ":"))


def fill_match_sql(sel: Selection, table: str, sort: str) -> tuple[str, list[object]]:
    """Materialise each match's sort key and what facets need (language, source, tags) into ``table``.

    One pass over the match serves the page (:func:`match_page_sql`), the total and every facet.
    """
    if sort == "relevance" and sel.fts_match is None:
        raise ValueError("relevance needs an FTS match")
    key = BM25 if sort == "relevance" else "a.published_at"
    return (f"INSERT INTO {table}(seq, key, language, source, tags) "
            f"SELECT a.seq, {key}, a.language, a.source_domain, a.facet_tags {sel.from_where}", list(sel.params))


def match_page_sql(table: str, sort: str, after: SortKey | None, limit: int) -> tuple[str, list[object]]:
    """The same page as :func:`page_sql`, read from a table filled by :func:`fill_match_sql`."""
    op, direction = ("<", "DESC") if sort == "newest" else (">", "ASC")
    sql, params = f"SELECT seq, key FROM {table}", []
    if after is not None:
        sql += f" WHERE (key, seq) {op} (?, ?)"
        params.extend([after[0], after[1]])
    return sql + f" ORDER BY key {direction}, seq {direction} LIMIT ?", [*params, limit]


def facet_sql(field: str, match_table: str, limit: int) -> tuple[str, list[object]]:
    """Counts per value of a column ``field`` over ``match_table``; fetches ``limit + 1`` to detect a cut."""
    column = {"language": "language", "source": "source"}[field]
    return (f"SELECT {column} AS value, count(*) AS n FROM {match_table} GROUP BY value "
            "ORDER BY n DESC, value LIMIT ?", [limit + 1])


def tag_facets_sql(match_table: str) -> tuple[str, list[object]]:
    """Counts of every ``"field:value"`` tag over ``match_table`` (one pass serves all tag facets)."""
    return f"SELECT j.value, count(*) FROM {match_table} m, json_each(m.tags) j GROUP BY j.value", []


def snippet_sql(fts_match: str, seqs: Sequence[int], highlight: bool) -> tuple[str, list[object]]:
    start, end = ("[", "]") if highlight else ("", "")
    sql = (f"SELECT rowid, snippet({FTS_TABLE}, -1, ?, ?, '…', {SNIPPET_TOKENS}) FROM {FTS_TABLE} "
           f"WHERE {FTS_TABLE} MATCH ? AND rowid IN ({_marks(seqs)})")
    return sql, [start, end, fts_match, *seqs]


def trend_sql(sel: Selection, split_by: str | None) -> tuple[str, list[object]]:
    """Matching articles per UTC day (and split value): rows ``(day, key, count)``."""
    if split_by is None:
        return f"SELECT a.day, 'all', count(*) {sel.from_where} GROUP BY a.day", list(sel.params)
    if split_by in FACET_COLUMNS:
        col = FACET_COLUMNS[split_by]
        return f"SELECT a.day, {col}, count(*) {sel.from_where} GROUP BY a.day, {col}", list(sel.params)
    joined = sel.joined(FACET_TABLES[split_by])
    return f"SELECT a.day, t.value, count(*) {joined} GROUP BY a.day, t.value", list(sel.params)


def totals_sql(first_day: int, last_day: int) -> tuple[str, list[object]]:
    """All (non-collapsed) articles per day: the denominator of normalised trends."""
    return ("SELECT day, count(*) FROM articles WHERE collapsed = 0 AND day BETWEEN ? AND ? GROUP BY day",
            [first_day, last_day])


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)
