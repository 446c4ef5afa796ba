"""Feed health and scheduling: pure functions over :class:`vigil.records.FeedState`."""

from __future__ import annotations

from datetime import datetime, timedelta

from vigil.records import FeedState, FetchedPage

BASE_BACKOFF = timedelta(hours=1)
MAX_BACKOFF = timedelta(days=7)
MIN_TTL = timedelta(minutes=15)
MAX_TTL = timedelta(hours=24)


def clamp_ttl(ttl_minutes: int | None) -> timedelta | None:
    """A feed's refresh hint, held within [15 min, 24 h] (hints of a week must not starve a feed)."""
    if ttl_minutes is None or ttl_minutes <= 0:
        return None
    return min(MAX_TTL, max(MIN_TTL, timedelta(minutes=ttl_minutes)))


def backoff(consecutive_failures: int) -> timedelta:
    """1 h after the first failure, doubling, capped at 7 days."""
    if consecutive_failures <= 0:
        return timedelta(0)
    return min(MAX_BACKOFF, BASE_BACKOFF * (2 ** min(consecutive_failures - 1, 20)))


def next_due(state: FeedState, min_interval: timedelta) -> datetime | None:
    """When the feed may next be fetched (None: now)."""
    due: list[datetime] = []
    if state.not_before is not None:
        due.append(state.not_before)
    if state.last_fetched_at is not None:
        interval = max(min_interval, clamp_ttl(state.ttl_minutes) or timedelta(0))
        due.append(state.last_fetched_at + interval)
    return max(due) if due else None


def is_due(state: FeedState, now: datetime, min_interval: timedelta = timedelta(0)) -> bool:
    """True if the feed is not backed off and its interval (max of ``min_interval`` and its TTL) passed."""
    when = next_due(state, min_interval)
    return when is None or now >= when


def record_success(state: FeedState, page: FetchedPage, now: datetime, *, items_seen: int, items_new: int,
                   latency_ms: float | None = None, ttl_minutes: int | None = None) -> FeedState:
    """A fetched and parsed feed: failures reset, validators and TTL stored."""
    return state.model_copy(update={
        "etag": page.etag, "last_modified": page.last_modified, "last_fetched_at": now,
        "last_success_at": now, "consecutive_failures": 0, "not_before": None,
        "ttl_minutes": ttl_minutes, "items_seen": items_seen, "items_new": items_new,
        "latency_ms": latency_ms,
    })


def record_not_modified(state: FeedState, now: datetime, *, latency_ms: float | None = None,
                        page: FetchedPage | None = None) -> FeedState:
    """A 304: counts as a success with nothing new."""
    update: dict[str, object] = {
        "last_fetched_at": now, "last_success_at": now, "consecutive_failures": 0, "not_before": None,
        "items_new": 0, "latency_ms": latency_ms, "not_modified": state.not_modified + 1,
    }
    if page is not None:
        update["etag"] = page.etag or state.etag
        update["last_modified"] = page.last_modified or state.last_modified
    return state.model_copy(update=update)


def record_failure(state: FeedState, now: datetime, reason: str, *, retry_after: float | None = None,
                   latency_ms: float | None = None) -> FeedState:
    """A failed fetch or parse: back off exponentially (at least as long as Retry-After asked)."""
    failures = state.consecutive_failures + 1
    wait = backoff(failures)
    if retry_after is not None:
        wait = max(wait, min(MAX_BACKOFF, timedelta(seconds=retry_after)))
    return state.model_copy(update={
        "last_fetched_at": now, "last_error_at": now, "last_error": reason, "consecutive_failures": failures,
        "not_before": now + wait, "latency_ms": latency_ms,
    })


def status_label(state: FeedState, now: datetime) -> str:
    """One word for ``vigil feeds status``: never, ok, failing, backed-off."""
    if state.last_fetched_at is None:
        return "never"
    if state.consecutive_failures == 0:
        return "ok"
    if state.not_before is not None and state.not_before > now:
        return "backed-off"
    return "failing"
