"""Roll daily counts up into day, week (ISO, Monday) or month buckets; pick the top split series."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from vigil.search.store import Interval, TrendPoint, TrendSeries

EPOCH = date(1970, 1, 1)
MAX_BUCKETS = 20_000


def day_number(day: date) -> int:
    return (day - EPOCH).days


def from_day_number(number: int) -> date:
    return EPOCH + timedelta(days=number)


def bucket_of(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def buckets(first: date, last: date, interval: Interval) -> list[date]:
    """Every bucket start from ``first``'s bucket to ``last``'s, in order."""
    out: list[date] = []
    current = bucket_of(first, interval)
    while current <= last and len(out) < MAX_BUCKETS:
        out.append(current)
        if interval == "day":
            current += timedelta(days=1)
        elif interval == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def build_series(rows: Iterable[tuple[int, str, int]], totals: dict[int, int], first: date, last: date,
                 interval: Interval, *, split: bool, top: int, normalise: bool) -> list[TrendSeries]:
    """``rows`` of (day number, key, count) -> zero-filled series, the ``top`` keys by count when split."""
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    for day, key, n in rows:
        counts[key][bucket_of(from_day_number(day), interval)] += n
    bucket_totals: Counter[date] = Counter()
    for day, n in totals.items():
        bucket_totals[bucket_of(from_day_number(day), interval)] += n
    keys = sorted(counts, key=lambda k: (-sum(counts[k].values()), k))
    if split:
        keys = keys[:top]
    elif not keys:
        keys = ["all"]
    axis = buckets(first, last, interval)
    series = []
    for key in keys:
        points = []
        for b in axis:
            n, total = counts[key][b], bucket_totals[b]
            value = (n / total if total else 0.0) if normalise else float(n)
            points.append(TrendPoint(bucket=b, count=n, total=total, value=value))
        series.append(TrendSeries(key=key, points=tuple(points)))
    return series
