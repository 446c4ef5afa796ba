"""``vigil ingest`` and ``vigil demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vigil.cli.app import STATE, app, fail
from vigil.cli.output import console, highlighted, outcome_line, print_json
from vigil.cli.progress import feed_progress
from vigil.config import load_feeds
from vigil.demo_site import DemoSite
from vigil.records import RunReport
from vigil.runtime import build_fetcher, build_raw, build_tagger, feeds_path, open_store
from vigil.search.store import SearchRequest, Store

DEMO_PORT = 8799
"""Default port of the demo site (stable, so a second ``vigil demo`` sees the same article URLs)."""


@app.command()
def ingest(
    feeds: Annotated[Path | None, typer.Option("--feeds", help="Feeds file (default: config/feeds.yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Fetch feeds even if TTL or back-off says wait.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
) -> None:
    """Fetch every feed in a feeds file, extract, tag and index the new articles."""
    from vigil.pipeline import run_ingest

    settings = STATE.settings()
    catalogue = load_feeds(feeds_path(settings, feeds))
    store = open_store(settings)
    try:
        with build_fetcher(settings) as fetcher, feed_progress(len(catalogue.feeds)) as progress:
            report = run_ingest(catalogue, store=store, fetcher=fetcher, tagger=build_tagger(settings),
                                raw=build_raw(settings), max_articles=settings.max_articles_per_feed,
                                progress=progress, force=force)
    finally:
        store.close()
    if json_out:
        print_json(report.model_dump(mode="json"))
    else:
        console.print(run_summary(report))


def run_summary(report: RunReport) -> str:
    new = report.get("indexed")
    known = report.get("known")
    failed = sum(v for k, v in report.counts.items() if k.endswith("-failed") or k in {"no-text"})
    return (f"{report.feeds} feeds: {new} new articles indexed, {known} already known, {failed} failed "
            f"(see 'vigil failures').\n  outcomes: {outcome_line(report.counts)}")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port for the demo site. Article ids come from URLs, so re-runs "
                                             "must use the same port to be recognised.")] = DEMO_PORT,
    query: Annotated[str, typer.Option(help="The sample search to show.")] = "massacre",
) -> None:
    """Serve the bundled fictional news site locally, ingest it, and show what Vigil found."""
    from vigil.pipeline import run_ingest

    settings = STATE.settings()
    store = open_store(settings)
    try:
        with _demo_site(port) as site:
            catalogue = load_feeds(site.feeds_file, base_url=site.base_url)
            console.print(f"[bold]Vigil demo[/]: {len(catalogue.feeds)} feeds of a fictional news site "
                          f"served at {site.base_url}; store: {settings.store_path}")
            with build_fetcher(settings, extra_allow_hosts=("127.0.0.1",), per_host_delay=0) as fetcher, \
                    feed_progress(len(catalogue.feeds)) as progress:
                # force: the demo re-reads every feed on each run to show that nothing is indexed twice
                report = run_ingest(catalogue, store=store, fetcher=fetcher, tagger=build_tagger(settings),
                                    raw=build_raw(settings), progress=progress, force=True)
        console.print(run_summary(report))
        if report.get("indexed") == 0 and report.get("known"):
            console.print(f"Nothing new: all {report.get('known')} articles were already known "
                          f"(a re-run never duplicates).")
        print_store_overview(store, query)
    finally:
        store.close()


def _demo_site(port: int) -> DemoSite:
    from vigil.demo_site import DemoSite

    try:
        return DemoSite(port=port)
    except OSError as exc:
        raise fail(f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror}); "
                   f"choose another port with --port (use the same one on every run)") from exc


def print_store_overview(store: Store, query: str) -> None:
    stats = store.stats()
    console.print(f"\n[bold]In the store[/]: {stats.articles} articles "
                  f"({stats.duplicates} syndicated copies linked), {stats.events} indicator events, "
                  f"{stats.dead_letters} dead letters")
    console.print("[bold]By language[/]: " + _top(stats.by_language, 20))
    console.print("[bold]By country[/]:  " + _top(stats.by_country, 12))
    console.print("[bold]By indicator[/]: " + _top(stats.by_indicator, 16))
    page = store.search(SearchRequest(query=query, limit=5))
    console.print(f"\n[bold]Sample search[/] vigil search {query!r}: {page.total} results. The word alone is not "
                  f"evidence: only reports the tagger believes get an indicator tag.")
    for hit in page.hits:
        countries = ",".join(hit.countries) or "-"
        tags = ", ".join(hit.indicators) or "no indicator (innocent use)"
        console.print(f"  [{hit.language}] {hit.published_at:%Y-%m-%d} {hit.title}  "
                      f"[dim]({hit.source_domain}; {countries})[/]  tags: [bold]{tags}[/]")
        console.print("     ", highlighted(hit.snippet))
    console.print("\nTry: vigil search 'displacement OR displaced' --country SD   ·   vigil stats")


def _top(counts: dict[str, int], n: int) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return "  ".join(f"{k} {v}" for k, v in items) or "-"
