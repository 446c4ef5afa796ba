"""The query AST compiled to the Elasticsearch DSL: exact request shapes, no server needed."""

from __future__ import annotations

import json

import pytest

from vigil.search.elastic.compile import compile_es, fold_words, positive_text, scores
from vigil.search.query import parse

TEXT = ["title^4", "body"]


def es(query: str) -> dict[str, object]:
    return compile_es(parse(query))


def phrase(text: str) -> dict[str, object]:
    return {"multi_match": {"query": text, "type": "phrase", "fields": TEXT}}


def test_empty_query_matches_all() -> None:
    assert es("") == {"match_all": {}}


def test_word_and_phrase_match_title_or_body_as_phrases() -> None:
    assert es("massacre") == phrase("massacre")
    assert es('"ethnic cleansing"') == phrase("ethnic cleansing")


def test_words_text_and_negation() -> None:
    assert es('sudan "ethnic cleansing" massac* -film') == {"bool": {
        "must": [phrase("sudan"), phrase("ethnic cleansing"),
                 {"bool": {"should": [{"prefix": {"title": {"value": "massac", "boost": 4.0}}},
                                      {"prefix": {"body": {"value": "massac"}}}],
                           "minimum_should_match": 1}}],
        "must_not": [phrase("film")],
    }}


def test_keyword_fields_are_unscored_filters() -> None:
    assert es("genocide country:SD lang:ar source:www.Example.org") == {"bool": {
        "must": [phrase("genocide")],
        "filter": [{"term": {"countries": {"value": "SD"}}}, {"term": {"language": {"value": "ar"}}},
                   {"term": {"source_domain": {"value": "example.org"}}}],
    }}


def test_every_keyword_field_has_its_document_field() -> None:
    assert es("indicator:mass_killing") == {"term": {"indicators": {"value": "mass_killing"}}}
    assert es("actor:RSF") == {"term": {"actors": {"value": "rsf"}}}
    assert es("group:masalit") == {"term": {"groups": {"value": "masalit"}}}
    assert es("review:Confirmed") == {"term": {"review": {"value": "confirmed"}}}
    assert es("indicator:mass*") == {"prefix": {"indicators": {"value": "mass"}}}


def test_field_groups_or_and_not() -> None:
    assert es("country:(KE OR FR)") == {"bool": {"should": [{"term": {"countries": {"value": "KE"}}},
                                                            {"term": {"countries": {"value": "FR"}}}],
                                                 "minimum_should_match": 1}}
    assert es("NOT country:SD") == {"bool": {"must_not": [{"term": {"countries": {"value": "SD"}}}]}}
    assert es("-country:SD -lang:en") == {"bool": {"must_not": [{"term": {"countries": {"value": "SD"}}},
                                                                {"term": {"language": {"value": "en"}}}]}}


def test_text_or_field_is_one_should() -> None:
    assert es("festival OR country:MM") == {"bool": {
        "should": [phrase("festival"), {"term": {"countries": {"value": "MM"}}}], "minimum_should_match": 1}}


def test_title_and_text_fields_search_one_field() -> None:
    assert es("text:river -title:river") == {"bool": {
        "must": [{"match_phrase": {"body": {"query": "river"}}}],
        "must_not": [{"match_phrase": {"title": {"query": "river"}}}],
    }}
    assert es('title:"mass grave"') == {"match_phrase": {"title": {"query": "mass grave"}}}
    assert es("title:massac*") == {"prefix": {"title": {"value": "massac"}}}


def test_dates_are_whole_utc_days() -> None:
    assert es("date:2026-01-01..2026-01-31") == {
        "range": {"published_at": {"gte": "2026-01-01T00:00:00Z", "lt": "2026-02-01T00:00:00Z"}}}
    assert es("date:2026-02") == {
        "range": {"published_at": {"gte": "2026-02-01T00:00:00Z", "lt": "2026-03-01T00:00:00Z"}}}
    assert es("date:..2026-01-31") == {"range": {"published_at": {"lt": "2026-02-01T00:00:00Z"}}}


def test_prefixes_are_folded_like_the_index_analyzer() -> None:
    assert es("GÉNOC*") == {"bool": {"should": [{"prefix": {"title": {"value": "genoc", "boost": 4.0}}},
                                                 {"prefix": {"body": {"value": "genoc"}}}],
                                      "minimum_should_match": 1}}
    assert es(r"al\-fash*") == {"multi_match": {"query": "al fash", "type": "phrase_prefix", "fields": TEXT}}
    assert fold_words("Ærø Straße, l'Œuvre déjà-vu_2") == ["aero", "strasse", "l", "oeuvre", "deja", "vu", "2"]


@pytest.mark.parametrize("query", [
    r'"\"); DROP TABLE articles; --"', "'; DELETE FROM articles; --", "NEAR(massacre river, 3)",
    "massacre^4", "{title}", '"" OR x', "* OR 1=1", '"a* OR b:c"', "title:\"{ \\\"script\\\": 1 }\"",
])
def test_user_text_never_becomes_query_syntax(query: str) -> None:
    try:
        compiled = es(query)
    except Exception as exc:  # the parser may refuse it; then nothing is compiled
        assert type(exc).__name__ == "QueryError"
        return
    dumped = json.dumps(compiled)
    for syntax in ("query_string", "simple_query_string", "script", "wildcard", "regexp", "fuzzy"):
        assert f'"{syntax}"' not in dumped
    assert set(_query_kinds(compiled)) <= {"bool", "multi_match", "match_phrase", "match_phrase_prefix", "prefix",
                                           "term", "range", "match_all", "match_none"}


def _query_kinds(query: object) -> list[str]:
    if isinstance(query, dict):
        kinds: list[str] = []
        for key, value in query.items():
            if key in ("must", "should", "filter", "must_not"):
                kinds.extend(k for q in value for k in _query_kinds(q))
            elif key == "bool":
                kinds.append("bool")
                kinds.extend(_query_kinds(value))
            elif key not in ("minimum_should_match",):
                kinds.append(key)
        return kinds
    return []


def test_scoring_and_positive_text() -> None:
    assert scores(parse("massacre country:SD"))
    assert not scores(parse("country:SD -massacre"))
    assert scores(parse("festival OR country:MM"))
    assert positive_text(parse('massacre "mass grave" -film title:camp country:SD')) == [
        "massacre", "mass grave", "camp"]
