"""Vigil's query language: one parser, one AST, a compiler per backend."""

from __future__ import annotations

from vigil.search.query.ast import And, DateRange, Field, MatchAll, Node, Not, Or, Phrase, Prefix, Term
from vigil.search.query.parser import FIELDS, parse
from vigil.search.query.sqlite import SqliteQuery, compile_sqlite

__all__ = ["FIELDS", "And", "DateRange", "Field", "MatchAll", "Node", "Not", "Or", "Phrase", "Prefix",
           "SqliteQuery", "Term", "compile_sqlite", "parse"]
