"""Records are frozen, typed, and refuse naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from vigil.records import DeadLetter, FetchedPage, RunReport, Stage
from vigil.settings import Settings


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        DeadLetter(stage=Stage.FETCH, url="https://x.example/a", reason="timeout", at=datetime(2026, 1, 1))


def test_records_are_frozen() -> None:
    letter = DeadLetter(stage=Stage.FETCH, url="https://x.example/a", reason="timeout", at=datetime.now(UTC))
    with pytest.raises(ValidationError):
        letter.reason = "other"  # type: ignore[misc]


def test_unknown_fields_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        DeadLetter(stage=Stage.FETCH, url="u", reason="r", at=datetime.now(UTC), colour="red")  # type: ignore[call-arg]


def test_fetched_page_round_trips_binary_body_through_json() -> None:
    page = FetchedPage(requested_url="https://a.example/", final_url="https://a.example/", status=200,
                       content_type="text/html", body=b"\xff\xfe<html>\x00", fetched_at=datetime.now(UTC))
    assert FetchedPage.model_validate_json(page.model_dump_json()) == page


def test_run_reports_add_up() -> None:
    a = RunReport(counts={"indexed": 2, "known": 1}, feeds=1)
    b = RunReport(counts={"indexed": 3, "feed-failed": 1}, feeds=1)
    total = a + b
    assert total.counts == {"indexed": 5, "known": 1, "feed-failed": 1}
    assert total.feeds == 2
    assert total.get("missing") == 0


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIL_ALLOW_HOSTS", "127.0.0.1, Demo.Local")
    monkeypatch.setenv("VIGIL_PER_HOST_DELAY", "1.5")
    settings = Settings()
    assert settings.allow_hosts == ("127.0.0.1", "demo.local")
    assert settings.per_host_delay == 1.5
    assert "VigilBot" in settings.effective_user_agent


def test_bad_setting_is_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from vigil.errors import ConfigError
    from vigil.settings import load_settings

    monkeypatch.setenv("VIGIL_READ_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="VIGIL_READ_TIMEOUT"):
        load_settings()
