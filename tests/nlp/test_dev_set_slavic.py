"""The real ru/uk indicator lexicons on our own extra development sets (tests/nlp/dev/*-more.jsonl), not gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vigil.nlp.tagger import Tagger, TagInput

ROOT = Path(__file__).resolve().parents[2]
DEV = Path(__file__).parent / "dev"


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger.from_config(ROOT / "config", use_models=False)


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_more_dev_set_recall_and_precision(tagger: Tagger, lang: str) -> None:
    lines = (DEV / f"{lang}-more.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    assert len(items) >= 100
    assert sum(bool(i["hard_negative"]) for i in items) >= 15
    inputs = [TagInput(id=i["id"], text=i["text"], language=lang) for i in items]
    tp = fp = fn = 0
    for item, tags in zip(items, tagger.tag_many(inputs), strict=True):
        gold, pred = set(item["indicators"]), {e.category for e in tags.events}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    assert recall >= 0.80, f"{lang} dev recall {recall:.3f}"
    assert precision >= 0.90, f"{lang} dev precision {precision:.3f}"
