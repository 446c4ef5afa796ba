"""The SQLite store's schema: an ordered list of migrations, versioned with ``PRAGMA user_version``.

Migration *n* (1-based) brings a file from version ``n - 1`` to ``n``; :func:`migrate` runs the missing
ones in one transaction each. Never edit a released migration: append a new function.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from vigil.errors import StoreError

TOKENIZER = "unicode61 remove_diacritics 2"


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one (``executescript`` would COMMIT the migration's transaction)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise StoreError(f"incomplete SQL statement in migration: {statement.strip()[:60]}")


def _v1_initial(db: sqlite3.Connection) -> None:
    run_script(db, f"""
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        source_domain TEXT NOT NULL,
        language TEXT NOT NULL,
        published_at INTEGER NOT NULL,          -- unix seconds, UTC
        day INTEGER NOT NULL,                   -- days since 1970-01-01, UTC
        date_source TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        duplicate_of TEXT,
        collapsed INTEGER NOT NULL DEFAULT 0,   -- 1: a copy whose original is in the store
        independent_sources INTEGER NOT NULL DEFAULT 1,
        doc_hash TEXT NOT NULL,                 -- sha256 of the document minus indexed_at
        indexed_at TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published_at);
    CREATE INDEX articles_day ON articles(collapsed, day);
    CREATE INDEX articles_source ON articles(source_domain, published_at);
    CREATE INDEX articles_language ON articles(language, published_at);
    CREATE INDEX articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;

    -- wide columns apart, so scans and facets over articles read narrow rows
    CREATE TABLE article_texts (
        seq INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        doc BLOB NOT NULL                       -- zlib JSON of the IndexedDocument without title/text
    );
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, body, content='article_texts', content_rowid='seq', tokenize='{TOKENIZER}');
    CREATE TRIGGER article_texts_ai AFTER INSERT ON article_texts BEGIN
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.seq, new.title, new.body);
    END;
    CREATE TRIGGER article_texts_ad AFTER DELETE ON article_texts BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
    END;
    CREATE TRIGGER article_texts_au AFTER UPDATE OF title, body ON article_texts
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
        INSERT INTO articles_fts(rowid, title, body) VALUES (new.seq, new.title, new.body);
    END;

    CREATE TABLE article_countries (
        value TEXT NOT NULL, seq INTEGER NOT NULL, focus INTEGER NOT NULL DEFAULT 0,
        mentions INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (value, seq)) WITHOUT ROWID;
    CREATE INDEX article_countries_seq ON article_countries(seq, value);
    CREATE TABLE article_indicators (
        value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (value, seq)) WITHOUT ROWID;
    CREATE INDEX article_indicators_seq ON article_indicators(seq, value);
    CREATE TABLE article_actors (
        value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (value, seq)) WITHOUT ROWID;
    CREATE INDEX article_actors_seq ON article_actors(seq, value);
    CREATE TABLE article_groups (
        value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (value, seq)) WITHOUT ROWID;
    CREATE INDEX article_groups_seq ON article_groups(seq, value);

    CREATE TABLE near_dup_keys (
        key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
    CREATE INDEX near_dup_keys_seq ON near_dup_keys(seq);

    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        article_id TEXT NOT NULL,
        category TEXT NOT NULL,
        country TEXT,
        severity INTEGER NOT NULL,
        score REAL NOT NULL,
        confidence REAL NOT NULL,
        historical INTEGER NOT NULL,
        day INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX events_seq ON events(seq);
    CREATE INDEX events_day ON events(day, country, category, historical, seq);  -- covers alert counts

    CREATE TABLE reviews (
        event_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{{}}',
        decided_at TEXT NOT NULL
    );
    CREATE INDEX reviews_status ON reviews(status);

    CREATE TABLE feed_states (url TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        stage TEXT NOT NULL,
        url TEXT NOT NULL,
        reason TEXT NOT NULL,
        retryable INTEGER NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX dead_letters_open ON dead_letters(resolved, stage, url);
    CREATE TABLE run_reports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    """)


def _v2_workspace(db: sqlite3.Connection) -> None:
    """The analyst workspace (vigil.search.sqlite.review): audit trail, accounts, alert status, feedback."""
    run_script(db, """
    CREATE TABLE review_decisions (             -- append-only: never updated or deleted
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL,
        action TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        at TEXT NOT NULL,
        event_category TEXT NOT NULL,
        event_country TEXT,
        language TEXT NOT NULL,
        lexicon_version TEXT NOT NULL,
        data TEXT NOT NULL                      -- the full ReviewDecision as JSON
    );
    CREATE INDEX review_decisions_event ON review_decisions(event_id, id);
    CREATE INDEX review_decisions_reviewer ON review_decisions(reviewer, id);
    CREATE TRIGGER review_decisions_no_update BEFORE UPDATE ON review_decisions BEGIN
        SELECT RAISE(ABORT, 'review decisions are append-only');
    END;
    CREATE TRIGGER review_decisions_no_delete BEFORE DELETE ON review_decisions BEGIN
        SELECT RAISE(ABORT, 'review decisions are append-only');
    END;
    CREATE INDEX events_queue ON events(severity DESC, day DESC);
    CREATE INDEX events_country_day ON events(country, day DESC);

    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        token_hash TEXT NOT NULL UNIQUE,
        username TEXT NOT NULL REFERENCES users(username),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE login_failures (key TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX login_failures_key ON login_failures(key, at);

    CREATE TABLE alert_status_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX alert_status_log_alert ON alert_status_log(alert_id, id);

    CREATE TABLE negative_contexts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        category TEXT NOT NULL,
        language TEXT NOT NULL,
        pattern TEXT NOT NULL,
        version INTEGER NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        decision_id INTEGER,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE feedback_versions (           -- one row per change of the negative contexts
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        change TEXT NOT NULL,
        by TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """)


def _v3_alerts(db: sqlite3.Connection) -> None:
    """Alerts (vigil.search.alerts): one row per country, category and day; recomputation replaces it.
    Plus the cache of daily scores that baselines read (so one day's computation scans one day of events)."""
    run_script(db, """
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        country TEXT NOT NULL,
        category TEXT NOT NULL,
        day INTEGER NOT NULL,                   -- days since 1970-01-01, UTC
        level INTEGER NOT NULL,                 -- 0 watch, 1 warning, 2 alert
        severity INTEGER NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL                      -- the full Alert as JSON
    );
    CREATE INDEX alerts_day ON alerts(day DESC, level DESC, severity DESC);
    CREATE INDEX alerts_country ON alerts(country, day DESC);

    -- daily scores per (country, category): the baselines' history, recomputed when a day's events change
    CREATE TABLE alert_days (
        country TEXT NOT NULL,
        category TEXT NOT NULL,
        day INTEGER NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (day, country, category)
    ) WITHOUT ROWID;
    CREATE TABLE alert_days_done (
        day INTEGER PRIMARY KEY,
        events_rowid INTEGER NOT NULL,          -- max(events.rowid) when the day was computed
        computed_at TEXT NOT NULL
    );
    """)


def _v4_facet_tags(db: sqlite3.Connection) -> None:
    """A compact copy of each article's tags on its ``articles`` row, so facets read one row per match.

    ``facet_tags`` is a JSON array of ``"field:value"`` strings (country, indicator, actor, group), written
    by upsert beside the tag tables; this backfills stores built before it (14 s for a million articles).
    """
    run_script(db, """
    ALTER TABLE articles ADD COLUMN facet_tags TEXT NOT NULL DEFAULT '[]';
    UPDATE articles SET facet_tags = (SELECT json_group_array(tag) FROM (
        SELECT 'country:' || value AS tag FROM article_countries WHERE seq = articles.seq
        UNION ALL SELECT 'indicator:' || value FROM article_indicators WHERE seq = articles.seq
        UNION ALL SELECT 'actor:' || value FROM article_actors WHERE seq = articles.seq
        UNION ALL SELECT 'group:' || value FROM article_groups WHERE seq = articles.seq));
    """)


def _v5_aliases(db: sqlite3.Connection) -> None:
    """Other URLs (feed links, pre-redirect URLs) that led to an article, so they count as known."""
    run_script(db, """
    CREATE TABLE article_aliases (
        alias_id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX article_aliases_article ON article_aliases (article_id);
    """)


def _v6_review_queue(db: sqlite3.Connection) -> None:
    """The review queue of one country, most severe then newest, without sorting all its events."""
    run_script(db, """
    CREATE INDEX IF NOT EXISTS events_country_queue ON events(country, severity DESC, day DESC);
    """)


def _v7_recent(db: sqlite3.Connection) -> None:
    """Searches without words walk the visible (not collapsed) articles newest or oldest first from an index,
    probing their filters, instead of reading every match and sorting it (1.4 s for a million articles);
    one language's visible articles likewise, without reading ``articles`` rows."""
    run_script(db, """
    CREATE INDEX IF NOT EXISTS articles_recent ON articles(collapsed, published_at);
    CREATE INDEX IF NOT EXISTS articles_recent_language ON articles(collapsed, language, published_at);
    """)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_initial, _v2_workspace, _v3_alerts, _v4_facet_tags, _v5_aliases, _v6_review_queue, _v7_recent,
]
"""Ordered migrations; the schema version of a file is the number applied."""

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, migrations: list[Callable[[sqlite3.Connection], None]] | None = None) -> int:
    """Apply the missing migrations (each in its own transaction); return the resulting version."""
    steps = MIGRATIONS if migrations is None else migrations
    version = current_version(db)
    if version > len(steps):
        raise StoreError(f"store schema version {version} is newer than this Vigil knows ({len(steps)}); "
                         "upgrade Vigil")
    for number, step in enumerate(steps[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            if current_version(db) >= number:  # another process migrated meanwhile
                db.execute("ROLLBACK")
                continue
            step(db)
            db.execute(f"PRAGMA user_version = {int(number)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return current_version(db)
