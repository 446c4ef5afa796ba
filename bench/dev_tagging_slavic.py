"""Indicator recall/precision on the ru/uk development sets (tests/nlp/dev/<lang>[-more].jsonl), never the gold set.

Usage::

    python bench/dev_tagging_slavic.py [--files ru-more uk-more ru uk] [--no-models] [--errors]

An item's predicted categories are the categories of its events, as in ``bench/tagging.py``. Scores are
micro averages over (item, category) pairs, per file and per category.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vigil.nlp.tagger import Tagger, TagInput  # noqa: E402

DEV = ROOT / "tests" / "nlp" / "dev"


def score(tagger: Tagger, name: str, *, errors: bool = False) -> tuple[float, float]:
    """Print per-category scores for one dev file and return (recall, precision)."""
    lines = (DEV / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(x) for x in lines if x.strip()]
    inputs = [TagInput(id=i["id"], text=i["text"], language=i["lang"]) for i in items]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for item, tags in zip(items, tagger.tag_many(inputs), strict=True):
        gold, pred = set(item["indicators"]), {e.category for e in tags.events}
        for cat in gold | pred:
            counts[cat][0 if cat in gold and cat in pred else 1 if cat in pred else 2] += 1
        if errors and gold != pred:
            hits = [f"{h.category}:{h.text}:{h.weight:.2f}{':' + h.negated_by if h.negated_by else ''}"
                    for h in tags.indicators]
            print(f"  {item['id']} missed={sorted(gold - pred)} extra={sorted(pred - gold)} hits={hits}\n"
                  f"    {item['text']}")
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"== {name}: recall {recall:.3f}  precision {precision:.3f}  (tp {tp} fp {fp} fn {fn})")
    for cat in sorted(counts):
        c = counts[cat]
        print(f"   {cat:22s} tp {c[0]:3d} fp {c[1]:3d} fn {c[2]:3d}")
    return recall, precision


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", nargs="+", default=["ru-more", "uk-more", "ru", "uk"])
    parser.add_argument("--no-models", action="store_true", help="blank spaCy pipelines (as the tests use)")
    parser.add_argument("--errors", action="store_true", help="print every missed or extra category")
    args = parser.parse_args(argv)
    tagger = Tagger.from_config(ROOT / "config", use_models=not args.no_models)
    for name in args.files:
        score(tagger, name, errors=args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
