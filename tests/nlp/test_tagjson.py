from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from vigil.nlp.tagger import Tagger
from vigil.nlp.tagjson import SCHEMA_VERSION, tag_jsonl

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "tag-output.schema.json").read_text("utf-8"))


def test_lines_in_order_with_error_lines(blank_tagger: Tagger) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Soldiers massacred villagers in Sudan.", "title": "Sudan", "language": "en"}),
        "{not json",
        "",
        json.dumps(["a", "list"]),
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "Le génocide en Birmanie.", "language": "fr"}),
        "{",
    ]
    out = [json.loads(x) for x in tag_jsonl(lines, blank_tagger, batch_size=2)]
    assert [o.get("id") for o in out] == ["a", None, None, "b", "c", None]
    assert [o.get("line") for o in out] == [None, 2, 4, 5, None, 7]
    assert out[1]["error"].startswith("invalid JSON")
    assert "text" in out[3]["error"]
    first = out[0]
    assert first["schema_version"] == SCHEMA_VERSION
    assert first["language"] == "en"
    assert first["countries"][0]["code"] == "SD" and first["countries"][0]["focus"] is True
    assert first["countries"][0]["count"] == 2
    assert first["indicators"][0]["category"] == "mass_killing"
    assert first["events"][0]["country"] == "SD"
    for o in out:
        jsonschema.validate(o, SCHEMA)


def test_empty_input_gives_no_output(blank_tagger: Tagger) -> None:
    assert list(tag_jsonl([], blank_tagger)) == []
