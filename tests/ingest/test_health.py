from __future__ import annotations

from datetime import timedelta

from vigil.ingest import health
from vigil.records import FeedState, FetchedPage

from .support import NOW

URL = "https://example.org/feed"


def page(status: int = 200) -> FetchedPage:
    return FetchedPage(requested_url=URL, final_url=URL, status=status, content_type="application/rss+xml",
                       body=b"", fetched_at=NOW, etag='"e1"', last_modified="Tue, 10 Nov 2026 08:00:00 GMT")


def test_failures_back_off_exponentially_up_to_a_week() -> None:
    state = FeedState(url=URL)
    waits = []
    for _ in range(12):
        state = health.record_failure(state, NOW, "http-500")
        assert state.not_before is not None
        waits.append(state.not_before - NOW)
    assert waits[:4] == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4), timedelta(hours=8)]
    assert waits[-1] == timedelta(days=7)
    assert state.consecutive_failures == 12 and state.last_error == "http-500"
    assert not health.is_due(state, NOW + timedelta(days=6))
    assert health.is_due(state, NOW + timedelta(days=7))
    assert health.status_label(state, NOW) == "backed-off"


def test_retry_after_lengthens_back_off() -> None:
    state = health.record_failure(FeedState(url=URL), NOW, "http-429", retry_after=3 * 3600)
    assert state.not_before == NOW + timedelta(hours=3)


def test_success_resets_and_stores_validators() -> None:
    failing = health.record_failure(FeedState(url=URL), NOW, "timeout")
    ok = health.record_success(failing, page(), NOW, items_seen=20, items_new=5, latency_ms=120.0, ttl_minutes=60)
    assert ok.consecutive_failures == 0 and ok.not_before is None and ok.last_error == "timeout"
    assert (ok.etag, ok.items_seen, ok.items_new, ok.ttl_minutes) == ('"e1"', 20, 5, 60)
    assert health.status_label(ok, NOW) == "ok"


def test_not_modified_counts() -> None:
    state = health.record_not_modified(FeedState(url=URL, etag='"e0"'), NOW, latency_ms=5.0)
    state = health.record_not_modified(state, NOW, page=page(304))
    assert state.not_modified == 2 and state.items_new == 0 and state.etag == '"e1"'


def test_ttl_hint_is_respected_within_bounds() -> None:
    base = FeedState(url=URL, last_fetched_at=NOW, ttl_minutes=120)
    assert not health.is_due(base, NOW + timedelta(minutes=90))
    assert health.is_due(base, NOW + timedelta(minutes=121))
    week = base.model_copy(update={"ttl_minutes": 7 * 24 * 60})
    assert health.is_due(week, NOW + timedelta(hours=24))  # clamped to a day
    tiny = base.model_copy(update={"ttl_minutes": 1})
    assert not health.is_due(tiny, NOW + timedelta(minutes=5))  # at least 15 minutes
    assert health.is_due(FeedState(url=URL), NOW)
