"""Where the stages meet: feed -> pages -> articles -> language and tags -> index.

Each step is a function with typed input and output, so the same code runs in one process
(``run_ingest``, used by the CLI and the demo) and as separate Airflow tasks that hand each other
files (``vigil.staging``). Every feed entry ends in exactly one outcome, counted in the returned
:class:`RunReport`; failures are stored as dead letters, never dropped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vigil.config import FeedCatalogue
from vigil.errors import FetchError, VigilError
from vigil.ingest.collect import extract_pages, fetch_feed
from vigil.ingest.dedupe import pick_original
from vigil.ingest.fetch import Fetcher
from vigil.ingest.raw import RawCapture
from vigil.nlp.language import detect_language
from vigil.nlp.tagger import Tagger, TagInput
from vigil.records import (
    Article,
    DeadLetter,
    ExtractedArticle,
    FeedEntry,
    FeedSpec,
    FetchedPage,
    IndexedDocument,
    RunReport,
    Stage,
)
from vigil.search.store import DuplicateCandidate, Store

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, FeedSpec, dict[str, int]], None]
"""Called as ``progress(event, feed, counts)`` with event ``feed-start`` or ``feed-done``."""


@dataclass
class Analysed:
    """Articles of one batch after language detection, tagging and dedupe, ready to index."""

    documents: list[IndexedDocument]
    dead_letters: list[DeadLetter] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def now_utc() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- steps


def decide_language(article: ExtractedArticle, feed_language: str | None) -> Article:
    """Attach the detected language to an extracted article."""
    decision = detect_language(article.text, title=article.title, declared=article.declared_language,
                               feed_language=feed_language)
    return Article(**article.model_dump(), language=decision.code, language_confidence=decision.confidence)


def analyse(
    articles: Sequence[ExtractedArticle],
    *,
    feed_language: str | None,
    tagger: Tagger,
    store: Store,
    now: datetime,
) -> Analysed:
    """Detect language, tag, and link near-duplicates for a batch of extracted articles."""
    out = Analysed(documents=[])
    with_language = [decide_language(a, feed_language) for a in articles]
    inputs = [TagInput(id=a.id, text=a.text, title=a.title, language=a.language) for a in with_language]
    try:
        tags_list = list(tagger.tag_many(inputs))
    except VigilError:
        raise
    except Exception as exc:  # a tagger bug must not lose the batch: dead-letter each article
        log.exception("tagging failed for a batch of %d articles", len(inputs))
        for a in with_language:
            out.dead_letters.append(DeadLetter(stage=Stage.TAG, url=a.url, feed_url=a.feed_url,
                                               reason="tagger-error", detail=repr(exc)[:500],
                                               retryable=True, at=now))
        out.counts["tag-failed"] += len(with_language)
        return out

    # Earlier articles of this same batch are not in the store yet: they are candidates too.
    in_batch: list[tuple[DuplicateCandidate, set[str]]] = []
    for article, tags in zip(with_language, tags_list, strict=True):
        keys = set(article.near_dup_keys)
        candidates = store.near_duplicate_candidates(article.near_dup_keys) if keys else []
        candidates += [c for c, ck in in_batch if keys & ck]
        original = pick_original(article, [c for c in candidates if c.id != article.id])
        out.documents.append(IndexedDocument(article=article, tags=tags, duplicate_of=original, indexed_at=now))
        out.counts["duplicate" if original else "unique"] += 1
        in_batch.append((DuplicateCandidate(id=article.id, fingerprint=article.fingerprint,
                                            source_domain=article.source_domain, duplicate_of=original,
                                            published_at=article.published_at), keys))
    return out


def index(documents: Sequence[IndexedDocument], store: Store) -> Counter[str]:
    """Upsert documents; count ``indexed`` (new), ``updated`` and ``unchanged``."""
    counts: Counter[str] = Counter()
    if not documents:
        return counts
    result = store.upsert(documents)
    counts["indexed"] += result.new
    counts["updated"] += result.updated
    counts["unchanged"] += result.unchanged
    return counts


# --------------------------------------------------------------------------- a whole feed


def ingest_feed(
    feed: FeedSpec,
    *,
    store: Store,
    fetcher: Fetcher,
    tagger: Tagger,
    raw: RawCapture | None = None,
    now: datetime | None = None,
    max_articles: int = 200,
    force: bool = False,
) -> RunReport:
    """Fetch, extract, tag and index one feed. Never raises for a bad feed or article.

    ``force`` fetches the feed even if its TTL hint or back-off says it is not due yet.
    """
    now = now or now_utc()
    counts: Counter[str] = Counter()
    state = store.get_feed_state(feed.url)
    try:
        fetched = fetch_feed(feed, state, fetcher=fetcher, is_known=store.known_ids, now=now,
                             max_articles=max_articles, force=force)
    except FetchError as exc:  # fetch_feed records feed failures itself; this is a last guard
        letter = DeadLetter(stage=Stage.FEED, url=feed.url, feed_url=feed.url, reason=exc.reason,
                            detail=str(exc), retryable=exc.retryable, at=now)
        store.add_dead_letter(letter)
        return RunReport(counts={"feed-failed": 1}, feeds=1, started_at=now, finished_at=now_utc())

    counts.update(fetched.counts)
    page_counts, letters = process_pages(fetched.pairs, feed_url=feed.url, feed_language=feed.language,
                                         store=store, tagger=tagger, raw=raw, now=now)
    counts.update(page_counts)
    for letter in [*fetched.dead_letters, *letters]:
        store.add_dead_letter(letter)
    # The feed's new state (ETag, health) is saved last: a run killed before this point re-reads the feed.
    store.put_feed_state(fetched.state)
    return RunReport(counts=dict(counts), feeds=1, started_at=now, finished_at=now_utc(),
                     details={"feeds": {feed.url: dict(counts)}})


def run_ingest(
    feeds: FeedCatalogue | Iterable[FeedSpec],
    *,
    store: Store,
    fetcher: Fetcher,
    tagger: Tagger,
    raw: RawCapture | None = None,
    max_articles: int = 200,
    progress: ProgressFn | None = None,
    run_id: str | None = None,
    force: bool = False,
) -> RunReport:
    """Ingest every feed; one failing feed never stops the others. The summary is stored too."""
    specs = list(feeds.feeds if isinstance(feeds, FeedCatalogue) else feeds)
    started = now_utc()
    report = RunReport(started_at=started)
    for feed in specs:
        if progress:
            progress("feed-start", feed, {})
        try:
            part = ingest_feed(feed, store=store, fetcher=fetcher, tagger=tagger, raw=raw,
                               max_articles=max_articles, force=force)
        except VigilError as exc:
            log.error("feed %s failed: %s", feed.url, exc)
            store.add_dead_letter(DeadLetter(stage=Stage.FEED, url=feed.url, feed_url=feed.url,
                                             reason="feed-error", detail=str(exc)[:500], retryable=True,
                                             at=now_utc()))
            part = RunReport(counts={"feed-failed": 1}, feeds=1)
        report = report + part
        if progress:
            progress("feed-done", feed, part.counts)
    report = report.model_copy(update={"finished_at": now_utc()})
    store.add_run_report(run_id or f"run-{started:%Y%m%dT%H%M%S%f}", report)
    return report


# --------------------------------------------------------------------------- second chances


def process_pages(
    pairs: Sequence[tuple[FeedEntry, FetchedPage]],
    *,
    feed_url: str | None,
    feed_language: str | None,
    store: Store,
    tagger: Tagger,
    raw: RawCapture | None,
    now: datetime,
) -> tuple[Counter[str], list[DeadLetter]]:
    """Extract, analyse and index already-fetched pages; return counts and the new dead letters."""
    counts: Counter[str] = Counter()
    articles, letters, extract_counts = extract_pages(pairs, feed_url=feed_url, now=now, raw=raw)
    counts.update(extract_counts)
    analysed = analyse(articles, feed_language=feed_language, tagger=tagger, store=store, now=now)
    counts.update(analysed.counts)
    counts.update(index(analysed.documents, store))
    return counts, [*letters, *analysed.dead_letters]


def retry_dead_letters(
    feeds: FeedCatalogue,
    *,
    store: Store,
    fetcher: Fetcher,
    tagger: Tagger,
    raw: RawCapture | None = None,
    limit: int = 1000,
) -> RunReport:
    """Try every retryable dead letter again. A success resolves the letter; a new failure resolves it
    and records a fresh letter with one more attempt, so the history stays visible."""
    now = now_utc()
    by_url = {f.url: f for f in feeds.feeds}
    counts: Counter[str] = Counter()
    for stored in store.dead_letters(retryable=True, limit=limit):
        letter = stored.letter
        feed = by_url.get(letter.feed_url or "")
        if letter.stage == Stage.FEED:
            if feed is None:
                counts["retry-skipped-unknown-feed"] += 1
                continue
            part = ingest_feed(feed, store=store, fetcher=fetcher, tagger=tagger, raw=raw, now=now, force=True)
            ok = part.get("feed-failed") == 0
            counts.update(part.counts)
            new_letters: list[DeadLetter] = []
        else:
            try:
                page = fetcher.fetch(letter.url, kind="page")
            except FetchError as exc:
                ok, new_letters = False, [letter.model_copy(update={
                    "reason": exc.reason, "detail": str(exc)[:500], "retryable": exc.retryable,
                    "attempts": letter.attempts + 1, "at": now})]
            else:
                entry = FeedEntry(feed_url=letter.feed_url or letter.url, url=letter.url, title="")
                part_counts, new_letters = process_pages(
                    [(entry, page)], feed_url=letter.feed_url, feed_language=feed.language if feed else None,
                    store=store, tagger=tagger, raw=raw, now=now)
                counts.update(part_counts)
                ok = not new_letters
                new_letters = [x.model_copy(update={"attempts": letter.attempts + 1}) for x in new_letters]
        store.resolve_dead_letter(stored.id)
        for new in new_letters:
            store.add_dead_letter(new)
        counts["retry-succeeded" if ok else "retry-failed"] += 1
    return RunReport(counts=dict(counts), started_at=now, finished_at=now_utc())


def reextract_articles(
    article_ids: Iterable[str],
    *,
    store: Store,
    raw: RawCapture,
    tagger: Tagger,
) -> RunReport:
    """Run extraction again on raw captures (when the extractor improved), then re-tag and re-index."""
    from vigil.ingest.offline import reextract

    now = now_utc()
    counts: Counter[str] = Counter()
    for article_id in article_ids:
        existing = store.get(article_id)
        fetched_at = existing.article.fetched_at if existing else now
        feed_url = existing.article.feed_url if existing else None
        try:
            article = reextract(raw, article_id, fetched_at=fetched_at, now=now, feed_url=feed_url)
        except VigilError as exc:
            store.add_dead_letter(DeadLetter(stage=Stage.EXTRACT, url=existing.article.url if existing else article_id,
                                             feed_url=feed_url, reason="reextract-failed", detail=str(exc)[:500],
                                             at=now))
            counts["reextract-failed"] += 1
            continue
        if article is None:
            counts["no-raw-capture"] += 1
            continue
        language = existing.article.language if existing else None
        analysed = analyse([article], feed_language=language, tagger=tagger, store=store, now=now)
        for letter in analysed.dead_letters:
            store.add_dead_letter(letter)
        counts.update(index(analysed.documents, store))
    return RunReport(counts=dict(counts), started_at=now, finished_at=now_utc())
