"""The ``vigil tag`` line protocol: JSON lines in, one JSON line out per input line, in input order.

Input: ``{"id": str, "text": str, "title"?: str, "language"?: str}``. Output: the tags of the item (schema:
``docs/tag-output.schema.json``, version :data:`SCHEMA_VERSION`), or ``{"line": N, "error": "..."}`` for a
line that is not valid JSON or not a valid item; the other lines go on. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from pydantic import ValidationError

from vigil.nlp.tagger import TagInput
from vigil.records import Tags

SCHEMA_VERSION = "1.0"


class _Tagger(Protocol):
    def tag_many(self, items: Iterable[TagInput], *, batch_size: int = 32,
                 n_process: int | None = None) -> Iterator[Tags]: ...


def tags_to_json(item_id: str, tags: Tags) -> dict[str, Any]:
    """The output object of one tagged item."""
    data = tags.model_dump(mode="json")
    return {
        "schema_version": SCHEMA_VERSION,
        "id": item_id,
        "language": data["language"],
        "lexicon_version": data["lexicon_version"],
        "countries": data["countries"],
        "indicators": data["indicators"],
        "actors": data["actors"],
        "groups": data["groups"],
        "unlisted": data["unlisted"],
        "events": data["events"],
    }


def parse_line(number: int, line: str) -> TagInput | dict[str, Any] | None:
    """A :class:`TagInput`, an error object for the output, or None for a blank line."""
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": number, "error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(data, dict):
        return {"line": number, "error": f"expected a JSON object, got {type(data).__name__}"}
    try:
        return TagInput.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors())
        out: dict[str, Any] = {"line": number, "error": f"invalid item: {problems}"}
        if isinstance(data.get("id"), str):
            out["id"] = data["id"]
        return out


def tag_jsonl(lines: Iterable[str], tagger: _Tagger, *, batch_size: int = 32, n_process: int = 1) -> Iterator[str]:
    """Tag JSON lines; yields output lines (no trailing newline) in input order."""
    pending: deque[dict[str, Any] | str] = deque()  # error objects, or the id of an item being tagged

    def items() -> Iterator[TagInput]:
        for number, line in enumerate(lines, start=1):
            parsed = parse_line(number, line)
            if parsed is None:
                continue
            if isinstance(parsed, TagInput):
                pending.append(parsed.id)
                yield parsed
            else:
                pending.append(parsed)

    def flush_errors() -> Iterator[str]:
        while pending and isinstance(pending[0], dict):
            yield json.dumps(pending.popleft(), ensure_ascii=False)

    for tags in tagger.tag_many(items(), batch_size=batch_size, n_process=n_process):
        yield from flush_errors()
        item_id = pending.popleft()
        assert isinstance(item_id, str)
        yield json.dumps(tags_to_json(item_id, tags), ensure_ascii=False)
    yield from flush_errors()
