"""Proximity rules (``near:``): words from every slot close together in one sentence, on blank pipelines."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from vigil.errors import ConfigError
from vigil.nlp.lexicon import load_indicators

from .test_components import blank


@pytest.fixture(scope="module")
def en(fixture_config: Path) -> Language:
    return blank("en", fixture_config)


def hits(nlp: Language, text: str) -> list[tuple[str, str, float]]:
    return [(h["category"], h["text"], h["weight"]) for h in nlp(text)._.vigil_indicators]


@pytest.mark.parametrize(("text", "evidence"), [
    ("Gunmen shot dead at least forty villagers near the river.", "shot dead at least forty villagers"),
    ("The villagers were gunned down at dawn.", "villagers were gunned down"),
    ("Militiamen killed 12 women and children in the market.", "killed 12 women"),
])
def test_a_killing_word_near_civilians_is_mass_killing_in_either_order(en: Language, text: str,
                                                                       evidence: str) -> None:
    found = hits(en, text)
    assert ("mass_killing", evidence, 1.0) in found


def test_the_words_must_stand_within_the_window_and_in_one_sentence(en: Language) -> None:
    assert hits(en, "The villagers said the harvest failed this year and the old well was shot dead.") == []
    assert hits(en, "Three villagers arrived. Police shot dead a robber.") == []


def test_a_trigger_inside_a_proximity_hit_is_kept_as_the_evidence(en: Language) -> None:
    found = hits(en, "Soldiers killed civilians in a massacre.")
    assert [c for c, _, _ in found] == ["mass_killing", "mass_killing"]
    assert [t for _, t, _ in found] == ["killed civilians", "massacre"]


def test_a_proximity_hit_replaces_a_trigger_that_lacked_context(en: Language) -> None:
    [alone] = en("The old oak was uprooted in the night.")._.vigil_indicators
    assert (alone["pattern"], alone["weight"]) == ("uprooted", 0.4)
    [hit] = en("Thousands of villagers were uprooted in the night.")._.vigil_indicators
    assert (hit["text"], hit["pattern"], hit["weight"]) == (
        "villagers were uprooted", "uprooted|expelled ~ @civilians (8)", 1.0)


def test_a_group_reference_matches_a_targeted_group_mention(en: Language) -> None:
    doc = en("The commander called the Masalit cockroaches on the radio.")
    found = [(h["category"], h["text"], h["pattern"]) for h in doc._.vigil_indicators]
    assert found == [("dehumanization", "Masalit cockroaches", "$vermin ~ @group (5)")]
    assert hits(en, "The commander said cockroaches were found in the kitchen.") == []


def test_negative_context_cancels_a_proximity_hit(en: Language) -> None:
    found = hits(en, "The league champions slaughtered the villagers' football team.")
    assert found and all(w == 0.1 for _, _, w in found)


def _lexicon_dir(tmp_path: Path, fixture_config: Path, near: str, kill: str = "[kill*]") -> Path:
    d = tmp_path / "indicators"
    d.mkdir()
    (d / "taxonomy.yaml").write_text((fixture_config / "indicators" / "taxonomy.yaml").read_text())
    (d / "en.yaml").write_text(f"language: en\nsets:\n  kill: {kill}\ncategories:\n  mass_killing:\n"
                               f"    near:\n      - {near}\n")
    return d


def test_a_set_holds_patterns_only(tmp_path: Path, fixture_config: Path) -> None:
    with pytest.raises(ConfigError, match=r"sets\.kill: '@group': a set holds patterns only"):
        load_indicators(_lexicon_dir(tmp_path, fixture_config, "[$kill, villagers]", "[kill*, '@group']"))


@pytest.mark.parametrize(("near", "message"), [
    ("[$kil, villagers]", "unknown set '$kil' (did you mean '$kill'?)"),
    ("[$slaughter, villagers]", "unknown set '$slaughter' (sets: kill)"),
    ("[$kill, '@civilian']", "unknown reference '@civilian'"),
    ("[$kill]", "needs 2 to 4 slots"),
    ("['@group', '@armed']", "needs words or a $set"),
    ("{all: [$kill, villagers], within: 99}", "less than or equal to 30"),
])
def test_bad_rules_fail_with_the_file_and_the_reason(tmp_path: Path, fixture_config: Path, near: str,
                                                     message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_indicators(_lexicon_dir(tmp_path, fixture_config, near))
    assert "en.yaml" in str(info.value) and message in str(info.value)
