"""SQL for searches and trends, built apart from running it (every function returns ``(sql, params)``).

All user values are parameters; identifiers come from fixed tables in this module and
:mod:`vigil.search.query.sqlite`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from vigil.search.query.ast import And, DateRange, Field, Node, Prefix, Term
from vigil.search.query.sqlite import FTS_TABLE, TAG_TABLES, compile_sqlite, date_sql, prefix_upper_bound

BM25 = f"bm25({FTS_TABLE}, 4.0, 1.0)"
"""Ranking: BM25 with a title match worth four body matches (lower is better, as FTS5 reports it)."""
SNIPPET_TOKENS = 32
FACET_COLUMNS = {"language": "a.language", "source": "a.source_domain"}
FACET_TABLES = TAG_TABLES
SortKey = tuple[float | int, int]


COUNT_CAP = 1_000
"""Searches without words count at most this many matches (``SearchPage.total_capped`` says when more):
each counted match costs a row lookup (~3 us), so 10,000 took 40-160 ms on a million articles."""
WALK_INDEX = {True: "articles_recent", False: "articles_published"}
"""The newest-first index a search without words walks, by ``collapse`` (schema v7 adds the first)."""
LANGUAGE_INDEX = {True: "articles_recent_language", False: "articles_language"}
"""The index of one language's articles newest first, by ``collapse`` (v7: with the collapsed flag first)."""


@dataclass(frozen=True)
class Driver:
    """A row source for a search without words: rows of ``articles a`` that hold the whole match.

    ``tables`` replaces the selection's ``FROM``, ``condition`` (with ``params``) is ANDed in front of its
    WHERE; ``size_sql`` counts the source's rows up to a bound (the planner's selectivity estimate; empty:
    every article).
    ``ordered``: rows come in ``published_at`` order, so a page stops early; otherwise all rows are read
    and sorted. ``lookup``: each row costs a random ``articles`` lookup before its filters are checked
    (a tag driver probes the other tags on its own row first; the walk reads an index).
    """

    name: str
    tables: str
    condition: str
    params: tuple[object, ...]
    size_sql: str
    size_params: tuple[object, ...]
    ordered: bool
    lookup: bool
    dated: bool = False
    """The size already counts only the date range (the walk's share must not be applied again)."""


@dataclass(frozen=True)
class Selection:
    """The matching articles: tables (alias ``a``), conditions and their parameters.

    ``drivers`` (searches without words, built with ``probes``): the walk of the newest-first index
    first, then one driver per top-level filter that has an index of its own; see :func:`with_driver`.
    """

    tables: str
    where: str
    params: tuple[object, ...]
    fts_match: str | None
    drivers: tuple[Driver, ...] = ()

    def with_driver(self, driver: Driver) -> Selection:
        where = self.where
        if driver.tables.endswith("ON a.seq = d.seq"):  # tag probes on the driving row: before the articles lookup
            where = where.replace("t.seq = a.seq", "t.seq = d.seq")
        where = where if driver.condition == "1" else f"({driver.condition}) AND {where}"
        return Selection(driver.tables, where, (*driver.params, *self.params), None)

    @property
    def from_where(self) -> str:
        return f"FROM {self.tables} WHERE {self.where}"

    def joined(self, table: str) -> str:
        """``FROM ... WHERE ...`` with ``table`` joined as ``t`` on ``t.seq = a.seq``."""
        return f"FROM {self.tables} CROSS JOIN {table} t ON t.seq = a.seq WHERE {self.where}"


def selection(node: Node, *, countries: Sequence[str] = (), languages: Sequence[str] = (),
              since: date | None = None, until: date | None = None, collapse: bool = True,
              probes: bool = False) -> Selection:
    """Compile a query plus structured filters into one :class:`Selection`.

    ``probes`` (searches): tag filters are per-row ``EXISTS`` probes and, without words, the selection
    lists its :class:`Driver` s; otherwise (trends) they are ``seq IN`` lists that drive the scan.
    """
    compiled = compile_sqlite(node, probes=probes)
    where: list[str] = [] if compiled.where == "1" else [compiled.where]
    params: list[object] = list(compiled.params)
    if countries:
        probe = "a.seq IN (SELECT t.seq FROM article_countries t WHERE t.value IN ({}))"
        if compiled.fts_match is not None or probes:  # probe per row instead of listing every article
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
    drivers: tuple[Driver, ...] = ()
    if probes and compiled.fts_match is None:
        drivers = _drivers(node, countries, languages, since, until, collapse)
    return Selection(tables, condition, tuple(params), compiled.fts_match, drivers)


def _drivers(node: Node, countries: Sequence[str], languages: Sequence[str], since: date | None,
             until: date | None, collapse: bool) -> tuple[Driver, ...]:
    """The walk of the newest-first index, then a driver per top-level tag, language or source filter."""
    conjuncts = list(node.children) if isinstance(node, And) else [node]
    fields = [c for c in conjuncts if isinstance(c, Field) and isinstance(c.value, Term | Prefix)]
    bound: list[object] = []
    ranges = [date_sql("a.published_at", since, until, bound)] if since or until else []
    ranges += [date_sql("a.published_at", c.value.start, c.value.end, bound) for c in conjuncts
               if isinstance(c, Field) and isinstance(c.value, DateRange)]
    walk_where = " AND ".join(["a.collapsed = 0"] * collapse + ranges) or "1"
    walk_tables = f"articles a INDEXED BY {WALK_INDEX[collapse]}"
    walk_size = _bounded(walk_tables, walk_where) if ranges else ""  # "": every article (no count needed)
    tag_filters: list[tuple[str, str, list[object]]] = []
    if countries:
        tag_filters.append(("article_countries", f"t.value IN ({_marks(countries)})",
                            [c.upper() for c in countries]))
    column_filters: list[tuple[str, str, list[object], bool]] = []
    if languages:
        column_filters.append((LANGUAGE_INDEX[collapse], f"a.language IN ({_marks(languages)})",
                               [lang.lower() for lang in languages], len(set(languages)) == 1))
    for f in fields:
        value = f.value
        assert isinstance(value, Term | Prefix)
        vals: list[object] = [value.text] if isinstance(value, Term) else [value.text, prefix_upper_bound(value.text)]
        cond = "= ?" if isinstance(value, Term) else ">= ? AND {col} < ?"
        if f.name in TAG_TABLES:
            tag_filters.append((TAG_TABLES[f.name], "t.value " + cond.format(col="t.value"), vals))
        elif f.name in ("lang", "source"):
            col, index = {"lang": ("a.language", LANGUAGE_INDEX[collapse]),
                          "source": ("a.source_domain", "articles_source")}[f.name]
            column_filters.append((index, f"{col} " + cond.format(col=col), vals, isinstance(value, Term)))
    # the walk reads articles rows only when a language or source condition needs them
    out = [Driver("walk", walk_tables, "1", (), walk_size, tuple(bound), ordered=True,
                  lookup=bool(column_filters))]
    for table, cond, vals in tag_filters:
        # the tag table's rows drive (a join streams, so a count stops at its cap); an article with two of
        # the values counts once: only its smallest matching value's row joins
        join = cond.replace("t.value", "d.value")
        once = "" if len(vals) == 1 or " IN " not in cond else (
            f" AND NOT EXISTS (SELECT 1 FROM {table} e WHERE e.seq = d.seq AND {cond.replace('t.value', 'e.value')}"
            " AND e.value < d.value)")
        out.append(Driver(table, f"{table} d CROSS JOIN articles a ON a.seq = d.seq", join + once,
                          tuple(vals) * (2 if once else 1), _bounded(f"{table} t", cond), tuple(vals),
                          ordered=False, lookup=len(tag_filters) == 1))  # other tags probed before the lookup
    for index, cond, vals, ordered in column_filters:  # (column, published_at) indexes: dates narrow them too
        tables = f"articles a INDEXED BY {index}"
        covered = index == LANGUAGE_INDEX[True] and len(column_filters) == 1  # no articles row needed
        visible = ["a.collapsed = 0"] if index == LANGUAGE_INDEX[True] else []
        out.append(Driver(index, tables, "1", (), _bounded(tables, " AND ".join([*visible, cond, *ranges])),
                          (*vals, *bound), ordered=ordered, lookup=not covered, dated=bool(ranges)))
    return tuple(out)


def _bounded(tables: str, where: str) -> str:
    """Rows of ``tables`` meeting ``where``, counted up to a bound (the last parameter)."""
    return f"SELECT count(*) FROM (SELECT 1 FROM {tables} WHERE {where} LIMIT ?)"


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
        if after is not None:  # (published_at, seq) op (key, seq), written so an index range applies
            sql += f" AND a.published_at {op}= ? AND (a.published_at {op} ? OR a.seq {op} ?)"
            params.extend([after[0], after[0], after[1]])
        sql += f" ORDER BY a.published_at {direction}, a.seq {direction} LIMIT ?"
    params.append(limit)
    return sql, params


def count_sql(sel: Selection, cap: int | None = None) -> tuple[str, list[object]]:
    """The number of matches; with ``cap``, counting stops at ``cap + 1`` (more than the cap)."""
    if cap is None:
        return f"SELECT count(*) {sel.from_where}", list(sel.params)
    return f"SELECT count(*) FROM (SELECT 1 {sel.from_where} LIMIT ?)", [*sel.params, cap + 1]


def keys_sql(sel: Selection, limit: int) -> tuple[str, list[object]]:
    """Up to ``limit`` matches as ``(seq, published_at)`` rows, in no order (a small match, sorted by the caller)."""
    return f"SELECT a.seq, a.published_at {sel.from_where} LIMIT ?", [*sel.params, limit]


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


SIZE_BOUND = 50_000
"""Driver sizes are counted up to this many rows: beyond it a filter is common, and the walk serves it."""


def choose_drivers(drivers: Sequence[Driver], sizes: Sequence[int], total_rows: int, limit: int,
                   cap: int = COUNT_CAP) -> tuple[Driver, Driver]:
    """The drivers for a page of ``limit`` rows and for a count up to ``cap``: least estimated rows read.

    Densities come from each driver's (bounded) size over ``total_rows``, assumed independent. An ordered
    driver stops after ``limit`` matches, an unordered one reads all its rows; a count stops at ``cap``.
    Rows that cost a random ``articles`` lookup weigh twice an index entry; ties go to the smaller source.
    """
    total = max(total_rows, 1)
    shares = [min(1.0, max(n, 1) / total) for n in sizes]
    density = 1.0
    for share in shares:
        density *= share

    walk = next((i for i, d in enumerate(drivers) if d.name == "walk"), None)

    def cost(i: int, wanted: int, ordered: bool) -> float:
        within = density / shares[i]  # share of this driver's rows that match
        if drivers[i].dated and walk is not None:
            within /= shares[walk]
        rows = min(float(sizes[i]), wanted / within) if ordered else float(sizes[i])
        return rows * (2 if drivers[i].lookup else 1)

    order = range(len(drivers))  # ties: the smaller source
    page = min(order, key=lambda i: (cost(i, limit, drivers[i].ordered), sizes[i]))
    count = min(order, key=lambda i: (cost(i, cap + 1, True), sizes[i]))
    return drivers[page], drivers[count]
