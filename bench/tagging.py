"""Tagging quality on the gold set: precision, recall and F1 for countries and indicators.

Usage::

    python bench/tagging.py [--gold tests/gold/tagging] [--config config] [--no-models] [--detect]
                            [--errors] [--json out.json]

An item's predicted countries are the codes of ``Tags.countries``; its predicted indicator categories are
the categories of its events (a category with only downgraded hits is not predicted). Scores are micro
averages over (item, label) pairs, overall, per language and per category. Hard negatives: the share of
items marked ``hard_negative`` that get at least one indicator category the gold does not list.
Bars (issue): country F1 >= 0.90; indicator precision >= 0.85, recall >= 0.75; hard-negative FP <= 5%.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vigil.nlp.tagger import Tagger, TagInput  # noqa: E402

BARS = {"country_f1": 0.90, "indicator_precision": 0.85, "indicator_recall": 0.75, "hard_negative_fp": 0.05}


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], pred: set[str]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, name: str) -> str:
        return (f"| {name} | {self.tp + self.fn} | {self.precision:.3f} | {self.recall:.3f} | {self.f1:.3f} "
                f"| {self.tp} | {self.fp} | {self.fn} |")

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Report:
    countries: PRF = field(default_factory=PRF)
    indicators: PRF = field(default_factory=PRF)
    countries_by_lang: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    indicators_by_lang: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    indicators_by_cat: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    countries_by_code: dict[str, PRF] = field(default_factory=lambda: defaultdict(PRF))
    hard_negatives: int = 0
    hard_negative_fp: int = 0
    items: int = 0
    language_right: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)


def load_gold(directory: Path) -> list[dict[str, object]]:
    items = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: invalid JSON: {exc}") from exc
    return items


def evaluate(tagger: Tagger, gold: list[dict[str, object]], *, detect: bool = False) -> Report:
    report = Report()
    inputs = [TagInput(id=str(g["id"]), text=str(g["text"]), language=None if detect else str(g["lang"]))
              for g in gold]
    for g, tags in zip(gold, tagger.tag_many(inputs, batch_size=64), strict=True):
        lang = str(g["lang"])
        gold_c = set(g.get("countries") or [])  # type: ignore[call-overload]
        gold_i = set(g.get("indicators") or [])  # type: ignore[call-overload]
        pred_c = {c.code for c in tags.countries}
        pred_i = {e.category for e in tags.events}
        report.items += 1
        report.language_right += tags.language == lang
        for prf, gs, ps in ((report.countries, gold_c, pred_c), (report.countries_by_lang[lang], gold_c, pred_c),
                            (report.indicators, gold_i, pred_i), (report.indicators_by_lang[lang], gold_i, pred_i)):
            prf.add(gs, ps)
        for cat in gold_i | pred_i:
            report.indicators_by_cat[cat].add(gold_i & {cat}, pred_i & {cat})
        for code in gold_c | pred_c:
            report.countries_by_code[code].add(gold_c & {code}, pred_c & {code})
        if g.get("hard_negative"):
            report.hard_negatives += 1
            if pred_i - gold_i:
                report.hard_negative_fp += 1
        if gold_c != pred_c or gold_i != pred_i:
            report.errors.append({
                "id": g["id"], "hard_negative": bool(g.get("hard_negative")),
                "countries": {"missed": sorted(gold_c - pred_c), "extra": sorted(pred_c - gold_c)},
                "indicators": {"missed": sorted(gold_i - pred_i), "extra": sorted(pred_i - gold_i)},
                "hits": [f"{h.category}:{h.text}:{h.weight}{':' + h.negated_by if h.negated_by else ''}"
                         for h in tags.indicators],
                "text": g["text"],
            })
    return report


def render(report: Report, seconds: float, source: str) -> str:
    head = "| | gold | precision | recall | F1 | tp | fp | fn |\n|---|---|---|---|---|---|---|---|"
    hn = report.hard_negative_fp / report.hard_negatives if report.hard_negatives else 0.0
    lines = [f"Items: {report.items} ({source}); {seconds:.1f} s; language as the gold says: "
             f"{report.language_right}/{report.items}", "", "### Countries", head,
             report.countries.row("**all**")]
    lines += [report.countries_by_lang[k].row(k) for k in sorted(report.countries_by_lang)]
    by_code = report.countries_by_code
    wrong = [k for k in sorted(by_code) if by_code[k].fp or by_code[k].fn]
    lines += ["", "Countries with errors:", head]
    lines += [by_code[k].row(k) for k in wrong]
    lines += ["", "### Indicators", head, report.indicators.row("**all**")]
    lines += [report.indicators_by_lang[k].row(k) for k in sorted(report.indicators_by_lang)]
    lines += ["", "### Indicators per category", head]
    lines += [report.indicators_by_cat[k].row(k) for k in sorted(report.indicators_by_cat)]
    lines += ["", f"Hard negatives with a false indicator: {report.hard_negative_fp}/{report.hard_negatives} "
                  f"= {hn:.3f}", ""]
    checks = {
        "country_f1": report.countries.f1 >= BARS["country_f1"],
        "indicator_precision": report.indicators.precision >= BARS["indicator_precision"],
        "indicator_recall": report.indicators.recall >= BARS["indicator_recall"],
        "hard_negative_fp": hn <= BARS["hard_negative_fp"],
    }
    lines.append("Bars: " + ", ".join(f"{k} {'PASS' if v else 'FAIL'}" for k, v in checks.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "tests" / "gold" / "tagging")
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--no-models", action="store_true", help="blank pipelines only (no NER)")
    parser.add_argument("--detect", action="store_true", help="detect the language instead of using the gold's")
    parser.add_argument("--errors", action="store_true", help="print every item the tagger got wrong")
    parser.add_argument("--json", type=Path, help="write the full report as JSON here")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    if not gold:
        print(f"no gold items under {args.gold}", file=sys.stderr)
        return 2
    tagger = Tagger.from_config(args.config, use_models=not args.no_models)
    started = time.perf_counter()
    report = evaluate(tagger, gold, detect=args.detect)
    seconds = time.perf_counter() - started
    print(render(report, seconds, "blank pipelines" if args.no_models else "models where installed"))
    if args.errors:
        for err in report.errors:
            print(json.dumps(err, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps({
            "countries": report.countries.as_dict(),
            "indicators": report.indicators.as_dict(),
            "countries_by_lang": {k: v.as_dict() for k, v in report.countries_by_lang.items()},
            "indicators_by_lang": {k: v.as_dict() for k, v in report.indicators_by_lang.items()},
            "indicators_by_category": {k: v.as_dict() for k, v in report.indicators_by_cat.items()},
            "hard_negatives": {"items": report.hard_negatives, "with_false_indicator": report.hard_negative_fp},
            "errors": report.errors,
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
