"""The spaCy factories on blank pipelines with the small fixture lexicon."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import vigil.nlp.indicators  # noqa: F401  (registers vigil_indicators)
from vigil.nlp.components import register


def blank(lang: str, config: Path, *, indicators: bool = True) -> Language:
    register()
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    cfg = {"config_dir": str(config)}
    nlp.add_pipe("vigil_countries", config=cfg)
    nlp.add_pipe("vigil_groups", config=cfg)
    nlp.add_pipe("vigil_actors", config=cfg)
    if indicators:
        nlp.add_pipe("vigil_indicators", config=cfg)
    return nlp


@pytest.fixture(scope="module")
def en(fixture_config: Path) -> Language:
    return blank("en", fixture_config)


def codes(nlp: Language, text: str) -> list[str]:
    return [c["code"] for c in nlp(text)._.vigil_countries]


def test_countries_with_offsets_and_spans(en: Language) -> None:
    doc = en("Fighting in Khartoum. Sudanese troops left Sudan.")
    found = doc._.vigil_countries
    assert [(c["code"], c["text"], c["via"]) for c in found] == [
        ("SD", "Khartoum", "place"), ("SD", "Sudanese", "demonym"), ("SD", "Sudan", "name")]
    assert all(doc.text[c["start"]:c["end"]] == c["text"] for c in found)
    assert [s.label_ for s in doc.spans["vigil_countries"]] == ["SD", "SD", "SD"]


@pytest.mark.parametrize(("text", "expected"), [
    ("South Sudan and Sudan signed a deal.", ["SS", "SD"]),
    ("Niger closed its border with Nigeria; Nigerian and Nigerien officials met.", ["NE", "NG", "NG", "NE"]),
    ("Guinea-Bissau's army and Equatorial Guinea.", ["GW", "GQ"]),
    ("Israeli forces entered Israel.", ["IL", "IL"]),
    ("The Congolese army in Goma, DRC.", ["CD", "CD", "CD"]),
    ("Talks in Brazzaville, Republic of the Congo.", ["CG", "CG"]),
    ("Burma, also called Myanmar.", ["MM", "MM"]),
    ("Ivory Coast and Côte d’Ivoire are one country.", ["CI", "CI"]),
    ("Turkey and Türkiye; we ate turkey.", ["TR", "TR"]),
])
def test_country_traps(en: Language, text: str, expected: list[str]) -> None:
    assert codes(en, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Michael Jordan scored again in Chicago.", []),
    ("Jordan Henderson signed for the club.", []),
    ("The governor of Georgia spoke in Atlanta.", []),
    ("Chad Smith played the drums.", []),
    ("Refugees crossed from Sudan into Chad.", ["SD", "TD"]),
    ("King Abdullah of Jordan met officials in Amman.", ["JO", "JO"]),
    ("Russia and Georgia fought in 2008.", ["RU", "GE"]),
])
def test_ambiguous_names(en: Language, text: str, expected: list[str]) -> None:
    assert codes(en, text) == expected


def test_new_jersey_is_not_jersey(en: Language) -> None:
    assert codes(en, "He grew up in New Jersey.") == []


def test_country_names_in_other_languages(fixture_config: Path) -> None:
    ru = blank("ru", fixture_config, indicators=False)
    assert codes(ru, "В Судане и Южного Судана, суданские власти.") == ["SD", "SS", "SD"]
    ar = blank("ar", fixture_config, indicators=False)
    assert codes(ar, "في الفاشر بالسودان") == ["SD", "SD"]
    de = blank("de", fixture_config, indicators=False)
    assert codes(de, "Die Lage des Sudans und der Türkei") == ["SD", "TR"]


def test_actors_groups_and_unlisted(en: Language) -> None:
    doc = en("The RSF and the Sudanese Armed Forces attacked Masalit homes; the UN protested.")
    assert [a["id"] for a in doc._.vigil_actors] == ["rsf", "saf", "un"]
    assert [g["id"] for g in doc._.vigil_groups] == ["masalit"]
    assert doc._.vigil_unlisted == []  # no NER on a blank pipeline


def test_indicator_hit_carries_its_evidence(en: Language) -> None:
    doc = en("Peace talks stalled. Gunmen massacred villagers near Geneina.")
    [hit] = doc._.vigil_indicators
    assert hit["category"] == "mass_killing"
    assert hit["text"] == "massacred"
    assert hit["sentence"] == "Gunmen massacred villagers near Geneina."
    assert doc.text[hit["start"]:hit["end"]] == "massacred"
    assert hit["lexicon_version"] == "test-1"
    assert hit["weight"] == 1.0 and hit["negated_by"] is None


def test_negative_context_downgrades(en: Language) -> None:
    doc = en("It was a massacre: the league leaders won the football match 7-0.")
    [hit] = doc._.vigil_indicators
    assert hit["weight"] < 0.5
    assert hit["negated_by"] == "sports:league"
    [hit] = en("The election was a massacre for the ruling party, with soldiers voting too.")._.vigil_indicators
    assert hit["negated_by"] == "category:election"


def test_cooccurrence_rule_for_severe_categories(en: Language) -> None:
    [alone] = en("Critics called the reform a massacre of the budget.")._.vigil_indicators
    assert alone["weight"] < 0.5
    [full] = en("Soldiers massacred women and children in the village.")._.vigil_indicators
    assert full["weight"] == 1.0
    found = en("Militias killed Masalit men; the village was razed in a massacre.")._.vigil_indicators
    [by_group] = [h for h in found if h["text"] == "massacre"]
    assert by_group["weight"] == 1.0


def test_historical_and_reported_speech_flags(en: Language) -> None:
    [hist] = en("On the anniversary, survivors of the massacre of villagers gathered.")._.vigil_indicators
    assert hist["historical"] is True
    [rep] = en("Soldiers massacred villagers, a witness said.")._.vigil_indicators
    assert rep["reported_speech"] is True and 0.5 <= rep["weight"] < 1.0


def test_french_lexicon_on_blank_pipeline(fixture_config: Path) -> None:
    fr = blank("fr", fixture_config)
    doc = fr("Le génocide des Rohingyas en Birmanie, selon l'ONU.")
    assert [h["category"] for h in doc._.vigil_indicators] == ["genocidal_intent"]
    assert [c["code"] for c in doc._.vigil_countries] == ["MM"]
    assert [a["id"] for a in doc._.vigil_actors] == ["un"]


def test_german_compounds_and_russian_endings(fixture_config: Path) -> None:
    de = blank("de", fixture_config)
    assert [h["text"] for h in de("Die Säuberung und der Völkermordprozess.")._.vigil_indicators] == [
        "Säuberung", "Völkermordprozess"]
    ru = blank("ru", fixture_config)
    assert [h["text"] for h in ru("Произошла резня. После резни начались зачистки.")._.vigil_indicators] == [
        "резня", "резни", "зачистки"]


def test_components_work_without_an_indicator_lexicon(fixture_config: Path) -> None:
    xx = blank("xx", fixture_config)
    doc = xx("Massacre in Sudan")
    assert doc._.vigil_indicators == []
    assert [c["code"] for c in doc._.vigil_countries] == ["SD"]


def test_match_scores_are_a_sports_context_in_any_language(fixture_config: Path, en: Language) -> None:
    [hit] = en("The visitors suffered a massacre, losing 7-0 to the hosts with soldiers watching.")._.vigil_indicators
    assert hit["negated_by"] == "sports:7-0"
    fr = blank("fr", fixture_config)
    [fr_hit] = fr("Un vrai massacre au Parc : 6 – 0 pour Paris contre des civils.")._.vigil_indicators
    assert fr_hit["weight"] < 0.5


def test_a_negative_word_covering_the_trigger_cancels_it(tmp_path: Path, fixture_config: Path) -> None:
    import shutil

    shutil.copytree(fixture_config, tmp_path / "c")
    lex = tmp_path / "c" / "indicators" / "en.yaml"
    lex.write_text(lex.read_text("utf-8").replace("negative: [election]", "negative: [election, massacre game]"),
                   "utf-8")
    nlp = blank("en", tmp_path / "c")
    [hit] = nlp("Soldiers played the massacre game with children.")._.vigil_indicators
    assert hit["negated_by"] == "category:massacre game"


def test_historical_sentences_skip_the_cooccurrence_rule(en: Language) -> None:
    [hit] = en("Thirty years ago the massacre took place, and in 1994 it was remembered.")._.vigil_indicators
    assert hit["historical"] is True and hit["weight"] == 1.0


def test_phrases_need_no_cooccurrence_but_single_words_do(en: Language) -> None:
    [phrase] = en("Satellite images show villages razed near the border.")._.vigil_indicators
    assert phrase["category"] == "forced_displacement" and phrase["weight"] == 1.0
    [word] = en("Satellite images show a massacre near the border.")._.vigil_indicators
    assert word["weight"] < 0.5


def test_slavic_case_forms_keep_niger_and_nigeria_apart(fixture_config: Path) -> None:
    uk = blank("uk", fixture_config, indicators=False)
    assert codes(uk, "Переворот у Нігері. Біженці з Нігерії. Вибори в Домініканській Республіці.") == [
        "NE", "NG", "DO"]
    ru = blank("ru", fixture_config, indicators=False)
    assert codes(ru, "Войска в Нигере и в Нигерии, помощь Украине.") == ["NE", "NG", "UA"]


def test_names_match_without_diacritics_and_german_compounds(fixture_config: Path) -> None:
    es = blank("es", fixture_config, indicators=False)
    assert codes(es, "Combates en el norte de Malí y en Perú.") == ["ML", "PE"]
    de = blank("de", fixture_config, indicators=False)
    assert codes(de, "Kämpfe in der Ostukraine, im Südsudan und in der Dominikanischen Republik.") == [
        "UA", "SS", "DO"]
