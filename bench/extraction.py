"""Extraction benchmark over trafilatura's evaluation corpus (see ../shared/corpora/README.md).

Usage: python bench/extraction.py [CORPUS_DIR] [--limit N] [--json OUT]
CORPUS_DIR defaults to $VIGIL_CORPORA/trafilatura-eval or ../shared/corpora/trafilatura-eval.

Scores every page with Vigil's extractor (trafilatura, then readability-lxml when too little text):
each ``with`` snippet found is a true positive, missing a false negative; each ``without`` snippet found
a false positive. Reports precision, recall, F1 overall and per language, pages per second, and title and
date accuracy against the gold metadata (date accuracy on entries whose gold has a date; a date counts as
right when the day matches).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vigil.errors import ExtractionError  # noqa: E402
from vigil.ingest.extract import extract_html  # noqa: E402

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def default_corpus() -> Path:
    env = os.environ.get("VIGIL_CORPORA")
    return Path(env) / "trafilatura-eval" if env else ROOT.parent / "shared" / "corpora" / "trafilatura-eval"


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", type=Path, default=default_corpus())
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    gold = json.loads((args.corpus / "evaldata.json").read_text(encoding="utf-8"))
    langs = {row["file"]: row["html_lang_attr"] or "?" for row in
             csv.DictReader((args.corpus / "index.tsv").open(encoding="utf-8"), delimiter="\t")}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # lang -> tp, fp, fn
    title_ok = title_n = date_ok = date_n = failures = 0
    methods: dict[str, int] = defaultdict(int)
    items = list(gold.items())[: args.limit or None]
    started = time.perf_counter()
    for url, entry in items:
        html = gzip.decompress((args.corpus / "html" / f"{entry['file']}.gz").read_bytes())
        try:
            result = extract_html(html, url=url, now=NOW)
            text, title, when = norm(result.text), result.title, result.page_date
            methods[result.method] += 1
        except ExtractionError:
            text, title, when = "", "", None
            failures += 1
        lang = langs.get(entry["file"], "?")
        tp = sum(1 for s in entry.get("with", []) if norm(s) in text)
        fn = len(entry.get("with", [])) - tp
        fp = sum(1 for s in entry.get("without", []) if norm(s) in text)
        for key in (lang, "all"):
            c = counts[key]
            c[0] += tp
            c[1] += fp
            c[2] += fn
        if entry.get("title"):
            title_n += 1
            title_ok += norm(title).casefold() == norm(entry["title"]).casefold()
        if entry.get("date"):
            date_n += 1
            date_ok += when is not None and when.date().isoformat() == str(entry["date"])[:10]
    elapsed = time.perf_counter() - started
    report = {
        "pages": len(items), "seconds": round(elapsed, 1), "pages_per_second": round(len(items) / elapsed, 1),
        "no_text": failures, "methods": dict(methods),
        "title_accuracy": round(title_ok / title_n, 3) if title_n else None, "title_n": title_n,
        "date_accuracy": round(date_ok / date_n, 3) if date_n else None, "date_n": date_n,
        "by_language": {},
    }
    for lang, (tp, fp, fn) in sorted(counts.items(), key=lambda kv: -sum(kv[1])):
        p, r, f = prf(tp, fp, fn)
        report["by_language"][lang] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
                                       "tp": tp, "fp": fp, "fn": fn}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
