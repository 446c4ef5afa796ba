"""Stages depend one way: ingest and nlp know nothing of each other or of search; faces sit on top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vigil"

# For each part of the package, the vigil modules it must not import.
FORBIDDEN = {
    "vigil.ingest": ("vigil.nlp", "vigil.search", "vigil.pipeline", "vigil.cli", "vigil.web", "vigil.runtime"),
    "vigil.nlp": ("vigil.ingest", "vigil.search", "vigil.pipeline", "vigil.cli", "vigil.web", "vigil.runtime"),
    "vigil.search": ("vigil.ingest", "vigil.nlp", "vigil.pipeline", "vigil.cli", "vigil.web", "vigil.runtime"),
    "vigil.records": ("vigil.ingest", "vigil.nlp", "vigil.search", "vigil.pipeline", "vigil.cli", "vigil.web"),
    "vigil.pipeline": ("vigil.cli", "vigil.web"),
}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.startswith("vigil")}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_module_respects_layers(path: Path) -> None:
    name = module_name(path)
    for scope, forbidden in FORBIDDEN.items():
        if name == scope or name.startswith(scope + "."):
            bad = sorted(i for i in imports_of(path) if i.startswith(forbidden))
            assert not bad, f"{name} imports {bad}, which its layer ({scope}) must not depend on"
