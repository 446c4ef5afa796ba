"""The real indicator lexicon keeps its recall and precision on our own development set (tests/nlp/dev/).

The dev set is original, fictional news-style text written to tune the lexicon; it is separate from the gold
set, which stays an independent measure. Predicted categories are the categories of an item's events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.nlp.tagger import Tagger, TagInput

ROOT = Path(__file__).resolve().parents[2]
DEV = Path(__file__).parent / "dev"
MIN_RECALL = 0.80
MIN_PRECISION = 0.90


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_config(ROOT / "config", use_models=False)


def _items(lang: str) -> list[dict[str, object]]:
    with (DEV / f"{lang}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_dev_set_is_well_formed(lang: str) -> None:
    items = _items(lang)
    assert len(items) >= 120
    assert len({i["id"] for i in items}) == len(items)
    per_cat: dict[str, int] = {}
    for item in items:
        for cat in item["indicators"]:  # type: ignore[attr-defined]
            per_cat[cat] = per_cat.get(cat, 0) + 1
    assert len(per_cat) == 16 and min(per_cat.values()) >= 6
    assert sum(1 for i in items if not i["indicators"]) >= 20


@pytest.mark.parametrize("lang", ["en", "de"])
def test_dev_recall_and_precision(tagger: Tagger, lang: str) -> None:
    items = _items(lang)
    inputs = [TagInput(id=str(i["id"]), text=str(i["text"]), language=lang) for i in items]
    tp = fp = fn = 0
    for item, tags in zip(items, tagger.tag_many(inputs), strict=True):
        gold = set(item["indicators"])  # type: ignore[call-overload]
        pred = {e.category for e in tags.events}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    assert recall >= MIN_RECALL, f"{lang} dev recall {recall:.3f} (tp {tp}, fn {fn})"
    assert precision >= MIN_PRECISION, f"{lang} dev precision {precision:.3f} (tp {tp}, fp {fp})"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_dev_hard_negatives_stay_quiet(tagger: Tagger, lang: str) -> None:
    negatives = [i for i in _items(lang) if not i["indicators"]]
    tagged = tagger.tag_many([TagInput(id=str(i["id"]), text=str(i["text"]), language=lang) for i in negatives])
    noisy = [i["id"] for i, t in zip(negatives, tagged, strict=True) if t.events]
    assert len(noisy) <= 1, noisy
