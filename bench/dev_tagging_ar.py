"""Arabic indicator recall/precision on a dev file (default tests/nlp/dev/ar-more.jsonl), never the gold set.

Usage::

    python bench/dev_tagging_ar.py [--file tests/nlp/dev/ar.jsonl] [--no-models] [--quiet]

Predicted categories are the categories of an item's events (as in bench/tagging.py); scores are micro averages
over (item, category) pairs. Missed/false items are printed with all their indicator hits.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vigil.nlp.tagger import Tagger, TagInput  # noqa: E402

DEFAULT = ROOT / "tests" / "nlp" / "dev" / "ar-more.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT)
    parser.add_argument("--no-models", action="store_true", help="blank spaCy pipelines (as the tests use)")
    parser.add_argument("--quiet", action="store_true", help="scores only")
    args = parser.parse_args(argv)
    tagger = Tagger.from_config(ROOT / "config", use_models=not args.no_models)
    items = [json.loads(x) for x in args.file.read_text(encoding="utf-8").splitlines() if x.strip()]
    inputs = [TagInput(id=str(i["id"]), text=str(i["text"]), language="ar") for i in items]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    noisy = 0
    for item, tags in zip(items, tagger.tag_many(inputs), strict=True):
        gold, pred = set(item["indicators"]), {e.category for e in tags.events}
        noisy += bool(pred) and not gold
        for cat in gold | pred:
            counts[cat][0 if cat in gold and cat in pred else 1 if cat in pred else 2] += 1
        if gold != pred and not args.quiet:
            hits = "; ".join(f"{h.category}:{h.text}:{h.weight:.2f}" + (f":{h.negated_by}" if h.negated_by else "")
                             for h in tags.indicators)
            print(f"{item['id']} missed={sorted(gold - pred)} false={sorted(pred - gold)}\n"
                  f"    {item['text']}\n    hits: {hits or '-'}")
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    print(f"== {args.file.name}: recall {tp / max(tp + fn, 1):.3f}  precision {tp / max(tp + fp, 1):.3f}  "
          f"(tp {tp} fp {fp} fn {fn}); negatives with a false category {noisy}")
    for cat in sorted(counts):
        c = counts[cat]
        print(f"   {cat:22s} R {c[0] / max(c[0] + c[2], 1):.2f}  P {c[0] / max(c[0] + c[1], 1):.2f}  "
              f"(tp {c[0]} fp {c[1]} fn {c[2]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
