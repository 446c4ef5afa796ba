"""Shared output helpers: JSON for scripts, highlighted snippets for people."""

from __future__ import annotations

import json
import re
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

console = Console(highlight=False, soft_wrap=True)
_MARK = re.compile(r"\[([^\[\]]+)\]")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str, indent=None))


def highlighted(snippet: str) -> Text:
    """Render a snippet whose matches are wrapped in [ ] with the matches in bold yellow."""
    text = Text()
    pos = 0
    for m in _MARK.finditer(snippet):
        text.append(snippet[pos:m.start()])
        text.append(m.group(1), style="bold black on yellow")
        pos = m.end()
    text.append(snippet[pos:])
    return text


def outcome_line(counts: dict[str, int]) -> str:
    """The counts of a run as 'indexed 12 · known 3 · ...', biggest first."""
    parts = [f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if v]
    return " · ".join(parts) or "nothing to do"
