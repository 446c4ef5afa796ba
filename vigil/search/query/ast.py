"""The query AST: frozen dataclasses produced by :func:`vigil.search.query.parser.parse`.

Every backend compiles the same tree (``compile_sqlite`` here, the Elasticsearch DSL elsewhere).
``pos`` is the offset of the node in the query text; it is excluded from equality so trees can be
compared in tests without positions.

Leaves carry *user text*, never syntax: compilers must quote or bind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias


@dataclass(frozen=True)
class Term:
    """One word, matched in title and body (after the backend's tokenizer: case and accents folded)."""

    text: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Phrase:
    """Words in this order, adjacent (``"ethnic cleansing"``)."""

    text: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Prefix:
    """Words starting with ``text`` (``massac*``); never a leading wildcard."""

    text: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DateRange:
    """Published between ``start`` and ``end`` inclusive (UTC days); either end may be open."""

    start: date | None
    end: date | None
    pos: int = field(default=0, compare=False)


FieldValue: TypeAlias = Term | Phrase | Prefix | DateRange


@dataclass(frozen=True)
class Field:
    """``name:value``; ``name`` is canonical (see ``parser.FIELDS``), values of keyword fields normalised.

    Keyword fields (country, indicator, actor, group, lang, source, review) match the value exactly
    (a ``Prefix`` value matches values starting with it); text fields (title, text) search one column;
    ``date`` always holds a ``DateRange``.
    """

    name: str
    value: FieldValue
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    child: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class MatchAll:
    """The empty query: every document."""

    pos: int = field(default=0, compare=False)


Node: TypeAlias = Term | Phrase | Prefix | Field | And | Or | Not | MatchAll


def leaves(node: Node) -> list[Node]:
    """The clauses of a tree (terms, phrases, prefixes, fields), in order."""
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in leaves(child)]
    if isinstance(node, Not):
        return leaves(node.child)
    if isinstance(node, MatchAll):
        return []
    return [node]
