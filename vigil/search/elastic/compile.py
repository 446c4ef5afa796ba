"""Compile a query AST (:mod:`vigil.search.query.ast`) to the Elasticsearch query DSL (pure, no I/O).

User text only ever becomes the *value* of ``multi_match``/``match_phrase``/``prefix``/``term``/``range``
queries; no ``query_string`` or ``simple_query_string`` is built, so no input is parsed as ES syntax.

Semantics follow the SQLite compiler (:mod:`vigil.search.query.sqlite`), so both stores return the same
documents:

- a word or phrase matches, adjacent and in order, in the title or in the body (an FTS5 string is a
  phrase of its tokens: ``al-Fashir`` is the phrase ``al fashir``); ``title:``/``text:`` restrict the field;
- a prefix matches any word starting with it (both fields), folded as the index analyzer folds;
- keyword fields match the stored (normalised) value exactly, or its prefix;
- ``date:`` is a range of whole UTC days; ``review:`` matches articles with an event in that state.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from vigil.errors import QueryError
from vigil.search.query.ast import And, DateRange, Field, MatchAll, Node, Not, Or, Phrase, Prefix, Term

Query = dict[str, Any]

TEXT_FIELDS = ("title^4", "body")
"""Fields of an unqualified word, with BM25 weights (a title match counts as four body matches)."""
FIELD_TEXT = {"title": "title", "text": "body"}
KEYWORD_FIELDS = {
    "country": "countries", "indicator": "indicators", "actor": "actors", "group": "groups",
    "lang": "language", "source": "source_domain", "review": "review",
}
"""Query-language field -> keyword field of the article document."""

_TEXT_LEAVES = (Term, Phrase, Prefix)
_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i",
                       "ð": "d", "ħ": "h"})


def fold_words(text: str) -> list[str]:
    """The words ``text`` becomes under the ``vigil_text`` analyzer (lower case, accents removed)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(stripped)


def compile_es(node: Node) -> Query:
    """The ES query matching exactly the documents ``node`` matches."""
    if isinstance(node, MatchAll):
        return {"match_all": {}}
    if isinstance(node, Term | Phrase):
        return _phrase(node.text, TEXT_FIELDS)
    if isinstance(node, Prefix):
        return _prefix(node.text, TEXT_FIELDS)
    if isinstance(node, Field):
        return _field(node)
    if isinstance(node, And):
        return _and(node.children)
    if isinstance(node, Or):
        return {"bool": {"should": [compile_es(c) for c in node.children], "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_es(node.child)]}}
    raise QueryError(f"cannot compile {type(node).__name__} for Elasticsearch")  # pragma: no cover


def scores(node: Node) -> bool:
    """Whether ``node`` has a positive text clause (one that gives BM25 a score to rank by)."""
    if isinstance(node, _TEXT_LEAVES):
        return True
    if isinstance(node, Field):
        return node.name in FIELD_TEXT
    if isinstance(node, And | Or):
        return any(scores(c) for c in node.children)
    return False


def positive_text(node: Node) -> list[str]:
    """Words and phrases of the positive text clauses (for the stemmed-field ranking boost)."""
    if isinstance(node, _TEXT_LEAVES):
        return [node.text]
    if isinstance(node, Field) and node.name in FIELD_TEXT and isinstance(node.value, _TEXT_LEAVES):
        return [node.value.text]
    if isinstance(node, And | Or):
        return [text for c in node.children for text in positive_text(c)]
    return []


def date_range(field: str, start: date | None, end: date | None) -> Query:
    """``field`` within the UTC days ``start``..``end`` inclusive (either end open)."""
    bounds: dict[str, str] = {}
    if start is not None:
        bounds["gte"] = f"{start.isoformat()}T00:00:00Z"
    if end is not None:
        bounds["lt"] = f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z"
    if not bounds:
        return {"match_all": {}}
    return {"range": {field: bounds}}


def _and(children: tuple[Node, ...]) -> Query:
    must: list[Query] = []
    filters: list[Query] = []
    must_not: list[Query] = []
    for child in children:
        if isinstance(child, Not):
            must_not.append(compile_es(child.child))
        elif isinstance(child, MatchAll):
            continue
        elif scores(child):
            must.append(compile_es(child))
        else:
            filters.append(compile_es(child))
    clauses = {"must": must, "filter": filters, "must_not": must_not}
    return {"bool": {k: v for k, v in clauses.items() if v}}


def _phrase(text: str, fields: tuple[str, ...]) -> Query:
    if len(fields) == 1:
        return {"match_phrase": {fields[0]: {"query": text}}}
    return {"multi_match": {"query": text, "type": "phrase", "fields": list(fields)}}


def _prefix(text: str, fields: tuple[str, ...]) -> Query:
    words = fold_words(text)
    if not words:
        return {"match_none": {}}
    if len(words) > 1:  # FTS5: the phrase of the words, the last one a prefix
        phrase = " ".join(words)
        if len(fields) == 1:
            return {"match_phrase_prefix": {fields[0]: {"query": phrase}}}
        return {"multi_match": {"query": phrase, "type": "phrase_prefix", "fields": list(fields)}}
    queries: list[Query] = []
    for field in fields:
        name, _, boost = field.partition("^")
        options: dict[str, Any] = {"value": words[0]}
        if boost:
            options["boost"] = float(boost)
        queries.append({"prefix": {name: options}})
    return queries[0] if len(queries) == 1 else {"bool": {"should": queries, "minimum_should_match": 1}}


def _field(node: Field) -> Query:
    value = node.value
    if isinstance(value, DateRange):
        return date_range("published_at", value.start, value.end)
    if node.name in FIELD_TEXT:
        fields = (FIELD_TEXT[node.name],)
        return _prefix(value.text, fields) if isinstance(value, Prefix) else _phrase(value.text, fields)
    if node.name in KEYWORD_FIELDS:
        name = KEYWORD_FIELDS[node.name]
        if isinstance(value, Prefix):
            return {"prefix": {name: {"value": value.text}}}
        return {"term": {name: {"value": value.text}}}
    raise QueryError(f"field {node.name!r} cannot be compiled for Elasticsearch", position=node.pos)
