"""The headline repeated as the first line of the body is not indexed twice."""

from __future__ import annotations

from vigil.ingest.extract import without_leading_title


def test_leading_title_line_is_dropped() -> None:
    text = "Rains Return to the Valley\nFarmers welcomed the first rains.\nMarkets reopened."
    assert without_leading_title(text, "Rains  return to the valley") == (
        "Farmers welcomed the first rains.\nMarkets reopened.")


def test_text_without_title_line_is_kept() -> None:
    text = "Farmers welcomed the first rains.\nMarkets reopened."
    assert without_leading_title(text, "Rains Return to the Valley") == text


def test_title_only_text_is_kept() -> None:
    assert without_leading_title("Rains Return", "Rains Return") == "Rains Return"
