"""The analyst workspace's persistence in the SQLite store's file (tables of schema migration 2).

Review decisions go to an append-only table (triggers refuse UPDATE and DELETE); each verdict also
sets the event's row in ``reviews``, the current state the query language's ``review:`` filter reads.
Session ids and API tokens are stored as SHA-256 digests only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Literal

from vigil.errors import NotFoundError, StoreError
from vigil.records import IndicatorEvent
from vigil.search.review import (
    QUEUE_COUNT_CAP,
    STATUS_OF_ACTION,
    AlertStatusChange,
    ApiToken,
    CountryOverview,
    DecisionInput,
    InvalidReview,
    NegativeContext,
    PrecisionRow,
    QueueFilter,
    QueueItem,
    QueuePage,
    ReviewDecision,
    Role,
    Session,
    User,
)
from vigil.search.sqlite.buckets import day_number, from_day_number
from vigil.search.sqlite.store import SqliteStore

_ITEM_COLUMNS = ("e.data, t.title, a.url, a.source_domain, a.language, a.published_at, a.independent_sources, "
                 "coalesce(r.status, 'pending')")
_COUNTRY_TABLE = "temp.vigil_country_events"
_COUNT_FROM = "FROM events e CROSS JOIN articles a ON a.seq = e.seq LEFT JOIN reviews r ON r.event_id = e.id"
"""Events drive the join (CROSS JOIN fixes the order) so the queue indexes serve ORDER BY ... LIMIT."""
_ITEM_FROM = ("FROM events e CROSS JOIN articles a ON a.seq = e.seq CROSS JOIN article_texts t ON t.seq = e.seq "
              "LEFT JOIN reviews r ON r.event_id = e.id")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SqliteReviewStore:
    """:class:`vigil.search.review.ReviewStore` over an open :class:`SqliteStore` (same file, same locks)."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.store._write() as db:
                yield db
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"refused by the store: {exc}") from exc
        except sqlite3.Error as exc:
            raise StoreError(f"store write failed: {exc}") from exc

    def _read(self) -> Any:
        return self.store._read()

    # ------------------------------------------------------------------ reviews

    def add_review(self, event_id: str, decision: DecisionInput, *, reviewer: str,
                   at: datetime | None = None) -> ReviewDecision:
        when = at or datetime.now(UTC)
        with self._write() as db:
            row = db.execute("SELECT e.data, a.language, a.published_at FROM events e "
                             "JOIN articles a ON a.seq = e.seq WHERE e.id = ?", (event_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no indicator event {event_id!r}")
            event = IndicatorEvent.model_validate_json(row[0])
            if decision.action == "correct" and (decision.category or event.category) == event.category \
                    and (decision.country or event.country) == event.country:
                raise InvalidReview("a correction must change the country or the category")
            fields = decision.model_dump()
            record: dict[str, Any] = {
                **fields, "event_id": event_id, "reviewer": reviewer, "at": when,
                "event_category": event.category, "event_country": event.country, "language": row[1],
                "lexicon_version": event.evidence[0].lexicon_version if event.evidence else "",
                "published_day": datetime.fromtimestamp(row[2], tz=UTC).date()}
            data_extra = {"published_day": record["published_day"].isoformat()}
            data = json.dumps({**{k: v for k, v in record.items() if k not in ("at", "published_day")},
                               **data_extra}, sort_keys=True, ensure_ascii=False)
            cursor = db.execute(
                "INSERT INTO review_decisions (event_id, action, reviewer, at, event_category, event_country, "
                "language, lexicon_version, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, decision.action, reviewer, when.isoformat(), event.category, event.country, row[1],
                 record["lexicon_version"], data))
            assert cursor.lastrowid is not None
            result = ReviewDecision(id=cursor.lastrowid, **record)
            status = STATUS_OF_ACTION.get(decision.action)
            if status is not None:
                db.execute("INSERT OR REPLACE INTO reviews (event_id, status, data, decided_at) VALUES (?, ?, ?, ?)",
                           (event_id, status, json.dumps({"decision": result.id}), when.isoformat()))
        return result

    def reviews_for_event(self, event_id: str) -> list[ReviewDecision]:
        with self._read() as db:
            rows = db.execute(f"SELECT {_DECISION} FROM review_decisions WHERE event_id = ? ORDER BY id",
                              (event_id,)).fetchall()
        return [_decision(r) for r in rows]

    def audit_trail(self, *, limit: int = 100, reviewer: str | None = None,
                    before_id: int | None = None) -> list[ReviewDecision]:
        where: list[str] = ["1"]
        params: list[object] = []
        if reviewer is not None:
            where.append("reviewer = ?")
            params.append(reviewer)
        if before_id is not None:
            where.append("id < ?")
            params.append(before_id)
        with self._read() as db:
            rows = db.execute(f"SELECT {_DECISION} FROM review_decisions WHERE {' AND '.join(where)} "
                              "ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [_decision(r) for r in rows]

    def review_queue(self, filters: QueueFilter) -> QueuePage:
        where: list[str] = ["a.collapsed = 0"]
        params: list[object] = []
        if filters.status == "pending":
            where.append("r.event_id IS NULL")
        elif filters.status != "all":
            where.append("r.status = ?")
            params.append(filters.status)
        for column, values in (("e.country", [c.upper() for c in filters.countries]),
                               ("e.category", [c.lower() for c in filters.categories]),
                               ("a.language", [x.lower() for x in filters.languages])):
            if values:
                where.append(f"{column} IN ({_marks(values)})")
                params.extend(values)
        order = ("e.severity DESC, e.day DESC, e.id" if filters.sort == "severity"
                 else "e.day DESC, e.severity DESC, e.id")
        clause = " AND ".join(where)
        with self._read() as db:
            # pick the page's events on narrow rows first, then read titles and data for those only
            page = (f"SELECT e.rowid AS rid, e.severity AS sev, e.day AS d, e.id AS eid {_COUNT_FROM} "
                    f"WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?")
            outer = order.replace("e.severity", "p.sev").replace("e.day", "p.d").replace("e.id", "p.eid")
            rows = db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM ({page}) p CROSS JOIN events e ON e.rowid = p.rid "
                "CROSS JOIN articles a ON a.seq = e.seq CROSS JOIN article_texts t ON t.seq = e.seq "
                f"LEFT JOIN reviews r ON r.event_id = e.id ORDER BY {outer}",
                (*params, filters.limit, filters.offset)).fetchall()
            total = len(rows) + filters.offset
            if filters.with_total:
                total = int(db.execute(f"SELECT count(*) FROM (SELECT 1 {_COUNT_FROM} WHERE {clause} LIMIT ?)",
                                       (*params, QUEUE_COUNT_CAP + 1)).fetchone()[0])
            items = self._items(db, rows)
        return QueuePage(items=tuple(items), total=min(total, QUEUE_COUNT_CAP), total_capped=total > QUEUE_COUNT_CAP)

    def queue_item(self, event_id: str) -> QueueItem | None:
        with self._read() as db:
            rows = db.execute(f"SELECT {_ITEM_COLUMNS} {_ITEM_FROM} WHERE e.id = ?", (event_id,)).fetchall()
            items = self._items(db, rows)
        return items[0] if items else None

    @staticmethod
    def _items(db: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[QueueItem]:
        events = [IndicatorEvent.model_validate_json(r[0]) for r in rows]
        ids = [e.id for e in events]
        latest: dict[str, ReviewDecision] = {}
        if ids:
            for row in db.execute(
                    f"SELECT {_DECISION} FROM review_decisions WHERE id IN (SELECT max(id) FROM review_decisions "
                    f"WHERE event_id IN ({_marks(ids)}) GROUP BY event_id)", ids):
                decision = _decision(row)
                latest[decision.event_id] = decision
        return [QueueItem(event=event, title=r[1], url=r[2], source_domain=r[3], language=r[4],
                          published_at=datetime.fromtimestamp(r[5], tz=UTC), independent_sources=r[6],
                          status=r[7], last_decision=latest.get(event.id))
                for event, r in zip(events, rows, strict=True)]

    def precision_report(self, *, by: Literal["all", "month", "lexicon"] = "all") -> list[PrecisionRow]:
        """Per category (and period): the latest verdict of every reviewed event, counted."""
        with self._read() as db:
            rows = db.execute(
                "SELECT d.id, d.at, d.data "
                "FROM review_decisions d JOIN (SELECT max(id) AS id FROM review_decisions "
                "WHERE action != 'note' GROUP BY event_id) l ON l.id = d.id").fetchall()
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for row in rows:
            d = _decision(row)
            period = "all"
            if by == "month":
                period = d.published_day.strftime("%Y-%m") if d.published_day else "unknown"
            elif by == "lexicon":
                period = d.lexicon_version or "unknown"
            slot = counts.setdefault((d.event_category, period), {"confirmed": 0, "rejected": 0, "corrected": 0})
            if d.action == "confirm":
                slot["confirmed"] += 1
            elif d.action == "reject" or (d.category and d.category != d.event_category):
                slot["rejected"] += 1
            else:
                slot["corrected"] += 1
        return [PrecisionRow(category=c, period=p, **n) for (c, p), n in sorted(counts.items())]

    def country_overview(self, country: str, since: date, until: date, top: int = 8) -> CountryOverview:
        """From the events table (index on country, day), syndicated copies once; weeks start on Monday."""
        first, last = day_number(since), day_number(until)
        with self._read() as db:  # one pass over the country's events into a temp table, three aggregates
            db.execute(f"CREATE TABLE IF NOT EXISTS {_COUNTRY_TABLE} (seq INTEGER, day INTEGER, category TEXT)")
            db.execute(f"DELETE FROM {_COUNTRY_TABLE}")
            db.execute(f"INSERT INTO {_COUNTRY_TABLE} SELECT e.seq, e.day, e.category FROM events e "
                       "CROSS JOIN articles a ON a.seq = e.seq WHERE e.country = ? AND e.day BETWEEN ? AND ? "
                       "AND a.collapsed = 0", (country, first, last))
            rows = db.execute(f"SELECT (day + 3) / 7, category, count(*) FROM {_COUNTRY_TABLE} "
                              "GROUP BY 1, 2").fetchall()
            tops = {}
            for table in ("article_actors", "article_groups"):
                tops[table] = tuple(db.execute(
                    f"SELECT value, count(*) AS n FROM {table} WHERE seq IN (SELECT seq FROM {_COUNTRY_TABLE}) "
                    "GROUP BY value ORDER BY n DESC, value LIMIT ?", (top,)).fetchall())
        weekly = tuple((from_day_number(int(w) * 7 - 3), str(c), int(n)) for w, c, n in rows)
        return CountryOverview(weekly=weekly, events=sum(n for _, _, n in weekly), actors=tops["article_actors"],
                               groups=tops["article_groups"])

    # ------------------------------------------------------------------ accounts

    def add_user(self, username: str, password_hash: str, role: Role) -> User:
        user = User(username=username, role=role, created_at=datetime.now(UTC))
        with self._write() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise InvalidReview(f"user {username!r} already exists")
            db.execute("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                       (username, password_hash, role, user.created_at.isoformat()))
        return user

    def get_user(self, username: str) -> tuple[User, str] | None:
        with self._read() as db:
            row = db.execute("SELECT username, role, created_at, disabled, password_hash FROM users "
                             "WHERE username = ?", (username,)).fetchone()
        return None if row is None else (_user(row), row[4])

    def set_password(self, username: str, password_hash: str) -> None:
        with self._write() as db:
            if db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                          (password_hash, username)).rowcount == 0:
                raise NotFoundError(f"no user {username!r}")

    def set_role(self, username: str, role: Role) -> None:
        with self._write() as db:
            if db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username)).rowcount == 0:
                raise NotFoundError(f"no user {username!r}")

    def users(self) -> list[User]:
        with self._read() as db:
            rows = db.execute("SELECT username, role, created_at, disabled FROM users ORDER BY username").fetchall()
        return [_user(r) for r in rows]

    def add_token(self, username: str, name: str, token_hash: str) -> ApiToken:
        now = datetime.now(UTC)
        with self._write() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone() is None:
                raise NotFoundError(f"no user {username!r}")
            cursor = db.execute("INSERT INTO api_tokens (token_hash, username, name, created_at) VALUES (?, ?, ?, ?)",
                                (token_hash, username, name, now.isoformat()))
        assert cursor.lastrowid is not None
        return ApiToken(id=cursor.lastrowid, username=username, name=name, created_at=now)

    def user_for_token(self, token_hash: str) -> User | None:
        with self._read() as db:
            row = db.execute(
                "SELECT u.username, u.role, u.created_at, u.disabled FROM api_tokens k JOIN users u "
                "ON u.username = k.username WHERE k.token_hash = ? AND k.revoked = 0", (token_hash,)).fetchone()
        return None if row is None else _user(row)

    def add_session(self, session: Session) -> None:
        with self._write() as db:
            db.execute("DELETE FROM web_sessions WHERE expires_at < ?", (datetime.now(UTC).isoformat(),))
            db.execute("INSERT INTO web_sessions (id, username, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (digest(session.id), session.username, session.csrf, session.created_at.isoformat(),
                        session.expires_at.isoformat()))

    def get_session(self, session_id: str) -> Session | None:
        with self._read() as db:
            row = db.execute("SELECT username, csrf, created_at, expires_at FROM web_sessions WHERE id = ?",
                             (digest(session_id),)).fetchone()
        if row is None:
            return None
        return Session(id=session_id, username=row[0], csrf=row[1], created_at=datetime.fromisoformat(row[2]),
                       expires_at=datetime.fromisoformat(row[3]))

    def delete_session(self, session_id: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM web_sessions WHERE id = ?", (digest(session_id),))

    def record_login_failure(self, key: str, at: datetime) -> None:
        with self._write() as db:
            db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, at.isoformat()))

    def login_failures(self, key: str, since: datetime) -> int:
        with self._read() as db:
            return int(db.execute("SELECT count(*) FROM login_failures WHERE key = ? AND at >= ?",
                                  (key, since.isoformat())).fetchone()[0])

    def clear_login_failures(self, key: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM login_failures WHERE key = ?", (key,))

    # ------------------------------------------------------------------ alerts

    def set_alert_status(self, change: AlertStatusChange) -> None:
        with self._write() as db:
            db.execute("INSERT INTO alert_status_log (alert_id, status, data) VALUES (?, ?, ?)",
                       (change.alert_id, change.status, change.model_dump_json()))

    def alert_statuses(self, alert_ids: list[str] | None = None) -> dict[str, AlertStatusChange]:
        """The latest status change of each alert (of ``alert_ids``, or all)."""
        where, params = "", list(alert_ids or ())
        if alert_ids is not None:
            if not alert_ids:
                return {}
            where = f"WHERE alert_id IN ({_marks(params)})"
        with self._read() as db:
            rows = db.execute(f"SELECT data FROM alert_status_log WHERE id IN (SELECT max(id) FROM alert_status_log "
                              f"{where} GROUP BY alert_id)", params).fetchall()
        changes = [AlertStatusChange.model_validate_json(r[0]) for r in rows]
        return {c.alert_id: c for c in changes}

    # ------------------------------------------------------------------ feedback

    def add_negative_context(self, category: str, language: str, pattern: str, *, added_by: str,
                             decision_id: int | None = None) -> NegativeContext:
        now = datetime.now(UTC)
        with self._write() as db:
            version = self._bump(db, f"add {category}/{language}: {pattern}", added_by, now)
            cursor = db.execute(
                "INSERT INTO negative_contexts (category, language, pattern, version, added_by, added_at, "
                "decision_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (category, language, pattern, version, added_by, now.isoformat(), decision_id))
        assert cursor.lastrowid is not None
        return NegativeContext(id=cursor.lastrowid, category=category, language=language, pattern=pattern,
                               version=version, added_by=added_by, added_at=now, decision_id=decision_id)

    def deactivate_negative_context(self, context_id: int, *, by: str) -> NegativeContext:
        now = datetime.now(UTC)
        with self._write() as db:
            row = db.execute("SELECT category, language, pattern FROM negative_contexts WHERE id = ? AND active = 1",
                             (context_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no active negative context {context_id}")
            self._bump(db, f"remove {row[0]}/{row[1]}: {row[2]}", by, now)
            db.execute("UPDATE negative_contexts SET active = 0 WHERE id = ?", (context_id,))
        return next(c for c in self.negative_contexts(include_inactive=True) if c.id == context_id)

    @staticmethod
    def _bump(db: sqlite3.Connection, change: str, by: str, at: datetime) -> int:
        cursor = db.execute("INSERT INTO feedback_versions (change, by, at) VALUES (?, ?, ?)",
                            (change, by, at.isoformat()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def negative_contexts(self, *, include_inactive: bool = False) -> list[NegativeContext]:
        where = "" if include_inactive else "WHERE active = 1"
        with self._read() as db:
            rows = db.execute("SELECT id, category, language, pattern, version, added_by, added_at, decision_id, "
                              f"active FROM negative_contexts {where} ORDER BY id").fetchall()
        return [NegativeContext(id=r[0], category=r[1], language=r[2], pattern=r[3], version=r[4], added_by=r[5],
                                added_at=datetime.fromisoformat(r[6]), decision_id=r[7], active=bool(r[8]))
                for r in rows]

    def feedback_version(self) -> int:
        with self._read() as db:
            return int(db.execute("SELECT coalesce(max(version), 0) FROM feedback_versions").fetchone()[0])


_DECISION = "id, at, data"


def _decision(row: Sequence[Any]) -> ReviewDecision:
    return ReviewDecision.model_validate({**json.loads(row[2]), "id": row[0], "at": row[1]})


def _user(row: Sequence[Any]) -> User:
    return User(username=row[0], role=row[1], created_at=datetime.fromisoformat(row[2]), disabled=bool(row[3]))


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)

