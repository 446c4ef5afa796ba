"""``vigil trends``, ``vigil alerts`` and ``vigil export``."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, get_args

import typer

from vigil.cli.app import STATE, app, date_option, fail
from vigil.cli.output import print_json
from vigil.cli.plot import write_plot
from vigil.runtime import open_store
from vigil.search.alerts import Alert, AlertStore, compute_alerts, load_alert_config
from vigil.search.export import DEFAULT_FIELDS, FORMATS, check_fields, iter_export, write_export
from vigil.search.review import ALERT_STATUSES
from vigil.search.store import FacetField, Interval, SearchRequest, TrendRequest, TrendSeries

SPLITS: tuple[str, ...] = get_args(FacetField)
INTERVALS: tuple[str, ...] = get_args(Interval)




# --------------------------------------------------------------------------- trends


@app.command()
def trends(
    query: Annotated[str, typer.Argument(help="Query (empty: every article).")] = "",
    by: Annotated[str | None, typer.Option("--by", help=f"Split by {', '.join(SPLITS)}.")] = None,
    interval: Annotated[str, typer.Option(help="day, week or month.")] = "day",
    since: Annotated[str | None, typer.Option(help="From YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Until YYYY-MM-DD.")] = None,
    normalise: Annotated[bool, typer.Option("--normalise", help="Share of all articles per bucket.")] = False,
    top: Annotated[int, typer.Option(help="Series kept when split (1-50).")] = 10,
    plot: Annotated[Path | None, typer.Option(help="Write a chart: FILE.png or FILE.html.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the series as JSON.")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print series,bucket,count,total,value as CSV.")] = False,
) -> None:
    """Count matching articles over time (attention over time), optionally split and normalised."""
    if by is not None and by not in SPLITS:
        raise fail(f"--by must be one of {', '.join(SPLITS)}, not {by!r}", 2)
    if interval not in INTERVALS:
        raise fail(f"--interval must be day, week or month, not {interval!r}", 2)
    if not 1 <= top <= 50:
        raise fail(f"--top must be between 1 and 50, not {top}", 2)
    if json_out and csv_out:
        raise fail("choose one of --json and --csv", 2)
    if plot is not None and plot.suffix.lower() not in (".png", ".html", ".htm"):
        raise fail(f"--plot must name a .png or .html file, not {plot.name!r}", 2)
    request = TrendRequest(query=query, interval=interval, split_by=by, since=date_option("--since", since),  # type: ignore[arg-type]
                           until=date_option("--until", until), normalise=normalise, top=top)
    store = open_store(STATE.settings())
    try:
        series = store.trends(request)
    finally:
        store.close()
    if plot is not None:
        title = f"{query or 'all articles'} per {interval}" + (f" by {by}" if by else "")
        write_plot(series, plot, title=title, normalised=normalise)
    if json_out:
        print_json([s.model_dump(mode="json") for s in series])
    elif csv_out:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["series", "bucket", "count", "total", "value"])
        for s in series:
            for p in s.points:
                writer.writerow([s.key, p.bucket.isoformat(), p.count, p.total, _value(p.value, normalise)])
    else:
        typer.echo(trend_table(series, normalise))
    if plot is not None:
        typer.echo(f"chart written to {plot}", err=True)


def _value(value: float, normalise: bool) -> str:
    return f"{value:.4f}" if normalise else str(int(value))


def trend_table(series: list[TrendSeries], normalise: bool) -> str:
    """Buckets down, series across, as aligned plain text."""
    if not series:
        return "no matching articles"
    buckets = sorted({p.bucket for s in series for p in s.points})
    values = {(s.key, p.bucket): _value(p.value, normalise) for s in series for p in s.points}
    header = ["bucket", *(s.key for s in series)]
    rows = [[b.isoformat(), *(values.get((s.key, b), "") for s in series)] for b in buckets]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    return "\n".join(line.rstrip() for line in lines)


# --------------------------------------------------------------------------- alerts


@app.command()
def alerts(
    country: Annotated[str | None, typer.Option("--country", "-c", help="ISO country code.")] = None,
    since: Annotated[str | None, typer.Option(help="Alerts of days on or after YYYY-MM-DD.")] = None,
    status: Annotated[str, typer.Option(help="open, acknowledged, closed or all.")] = "open",
    limit: Annotated[int, typer.Option(help="Most alerts listed.")] = 50,
    compute: Annotated[str | None, typer.Option(
        help="First compute and store the alerts of this day (YYYY-MM-DD), with <config_dir>/alerts.yaml.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List alerts: a country's indicator departing from its own baseline, reported by independent outlets."""
    if status not in (*ALERT_STATUSES, "all"):
        raise fail(f"--status must be open, acknowledged, closed or all, not {status!r}", 2)
    if limit < 1:
        raise fail(f"--limit must be at least 1, not {limit}", 2)
    since_day, compute_day = date_option("--since", since), date_option("--compute", compute)
    settings = STATE.settings()
    config = load_alert_config(settings.config_dir / "alerts.yaml") if compute_day else None
    store = open_store(settings)
    try:
        if not isinstance(store, AlertStore):
            raise fail(f"the {settings.store} store cannot keep alerts")
        if compute_day is not None:
            computed = compute_alerts(store, compute_day, config)
            typer.echo(f"computed {len(computed)} alert(s) for {compute_day.isoformat()}", err=True)
        found = store.alerts(country=country.upper() if country else None, since=since_day,
                             status=None if status == "all" else status, limit=limit)
    finally:
        store.close()
    if json_out:
        print_json([a.model_dump(mode="json") for a in found])
        return
    typer.echo("\n".join(alert_lines(a) for a in found) if found else "no alerts")


def alert_lines(alert: Alert, evidence: int = 3) -> str:
    """An alert as a headline and its first evidence links."""
    lines = [f"{alert.day.isoformat()}  {alert.level.upper():<7}  {alert.country}  {alert.category}  "
             f"severity {alert.severity} · urgency {alert.urgency}{' (rising)' if alert.rising else ''} · "
             f"score {alert.score:g} vs baseline {alert.baseline_median:g} (z {alert.z:g}) · "
             f"{alert.reports} reports, {alert.independent_sources} outlets · {alert.status} · {alert.id[:12]}"]
    lines.extend(f"    {e.url} ({e.source_domain})" for e in alert.evidence[:evidence])
    if len(alert.evidence) > evidence:
        lines.append(f"    ... {len(alert.evidence) - evidence} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------- export


@app.command()
def export(
    query: Annotated[str, typer.Argument(help="Query (empty: every article).")] = "",
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    fields: Annotated[str | None, typer.Option(help="Comma-separated fields (default: with provenance).")] = None,
    country: Annotated[list[str] | None, typer.Option("--country", "-c", help="ISO country code (repeatable).")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", "-l", help="ISO 639-1 language (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Only articles published on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Only articles published on or before YYYY-MM-DD.")] = None,
    sort: Annotated[str, typer.Option(help="newest, oldest or relevance.")] = "newest",
    limit: Annotated[int | None, typer.Option(help="Stop after this many rows (default: all).")] = None,
    all_copies: Annotated[bool, typer.Option("--all-copies", help="Do not collapse syndicated copies.")] = False,
) -> None:
    """Stream every matching article with its provenance as CSV or JSON Lines."""
    if fmt not in FORMATS:
        raise fail(f"--format must be csv or jsonl, not {fmt!r}", 2)
    if sort not in ("relevance", "newest", "oldest"):
        raise fail(f"--sort must be relevance, newest or oldest, not {sort!r}", 2)
    if limit is not None and limit < 1:
        raise fail(f"--limit must be at least 1, not {limit}", 2)
    chosen = check_fields([f.strip() for f in fields.split(",") if f.strip()] if fields else DEFAULT_FIELDS)
    request = SearchRequest(query=query, countries=tuple(c.upper() for c in country or ()),
                            languages=tuple(x.lower() for x in lang or ()), since=date_option("--since", since),
                            until=date_option("--until", until), sort=sort,  # type: ignore[arg-type]
                            collapse_duplicates=not all_copies, highlight=False)
    store = open_store(STATE.settings())
    try:
        rows = iter_export(store, request, chosen, limit=limit)
        if output is None:
            write_export(rows, sys.stdout, fmt, chosen)
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as stream:
                count = write_export(rows, stream, fmt, chosen)
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}") from exc
        typer.echo(f"exported {count} rows to {output}", err=True)
    finally:
        store.close()
