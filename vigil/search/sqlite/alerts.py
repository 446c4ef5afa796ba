"""The SQLite store's alert methods: the day's aggregation in SQL, evidence, and the ``alerts`` table.

:class:`SqliteAlerts` is a mixin of :class:`~vigil.search.sqlite.store.SqliteStore` (it uses the store's
read and write transactions). The aggregation runs over the ``events`` table with its ``(country, category,
day)`` index, restricted to the pairs that have events on the day, so one day costs a few index range scans.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from vigil.errors import NotFoundError, StoreError
from vigil.search.alerts import LEVELS, Alert, AlertEvidence, DayAggregate, History
from vigil.search.review import ALERT_STATUSES
from vigil.search.sqlite.buckets import day_number, from_day_number

REFRESH_DAYS = 3
"""Days before the computed one whose cached scores are always recomputed (late articles, new duplicates)."""

_DAY_SQL = """
WITH stories AS (
    SELECT e.country, e.category, coalesce(a.duplicate_of, a.id) AS story,
           max(e.severity * e.confidence) AS weight, max(e.severity) AS severity, min(a.source_domain) AS source
    FROM events e JOIN articles a ON a.seq = e.seq
    LEFT JOIN reviews r ON r.event_id = e.id
    WHERE e.day = ? AND e.historical = 0 AND e.country IS NOT NULL AND a.collapsed = 0
      AND (r.status IS NULL OR r.status != 'rejected')
    GROUP BY e.country, e.category, story)
SELECT country, category, sum(weight), count(*), count(DISTINCT source), max(severity)
FROM stories GROUP BY country, category ORDER BY country, category
"""
"""One UTC day's score per (country, category): stories (syndicated copies once) of non-historical,
non-rejected events, with distinct outlets and the gravest severity."""

_EVIDENCE_SQL = """
SELECT e.id, a.id, a.url, t.title, a.source_domain, a.language, a.published_at, e.severity, e.confidence,
       a.independent_sources
FROM events e JOIN articles a ON a.seq = e.seq JOIN article_texts t ON t.seq = a.seq
LEFT JOIN reviews r ON r.event_id = e.id
WHERE e.country = ? AND e.category = ? AND e.day = ? AND e.historical = 0 AND a.collapsed = 0
  AND (r.status IS NULL OR r.status != 'rejected')
ORDER BY e.severity * e.confidence DESC, a.independent_sources DESC, a.published_at, a.id
LIMIT ?
"""


class SqliteAlerts:
    """Alert computation support and storage for the SQLite store."""

    if TYPE_CHECKING:
        def _read(self, timeout: float | None = None) -> AbstractContextManager[sqlite3.Connection]: ...
        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def alert_aggregates(self, day: date, lookback_days: int) -> tuple[list[DayAggregate], History, date | None]:
        """The day's aggregates; the cached scores of the lookback days for the same pairs; and the first day
        the store has articles for (its coverage)."""
        target = day_number(day)
        with self._read() as db:
            today = db.execute(_DAY_SQL, (target,)).fetchall()
            start = db.execute("SELECT min(day) FROM articles WHERE collapsed = 0").fetchone()[0]
        aggregates = [DayAggregate(country=c, category=k, day=day, score=round(s, 6), reports=r, sources=n,
                                   severity=v) for c, k, s, r, n, v in today]
        history: dict[tuple[str, str], dict[date, float]] = {(a.country, a.category): {} for a in aggregates}
        if start is None or not aggregates:
            return aggregates, history, None if start is None else from_day_number(start)
        first = max(target - lookback_days, start)
        if first < target:
            self._refresh_days(first, target - 1, target)
            with self._read() as db:
                rows = db.execute("SELECT country, category, day, score FROM alert_days WHERE day BETWEEN ? AND ?",
                                  (first, target - 1)).fetchall()
            days = {d: from_day_number(d) for d in range(first, target)}
            for c, k, d, s in rows:
                scores = history.get((c, k))
                if scores is not None:
                    scores[days[d]] = s
        return aggregates, history, from_day_number(start)

    def _refresh_days(self, first: int, last: int, target: int) -> None:
        """Recompute the cached scores of the days in ``first..last`` that may have changed: never computed,
        within ``REFRESH_DAYS`` of ``target``, with events (re)indexed or reviewed since they were computed."""
        now = datetime.now(UTC).isoformat()
        with self._write() as db:
            done = {d: (w, t) for d, w, t in db.execute(
                "SELECT day, events_rowid, computed_at FROM alert_days_done WHERE day BETWEEN ? AND ?",
                (first, last))}
            mark = db.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()[0]
            stale = {d for d in range(first, last + 1) if d not in done or d >= target - REFRESH_DAYS}
            if done:
                low, since = min(w for w, _ in done.values()), min(t for _, t in done.values())
                stale.update(d for (d,) in db.execute(
                    "SELECT DISTINCT day FROM events WHERE rowid > ? AND day BETWEEN ? AND ?", (low, first, last)))
                stale.update(d for (d,) in db.execute(
                    "SELECT DISTINCT e.day FROM reviews r CROSS JOIN events e ON e.id = r.event_id "  # reviews first
                    "WHERE r.decided_at >= ? AND e.day BETWEEN ? AND ?", (since, first, last)))
            for d in sorted(stale):
                rows = db.execute(_DAY_SQL, (d,)).fetchall()
                db.execute("DELETE FROM alert_days WHERE day = ?", (d,))
                db.executemany("INSERT INTO alert_days (country, category, day, score) VALUES (?, ?, ?, ?)",
                               [(c, k, d, round(s, 6)) for c, k, s, *_ in rows])
            db.executemany("INSERT OR REPLACE INTO alert_days_done (day, events_rowid, computed_at) VALUES (?, ?, ?)",
                           [(d, mark, now) for d in range(first, last + 1)])

    def alert_evidence(self, country: str, category: str, day: date, limit: int) -> list[AlertEvidence]:
        with self._read() as db:
            rows = db.execute(_EVIDENCE_SQL, (country, category, day_number(day), limit)).fetchall()
        return [AlertEvidence(event_id=r[0], id=r[1], url=r[2], title=r[3], source_domain=r[4], language=r[5],
                              published_at=datetime.fromtimestamp(r[6], tz=UTC), severity=r[7], confidence=r[8],
                              independent_sources=r[9]) for r in rows]

    def put_alerts(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Insert or replace alerts by id; an existing alert keeps its status (an analyst's acknowledgement)."""
        stored = []
        try:
            with self._write() as db:
                for alert in alerts:
                    row = db.execute("SELECT data FROM alerts WHERE id = ?", (alert.id,)).fetchone()
                    if row is not None:
                        prev = Alert.model_validate_json(row[0])
                        alert = alert.model_copy(update={"status": prev.status, "status_by": prev.status_by,
                                                         "status_at": prev.status_at, "status_note": prev.status_note})
                    self._save_alert(db, alert)
                    stored.append(alert)
        except sqlite3.Error as exc:
            raise StoreError(f"storing alerts failed: {exc}") from exc
        return stored

    @staticmethod
    def _save_alert(db: sqlite3.Connection, alert: Alert) -> None:
        db.execute("INSERT OR REPLACE INTO alerts (id, country, category, day, level, severity, status, data) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (alert.id, alert.country, alert.category, day_number(alert.day), LEVELS.index(alert.level),
                    alert.severity, alert.status, alert.model_dump_json()))

    def alerts(self, country: str | None = None, since: date | None = None, status: str | None = None,
               limit: int = 100) -> list[Alert]:
        """Stored alerts, newest day first, then gravest level and severity."""
        where: list[str] = ["1"]
        params: list[object] = []
        if country:
            where.append("country = ?")
            params.append(country.upper())
        if since is not None:
            where.append("day >= ?")
            params.append(day_number(since))
        if status is not None and status != "all":
            where.append("status = ?")
            params.append(status)
        with self._read() as db:
            rows = db.execute(f"SELECT data FROM alerts WHERE {' AND '.join(where)} "
                              "ORDER BY day DESC, level DESC, severity DESC, id LIMIT ?", (*params, limit)).fetchall()
        return [Alert.model_validate_json(r[0]) for r in rows]

    def get_alert(self, alert_id: str) -> Alert | None:
        with self._read() as db:
            row = db.execute("SELECT data FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return None if row is None else Alert.model_validate_json(row[0])

    def update_alert_status(self, alert_id: str, status: str, *, by: str, note: str = "",
                            at: datetime | None = None) -> Alert:
        """Acknowledge, close or reopen an alert, recording who and when."""
        if status not in ALERT_STATUSES:
            raise StoreError(f"alert status must be one of {', '.join(ALERT_STATUSES)}, not {status!r}")
        with self._write() as db:
            row = db.execute("SELECT data FROM alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no alert {alert_id!r}")
            alert = Alert.model_validate_json(row[0]).model_copy(update={
                "status": status, "status_by": by, "status_at": at or datetime.now(UTC), "status_note": note})
            self._save_alert(db, alert)
        return alert
