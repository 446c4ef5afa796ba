"""Shared fixtures for the nlp tests: small pattern files under tests/nlp/fixtures/config (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "config"


@pytest.fixture(scope="session")
def fixture_config() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def blank_tagger(fixture_config: Path):  # type: ignore[no-untyped-def]
    from vigil.nlp.tagger import Tagger

    return Tagger.from_config(fixture_config, use_models=False)
