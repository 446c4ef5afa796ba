from __future__ import annotations

import sqlite3
from datetime import date

from vigil.search.query import compile_sqlite, parse
from vigil.search.query.sqlite import day_start, fts_quote, prefix_upper_bound
from vigil.search.sqlite.schema import migrate


def test_text_only_query_becomes_one_fts_match() -> None:
    where, params, match = compile_sqlite(parse('sudan "ethnic cleansing" massac* -film'))
    assert where == "1"
    assert params == []
    assert match == '("sudan") AND ("ethnic cleansing") AND ("massac" *) NOT ("film")'


def test_or_of_text_stays_in_fts() -> None:
    assert compile_sqlite(parse("a OR (b c)")).fts_match == '(("a") OR (("b") AND ("c")))'


def test_fields_become_bound_sql() -> None:
    where, params, match = compile_sqlite(parse("genocide country:SD lang:ar source:example.org"))
    assert match == '("genocide")'
    assert where == ("(EXISTS (SELECT 1 FROM article_countries t WHERE t.value = ? AND t.seq = a.seq)) "
                     "AND (a.language = ?) AND (a.source_domain = ?)")
    assert params == ["SD", "ar", "example.org"]


def test_date_range_is_bound_as_unix_seconds() -> None:
    where, params, _ = compile_sqlite(parse("date:2026-01-01..2026-01-31"))
    assert where == "(a.published_at >= ? AND a.published_at < ?)"
    assert params == [day_start(date(2026, 1, 1)), day_start(date(2026, 2, 1))]


def test_keyword_prefix_is_an_index_range() -> None:
    where, params, _ = compile_sqlite(parse("indicator:mass*"))
    assert where == "(a.seq IN (SELECT t.seq FROM article_indicators t WHERE t.value >= ? AND t.value < ?))"
    assert params == ["mass", "mast"]
    assert prefix_upper_bound("ab") == "ac"


def test_text_or_field_goes_to_sql_subquery() -> None:
    where, params, match = compile_sqlite(parse("genocide OR country:SD"))
    assert match is None
    assert where == ("((a.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)) OR "
                     "(a.seq IN (SELECT t.seq FROM article_countries t WHERE t.value = ?)))")
    assert params == ['"genocide"', "SD"]


def test_negated_text_alone_is_not_in() -> None:
    where, params, match = compile_sqlite(parse("-film country:SD"))
    assert match is None
    assert "a.seq NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)" in where
    assert params == ["SD", '"film"']


def test_text_fields_are_fts_column_filters() -> None:
    assert compile_sqlite(parse('title:"north valley" text:water')).fts_match == \
        '(title : ("north valley")) AND (body : ("water"))'


def test_review_fields() -> None:
    where, params, _ = compile_sqlite(parse("review:confirmed"))
    assert "r.status = ?" in where and where.startswith("(a.seq IN") and params == ["confirmed"]
    where, params, _ = compile_sqlite(parse("massacre review:rejected"))
    assert where.startswith("(EXISTS (SELECT 1 FROM events e WHERE e.seq = a.seq") and params == ["rejected"]
    where, params, _ = compile_sqlite(parse("review:pending"))
    assert "NOT EXISTS" in where and params == []


def test_match_all() -> None:
    assert compile_sqlite(parse("")) == ("1", [], None)


def test_user_quotes_are_doubled_never_closing_the_fts_string() -> None:
    assert fts_quote('say "no" OR x') == '"say ""no"" OR x"'
    _, params, match = compile_sqlite(parse(r'"\"); DROP TABLE articles; --"'))
    assert match == '("""); DROP TABLE articles; --")'
    assert params == []


def test_compiled_sql_runs_against_the_schema() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    migrate(db)
    for query in ["genocide OR country:SD", "-film review:pending", 'title:"a b" NOT (c OR lang:fr)',
                  "indicator:mass* date:2026..", '"\\"); DROP TABLE articles; --"', "NEAR(a b) col:x^2"]:
        where, params, match = compile_sqlite(parse(query.replace("col:", "")))
        sql = f"SELECT count(*) FROM articles a WHERE {where}"
        if match is not None:
            sql = ("SELECT count(*) FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
                   f"WHERE articles_fts MATCH ? AND {where}")
            params = [match, *params]
        assert db.execute(sql, params).fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
