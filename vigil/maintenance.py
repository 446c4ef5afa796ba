"""Weekly upkeep and backfills: optimise the store, prune old files, retry dead letters, re-process a day.

Called by the ``vigil_maintenance`` and ``vigil_backfill`` DAGs (and usable from a shell). Every
function takes :class:`~vigil.settings.Settings`, returns counts of outcomes, and is harmless to re-run:
re-processing upserts, so an article processed twice is ``unchanged`` the second time.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from vigil.errors import ConfigError, ExtractionError, FetchError, StoreError
from vigil.records import Article, DeadLetter, FeedEntry, FetchedPage, IndexedDocument, Stage
from vigil.runtime import opened_store
from vigil.settings import Settings
from vigil.staging import RUN_DIR_RETENTION_DAYS

if TYPE_CHECKING:
    from vigil.ingest.fetch import Fetcher
    from vigil.ingest.raw import RawCapture
    from vigil.search.store import Store

log = logging.getLogger(__name__)

BackfillMode = Literal["reingest", "retag", "reextract"]
BACKFILL_MODES: tuple[BackfillMode, ...] = ("reingest", "retag", "reextract")
MAX_BACKFILL_DAYS = 366
"""Longest date range one backfill run accepts."""
DEAD_LETTER_BATCH = 200
"""Retryable dead letters retried per maintenance run."""


# --------------------------------------------------------------------------- housekeeping


def optimise_store(settings: Settings, *, store: Store | None = None) -> dict[str, Any]:
    """Ask the store to optimise itself (``optimise()`` if the backend has one; for the embedded store,
    ``PRAGMA optimize`` and a WAL checkpoint)."""
    with opened_store(settings, store) as st:
        method = getattr(st, "optimise", None) or getattr(st, "optimize", None)
        if callable(method):
            method()
            return {"store": settings.store, "action": "optimise"}
    if settings.store != "sqlite":
        return {"store": settings.store, "action": "none"}
    try:
        conn = sqlite3.connect(settings.store_path, timeout=60.0)
        try:
            conn.execute("PRAGMA optimize")
            busy, _log_pages, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot optimise {settings.store_path}: {exc}") from exc
    return {"store": "sqlite", "action": "pragma-optimize", "checkpoint_busy": int(busy)}


def prune_raw(settings: Settings, *, now: float | None = None) -> int:
    """Delete raw captures older than ``VIGIL_RAW_RETENTION_DAYS``; returns how many."""
    from vigil.ingest.raw import RawCapture

    removed = RawCapture(settings.raw_dir).prune(settings.raw_retention_days, now=now)
    log.info("pruned %d raw captures older than %d days", removed, settings.raw_retention_days)
    return removed


def prune_runs(settings: Settings, *, keep_days: float = RUN_DIR_RETENTION_DAYS, now: float | None = None) -> int:
    """Delete claim-check run directories older than ``keep_days``; returns how many."""
    root = settings.data_dir / "runs"
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - keep_days * 86400
    removed = 0
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.stat().st_mtime < cutoff:
            shutil.rmtree(child, ignore_errors=True)
            removed += 1
    log.info("pruned %d run directories older than %g days", removed, keep_days)
    return removed


# --------------------------------------------------------------------------- re-processing


class _Reprocessor:
    """Turn one URL (from raw capture or a fresh fetch) into an indexed document again."""

    def __init__(self, settings: Settings, store: Store, *, tagger: Any = None, fetcher: Fetcher | None = None,
                 raw: RawCapture | None = None, now: datetime) -> None:
        from vigil.config import load_feeds

        self.store, self.fetcher, self.raw, self.now = store, fetcher, raw, now
        if tagger is None:
            from vigil.runtime import build_tagger

            tagger = build_tagger(settings)
        self.tagger = tagger
        try:
            feeds = load_feeds(settings.effective_feeds_file).feeds
        except ConfigError:
            feeds = ()
        self.feed_language = {f.url: f.language for f in feeds}
        self.counts: Counter[str] = Counter()

    def page(self, url: str, source: Literal["raw", "fetch"]) -> FetchedPage | None:
        from vigil.ingest.urls import article_id

        if source == "raw":
            body = self.raw.get(article_id(url)) if self.raw else None
            if body is None:
                self.counts["no-raw-capture"] += 1
                return None
            return FetchedPage(requested_url=url, final_url=url, status=200,
                               content_type="text/html", body=body, fetched_at=self.now)
        assert self.fetcher is not None
        page = self.fetcher.fetch(url, kind="page")
        if page.status != 200:
            raise FetchError(f"unexpected status {page.status}", url=url, reason=f"http-{page.status}",
                             retryable=True)
        if self.raw is not None:
            self.raw.put(article_id(page.final_url), page.body, page.final_url)
        return page

    def process(self, url: str, *, feed_url: str | None, entry: FeedEntry | None,
                source: Literal["raw", "fetch"]) -> bool:
        """Extract, tag and upsert one page; False (counted) if it could not be done."""
        from vigil.ingest.extract import extract_article
        from vigil.pipeline import analyse, index

        page = self.page(url, source)
        if page is None:
            return False
        try:
            article = extract_article(page, entry=entry, feed_url=feed_url, now=self.now)
        except ExtractionError as exc:
            self.counts["extract-failed"] += 1
            log.info("%s: %s", url, exc)
            return False
        analysed = analyse([article], feed_language=self.feed_language.get(feed_url or ""), tagger=self.tagger,
                           store=self.store, now=self.now)
        for letter in analysed.dead_letters:
            self.store.add_dead_letter(letter)
        self.counts.update(index(analysed.documents, self.store))
        return bool(analysed.documents)


def retry_dead_letters(settings: Settings, *, limit: int = DEAD_LETTER_BATCH, store: Store | None = None,
                       fetcher: Fetcher | None = None, tagger: Any = None,
                       now: datetime | None = None) -> dict[str, int]:
    """Retry retryable dead letters; resolve those that now succeed, count the rest.

    Feed letters are resolved when the feed has succeeded since (the nightly run re-reads feeds anyway);
    page letters are re-fetched; extraction, tagging and indexing letters are re-processed from the raw
    capture (or re-fetched when there is none).
    """
    from vigil.runtime import build_fetcher, build_raw

    now = now or datetime.now(UTC)
    counts: Counter[str] = Counter()
    with opened_store(settings, store) as st:
        letters = st.dead_letters(retryable=True, limit=limit)
        if not letters:
            return {}
        own_fetcher = fetcher is None
        fetcher = fetcher or build_fetcher(settings)
        try:
            worker = _Reprocessor(settings, st, tagger=tagger, fetcher=fetcher, raw=build_raw(settings), now=now)
            for stored in letters:
                outcome = _retry_one(st, worker, stored.letter, now)
                counts[outcome] += 1
                if outcome in ("resolved", "feed-recovered"):
                    st.resolve_dead_letter(stored.id)
        finally:
            if own_fetcher:
                fetcher.close()
    log.info("dead letters retried: %s", dict(counts))
    return dict(counts)


def _retry_one(store: Store, worker: _Reprocessor, letter: DeadLetter, now: datetime) -> str:
    if letter.stage == Stage.FEED:
        state = store.get_feed_state(letter.feed_url or letter.url)
        if state is not None and state.last_success_at is not None and state.last_success_at > letter.at:
            return "feed-recovered"
        return "feed-still-failing"
    from vigil.ingest.urls import article_id

    entry = FeedEntry(feed_url=letter.feed_url or letter.url, url=letter.url, title="")
    source: Literal["raw", "fetch"] = "fetch"
    if letter.stage != Stage.FETCH and worker.raw is not None and worker.raw.get(article_id(letter.url)):
        source = "raw"
    try:
        return "resolved" if worker.process(letter.url, feed_url=letter.feed_url, entry=entry,
                                            source=source) else "still-failing"
    except FetchError as exc:
        store.add_dead_letter(letter.model_copy(update={"reason": exc.reason, "detail": str(exc)[:500],
                                                        "retryable": exc.retryable, "at": now}))
        return "still-failing"


# --------------------------------------------------------------------------- backfill


def backfill_days(since: date | str, until: date | str, *, max_days: int = MAX_BACKFILL_DAYS) -> list[str]:
    """The ISO days from ``since`` to ``until`` inclusive (the backfill DAG maps one task per day)."""
    try:
        start = since if isinstance(since, date) else date.fromisoformat(since)
        end = until if isinstance(until, date) else date.fromisoformat(until)
    except ValueError as exc:
        raise ConfigError(f"backfill dates must look like 2026-11-01: {exc}") from exc
    if end < start:
        raise ConfigError(f"backfill 'until' ({end}) is before 'since' ({start})")
    days = (end - start).days + 1
    if days > max_days:
        raise ConfigError(f"backfill range of {days} days is longer than {max_days}; split it")
    return [(start + timedelta(days=i)).isoformat() for i in range(days)]


def backfill_day(settings: Settings, mode: BackfillMode, day: date | str, *, store: Store | None = None,
                 tagger: Any = None, fetcher: Fetcher | None = None,
                 now: datetime | None = None) -> dict[str, int]:
    """Re-process the articles published on ``day``.

    ``retag``: tag the stored text again (after a lexicon or model change); ``reextract``: extract again
    from the raw captures, then tag; ``reingest``: fetch the pages again, then extract and tag.
    """
    if mode not in BACKFILL_MODES:
        raise ConfigError(f"unknown backfill mode {mode!r}; choose one of {', '.join(BACKFILL_MODES)}")
    when = day if isinstance(day, date) else date.fromisoformat(day)
    now = now or datetime.now(UTC)
    with opened_store(settings, store) as st:
        documents = list(st.iter_documents(since=when, until=when))
        if mode == "retag":
            return _retag(settings, st, documents, tagger=tagger, now=now)
        from vigil.runtime import build_fetcher, build_raw

        own_fetcher = mode == "reingest" and fetcher is None
        if own_fetcher:
            fetcher = build_fetcher(settings)
        try:
            worker = _Reprocessor(settings, st, tagger=tagger, fetcher=fetcher, raw=build_raw(settings), now=now)
            source: Literal["raw", "fetch"] = "raw" if mode == "reextract" else "fetch"
            for doc in documents:
                a = doc.article
                entry = FeedEntry(feed_url=a.feed_url or a.url, url=a.url, title=a.title,
                                  published_at=a.published_at if a.date_source == "feed" else None)
                try:
                    worker.process(a.url, feed_url=a.feed_url, entry=entry, source=source)
                except FetchError as exc:
                    worker.counts["fetch-failed"] += 1
                    st.add_dead_letter(DeadLetter(stage=Stage.FETCH, url=a.url, feed_url=a.feed_url,
                                                  reason=exc.reason, detail=str(exc)[:500],
                                                  retryable=exc.retryable, at=now))
        finally:
            if own_fetcher and fetcher is not None:
                fetcher.close()
        counts = dict(worker.counts)
    counts["articles"] = len(documents)
    log.info("backfill %s %s: %s", mode, when, counts)
    return counts


def _retag(settings: Settings, store: Store, documents: Sequence[IndexedDocument], *, tagger: Any,
           now: datetime) -> dict[str, int]:
    from vigil.nlp.tagger import TagInput
    from vigil.pipeline import index

    if tagger is None:
        from vigil.runtime import build_tagger

        tagger = build_tagger(settings)
    counts: Counter[str] = Counter()
    articles: list[Article] = [d.article for d in documents]
    tags = list(tagger.tag_many([TagInput.from_article(a) for a in articles]))
    retagged = [d.model_copy(update={"tags": t, "indexed_at": now}) for d, t in zip(documents, tags, strict=True)]
    counts.update(index(retagged, store))
    counts["articles"] = len(documents)
    return dict(counts)
