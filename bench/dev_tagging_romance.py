"""Indicator recall/precision on the fr/es/pt development sets (tests/nlp/dev), never the gold set.

Usage::

    python bench/dev_tagging_romance.py [--lang fr es pt] [--no-models] [--errors]

An item's predicted categories are the categories of its events, as in ``bench/tagging.py``. Scores are
micro averages over (item, category) pairs, per language and per category.
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


def score(tagger: Tagger, lang: str, *, errors: bool = False) -> tuple[float, float]:
    """Print per-category scores for one language and return (recall, precision)."""
    items = [json.loads(x) for x in (DEV / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    inputs = [TagInput(id=i["id"], text=i["text"], language=lang) for i in items]
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
    recall, precision = tp / max(tp + fn, 1), tp / max(tp + fp, 1)
    print(f"{lang}: recall {recall:.3f} precision {precision:.3f} (tp {tp} fp {fp} fn {fn})")
    for cat in sorted(counts):
        t, p, n = counts[cat]
        print(f"    {cat:22s} R {t / max(t + n, 1):.2f} P {t / max(t + p, 1):.2f}  tp {t} fp {p} fn {n}")
    return recall, precision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", default=["fr", "es", "pt"])
    parser.add_argument("--no-models", action="store_true")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    tagger = Tagger.from_config(ROOT / "config", use_models=not args.no_models)
    for lang in args.lang:
        score(tagger, lang, errors=args.errors)


if __name__ == "__main__":
    main()
