"""The real Arabic indicator lexicon on our second Arabic development set (tests/nlp/dev/ar-more.jsonl).

Original, fictional MSA news sentences written to widen config/indicators/ar.yaml; never the gold set.
Predicted categories are the categories of an item's events (as in bench/dev_tagging.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.nlp.tagger import Tagger, TagInput

ROOT = Path(__file__).resolve().parents[2]
DEV_FILE = Path(__file__).parent / "dev" / "ar-more.jsonl"
MIN_RECALL = 0.80
MIN_PRECISION = 0.90


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_config(ROOT / "config", use_models=False)


@pytest.fixture(scope="module")
def items() -> list[dict[str, object]]:
    lines = DEV_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_ar_dev_set_is_well_formed(items: list[dict[str, object]]) -> None:
    assert len(items) >= 120
    assert len({i["id"] for i in items}) == len(items)
    assert all(i["lang"] == "ar" for i in items)
    per_cat: dict[str, int] = {}
    for item in items:
        for cat in item["indicators"]:  # type: ignore[attr-defined]
            per_cat[cat] = per_cat.get(cat, 0) + 1
    assert len(per_cat) == 16 and min(per_cat.values()) >= 6
    assert sum(1 for i in items if not i["indicators"] and i["hard_negative"]) >= 20


def test_ar_dev_recall_and_precision(tagger: Tagger, items: list[dict[str, object]]) -> None:
    inputs = [TagInput(id=str(i["id"]), text=str(i["text"]), language="ar") for i in items]
    tp = fp = fn = 0
    for item, tags in zip(items, tagger.tag_many(inputs), strict=True):
        gold = set(item["indicators"])  # type: ignore[call-overload]
        pred = {e.category for e in tags.events}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    assert recall >= MIN_RECALL, f"ar dev recall {recall:.3f} (tp {tp}, fn {fn})"
    assert precision >= MIN_PRECISION, f"ar dev precision {precision:.3f} (tp {tp}, fp {fp})"


def test_ar_dev_hard_negatives_stay_quiet(tagger: Tagger, items: list[dict[str, object]]) -> None:
    negatives = [i for i in items if not i["indicators"]]
    tagged = tagger.tag_many([TagInput(id=str(i["id"]), text=str(i["text"]), language="ar") for i in negatives])
    noisy = [i["id"] for i, t in zip(negatives, tagged, strict=True) if t.events]
    assert len(noisy) <= 1, noisy
