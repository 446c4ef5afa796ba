"""``vigil tag`` and ``vigil extract``: the tagger and the extractor on a researcher's own files."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from vigil.cli.app import STATE, app, fail
from vigil.cli.output import console, print_json
from vigil.errors import ExtractionError
from vigil.runtime import build_tagger


def _open_input(path: Path | None) -> TextIO:
    if path is None or str(path) == "-":
        return sys.stdin
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from exc


@app.command()
def tag(
    input_file: Annotated[Path | None, typer.Argument(help="JSON lines file (default: stdin).")] = None,
    batch_size: Annotated[int, typer.Option(help="Texts per spaCy batch.")] = 32,
    processes: Annotated[int, typer.Option("--processes", "-j", help="Worker processes for spaCy.")] = 1,
    no_models: Annotated[bool, typer.Option("--no-models", help="Rule-based only (no statistical NER).")] = False,
) -> None:
    """Tag JSON lines {"id","text","title"?,"language"?}; one JSON line out per input, in input order.

    The output schema is docs/tag-output.schema.json. A bad input line gets {"line": N, "error": ...}.
    """
    from vigil.nlp.tagjson import tag_jsonl

    tagger = build_tagger(STATE.settings(), use_models=not no_models)
    stream = _open_input(input_file)
    try:
        for line in tag_jsonl(stream, tagger, batch_size=batch_size, n_process=processes):
            typer.echo(line)
    finally:
        if stream is not sys.stdin:
            stream.close()


@app.command()
def extract(
    files: Annotated[list[Path] | None, typer.Argument(help="Saved pages (.html or .html.gz).")] = None,
    url: Annotated[str | None, typer.Option(help="The page's URL (resolves links, canonical URL).")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help='Read {"id","path","url"} lines on stdin.')] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Extract article text and metadata from saved pages."""
    from vigil.ingest.offline import extract_jsonl, extract_saved

    now = datetime.now(UTC)
    if jsonl:
        for record in extract_jsonl(sys.stdin, now=now):
            typer.echo(json.dumps(_with_language(record), ensure_ascii=False))
        return
    if not files:
        raise fail("give one or more saved pages, or --jsonl to read a list on stdin", 2)
    failed = 0
    for path in files:
        try:
            record = _with_language(extract_saved(path, url=url, now=now))
        except (ExtractionError, OSError) as exc:
            failed += 1
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            typer.echo(f"vigil: error: {path}: {reason}", err=True)
            continue
        if json_out:
            print_json({"path": str(path), **record})
        else:
            console.print(f"[bold]{record['title']}[/]  [dim]{path}[/]")
            console.print(f"[dim]{record['language']} · {record['published_at'] or 'no date'} "
                          f"({record['date_source'] or '-'}) · {', '.join(record['authors']) or 'no author'} · "
                          f"{record['method']}[/]\n")
            console.print(record["text"] + "\n")
    if failed:
        raise typer.Exit(1)


def _with_language(record: dict[str, Any]) -> dict[str, Any]:
    """Replace the page's declared language by the detected one (the declared one is evidence)."""
    from vigil.nlp.language import detect_language

    if "error" in record:
        return record
    decision = detect_language(record.get("text") or "", title=record.get("title") or "",
                               declared=record.get("language"))
    return {**record, "language": decision.code}

