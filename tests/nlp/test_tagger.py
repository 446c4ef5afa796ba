from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from vigil.errors import ConfigError
from vigil.nlp.tagger import Tagger, TagInput

ARTICLE = TagInput(
    id="a1",
    title="Massacre near Geneina",
    text=("Gunmen massacred villagers near Geneina, Sudan. Soldiers killed civilians in El Fasher. "
          "Chadian officials in N'Djamena received refugees. Officials in Chad counted them."),
    language="en",
)


def test_offsets_refer_to_title_plus_text(blank_tagger: Tagger) -> None:
    tags = blank_tagger.tag(ARTICLE)
    full = ARTICLE.tagged_text
    assert full.startswith("Massacre near Geneina\n\n")
    for country in tags.countries:
        for span in country.spans:
            assert full[span.start:span.end] == span.text
    for hit in tags.indicators:
        assert full[hit.start:hit.end] == hit.text
    assert tags.indicators[0].text == "Massacre"
    assert tags.indicators[0].sentence == "Massacre near Geneina"


def test_countries_counts_and_focus_with_title_boost(blank_tagger: Tagger) -> None:
    tags = blank_tagger.tag(ARTICLE)
    by_code = {c.code: c for c in tags.countries}
    assert by_code["SD"].count == 4 and by_code["SD"].focus
    assert by_code["TD"].count == 2 and not by_code["TD"].focus  # N'Djamena, Chad
    assert tags.focus_country == "SD"
    title_only = blank_tagger.tag(TagInput(id="x", title="Chad", text="Sudan. Sudan.", language="en"))
    assert title_only.focus_country == "TD"


def test_events_one_per_category_and_country(blank_tagger: Tagger) -> None:
    tags = blank_tagger.tag(ARTICLE)
    assert [(e.category, e.country) for e in tags.events] == [("mass_killing", "SD")]
    [event] = tags.events
    assert event.id == hashlib.sha256(b"a1|mass_killing|SD").hexdigest()
    assert event.article_id == "a1"
    assert 0 < event.confidence <= 1 and event.score > 0
    assert 1 <= len(event.evidence) <= 3
    assert len({h.sentence for h in event.evidence}) == len(event.evidence)


def test_event_gets_country_of_its_sentence(blank_tagger: Tagger) -> None:
    text = "Talks were held in Sudan. In Myanmar, soldiers massacred villagers. Sudan again. Sudan."
    tags = blank_tagger.tag(TagInput(id="b", text=text, language="en"))
    assert tags.focus_country == "SD"
    assert [(e.category, e.country) for e in tags.events] == [("mass_killing", "MM")]


def test_actors_and_groups_in_event_evidence(blank_tagger: Tagger) -> None:
    text = "RSF fighters massacred Masalit civilians in Geneina. The UN met in New York."
    tags = blank_tagger.tag(TagInput(id="c", text=text, language="en"))
    [event] = tags.events
    assert event.actors == ("rsf",) and event.groups == ("masalit",)
    assert {a.id for a in tags.actors} == {"rsf", "un"}


def test_downgraded_hits_make_no_event(blank_tagger: Tagger) -> None:
    tags = blank_tagger.tag(TagInput(id="d", text="A massacre in the football league final in Sudan.", language="en"))
    assert tags.indicators and tags.indicators[0].negated_by == "sports:football"
    assert tags.events == ()


def test_language_detected_when_not_given_and_unknown_language_uses_fallback(blank_tagger: Tagger) -> None:
    fr = blank_tagger.tag(TagInput(id="f", text="Le génocide des Rohingyas en Birmanie, selon l'ONU et des témoins."))
    assert fr.language == "fr"
    assert [h.category for h in fr.indicators] == ["genocidal_intent"]
    it = blank_tagger.tag(TagInput(id="i", text="Massacro in Sudan e in Birmania.", language="it"))
    assert it.language == "it"
    assert it.indicators == ()
    assert {c.code for c in it.countries} == {"SD", "MM"}
    assert blank_tagger.pipeline("it").language == "xx"


def test_tag_many_keeps_input_order_across_languages_and_processes(blank_tagger: Tagger) -> None:
    items = [TagInput(id=str(i), text=t, language=lang) for i, (t, lang) in enumerate([
        ("Massacre in Sudan with soldiers killing villagers.", "en"),
        ("Le génocide au Soudan.", "fr"),
        ("Massacre in Myanmar, soldiers killed villagers.", "en"),
        ("وقعت مجزرة في السودان", "ar"),
    ] * 3)]
    one = list(blank_tagger.tag_many(items, batch_size=4))
    assert [t.language for t in one] == [i.language for i in items]
    assert [t.focus_country for t in one] == ["SD", "SD", "MM", "SD"] * 3
    two = list(blank_tagger.tag_many(items, batch_size=2, n_process=2))
    assert [t.model_dump() for t in two] == [t.model_dump() for t in one]


def test_lexicon_version_and_bad_config(blank_tagger: Tagger, tmp_path: Path) -> None:
    assert blank_tagger.lexicon_version == "test-1"
    (tmp_path / "models.yaml").write_text("version: 1\nlanguages: {en: {modles: []}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="modles"):
        Tagger.from_config(tmp_path)
