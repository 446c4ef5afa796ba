"""``vigil search`` and ``vigil stats``."""

from __future__ import annotations

from typing import Annotated

import typer

from vigil.cli.app import STATE, app, date_option, fail
from vigil.cli.output import console, highlighted, print_json
from vigil.runtime import open_store
from vigil.search.store import SearchRequest


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Query: words, "phrases", AND/OR/NOT, prefix*, field:value.')],
    country: Annotated[list[str] | None, typer.Option("--country", "-c", help="ISO country code (repeatable).")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", "-l", help="ISO 639-1 language (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Only articles published on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Only articles published on or before YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="Results per page (1-1000).")] = 10,
    sort: Annotated[str, typer.Option(help="relevance, newest or oldest.")] = "relevance",
    cursor: Annotated[str | None, typer.Option(help="Cursor from a previous page (--json prints it).")] = None,
    all_copies: Annotated[bool, typer.Option("--all-copies", help="Do not collapse syndicated copies.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Search indexed articles."""
    if sort not in ("relevance", "newest", "oldest"):
        raise fail(f"--sort must be relevance, newest or oldest, not {sort!r}", 2)
    if not 1 <= limit <= 1000:
        raise fail(f"--limit must be between 1 and 1000, not {limit}", 2)
    request = SearchRequest(
        query=query,
        countries=tuple(c.upper() for c in country or ()),
        languages=tuple(x.lower() for x in lang or ()),
        since=date_option("--since", since),
        until=date_option("--until", until),
        limit=limit,
        sort=sort,  # type: ignore[arg-type]
        cursor=cursor,
        collapse_duplicates=not all_copies,
    )
    store = open_store(STATE.settings())
    try:
        page = store.search(request)
    finally:
        store.close()
    if json_out:
        print_json(page.model_dump(mode="json"))
        return
    console.print(f"{page.total}{'+' if page.total_capped else ''} results ({page.took_ms:.0f} ms)")
    for i, hit in enumerate(page.hits, 1):
        copies = f", {hit.independent_sources} sources" if hit.independent_sources > 1 else ""
        console.print(f"\n{i:>3}. [bold]{hit.title}[/]")
        console.print(f"     [dim]{hit.published_at:%Y-%m-%d} · {hit.language} · {hit.source_domain}"
                      f" · {','.join(hit.countries) or '-'}{copies}"
                      f" · {', '.join(hit.indicators) or 'no indicator'}[/]")
        console.print("     ", highlighted(hit.snippet))
        console.print(f"     [dim]{hit.url}[/]")
    if page.next_cursor:
        console.print(f"\nmore: --cursor {page.next_cursor}")




@app.command()
def stats(json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Summarise what the store holds."""
    store = open_store(STATE.settings())
    try:
        s = store.stats()
    finally:
        store.close()
    if json_out:
        print_json(s.model_dump(mode="json"))
        return
    console.print(f"articles {s.articles} (syndicated copies {s.duplicates}) · events {s.events} · "
                  f"dead letters {s.dead_letters} · feeds {s.feeds}")
    if s.oldest and s.newest:
        console.print(f"published {s.oldest:%Y-%m-%d} .. {s.newest:%Y-%m-%d}")
    for title, counts in (("languages", s.by_language), ("countries", s.by_country),
                          ("indicators", s.by_indicator)):
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
        console.print(f"{title}: " + ("  ".join(f"{k} {v}" for k, v in top) or "-"))
