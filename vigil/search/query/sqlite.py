"""Compile a query AST to SQLite: a WHERE clause with bound parameters plus an optional FTS5 MATCH string.

Built apart from execution (sqlite-utils style) and tested on its own. The contract with the caller
(:mod:`vigil.search.sqlite.store`):

- ``where`` refers to the articles table under the alias ``a`` (primary key ``a.seq``) and to the tag,
  event and review tables by name; every user value is a ``?`` parameter, in order, in ``params``.
- With an FTS match the FTS table drives the join, so tag filters are correlated ``EXISTS`` probes (one
  primary-key lookup per text hit); without one they are ``a.seq IN (...)`` lists that drive the scan,
  unless ``probes`` asks for ``EXISTS`` (searches that choose their own driver, see the store's ``sql``).
- ``fts_match``, when not ``None``, must be applied as ``articles_fts MATCH ?`` joined on
  ``articles_fts.rowid = a.seq``; it carries BM25 ranking and snippets. Text that cannot be expressed in
  one FTS expression (text ORed with a field, a negated text alone) goes into ``where`` as sub-queries.
- In FTS strings every word is a double-quoted FTS5 string with ``"`` doubled, so user text never becomes
  FTS syntax (operators, column filters, NEAR, ``^``); column names come from this module only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from vigil.errors import QueryError
from vigil.search.query.ast import And, DateRange, Field, MatchAll, Node, Not, Or, Phrase, Prefix, Term

FTS_TABLE = "articles_fts"
TAG_TABLES = {
    "country": "article_countries",
    "indicator": "article_indicators",
    "actor": "article_actors",
    "group": "article_groups",
}
"""Normalised tag tables: ``(value TEXT, seq INTEGER)`` with a primary key on ``(value, seq)``."""
COLUMN_FIELDS = {"lang": "a.language", "source": "a.source_domain"}
FTS_COLUMNS = {"title": "title", "text": "body"}

_TEXT = (Term, Phrase, Prefix)


class SqliteQuery(NamedTuple):
    where: str
    params: list[object]
    fts_match: str | None


def compile_sqlite(node: Node, *, probes: bool = False) -> SqliteQuery:
    """Compile ``node`` into ``(where_sql, params, fts_match | None)``.

    ``probes`` writes tag filters as correlated ``EXISTS`` probes even without text: for a caller that
    walks ``articles`` itself (a newest-first index, a driver set; see :mod:`vigil.search.sqlite.sql`).
    """
    conjuncts = list(node.children) if isinstance(node, And) else [node]
    positive: list[str] = []
    negative: list[str] = []
    rest: list[Node] = []
    for child in conjuncts:
        if _is_fts(child):
            positive.append(fts_expression(child))
        elif isinstance(child, Not) and _is_fts(child.child):
            negative.append(fts_expression(child.child))
        else:
            rest.append(child)
    params: list[object] = []
    correlated = bool(positive) or probes
    parts = [_sql(child, params, correlated) for child in rest if not isinstance(child, MatchAll)]
    match: str | None = None
    if positive:
        match = " AND ".join(f"({p})" for p in positive) + "".join(f" NOT ({n})" for n in negative)
    else:
        for neg in negative:
            parts.append(f"a.seq NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)")
            params.append(neg)
    where = " AND ".join(f"({p})" for p in parts) if parts else "1"
    return SqliteQuery(where, params, match)


def fts_quote(text: str) -> str:
    """``text`` as one FTS5 string: tokenized by the index tokenizer, never parsed as syntax."""
    return '"' + text.replace('"', '""') + '"'


def fts_expression(node: Node) -> str:
    """The FTS5 expression of a text-only subtree (see :func:`_is_fts`)."""
    if isinstance(node, Term | Phrase):
        return fts_quote(node.text)
    if isinstance(node, Prefix):
        return fts_quote(node.text) + " *"
    if isinstance(node, Field) and node.name in FTS_COLUMNS and isinstance(node.value, _TEXT):
        return f"{FTS_COLUMNS[node.name]} : ({fts_expression(node.value)})"
    if isinstance(node, Or):
        return " OR ".join(f"({fts_expression(c)})" for c in node.children)
    if isinstance(node, And):
        pos = [c for c in node.children if not isinstance(c, Not)]
        neg = [c.child for c in node.children if isinstance(c, Not)]
        return " AND ".join(f"({fts_expression(c)})" for c in pos) + "".join(
            f" NOT ({fts_expression(c)})" for c in neg)
    raise TypeError(f"not an FTS expression: {node!r}")


def _is_fts(node: Node) -> bool:
    """Whether ``node`` can be one FTS5 expression (FTS5's NOT is binary: it needs a positive side)."""
    if isinstance(node, _TEXT):
        return True
    if isinstance(node, Field):
        return node.name in FTS_COLUMNS
    if isinstance(node, Or):
        return all(_is_fts(c) for c in node.children)
    if isinstance(node, And):
        positives = [c for c in node.children if not isinstance(c, Not)]
        return bool(positives) and all(
            _is_fts(c.child) if isinstance(c, Not) else _is_fts(c) for c in node.children)
    return False


def _sql(node: Node, params: list[object], correlated: bool) -> str:
    if isinstance(node, MatchAll):
        return "1"
    if _is_fts(node):
        params.append(fts_expression(node))
        return f"a.seq IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
    if isinstance(node, And):
        return " AND ".join(f"({_sql(c, params, correlated)})" for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(f"({_sql(c, params, correlated)})" for c in node.children)
    if isinstance(node, Not):
        return f"NOT ({_sql(node.child, params, correlated)})"
    if isinstance(node, Field):
        return _field_sql(node, params, correlated)
    raise QueryError(f"cannot compile {type(node).__name__}")  # pragma: no cover


def _field_sql(node: Field, params: list[object], correlated: bool) -> str:
    value = node.value
    if isinstance(value, DateRange):
        return date_sql("a.published_at", value.start, value.end, params)
    if node.name == "review":
        pending = "NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_id = e.id)"
        if value.text != "pending":
            params.append(value.text)
            pending = "EXISTS (SELECT 1 FROM reviews r WHERE r.event_id = e.id AND r.status = ?)"
        if correlated:
            return f"EXISTS (SELECT 1 FROM events e WHERE e.seq = a.seq AND {pending})"
        return f"a.seq IN (SELECT e.seq FROM events e WHERE {pending})"
    if node.name in TAG_TABLES:
        cond = _value_condition("t.value", value, params)
        if correlated:
            return f"EXISTS (SELECT 1 FROM {TAG_TABLES[node.name]} t WHERE {cond} AND t.seq = a.seq)"
        return f"a.seq IN (SELECT t.seq FROM {TAG_TABLES[node.name]} t WHERE {cond})"
    if node.name in COLUMN_FIELDS:
        return _value_condition(COLUMN_FIELDS[node.name], value, params)
    raise QueryError(f"field {node.name!r} cannot be compiled for SQLite", position=node.pos)


def _value_condition(column: str, value: Term | Phrase | Prefix, params: list[object]) -> str:
    if isinstance(value, Prefix):
        params.extend([value.text, prefix_upper_bound(value.text)])
        return f"{column} >= ? AND {column} < ?"
    params.append(value.text)
    return f"{column} = ?"


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (index-friendly prefix)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def day_start(day: date) -> int:
    """Unix seconds of ``day`` 00:00 UTC."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def date_sql(column: str, start: date | None, end: date | None, params: list[object]) -> str:
    """``column`` (unix seconds) within the UTC days ``start``..``end`` inclusive."""
    parts = []
    if start is not None:
        parts.append(f"{column} >= ?")
        params.append(day_start(start))
    if end is not None:
        parts.append(f"{column} < ?")
        params.append(day_start(end + timedelta(days=1)))
    return " AND ".join(parts) or "1"
