"""One feed's worth of ingest work: fetch the feed, pick new entries, fetch their pages, extract.

Every feed ends in exactly one feed outcome (``FEED_OUTCOMES``), every entry of a fetched feed in
exactly one entry outcome (``ENTRY_OUTCOMES``), and every fetched page in exactly one page outcome
(``PAGE_OUTCOMES``); failures also become dead letters with a reason. So
``entries == sum(entry outcomes)`` and ``fetched == sum(page outcomes)`` always hold.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vigil.errors import ExtractionError, FeedError, FetchError
from vigil.ingest import health
from vigil.ingest.extract import extract_article
from vigil.ingest.feeds import parse_feed
from vigil.ingest.fetch import Fetcher
from vigil.ingest.raw import RawCapture
from vigil.ingest.urls import article_id, normalise_url
from vigil.records import DeadLetter, ExtractedArticle, FeedEntry, FeedSpec, FeedState, FetchedPage, Stage

log = logging.getLogger(__name__)

FEED_OUTCOMES = ("feed-ok", "feed-not-modified", "feed-failed", "feed-backed-off", "feed-not-due")
ENTRY_OUTCOMES = ("entry-invalid", "over-limit", "duplicate-in-feed", "known", "fetched", "fetch-failed")
PAGE_OUTCOMES = ("extracted", "extract-failed", "duplicate-in-batch")

Pair = tuple[FeedEntry, FetchedPage]


@dataclass(frozen=True)
class FeedFetch:
    """What fetching one feed produced."""

    feed: FeedSpec
    state: FeedState
    pairs: tuple[Pair, ...] = ()
    dead_letters: tuple[DeadLetter, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    entries: int = 0
    title: str | None = None


def _letter(stage: Stage, url: str, feed_url: str | None, reason: str, detail: str, retryable: bool,
            now: datetime) -> DeadLetter:
    return DeadLetter(stage=stage, url=url, feed_url=feed_url, reason=reason, detail=detail[:500],
                      retryable=retryable, at=now)


def _newest_first(entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    if entries and all(e.published_at is not None for e in entries):
        return sorted(entries, key=lambda e: e.published_at, reverse=True)  # type: ignore[arg-type,return-value]
    return list(entries)


def fetch_feed(feed: FeedSpec, state: FeedState | None, *, fetcher: Fetcher,
               is_known: Callable[[Sequence[str]], set[str]], now: datetime, max_articles: int,
               workers: int = 4, min_interval: timedelta = timedelta(0), force: bool = False) -> FeedFetch:
    """Fetch ``feed`` (conditional GET) and the pages of its entries that are not known yet.
    ``state`` None means a feed never fetched before."""
    state = state or FeedState(url=feed.url)
    counts: Counter[str] = Counter()
    if not force and state.not_before is not None and now < state.not_before:
        counts["feed-backed-off"] += 1
        return FeedFetch(feed=feed, state=state, counts=dict(counts))
    if not force and not health.is_due(state, now, min_interval):
        counts["feed-not-due"] += 1
        return FeedFetch(feed=feed, state=state, counts=dict(counts))

    started = time.monotonic()
    try:
        page = fetcher.fetch(feed.url, etag=state.etag, last_modified=state.last_modified, kind="feed")
    except FetchError as exc:
        latency = (time.monotonic() - started) * 1000
        counts["feed-failed"] += 1
        new_state = health.record_failure(state, now, exc.reason, retry_after=exc.retry_after, latency_ms=latency)
        letter = _letter(Stage.FEED, feed.url, feed.url, exc.reason, str(exc), exc.retryable, now)
        return FeedFetch(feed=feed, state=new_state, dead_letters=(letter,), counts=dict(counts))
    latency = (time.monotonic() - started) * 1000
    if page.status == 304:
        counts["feed-not-modified"] += 1
        return FeedFetch(feed=feed, state=health.record_not_modified(state, now, latency_ms=latency, page=page),
                         counts=dict(counts))
    try:
        parsed = parse_feed(page, feed)
    except FeedError as exc:
        counts["feed-failed"] += 1
        new_state = health.record_failure(state, now, exc.reason, latency_ms=latency)
        letter = _letter(Stage.FEED, feed.url, feed.url, exc.reason, str(exc), False, now)
        return FeedFetch(feed=feed, state=new_state, dead_letters=(letter,), counts=dict(counts))
    counts["feed-ok"] += 1

    letters: list[DeadLetter] = []
    for skipped in parsed.skipped:
        counts["entry-invalid"] += 1
        letters.append(_letter(Stage.FEED, f"{feed.url}#item-{skipped.index}", feed.url, skipped.reason,
                               skipped.title, False, now))
    ordered = _newest_first(parsed.entries)
    counts["over-limit"] += max(0, len(ordered) - max_articles)
    chosen: dict[str, FeedEntry] = {}
    for entry in ordered[:max_articles]:
        key = article_id(entry.url)
        if key in chosen:
            counts["duplicate-in-feed"] += 1
        else:
            chosen[key] = entry
    known = is_known(list(chosen))
    counts["known"] += sum(1 for key in chosen if key in known)
    todo = [entry for key, entry in chosen.items() if key not in known]

    def one(entry: FeedEntry) -> Pair | DeadLetter:
        try:
            fetched = fetcher.fetch(normalise_url(entry.url), kind="page")
        except FetchError as exc:
            return _letter(Stage.FETCH, entry.url, feed.url, exc.reason, str(exc), exc.retryable, now)
        if fetched.status != 200:
            return _letter(Stage.FETCH, entry.url, feed.url, f"http-{fetched.status}",
                           "unexpected status for a page", True, now)
        return entry, fetched

    pages: list[Pair] = []
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
            for result in pool.map(one, todo):
                if isinstance(result, DeadLetter):
                    counts["fetch-failed"] += 1
                    letters.append(result)
                else:
                    counts["fetched"] += 1
                    pages.append(result)
    new_state = health.record_success(state, page, now, items_seen=len(parsed.entries) + len(parsed.skipped),
                                      items_new=len(todo), latency_ms=latency, ttl_minutes=parsed.ttl_minutes)
    return FeedFetch(feed=feed, state=new_state, pairs=tuple(pages), dead_letters=tuple(letters),
                     counts=dict(counts), entries=len(parsed.entries) + len(parsed.skipped),
                     title=parsed.title or None)


def extract_pages(pairs: Sequence[Pair], *, feed_url: str | None, now: datetime,
                  raw: RawCapture | None = None,
                  ) -> tuple[list[ExtractedArticle], list[DeadLetter], dict[str, int]]:
    """Extract every fetched page; keep the raw HTML (also of failures, so they can be re-extracted).

    Articles come back oldest first, so that within a batch the first copy of a syndicated story is
    seen (and becomes the original) before its copies."""
    articles: list[ExtractedArticle] = []
    letters: list[DeadLetter] = []
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for entry, page in pairs:
        try:
            article = extract_article(page, entry=entry, feed_url=feed_url, now=now)
        except ExtractionError as exc:
            counts["extract-failed"] += 1
            letters.append(_letter(Stage.EXTRACT, page.final_url, feed_url, exc.reason, str(exc), False, now))
            if raw is not None:
                raw.put(article_id(page.final_url), page.body, page.final_url)
            continue
        if article.id in seen:
            counts["duplicate-in-batch"] += 1
            continue
        seen.add(article.id)
        if raw is not None:
            raw.put(article.id, page.body, article.url)
        counts["extracted"] += 1
        articles.append(article)
    articles.sort(key=lambda a: (a.published_at, a.id))
    return articles, letters, dict(counts)
