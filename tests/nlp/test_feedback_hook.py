"""Analysts' adopted negative contexts (config/indicators/feedback.yaml) reach the tagger, versioned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vigil.errors import ConfigError
from vigil.nlp.tagger import Tagger, TagInput

CONFIG = Path(__file__).resolve().parents[2] / "config"
TEXT = ("Militiamen killed 40 civilians in a massacre at the grain market near Kidal, "
        "residents of the northern town in Mali said.")


@pytest.fixture()
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    (target / "indicators" / "feedback.yaml").unlink(missing_ok=True)
    return target


def categories(tagger: Tagger) -> set[str]:
    tags = tagger.tag(TagInput(id="t", text=TEXT, language="en"))
    return {e.category for e in tags.events}


def test_feedback_negative_cancels_the_pattern_and_versions_the_lexicon(config_dir: Path) -> None:
    before = Tagger.from_config(config_dir, use_models=False)
    assert "mass_killing" in categories(before)
    base = before.lexicon_version
    (config_dir / "indicators" / "feedback.yaml").write_text(
        "feedback_version: 3\nnegative:\n  mass_killing:\n    en: [grain market]\n", encoding="utf-8")
    after = Tagger.from_config(config_dir, use_models=False)
    assert after.lexicon_version == f"{base}+fb3"
    assert "mass_killing" not in categories(after)


def test_feedback_with_unknown_category_is_a_clear_error(config_dir: Path) -> None:
    (config_dir / "indicators" / "feedback.yaml").write_text(
        "feedback_version: 1\nnegative:\n  massacres:\n    en: [grain market]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feedback\.yaml: unknown categories massacres"):
        Tagger.from_config(config_dir, use_models=False).tag(TagInput(id="t", text=TEXT, language="en"))


def test_tagger_processes_default_applies_only_to_large_batches(config_dir: Path) -> None:
    tagger = Tagger.from_config(config_dir, use_models=False, processes=2)
    small = [TagInput(id=str(i), text=TEXT, language="en") for i in range(3)]
    large = [TagInput(id=str(i), text=f"{TEXT} Report {i}.", language="en") for i in range(130)]
    assert [[e.category for e in t.events] for t in tagger.tag_many(small)] == [["mass_killing"]] * 3
    many = list(tagger.tag_many(large, batch_size=32))  # 130 >= 2 * 32 * 2: two forked workers
    assert len(many) == 130
    assert many[0].events[0].article_id == "0" and many[-1].events[0].article_id == "129"
