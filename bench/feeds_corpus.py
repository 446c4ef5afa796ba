"""Feed-parsing benchmark over the real feeds in ../shared/corpora/feeds-*.

Usage: python bench/feeds_corpus.py [CORPORA_DIR]   (default $VIGIL_CORPORA or ../shared/corpora)

For every feed file: the charset Vigil decides on, the item count against the expected count (from the
upstream projects' gold parses or SOURCE.md), the share of titles equal to the gold titles, and whether the
text reads as clean text in its language (no U+FFFD, no mojibake by charset-normalizer's mess ratio,
and the script expected for the language present).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from charset_normalizer.md import mess_ratio  # noqa: E402

from vigil.ingest.encoding import decide_encoding  # noqa: E402
from vigil.ingest.feeds import html_to_text, parse_feed  # noqa: E402
from vigil.records import FeedSpec, FetchedPage  # noqa: E402

# customfields.rss comes from a Kannada portal (Varthabharati) but its items are its English edition: "en".
SCRIPT = {  # a character class the language's text must contain
    "pt": r"[ãõçáéíóúâêô]", "it": r"[àèéìòù]", "de": r"[äöüß]", "fr": r"[éèàçêô]", "zh": r"[\u4e00-\u9fff]",
    "kn": r"[\u0c80-\u0cff]", "en": r"[a-z]",
}


def default_corpora() -> Path:
    env = os.environ.get("VIGIL_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", html_to_text(text or "")).split())


def same_title(ours: str, gold: str) -> bool:
    """Equal after normalising; a U+FFFD in the gold (its own decoding failed) matches any one character."""
    a, b = norm(ours), norm(gold)
    if "\ufffd" not in b:
        return a == b
    pattern = ".".join(re.escape(part) for part in b.split("\ufffd"))
    return re.fullmatch(pattern, a) is not None


def cases(corpora: Path) -> list[tuple[Path, str, int, list[str] | None]]:
    """(feed file, language, expected item count, gold titles or None)."""
    out: list[tuple[Path, str, int, list[str] | None]] = []
    rp = corpora / "feeds-rss-parser"
    for name, lang in [("guardian.rss", "en"), ("heise.atom", "de"), ("encoding.rss", "pt"),
                       ("uolNoticias.rss", "pt"), ("customfields.rss", "en"), ("encoding-gb2312.xml", "zh")]:
        stem = name.rsplit(".", 1)[0]
        raw = (rp / "expected-output" / f"{stem}.json").read_bytes()
        try:
            gold = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:  # uolNoticias' own gold file is Latin-1
            gold = json.loads(raw.decode("cp1252"))
        items = gold["feed"]["items"]
        out.append((rp / "input" / name, lang, len(items), [i.get("title", "") for i in items]))
    fr = corpora / "feeds-feed-rs"
    for path in sorted(fr.glob("*.xml")):
        gold = json.loads(path.with_suffix(".expected.serde.json").read_text(encoding="utf-8"))
        lang = (gold.get("language") or "en")[:2]
        titles = [((e.get("title") or {}).get("content") or "") for e in gold.get("entries", [])]
        out.append((path, lang, len(titles), titles))
    mc = corpora / "feeds-mediacloud-rss-fetcher"
    out.append((mc / "real-cnn.rss", "en", 69, None))
    out.append((mc / "real-korean-times.rss", "en", 195, None))
    out.append((corpora / "feeds-lemonde-carousel-angular" / "lemonde-international-2024-03-27.rss", "fr", 20, None))
    return out


def main() -> int:
    corpora = Path(sys.argv[1]) if len(sys.argv) > 1 else default_corpora()
    now = datetime(2026, 11, 21, tzinfo=UTC)
    rows = []
    ok_all = True
    started = time.perf_counter()
    for path, lang, expected, gold_titles in cases(corpora):
        body = path.read_bytes()
        codec = decide_encoding(body, None, "feed")
        page = FetchedPage(requested_url=f"file://{path.name}", final_url="https://feed.example/",
                           status=200, content_type="application/xml", body=body, encoding=codec,
                           fetched_at=now)
        parsed = parse_feed(page, FeedSpec(url="https://feed.example/", name=path.name, language=lang))
        titles = [e.title for e in parsed.entries]
        text = " ".join(titles + [e.summary for e in parsed.entries])
        matched = None
        if gold_titles is not None:
            pairs = list(zip(titles, gold_titles, strict=False))
            matched = sum(same_title(a, b) for a, b in pairs) / max(1, len(gold_titles))
        clean = ("\ufffd" not in text and mess_ratio(text[:50_000], 0.2) < 0.2
                 and bool(re.search(SCRIPT.get(lang, r"\w"), text.lower())))
        count_ok = len(parsed.entries) == expected
        ok_all &= count_ok and clean
        rows.append({"feed": f"{path.parent.name}/{path.name}", "language": lang, "charset": codec,
                     "items": len(parsed.entries), "expected": expected, "count_ok": count_ok,
                     "titles_matching_gold": None if matched is None else round(matched, 3), "clean_text": clean,
                     "recovered_from_malformed": parsed.recovered})
    elapsed = time.perf_counter() - started
    width = max(len(r["feed"]) for r in rows)
    print(f"{'feed':<{width}}  lang charset      items/expected  titles=gold  clean")
    for r in rows:
        gold = "-" if r["titles_matching_gold"] is None else f"{r['titles_matching_gold']:.2f}"
        print(f"{r['feed']:<{width}}  {r['language']:<4} {r['charset']:<12} {r['items']:>5}/{r['expected']:<8}"
              f"  {gold:>11}  {'yes' if r['clean_text'] else 'NO'}")
    print(f"\n{len(rows)} feeds in {elapsed:.2f}s; all counts right and text clean: {ok_all}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
