"""Benchmark the embedded SQLite store on synthetic news (deterministic, vocabulary-based).

    python bench/search.py --articles 1000000 --db /tmp/vigil-bench/vigil.sqlite3 [--reuse]

Builds the store through ``SqliteStore.upsert`` (the pipeline's path), then measures p50/p95 latency of
typical searches, a trend and the alert aggregation, each beside a naive LIKE-scan baseline, and prints a
Markdown report. Texts are generated from made-up per-language vocabularies plus a small shared list of
topic words, with Zipf-distributed frequencies and log-normal lengths.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vigil.records import (
    Article,
    CountryMention,
    DateSource,
    EntityMention,
    IndexedDocument,
    IndicatorEvent,
    IndicatorHit,
    Tags,
)
from vigil.search.alerts import compute_alerts
from vigil.search.sqlite import SqliteStore
from vigil.search.store import FacetField, SearchRequest, TrendRequest

SEED = 20261121
START = date(2025, 1, 1)
DAYS = 730
LANGS = ["en", "fr", "es", "ar", "ru", "pt", "de", "sw", "ha", "am", "so", "fa", "ur", "tr", "my", "zh",
         "id", "uk", "it", "ti"]
SCRIPTS = {"ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی",
           "ur": "ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنوہی", "ru": "абвгдежзийклмнопрстуфхцчшщыэюя",
           "uk": "абвгдежзийклмнопрстуфхцчшщьюяєії", "am": "ሀለሐመሠረሰሸቀበተቸኀነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐ",
           "ti": "ሀለሐመሠረሰሸቀበተቸኀነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐ", "my": "ကခဂဃငစဆဇဈညဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအ",
           "zh": "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
                 "对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现"}
LATIN = "abcdefghijklmnoprstuvwyzéèàçñãõüöäß"
TOPICS = {
    "mass_killing": ["massacre", "killed", "civilians", "bodies", "gunmen"],
    "genocidal_intent": ["genocide", "extermination", "ethnic", "cleansing"],
    "forced_displacement": ["displaced", "fled", "refugees", "expelled", "villages"],
    "detention": ["detention", "camps", "detained", "disappeared"],
    "siege_starvation": ["siege", "starvation", "aid", "blockade", "famine"],
    "sexual_violence": ["rape", "survivors", "abducted"],
    "incitement": ["hate", "speech", "propaganda", "radio"],
    "militia_mobilization": ["militia", "armed", "weapons", "recruits"],
    "repression": ["crackdown", "emergency", "arrests", "protesters"],
    "information_blackout": ["internet", "shutdown", "journalists", "expelled"],
    "targeting": ["lists", "house", "searches", "checkpoints"],
    "dehumanization": ["vermin", "cockroaches", "subhuman"],
    "discrimination": ["citizenship", "stateless", "banned"],
    "classification": ["identity", "cards", "registration"],
    "denial_impunity": ["denied", "cover", "graves", "impunity"],
    "trigger": ["coup", "election", "assassination", "ceasefire"],
}
CATEGORIES = list(TOPICS)
COUNTRIES = ["SD", "SS", "CD", "ET", "MM", "NG", "ML", "BF", "CF", "SO", "YE", "SY", "AF", "UA", "RU", "IQ",
             "LY", "TD", "NE", "CM", "MZ", "HT", "VE", "CO", "MX", "IN", "PK", "BD", "CN", "PS", "IL", "LB",
             "IR", "TR", "AM", "AZ", "GE", "KE", "UG", "RW", "BI", "TZ", "ER", "DJ", "EG", "DZ", "MA", "TN",
             "FR", "GB", "US", "DE", "BR", "AR", "PH", "ID", "TH", "LK", "NP", "KH"]
ACTORS = [f"actor{i:02d}" for i in range(40)]
GROUPS = [f"group{i:02d}" for i in range(30)]
COMMON_EN = ["the", "of", "and", "to", "in", "a", "said", "on", "for", "was", "with", "by", "government",
             "officials", "people", "region", "report", "week", "city", "forces", "police", "security",
             "talks", "minister", "president", "water", "river", "market", "school", "health", "election"]


class Generator:
    """Deterministic synthetic articles."""

    def __init__(self, seed: int = SEED, vocab: int = 30_000) -> None:
        self.rng = random.Random(seed)
        self.vocab = {lang: self._vocabulary(lang, vocab) for lang in LANGS}
        weights = [1 / (r + 1) ** 1.07 for r in range(vocab)]
        self.cum = list(itertools.accumulate(weights))
        cw = [1 / (r + 1) for r in range(len(COUNTRIES))]
        self.country_cum = list(itertools.accumulate(cw))
        self.sources = [f"outlet{i:04d}.example" for i in range(2000)]
        self.recent: list[tuple[str, str, str, datetime]] = []

    def _vocabulary(self, lang: str, size: int) -> list[str]:
        rng = random.Random(f"{SEED}-{lang}")
        letters = SCRIPTS.get(lang, LATIN)
        words: set[str] = set(COMMON_EN) if lang == "en" else set()
        while len(words) < size:
            words.add("".join(rng.choice(letters) for _ in range(max(2, int(rng.lognormvariate(1.7, 0.35))))))
        return sorted(words, key=lambda w: (len(w), w)) if lang != "en" else [
            *COMMON_EN, *sorted(words - set(COMMON_EN), key=lambda w: (len(w), w))]

    def document(self, n: int) -> IndexedDocument:
        rng = self.rng
        lang = LANGS[min(int(rng.expovariate(0.25)), len(LANGS) - 1)]
        vocab = self.vocab[lang]
        length = min(2500, max(60, int(rng.lognormvariate(5.9, 0.55))))  # median ~365 words
        words = rng.choices(vocab, cum_weights=self.cum, k=length)
        cats = rng.sample(CATEGORIES, k=rng.choice((1, 1, 2))) if rng.random() < 0.3 else []
        for cat in cats:
            for _ in range(rng.randint(1, 4)):
                words[rng.randrange(length)] = rng.choice(TOPICS[cat])
        if "genocidal_intent" in cats and rng.random() < 0.5:
            i = rng.randrange(length - 1)
            words[i:i + 2] = ["ethnic", "cleansing"]
        countries = list(dict.fromkeys(rng.choices(COUNTRIES, cum_weights=self.country_cum,
                                                   k=rng.choice((1, 1, 2, 3)))))
        published = datetime.combine(START, datetime.min.time(), UTC) + timedelta(
            seconds=rng.randrange(DAYS * 86400))
        source = rng.choice(self.sources)
        duplicate_of = None
        if self.recent and rng.random() < 0.05:
            orig_id, title, text, orig_published = rng.choice(self.recent)
            duplicate_of, published = orig_id, orig_published + timedelta(hours=rng.randint(1, 12))
        else:
            title = " ".join(rng.choices(vocab, cum_weights=self.cum, k=rng.randint(6, 12))).capitalize()
            text = _paragraphs(words, rng)
        url = f"https://{source}/{published:%Y/%m/%d}/story-{n}"
        article_id = hashlib.sha256(url.encode()).hexdigest()
        if duplicate_of is None:
            self.recent.append((article_id, title, text, published))
            if len(self.recent) > 500:
                self.recent.pop(0)
        actors = [rng.choice(ACTORS)] if rng.random() < 0.2 else []
        groups = [rng.choice(GROUPS)] if rng.random() < 0.15 else []
        hits = tuple(IndicatorHit(category=c, severity=3, text=TOPICS[c][0], sentence=TOPICS[c][0], start=0,
                                  end=5, pattern=TOPICS[c][0], lexicon_version="bench", weight=1.0) for c in cats)
        focus = countries[0]
        events = tuple(IndicatorEvent(id=hashlib.sha256(f"{article_id}{h.category}{focus}".encode()).hexdigest(),
                                      article_id=article_id, category=h.category, country=focus, severity=3,
                                      score=1.0, confidence=0.7, evidence=(h,)) for h in hits)
        keys = tuple(hashlib.md5(f"{title}{b}".encode()).hexdigest()[:16] for b in range(4))
        article = Article(id=article_id, url=url, source_domain=source, feed_url=None, title=title, text=text,
                          published_at=published, date_source=DateSource.PAGE, fetched_at=published,
                          extraction_method="synthetic", content_hash=article_id, fingerprint=keys[0],
                          near_dup_keys=keys, language=lang, language_confidence=0.9)
        tags = Tags(language=lang,
                    countries=tuple(CountryMention(code=c, count=1, focus=c == focus) for c in countries),
                    actors=tuple(EntityMention(id=a, name=a, kind="armed_group", count=1) for a in actors),
                    groups=tuple(EntityMention(id=g, name=g, kind="ethnic", count=1) for g in groups),
                    indicators=hits, events=events, lexicon_version="bench")
        return IndexedDocument(article=article, tags=tags, duplicate_of=duplicate_of,
                               indexed_at=datetime(2026, 11, 21, tzinfo=UTC))


def _paragraphs(words: list[str], rng: random.Random) -> str:
    out, i = [], 0
    while i < len(words):
        n = rng.randint(12, 30)
        out.append(" ".join(words[i:i + n]).capitalize() + ".")
        i += n
    return " ".join(out)


def build(store: SqliteStore, count: int, batch: int = 1000) -> tuple[float, float]:
    """Index ``count`` articles; return (seconds spent in upsert, total seconds)."""
    gen = Generator()
    upsert_s, started = 0.0, time.perf_counter()
    for first in range(0, count, batch):
        docs = [gen.document(n) for n in range(first, min(count, first + batch))]
        t = time.perf_counter()
        store.upsert(docs)
        upsert_s += time.perf_counter() - t
        if (first // batch) % 50 == 0:
            print(f"  indexed {first + len(docs):,} ({(first + len(docs)) / upsert_s:,.0f}/s in upsert)",
                  file=sys.stderr, flush=True)
    return upsert_s, time.perf_counter() - started


def timed(fn: Callable[[int], object], runs: int) -> tuple[float, float]:
    samples = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]


def scenarios(store: SqliteStore) -> Iterator[tuple[str, Callable[[int], object], Callable[[int], object]]]:
    db = store._db()  # the baselines use raw SQL on the same file
    keywords = ["massacre", "displaced", "siege", "militia", "detention", "refugees", "crackdown", "coup"]
    days = [START + timedelta(days=30 + 17 * i) for i in range(40)]

    def kw(i: int) -> object:
        return store.search(SearchRequest(query=keywords[i % len(keywords)]))

    def kw_like(i: int) -> object:
        w = f"%{keywords[i % len(keywords)]}%"
        return db.execute("SELECT t.seq FROM article_texts t JOIN articles a ON a.seq = t.seq WHERE "
                          "(t.title LIKE ? OR t.body LIKE ?) AND a.collapsed = 0 ORDER BY a.published_at DESC "
                          "LIMIT 20", (w, w)).fetchall()

    def kw_country_date(i: int) -> object:
        d = days[i % len(days)]
        return store.search(SearchRequest(query=f"{keywords[i % len(keywords)]} country:{COUNTRIES[i % 12]} "
                                                 f"date:{d}..{d + timedelta(days=90)}"))

    def kw_country_date_like(i: int) -> object:
        d = days[i % len(days)]
        lo = int(datetime.combine(d, datetime.min.time(), UTC).timestamp())
        w = f"%{keywords[i % len(keywords)]}%"
        return db.execute(
            "SELECT t.seq FROM article_texts t JOIN articles a ON a.seq = t.seq JOIN article_countries c "
            "ON c.seq = a.seq AND c.value = ? WHERE (t.title LIKE ? OR t.body LIKE ?) AND a.published_at "
            "BETWEEN ? AND ? AND a.collapsed = 0 LIMIT 20", (COUNTRIES[i % 12], w, w, lo, lo + 90 * 86400)).fetchall()

    def phrase(i: int) -> object:
        return store.search(SearchRequest(query='"ethnic cleansing"' if i % 2 else '"hate speech"'))

    def phrase_like(i: int) -> object:
        w = "%ethnic cleansing%" if i % 2 else "%hate speech%"
        return db.execute("SELECT seq FROM article_texts WHERE title LIKE ? OR body LIKE ? LIMIT 20", (w, w)).fetchall()

    facets: tuple[FacetField, ...] = ("country", "indicator", "language", "source", "actor", "group")

    def with_facets(i: int) -> object:
        return store.search(SearchRequest(query=keywords[i % len(keywords)], facets=facets))

    def with_facets_like(i: int) -> object:
        w = f"%{keywords[i % len(keywords)]}%"
        return db.execute("SELECT c.value, count(*) FROM article_texts t JOIN article_countries c ON c.seq = t.seq "
                          "WHERE t.body LIKE ? GROUP BY c.value ORDER BY 2 DESC LIMIT 11", (w,)).fetchall()

    def trend(i: int) -> object:
        d = days[i % 20]
        return store.trends(TrendRequest(query=keywords[i % len(keywords)], interval="week", split_by="indicator",
                                         since=d, until=d + timedelta(days=364)))

    def trend_like(i: int) -> object:
        d = days[i % 20]
        lo = int(datetime.combine(d, datetime.min.time(), UTC).timestamp())
        w = f"%{keywords[i % len(keywords)]}%"
        return db.execute(
            "SELECT a.day / 7, i.value, count(*) FROM article_texts t JOIN articles a ON a.seq = t.seq "
            "JOIN article_indicators i ON i.seq = a.seq WHERE t.body LIKE ? AND a.published_at BETWEEN ? AND ? "
            "GROUP BY 1, 2", (w, lo, lo + 365 * 86400)).fetchall()

    def alert(i: int) -> object:
        d = days[i % len(days)]
        return store.event_counts(d - timedelta(days=28), d)

    def alert_like(i: int) -> object:
        d = days[i % len(days)]
        lo = int(datetime.combine(d - timedelta(days=28), datetime.min.time(), UTC).timestamp())
        return db.execute(
            "SELECT e.country, e.category, count(*) FROM events e NOT INDEXED JOIN articles a ON a.seq = e.seq "
            "WHERE a.published_at BETWEEN ? AND ? GROUP BY 1, 2", (lo, lo + 29 * 86400)).fetchall()

    def filter_country(i: int) -> object:  # the web's country search: no words, newest first
        return store.search(SearchRequest(countries=(COUNTRIES[i % 12],), sort="newest"))

    def filter_country_like(i: int) -> object:
        return db.execute("SELECT a.seq FROM articles a NOT INDEXED JOIN article_countries c ON c.seq = a.seq "
                          "AND c.value = ? WHERE a.collapsed = 0 ORDER BY a.published_at DESC LIMIT 20",
                          (COUNTRIES[i % 12],)).fetchall()

    def filter_mixed(i: int) -> object:  # every filter-only shape, every sort, and the second page
        d = days[i % len(days)]
        c, sort = COUNTRIES[i % 12], ("newest", "oldest", "relevance")[i % 3]
        shape = [SearchRequest(query=f"country:{c}", sort=sort),
                 SearchRequest(languages=(LANGS[i % len(LANGS)],), sort=sort),
                 SearchRequest(query=f"indicator:{CATEGORIES[i % len(CATEGORIES)]}", sort=sort),
                 SearchRequest(query=f"source:outlet{i * 37 % 2000:04d}.example", sort=sort),
                 SearchRequest(since=d, until=d + timedelta(days=90), sort=sort),
                 SearchRequest(countries=(c,), languages=("fr",), since=d, until=d + timedelta(days=180), sort=sort),
                 SearchRequest(query=f"country:{c} indicator:{CATEGORIES[i % len(CATEGORIES)]}", sort=sort),
                 SearchRequest(query=f"country:{c} -lang:en", sort=sort)][i % 8]
        first = store.search(shape)
        if first.next_cursor is None:
            return first
        return store.search(shape.model_copy(update={"cursor": first.next_cursor}))

    yield "filter only: one country, newest (20 hits + total)", filter_country, filter_country_like
    yield ("filter only: country / language / indicator / source / dates / combinations, newest / oldest / "
           "relevance, first page + cursor page"), filter_mixed, filter_country_like
    yield "keyword (`massacre`, relevance, 20 hits + total)", kw, kw_like
    yield "keyword + country + 90-day range", kw_country_date, kw_country_date_like
    yield 'phrase (`"ethnic cleansing"`)', phrase, phrase_like
    yield "keyword + 6 facets", with_facets, with_facets_like
    yield "weekly trend over a year, split by indicator", trend, trend_like
    def alert_full(i: int) -> object:  # as the nightly DAG runs it: one day after the other
        return compute_alerts(store, days[-1] + timedelta(days=i), save=False)

    def alert_cold(i: int) -> object:  # a day far from the last one computed: no cached daily scores
        return compute_alerts(store, days[i % len(days)] - timedelta(days=3 * (i % 7)), save=False)

    yield "alert counts for one day (+ 28-day baseline)", alert, alert_like
    yield "alert computation for one day, nightly (consecutive days)", alert_full, alert_like
    yield "alert computation for one day, cold (no cached daily scores)", alert_cold, alert_like


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/vigil-bench/vigil.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="measure an existing store, do not build")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--baseline-runs", type=int, default=3, help="0 skips the LIKE-scan baselines")
    parser.add_argument("--only", default="", help="measure only operations whose name contains this")
    parser.add_argument("--mmap-mb", type=int, default=None, help="SqliteStore mmap_mb (default: the store's)")
    args = parser.parse_args()
    if not args.reuse and args.db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    mmap = {} if args.mmap_mb is None else {"mmap_mb": args.mmap_mb}
    store = SqliteStore(args.db, cache_mb=256, query_timeout=60.0, facet_timeout=10.0, **mmap)
    print(f"# Vigil search benchmark ({args.articles:,} articles)\n")
    if not args.reuse:
        upsert_s, total_s = build(store, args.articles)
        store._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"- indexing: {args.articles / upsert_s:,.0f} articles/s in `upsert` (batches of 1000); "
              f"{args.articles / total_s:,.0f}/s including generation; {total_s / 60:.1f} min in total")
    stats = store.stats()
    size = sum(os.path.getsize(f"{args.db}{s}") for s in ("", "-wal") if os.path.exists(f"{args.db}{s}"))
    print(f"- store: {stats.articles:,} articles ({stats.duplicates:,} duplicates), {stats.events:,} events, "
          f"file {size / 2**30:.2f} GiB ({size / max(stats.articles, 1):,.0f} bytes/article)")
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"- peak RSS of the benchmark process: {rss_mib:,.0f} MiB\n")
    print("| operation | p50 ms | p95 ms | LIKE-scan baseline p50 ms |")
    print("|---|---:|---:|---:|")
    for name, fn, naive in scenarios(store):
        if args.only and args.only not in name:
            continue
        fn(0)  # warm-up
        p50, p95 = timed(fn, args.runs)
        baseline = f"{timed(naive, args.baseline_runs)[0]:,.0f}" if args.baseline_runs > 0 else "-"
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {baseline} |", flush=True)
    store.close()


if __name__ == "__main__":
    main()
