"""Indicator recall and precision on the development sets (tests/nlp/dev/*.jsonl), never the gold set.

Usage::

    python bench/dev_tagging.py [--files en ru-more uk-fresh] [--path other.jsonl] [--no-models] [--quiet]

A file's language is its name up to the first ``-`` (``ru-more`` is Russian). With no ``--files`` or
``--path``, every file under tests/nlp/dev is scored, then the total.

An item's predicted categories are the categories of its events (as in bench/tagging.py); scores are micro
averages over (item, category) pairs. For every missed or false category it prints the item's text and all
its indicator hits (category, matched text, weight, negated_by), so lexicon gaps can be read off directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vigil.nlp.tagger import Tagger, TagInput  # noqa: E402

DEV = ROOT / "tests" / "nlp" / "dev"


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class DevReport:
    total: Counts = field(default_factory=Counts)
    by_cat: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[str] = field(default_factory=list)
    negatives_with_fp: int = 0
    negatives: int = 0


def load_dev(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(tagger: Tagger, path: Path) -> DevReport:
    """Tag every item of one dev file and count hits and misses per category."""
    items = load_dev(path)
    lang = path.stem.split("-")[0]
    inputs = [TagInput(id=str(i["id"]), text=str(i["text"]), language=lang) for i in items]
    report = DevReport()
    for item, tags in zip(items, tagger.tag_many(inputs), strict=True):
        gold = set(item["indicators"])  # type: ignore[call-overload]
        pred = {e.category for e in tags.events}
        if not gold:
            report.negatives += 1
            report.negatives_with_fp += bool(pred)
        for cat in gold | pred:
            counts = report.by_cat[cat]
            if cat in gold and cat in pred:
                counts.tp += 1
                report.total.tp += 1
            elif cat in pred:
                counts.fp += 1
                report.total.fp += 1
            else:
                counts.fn += 1
                report.total.fn += 1
        if gold != pred:
            hits = "; ".join(f"{h.category}:{h.text!r}:{h.weight:.2f}"
                             + (f":{h.negated_by}" if h.negated_by else "") for h in tags.indicators)
            report.errors.append(f"{item['id']} missed={sorted(gold - pred)} false={sorted(pred - gold)}\n"
                                 f"    {item['text']}\n    hits: {hits or '-'}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", nargs="+", default=[], help="dev file names without .jsonl")
    parser.add_argument("--path", nargs="+", type=Path, default=[], help="other JSON-lines files in the same format")
    parser.add_argument("--no-models", action="store_true", help="blank spaCy pipelines (as the tests use)")
    parser.add_argument("--quiet", action="store_true", help="scores only, no missed/false items")
    args = parser.parse_args(argv)
    tagger = Tagger.from_config(ROOT / "config", use_models=not args.no_models)
    paths = [DEV / f"{name}.jsonl" for name in args.files] + list(args.path)
    total = Counts()
    for path in paths or sorted(DEV.glob("*.jsonl")):
        report = evaluate(tagger, path)
        t = report.total
        total.tp, total.fp, total.fn = total.tp + t.tp, total.fp + t.fp, total.fn + t.fn
        print(f"== {path.stem}: recall {t.recall:.3f}  precision {t.precision:.3f}  (tp {t.tp} fp {t.fp} fn {t.fn}); "
              f"negatives with a false category {report.negatives_with_fp}/{report.negatives}")
        for cat in sorted(report.by_cat):
            c = report.by_cat[cat]
            print(f"   {cat:22s} R {c.recall:.2f}  P {c.precision:.2f}  (tp {c.tp} fp {c.fp} fn {c.fn})")
        if not args.quiet:
            print("\n".join(report.errors))
    print(f"== all: recall {total.recall:.3f}  precision {total.precision:.3f}  "
          f"(tp {total.tp} fp {total.fp} fn {total.fn})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
