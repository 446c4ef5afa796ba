"""``vigil feeds check|status``, ``vigil failures``, ``vigil retry``, ``vigil reextract``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil.cli.app import STATE, app, fail
from vigil.cli.commands_ingest import run_summary
from vigil.cli.output import console, outcome_line, print_json
from vigil.config import load_feeds
from vigil.runtime import build_fetcher, build_raw, build_tagger, feeds_path, open_store

feeds_app = typer.Typer(help="The feeds catalogue: check feeds now, or show their stored health.",
                        no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")

FeedsOption = Annotated[Path | None, typer.Option("--feeds", help="Feeds file (default: config/feeds.yaml).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@feeds_app.command("check")
def feeds_check(feeds: FeedsOption = None, json_out: JsonOption = False,
                group: Annotated[str | None, typer.Option(help="Only feeds of this group.")] = None) -> None:
    """Fetch and parse every feed now and report its state (needs internet for real feeds)."""
    from vigil.ingest.offline import check_feed

    settings = STATE.settings()
    catalogue = load_feeds(feeds_path(settings, feeds))
    specs = [f for f in catalogue.feeds if group is None or f.group == group]
    results = []
    with build_fetcher(settings) as fetcher:
        for feed in specs:
            results.append(check_feed(feed, fetcher))
    if json_out:
        print_json([dataclasses.asdict(r) for r in results])
        return
    table = Table("feed", "lang", "state", "items", "newest", "ms", "detail")
    for r in results:
        table.add_row(r.name, r.language, r.state, str(r.items or ""), f"{r.newest:%Y-%m-%d}" if r.newest else "",
                      f"{r.latency_ms:.0f}" if r.latency_ms else "", r.reason)
    console.print(table)
    ok = sum(1 for r in results if r.state == "ok")
    console.print(f"{ok} of {len(results)} feeds ok")


@feeds_app.command("status")
def feeds_status(feeds: FeedsOption = None, json_out: JsonOption = False) -> None:
    """Show each feed's stored health: last success, last error, failures, items, latency."""
    from vigil.ingest.offline import status_rows

    settings = STATE.settings()
    catalogue = load_feeds(feeds_path(settings, feeds))
    store = open_store(settings)
    try:
        rows = status_rows(catalogue.feeds, store.feed_states())
    finally:
        store.close()
    if json_out:
        print_json(rows)
        return
    table = Table("feed", "lang", "group", "status", "last success", "failures", "seen", "new", "ms", "last error")
    for r in rows:
        table.add_row(r["name"], r["language"], r["group"], r["status"],
                      f"{r['last_success']:%Y-%m-%d %H:%M}" if r["last_success"] else "-", str(r["failures"]),
                      str(r["items_seen"]), str(r["items_new"]),
                      f"{r['latency_ms']:.0f}" if r["latency_ms"] else "", (r["last_error"] or "")[:60])
    console.print(table)


@app.command()
def failures(
    retryable: Annotated[bool | None, typer.Option("--retryable/--permanent", help="Filter by retryability.")] = None,
    include_resolved: Annotated[bool, typer.Option("--all", help="Include resolved dead letters.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    json_out: JsonOption = False,
) -> None:
    """List dead letters: every entry that failed, with its stage, reason and time."""
    store = open_store(STATE.settings())
    try:
        letters = store.dead_letters(retryable=retryable, include_resolved=include_resolved, limit=limit)
    finally:
        store.close()
    if json_out:
        print_json([{"id": d.id, "resolved": d.resolved, **d.letter.model_dump(mode="json")} for d in letters])
        return
    if not letters:
        console.print("no dead letters")
        return
    table = Table("id", "when", "stage", "reason", "retry", "tries", "url")
    for d in letters:
        x = d.letter
        table.add_row(str(d.id), f"{x.at:%Y-%m-%d %H:%M}", x.stage.value, x.reason, "yes" if x.retryable else "no",
                      str(x.attempts), x.url)
    console.print(table)


@app.command()
def retry(feeds: FeedsOption = None, json_out: JsonOption = False) -> None:
    """Retry the dead letters that can be retried (feeds and pages that failed for a passing reason)."""
    from vigil.pipeline import retry_dead_letters

    settings = STATE.settings()
    catalogue = load_feeds(feeds_path(settings, feeds))
    store = open_store(settings)
    try:
        with build_fetcher(settings) as fetcher:
            report = retry_dead_letters(catalogue, store=store, fetcher=fetcher, tagger=build_tagger(settings),
                                        raw=build_raw(settings))
    finally:
        store.close()
    if json_out:
        print_json(report.model_dump(mode="json"))
    else:
        console.print(f"retried: {report.get('retry-succeeded')} succeeded, {report.get('retry-failed')} failed")
        console.print(run_summary(report))


@app.command()
def reextract(
    ids: Annotated[list[str] | None, typer.Argument(help="Article ids (default: every raw capture).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Run extraction again on stored raw pages, then re-tag and re-index (after an extractor upgrade)."""
    from vigil.pipeline import reextract_articles

    settings = STATE.settings()
    raw = build_raw(settings)
    if raw is None:
        raise fail("raw capture is off (VIGIL_RAW_CAPTURE=false): nothing to re-extract")
    store = open_store(settings)
    try:
        report = reextract_articles(ids or list(raw.iter_ids()), store=store, raw=raw,
                                    tagger=build_tagger(settings))
    finally:
        store.close()
    if json_out:
        print_json(report.model_dump(mode="json"))
    else:
        console.print(f"re-extracted: {report.get('updated')} updated, {report.get('unchanged')} unchanged, "
                      f"{report.get('reextract-failed')} failed, {report.get('no-raw-capture')} without raw capture")


@app.command()
def runs(limit: Annotated[int, typer.Option(help="At most this many reports.")] = 20,
         json_out: JsonOption = False) -> None:
    """Show stored run reports (CLI runs, Airflow runs and their feed groups), newest first."""
    store = open_store(STATE.settings())
    try:
        reports = store.run_reports(limit=limit)
    finally:
        store.close()
    if json_out:
        print_json([{**r, "report": r["report"].model_dump(mode="json")} for r in reports])
        return
    if not reports:
        console.print("no runs recorded yet")
        return
    table = Table("run", "scope", "recorded", "feeds", "outcomes")
    for r in reports:
        report = r["report"]
        table.add_row(r["run_id"], r["scope"], f"{r['recorded_at']:%Y-%m-%d %H:%M}", str(report.feeds),
                      outcome_line(report.counts))
    console.print(table)
