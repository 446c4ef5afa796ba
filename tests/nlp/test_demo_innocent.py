"""The demo site's innocent uses (a sports 'massacre', rat extermination, a siege film) get no indicator event."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vigil.nlp.tagger import Tagger, TagInput

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "examples" / "demo-site" / "content"


def _innocent() -> list[tuple[str, dict[str, str]]]:
    out = []
    for path in sorted(CONTENT.glob("*.yaml")):
        for article in yaml.safe_load(path.read_text(encoding="utf-8"))["articles"]:
            if article["kind"] == "innocent":
                out.append((path.stem, article))
    return out


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_config(ROOT / "config", use_models=False)


def test_the_demo_has_innocent_uses_in_every_language() -> None:
    assert {lang for lang, _ in _innocent()} >= {"en", "fr", "es", "pt", "de", "ar", "ru", "uk"}


@pytest.mark.parametrize(("lang", "article"), _innocent(), ids=lambda v: v if isinstance(v, str) else v["slug"])
def test_innocent_uses_get_no_event(tagger: Tagger, lang: str, article: dict[str, str]) -> None:
    tags = tagger.tag(TagInput(id=article["slug"], language=lang, title=article["title"], text=article["body"]))
    assert [e.category for e in tags.events] == []
