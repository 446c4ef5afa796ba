r"""Parse Vigil's Lucene-like query language into an AST (:mod:`vigil.search.query.ast`).

Syntax, as researchers know it from Lucene / Media Cloud:

- ``sudan massacre``: words; juxtaposition means AND (``sudan AND massacre``).
- ``"ethnic cleansing"``: a phrase (words adjacent, in order).
- ``massac*``: a prefix (trailing ``*`` only; leading or inner wildcards are refused).
- ``AND``, ``OR``, ``NOT`` (upper case only; lower-case ``and`` is a word), ``-word`` means ``NOT word``,
  ``+word`` means ``word``; parentheses group. Precedence: NOT, then AND, then OR.
- ``field:value``: ``country:SD``, ``indicator:mass_killing``, ``actor:rsf``, ``group:masalit``,
  ``lang:ar``, ``source:example.org``, ``review:confirmed``, ``title:word``, ``text:"a phrase"``,
  ``date:2026-01-01..2026-03-31`` (also ``date:2026-02``, ``date:2026``, open ends ``2026-01-01..``).
  A field applies to a group: ``country:(SD OR SS)``. ``FIELDS`` lists them; unknown names are errors.

Quoting and escaping: inside ``"..."`` a backslash escapes ``"`` and ``\``; outside quotes a backslash
makes the next character literal (``\:``, ``\*``, ``\(``, ``\-``), and a word containing an unescaped
colon after letters is a field, so quote URLs and times (``"https://example.org"``). Words with no letter
or digit (``&``, ``-``) are dropped, as the index tokenizer would. Leaves keep the user's text; compilers
quote or bind it, so no input reaches SQL or FTS syntax.

Bounds: at most ``max_clauses`` leaves, ``MAX_QUERY_CHARS`` characters and ``MAX_DEPTH`` nesting;
prefixes need ``MIN_PREFIX_CHARS`` characters. Errors are :class:`vigil.errors.QueryError` with the
offending ``position``.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date

from vigil.errors import QueryError
from vigil.search.query.ast import (
    And,
    DateRange,
    Field,
    FieldValue,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    leaves,
)

MAX_CLAUSES = 64
MAX_QUERY_CHARS = 4096
MAX_DEPTH = 32
MIN_PREFIX_CHARS = 3

KEYWORD_FIELDS = ("country", "indicator", "actor", "group", "lang", "source", "review")
TEXT_FIELDS = ("title", "text")
FIELDS = (*KEYWORD_FIELDS, *TEXT_FIELDS, "date")
"""Canonical field names accepted in ``name:value``."""

ALIASES = {"language": "lang", "domain": "source", "category": "indicator", "body": "text"}
REVIEW_STATUSES = ("pending", "confirmed", "rejected", "corrected")
"""``review:`` values: articles with an event in that review state (pending = not reviewed yet)."""

_COUNTRY = re.compile(r"[A-Z]{2}")
_LANG = re.compile(r"[a-z]{2,3}")
_SLUG = re.compile(r"[\w.\-]+")
_DAY = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_FIELD_NAME = re.compile(r"[A-Za-z_]+")


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD LPAREN RPAREN AND OR NOT MINUS EOF
    text: str
    pos: int
    stars: tuple[int, ...] = ()  # offsets (in text) of unescaped '*'
    glued: bool = False  # FIELD: the value starts right after the colon


def parse(text: str, *, max_clauses: int = MAX_CLAUSES) -> Node:
    """Parse ``text`` into an AST; raise :class:`QueryError` (with position) when it is malformed."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is longer than {MAX_QUERY_CHARS} characters", query=text,
                         position=MAX_QUERY_CHARS)
    tokens = _tokenize(text)
    node = _Parser(text, tokens).parse()
    clauses = leaves(node)
    if len(clauses) > max_clauses:
        raise QueryError(f"query has {len(clauses)} clauses; at most {max_clauses} are allowed",
                         query=text, position=getattr(clauses[max_clauses], "pos", 0))
    return node


# --------------------------------------------------------------------------- tokenizer


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Tok("LPAREN" if ch == "(" else "RPAREN", ch, i))
            i += 1
        elif ch == '"':
            phrase, i = _read_phrase(text, i)
            tokens.append(phrase)
        elif ch in "-+" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "-+)":
            if ch == "-":
                tokens.append(_Tok("MINUS", ch, i))
            i += 1
        else:
            word, i = _read_word(text, i)
            tokens.extend(word)
    tokens.append(_Tok("EOF", "", n))
    return tokens


def _read_phrase(text: str, start: int) -> tuple[_Tok, int]:
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == '"':
            return _Tok("PHRASE", "".join(out), start), i + 1
        else:
            out.append(ch)
            i += 1
    raise QueryError("unclosed quote: add a closing \"", query=text, position=start)


def _read_word(text: str, start: int) -> tuple[list[_Tok], int]:
    out: list[str] = []
    stars: list[int] = []
    colon: int | None = None
    i = start
    while i < len(text):
        ch = text[i]
        if ch.isspace() or ch in '()"':
            break
        if ch == "\\":
            if i + 1 < len(text):
                out.append(text[i + 1])
            i += 2
            continue
        if ch == "*":
            stars.append(len(out))
        elif ch == ":" and colon is None:
            colon = len(out)
        out.append(ch)
        i += 1
    word = "".join(out)
    if colon is not None and colon > 0 and _FIELD_NAME.fullmatch(word[:colon]):
        name_tok = _Tok("FIELD", word[:colon], start, glued=True)
        rest = word[colon + 1:]
        if not rest:
            glued = i < len(text) and text[i] in '("'
            return [_Tok("FIELD", word[:colon], start, glued=glued)], i
        value_pos = start + (text[start:i].index(":") + 1)
        rest_stars = tuple(s - colon - 1 for s in stars if s > colon)
        return [name_tok, _Tok("WORD", rest, value_pos, rest_stars)], i
    if not stars and word in ("AND", "OR", "NOT"):
        return [_Tok(word, word, start)], i
    if not any(c.isalnum() for c in word):
        return [], i  # punctuation only: the index tokenizer would drop it too
    return [_Tok("WORD", word, start, tuple(stars))], i


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, tokens: list[_Tok]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def error(self, message: str, position: int) -> QueryError:
        return QueryError(message, query=self.text, position=position)

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def advance(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.tok.kind == "EOF":
            return MatchAll()
        node = self.parse_or(None)
        if self.tok.kind == "RPAREN":
            raise self.error("unbalanced ')': no '(' to close", self.tok.pos)
        if self.tok.kind != "EOF":  # pragma: no cover - parse_and consumes everything else
            raise self.error(f"unexpected {self.tok.text!r}", self.tok.pos)
        return node

    def parse_or(self, field: str | None) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"query is nested more than {MAX_DEPTH} levels deep", self.tok.pos)
        start = self.tok.pos
        children = [self.parse_and(field)]
        while self.tok.kind == "OR":
            op = self.advance()
            if self.tok.kind in ("EOF", "RPAREN", "OR", "AND"):
                raise self.error("OR needs a search term after it", self.tok.pos if self.tok.kind != "EOF"
                                 else op.pos)
            children.append(self.parse_and(field))
        self.depth -= 1
        return children[0] if len(children) == 1 else Or(_flatten(Or, children), start)

    def parse_and(self, field: str | None) -> Node:
        start = self.tok.pos
        children = [self.parse_unary(field)]
        while self.tok.kind not in ("OR", "RPAREN", "EOF"):
            if self.tok.kind == "AND":
                op = self.advance()
                if self.tok.kind in ("EOF", "RPAREN", "OR", "AND"):
                    raise self.error("AND needs a search term after it",
                                     self.tok.pos if self.tok.kind != "EOF" else op.pos)
            children.append(self.parse_unary(field))
        return children[0] if len(children) == 1 else And(_flatten(And, children), start)

    def parse_unary(self, field: str | None) -> Node:
        tok = self.tok
        if tok.kind in ("NOT", "MINUS"):
            self.advance()
            if self.tok.kind in ("EOF", "RPAREN", "OR", "AND"):
                raise self.error(f"{'NOT' if tok.kind == 'NOT' else '-'} needs a search term after it",
                                 tok.pos)
            return Not(self.parse_unary(field), tok.pos)
        return self.parse_primary(field)

    def parse_primary(self, field: str | None) -> Node:
        tok = self.tok
        if tok.kind == "LPAREN":
            self.advance()
            if self.tok.kind == "RPAREN":
                raise self.error("empty parentheses", tok.pos)
            node = self.parse_or(field)
            if self.tok.kind != "RPAREN":
                raise self.error("unclosed '(': add a closing ')'", tok.pos)
            self.advance()
            return node
        if tok.kind == "PHRASE":
            self.advance()
            phrase = Phrase(tok.text, tok.pos)
            return _field(self, field, phrase, tok.pos) if field else phrase
        if tok.kind == "WORD":
            self.advance()
            return self.word(tok, field)
        if tok.kind == "FIELD":
            return self.field(field)
        if tok.kind in ("AND", "OR"):
            raise self.error(f"{tok.kind} needs a search term before it", tok.pos)
        if tok.kind == "RPAREN":
            raise self.error("unbalanced ')': no '(' to close", tok.pos)
        raise self.error("expected a search term", tok.pos)  # pragma: no cover - EOF is caught earlier

    def word(self, tok: _Tok, field: str | None) -> Node:
        if field == "date":
            return _field(self, field, _date_range(self, tok.text, tok.pos), tok.pos)
        value: Term | Prefix
        if tok.stars:
            if tok.stars[0] == 0:
                raise self.error("leading wildcards are not allowed (they scan the whole index)", tok.pos)
            if tok.stars != (len(tok.text) - 1,):
                raise self.error("'*' is only allowed at the end of a word", tok.pos + tok.stars[0])
            stem = tok.text[:-1]
            if len(stem) < MIN_PREFIX_CHARS:
                raise self.error(f"a prefix needs at least {MIN_PREFIX_CHARS} characters before '*'", tok.pos)
            value = Prefix(stem, tok.pos)
        else:
            value = Term(tok.text, tok.pos)
        return _field(self, field, value, tok.pos) if field else value

    def field(self, outer: str | None) -> Node:
        tok = self.advance()
        name = _field_name(self, tok)
        if outer is not None:
            raise self.error("fields cannot be nested inside another field's parentheses", tok.pos)
        nxt = self.tok
        if not tok.glued or nxt.kind not in ("WORD", "PHRASE", "LPAREN"):
            raise self.error(f"expected a value right after '{tok.text}:'", tok.pos + len(tok.text) + 1)
        return self.parse_primary(name)


def _flatten(kind: type[And] | type[Or], children: list[Node]) -> tuple[Node, ...]:
    out: list[Node] = []
    for child in children:
        if isinstance(child, kind):
            out.extend(child.children)
        else:
            out.append(child)
    return tuple(out)


def _field_name(p: _Parser, tok: _Tok) -> str:
    raw = tok.text.lower()
    name = ALIASES.get(raw, raw)
    if name not in FIELDS:
        close = difflib.get_close_matches(raw, [*FIELDS, *ALIASES], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise p.error(f"unknown field '{tok.text}'{hint}; valid fields: {', '.join(sorted(FIELDS))}. "
                      "To search for text containing ':', put it in quotes", tok.pos)
    return name


def _field(p: _Parser, name: str, value: FieldValue, pos: int) -> Field:
    if name == "date":
        if not isinstance(value, DateRange):
            raise p.error("date expects YYYY-MM-DD, YYYY-MM or YYYY, or a range a..b", pos)
        return Field(name, value, pos)
    if name in TEXT_FIELDS:
        return Field(name, value, pos)
    assert not isinstance(value, DateRange)
    text = value.text.strip()
    if name == "country":
        text = text.upper()
        if isinstance(value, Term) and not _COUNTRY.fullmatch(text):
            raise p.error(f"country expects a two-letter ISO 3166 code such as SD, not {value.text!r}", pos)
    elif name == "lang":
        text = text.lower()
        if isinstance(value, Term) and not _LANG.fullmatch(text):
            raise p.error(f"lang expects an ISO 639-1 code such as ar, not {value.text!r}", pos)
    elif name == "review":
        text = text.lower()
        if text not in REVIEW_STATUSES:
            raise p.error(f"review expects one of {', '.join(REVIEW_STATUSES)}, not {value.text!r}", pos)
        value = Term(text, value.pos)
    elif name == "source":
        text = text.lower().removeprefix("www.")
    else:
        text = text.lower()
    if not text or (name != "review" and not _SLUG.fullmatch(text.replace(" ", "_"))):
        raise p.error(f"{name} expects an identifier such as {_EXAMPLES[name]}, not {value.text!r}", pos)
    return Field(name, type(value)(text, value.pos), pos)


_EXAMPLES = {"country": "SD", "indicator": "mass_killing", "actor": "rsf", "group": "masalit",
             "lang": "ar", "source": "example.org", "review": "confirmed"}


def _date_range(p: _Parser, text: str, pos: int) -> DateRange:
    if ".." in text:
        lo_text, _, hi_text = text.partition("..")
        lo = _parse_day(p, lo_text, pos, end=False) if lo_text else None
        hi = _parse_day(p, hi_text, pos + len(lo_text) + 2, end=True) if hi_text else None
        if lo is None and hi is None:
            raise p.error("date range needs at least one end", pos)
    else:
        lo = _parse_day(p, text, pos, end=False)
        hi = _parse_day(p, text, pos, end=True)
    if lo and hi and lo > hi:
        raise p.error(f"date range starts after it ends ({lo} > {hi})", pos)
    return DateRange(lo, hi, pos)


def _parse_day(p: _Parser, text: str, pos: int, *, end: bool) -> date:
    m = _DAY.fullmatch(text)
    if not m:
        raise p.error(f"date expects YYYY-MM-DD, YYYY-MM or YYYY, not {text!r}", pos)
    try:
        year = int(m[1])
        month = int(m[2]) if m[2] else (12 if end else 1)
        if m[3]:
            return date(year, month, int(m[3]))
        day = calendar.monthrange(year, month)[1] if end else 1
        return date(year, month, day)
    except ValueError as exc:
        raise p.error(f"invalid date {text!r}: {exc}", pos) from exc
