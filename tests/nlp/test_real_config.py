"""The real tagging data under config/: it loads, has the promised coverage, and a few behaviours hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.nlp.gazetteer import SUPPORTED
from vigil.nlp.lexicon import load_actors, load_groups, load_indicators
from vigil.nlp.pipelines import load_model_table
from vigil.nlp.tagger import Tagger, TagInput

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_config(CONFIG, use_models=False)


def test_model_table_covers_the_supported_languages() -> None:
    table = load_model_table(CONFIG / "models.yaml")
    assert set(SUPPORTED) <= set(table.languages)
    assert table.languages["en"].models[0] == "en_core_web_sm"
    assert table.fallback == "xx"


def test_indicator_lexicon_has_every_category_in_every_language() -> None:
    lexicon = load_indicators(CONFIG / "indicators")
    ids = [c.id for c in lexicon.taxonomy.categories]
    assert len(ids) == 16 and ids[0] == "classification" and ids[-1] == "trigger"
    assert set(SUPPORTED) <= set(lexicon.languages)
    for lang, lex in lexicon.languages.items():
        missing = [c for c in ids if not lex.categories.get(c) or not lex.categories[c].triggers]
        assert missing == [], f"{lang}: no triggers for {missing}"


def test_actors_and_groups_lists() -> None:
    actors = load_actors(CONFIG / "actors.yaml").actors
    assert len(actors) >= 150
    assert {"rsf"} <= {a.id for a in actors}
    groups = load_groups(CONFIG / "groups.yaml").groups
    assert {"rohingya", "uyghur", "masalit", "tutsi", "yazidis"} <= {g.id for g in groups}


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_supported_pipeline_builds(tagger: Tagger, lang: str) -> None:
    built = tagger.pipeline(lang)
    assert built.language == lang
    assert "vigil_indicators" in built.nlp.pipe_names


@pytest.mark.parametrize(("text", "lang", "codes"), [
    ("Fighting spread from South Sudan into Sudan and Chad.", "en", {"SS", "SD", "TD"}),
    ("Les combats au Soudan du Sud et en Côte d'Ivoire.", "fr", {"SS", "CI"}),
    ("Бои в Судане и в Южном Судане.", "ru", {"SD", "SS"}),
    ("اشتباكات في السودان وجنوب السودان", "ar", {"SD", "SS"}),
    ("Kämpfe im Südsudan und in der Demokratischen Republik Kongo.", "de", {"SS", "CD"}),
])
def test_countries_in_several_languages(tagger: Tagger, text: str, lang: str, codes: set[str]) -> None:
    assert {c.code for c in tagger.tag(TagInput(id="t", text=text, language=lang)).countries} == codes


def test_a_clear_atrocity_report_makes_an_event_and_a_sports_massacre_does_not(tagger: Tagger) -> None:
    report = tagger.tag(TagInput(id="r", language="en", text=(
        "Gunmen massacred dozens of villagers, including women and children, near Geneina in Sudan.")))
    assert ("mass_killing", "SD") in {(e.category, e.country) for e in report.events}
    sports = tagger.tag(TagInput(id="s", language="en", text=(
        "The home side produced a massacre in the football league, winning 7-0 at the stadium.")))
    assert sports.events == ()
