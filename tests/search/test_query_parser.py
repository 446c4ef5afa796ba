from __future__ import annotations

from datetime import date

import pytest

from vigil.errors import QueryError
from vigil.search.query import And, DateRange, Field, MatchAll, Not, Or, Phrase, Prefix, Term, parse
from vigil.search.query.ast import leaves


def test_empty_query_matches_all() -> None:
    assert parse("") == MatchAll()
    assert parse("   ") == MatchAll()


def test_words_are_implicitly_anded() -> None:
    assert parse("sudan massacre") == And((Term("sudan"), Term("massacre")))


def test_precedence_not_and_or() -> None:
    assert parse("a b OR c NOT d") == Or((And((Term("a"), Term("b"))), And((Term("c"), Not(Term("d"))))))


def test_parentheses_group_and_nested_same_operators_flatten() -> None:
    assert parse("(a OR b) AND (c AND d)") == And((Or((Term("a"), Term("b"))), Term("c"), Term("d")))
    assert parse("a OR (b OR c)") == Or((Term("a"), Term("b"), Term("c")))


def test_minus_is_not_and_plus_is_required() -> None:
    assert parse("genocide -film +sudan") == And((Term("genocide"), Not(Term("film")), Term("sudan")))


def test_hyphen_inside_a_word_stays_a_word() -> None:
    assert parse("well-known") == Term("well-known")


def test_lowercase_operators_are_words() -> None:
    assert parse("war and peace") == And((Term("war"), Term("and"), Term("peace")))


def test_phrase_and_prefix() -> None:
    assert parse('"ethnic cleansing" OR massac*') == Or((Phrase("ethnic cleansing"), Prefix("massac")))


def test_positions_are_recorded() -> None:
    node = parse("alpha  beta")
    assert isinstance(node, And)
    assert [c.pos for c in node.children] == [0, 7]


@pytest.mark.parametrize(("query", "expected"), [
    ("country:sd", Field("country", Term("SD"))),
    ("indicator:Mass_Killing", Field("indicator", Term("mass_killing"))),
    ("actor:rsf", Field("actor", Term("rsf"))),
    ("group:masalit", Field("group", Term("masalit"))),
    ("lang:AR", Field("lang", Term("ar"))),
    ("language:fr", Field("lang", Term("fr"))),
    ("source:www.Example.org", Field("source", Term("example.org"))),
    ("review:confirmed", Field("review", Term("confirmed"))),
    ('title:"north valley"', Field("title", Phrase("north valley"))),
    ("text:massac*", Field("text", Prefix("massac"))),
    ("date:2026-01-01..2026-03-31", Field("date", DateRange(date(2026, 1, 1), date(2026, 3, 31)))),
    ("date:2026-02", Field("date", DateRange(date(2026, 2, 1), date(2026, 2, 28)))),
    ("date:2026", Field("date", DateRange(date(2026, 1, 1), date(2026, 12, 31)))),
    ("date:2026-01-05..", Field("date", DateRange(date(2026, 1, 5), None))),
    ("date:..2026-01", Field("date", DateRange(None, date(2026, 1, 31)))),
])
def test_fields(query: str, expected: Field) -> None:
    assert parse(query) == expected


def test_field_applies_to_a_group() -> None:
    assert parse("country:(SD OR ss)") == Or((Field("country", Term("SD")), Field("country", Term("SS"))))


def test_field_with_phrase_value() -> None:
    assert parse('group:"nuba people"') == Field("group", Phrase("nuba people"))


def test_escaped_colon_and_star_are_literal() -> None:
    assert parse(r"ratio\:2 a\*b") == And((Term("ratio:2"), Term("a*b")))


def test_escaped_quote_in_phrase() -> None:
    assert parse(r'"say \"no\""') == Phrase('say "no"')


def test_punctuation_only_words_are_dropped() -> None:
    assert parse("sudan & chad") == And((Term("sudan"), Term("chad")))


def test_colon_after_digits_is_text() -> None:
    assert parse("10:30") == Term("10:30")


@pytest.mark.parametrize(("query", "position", "fragment"), [
    ('"unclosed phrase', 0, "unclosed quote"),
    ("a (b OR c", 2, "unclosed '('"),
    ("a b)", 3, "unbalanced ')'"),
    ("()", 0, "empty parentheses"),
    ("a AND", 2, "AND needs"),
    ("OR a", 0, "OR needs a search term before"),
    ("a OR OR b", 5, "OR needs"),
    ("NOT", 0, "NOT needs"),
    ("*cide", 0, "leading wildcards"),
    ("ge*ocide", 2, "only allowed at the end"),
    ("ge*", 0, "at least 3"),
    ("contry:SD", 0, "did you mean 'country'"),
    ("https://example.org/a", 0, "unknown field 'https'"),
    ("country:Sudan", 8, "two-letter ISO"),
    ("lang:arabic", 5, "ISO 639-1"),
    ("review:maybe", 7, "confirmed"),
    ("date:2026-13-01", 5, "invalid date"),
    ("date:yesterday", 5, "YYYY-MM-DD"),
    ("date:2026-03-01..2026-01-01", 5, "starts after it ends"),
    ("date:..", 5, "at least one end"),
    ("country: SD", 8, "expected a value"),
    ("country:(SD OR lang:ar)", 15, "cannot be nested"),
])
def test_errors_point_at_the_position(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    assert info.value.position == position
    assert fragment in str(info.value)
    assert info.value.query == query
    assert info.value.pointer().splitlines()[-1] == "  " + " " * position + "^"


def test_unknown_field_lists_the_valid_fields() -> None:
    with pytest.raises(QueryError, match="valid fields: actor, country, date, group, indicator, lang"):
        parse("colour:red")


def test_clause_limit() -> None:
    assert len(leaves(parse(" ".join(f"w{i}" for i in range(64))))) == 64
    with pytest.raises(QueryError, match="65 clauses; at most 64") as info:
        parse(" ".join(f"w{i}" for i in range(65)))
    assert info.value.position == len(" ".join(f"w{i}" for i in range(64))) + 1
    with pytest.raises(QueryError, match="at most 3"):
        parse("a b c d", max_clauses=3)


def test_nesting_and_length_limits() -> None:
    with pytest.raises(QueryError, match="nested more than"):
        parse("(" * 40 + "a" + ")" * 40)
    with pytest.raises(QueryError, match="longer than"):
        parse("a" * 5000)


def test_unbalanced_quote_injection_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="unclosed quote") as info:
        parse('sudan "); DROP TABLE articles; --')
    assert info.value.position == 6


@pytest.mark.parametrize("query", [
    r'"\"); DROP TABLE articles; --"',
    "'; DELETE FROM articles WHERE 1=1; --",
    'NEAR(genocide sudan, 5)',
    "title:x^2 {title body}",
])
def test_injection_attempts_parse_to_plain_leaves(query: str) -> None:
    node = parse(query)
    for leaf in leaves(node):
        assert isinstance(leaf, Term | Phrase | Field)
    assert "DROP TABLE articles; --" in repr(node) or "DELETE" in repr(node) or "NEAR" in repr(node) \
        or "x^2" in repr(node)
