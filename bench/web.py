"""Benchmark the web workspace's pages on the search benchmark's synthetic store.

    python bench/web.py --source /tmp/vigil-bench/vigil.sqlite3 --db /tmp/vigil-web-bench/vigil.sqlite3

Copies the search benchmark's store (built by ``bench/search.py --articles 1000000``) so the web tables'
migration does not touch it (``--reuse`` measures an existing copy; ``--articles N`` builds a fresh store
with bench/search.py's generator when there is no source). Requests run in-process through the ASGI app
(routing, store, templates), logged in as an analyst; prints p50/p95 of the search page (hits and total;
its facets and trend come by a second request, its own row) and of country pages (stacked trend, actor
and group counts, latest evidence), as Markdown.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from vigil.search.review import review_store_for
from vigil.search.sqlite import SqliteStore
from vigil.web.app import create_app
from vigil.web.security import hash_password

KEYWORDS = ["massacre", "displaced", "siege", "militia", "detention", "refugees", "crackdown", "coup"]
COUNTRIES = ["SD", "SS", "MM", "ET", "CD", "NG", "ML", "BF", "SY", "YE", "AF", "UA"]
PASSWORD = "bench password 123"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def timed(client: TestClient, urls: list[str], runs: int) -> tuple[float, float]:
    samples = []
    for i in range(runs):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:200]}")
    return percentiles(samples)


def prepare(args: argparse.Namespace) -> SqliteStore:
    if not args.reuse:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        if args.source and args.source.exists():
            source = sqlite3.connect(f"file:{args.source}?mode=ro", uri=True)  # no migration on the source
            target = sqlite3.connect(args.db)
            source.backup(target, pages=65536)
            target.close()
            source.close()
        else:
            from search import build  # bench/search.py

            fresh = SqliteStore(args.db, cache_mb=256)
            build(fresh, args.articles)
            fresh.close()
    store = SqliteStore(args.db, cache_mb=256)
    reviews = review_store_for(store)
    if reviews.get_user("bench") is None:
        reviews.add_user("bench", hash_password(PASSWORD), "analyst")
    return store


def login(client: TestClient) -> None:
    import re

    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post("/login", data={"username": "bench", "password": PASSWORD,
                                           "csrf_token": token.group(1)}, follow_redirects=False)
    assert response.status_code == 303, response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/tmp/vigil-bench/vigil.sqlite3"))
    parser.add_argument("--db", type=Path, default=Path("/tmp/vigil-web-bench/vigil.sqlite3"))
    parser.add_argument("--articles", type=int, default=200_000, help="size of a fresh store (no source)")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--until", default="2026-11-21", help="country pages' last day (the data's 'today')")
    args = parser.parse_args()
    store = prepare(args)
    articles = store._db().execute("SELECT count(*) FROM articles").fetchone()[0]
    events = store._db().execute("SELECT count(*) FROM events").fetchone()[0]
    app = create_app(store, secret_key="bench-secret-key-0123456789")
    pages: list[tuple[str, list[str]]] = [
        ("search page: keyword (20 hits + total)", [f"/search?q={k}" for k in KEYWORDS]),
        ("search page's deferred call: 4 facets + weekly trend",
         [f"/api/search?q={k}&limit=1" for k in KEYWORDS]),
        ("search page: keyword + country",
         [f"/search?q={k}&country={c}" for k, c in zip(KEYWORDS, COUNTRIES, strict=False)]),
        ("search page: empty query, one country, newest", [f"/search?country={c}&sort=newest" for c in COUNTRIES]),
        ("country page (26-week stacked trend, actors, groups, evidence)",
         [f"/countries/{c}?until={args.until}" for c in COUNTRIES]),
        ("review queue page (pending, most severe first)", ["/review", "/review?country=SD", "/review?lang=fr"]),
        ("search page rendered in full (`full=1`: hits, facets, trend)", [f"/search?q={k}&full=1" for k in KEYWORDS]),
    ]
    print(f"# Vigil web benchmark ({articles:,} articles, {events:,} events)\n")
    print("| page | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    with TestClient(app) as client:
        login(client)
        for name, urls in pages:
            timed(client, urls[:2], 2)  # warm-up
            p50, p95 = timed(client, urls, args.runs)
            print(f"| {name} | {p50:.1f} | {p95:.1f} |", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {rss:,.0f} MiB; {args.runs} requests per row, in-process (ASGI, no network)")
    store.close()


if __name__ == "__main__":
    main()
