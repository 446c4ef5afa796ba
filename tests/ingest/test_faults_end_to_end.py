"""The ingest stage inside the whole pipeline: after a run with faults the counts add up, and a run
killed midway then started again leaves no duplicates and loses nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from vigil.ingest.collect import ENTRY_OUTCOMES
from vigil.ingest.fetch import Fetcher
from vigil.ingest.raw import RawCapture
from vigil.nlp.tagger import Tagger
from vigil.pipeline import run_ingest
from vigil.records import FeedSpec, IndexedDocument
from vigil.runtime import build_tagger
from vigil.search.sqlite import SqliteStore
from vigil.settings import Settings

from .support import Server, fixture_bytes, make_policy
from .test_collect import rss, serve_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tagger(tmp_path_factory: pytest.TempPathFactory) -> Tagger:
    return build_tagger(Settings(data_dir=tmp_path_factory.mktemp("data")), use_models=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "vigil.sqlite3")
    yield s
    s.close()


def fault_feed(server: Server) -> FeedSpec:
    b = server.base
    items = [("Kessa arrivals", f"{b}/news/kessa-arrivals?utm_source=rss&amp;utm_medium=feed"),
             ("Kessa arrivals again", f"{b}/news/kessa-arrivals?fbclid=zz"),
             ("Wire copy", f"{b}/wire/kessa"), ("Russian page", f"{b}/ru"), ("Empty page", f"{b}/empty"),
             ("Gone", f"{b}/gone"), ("Broken", f"{b}/broken"), ("Metadata", f"{b}/meta"),
             ("Internal", f"{b}/internal"), ("Private", f"{b}/private/x"), ("Picture", f"{b}/pic"),
             ("Hangs", f"{b}/hang"), ("Not http", "ftp://127.0.0.1/file")]
    server.static("/faults.xml", rss(items), content_type="application/rss+xml")
    return FeedSpec(url=server.url("/faults.xml"), name="Faults", language="en")


def test_counts_add_up_after_a_run_with_faults(server: Server, store: SqliteStore, tagger: Tagger,
                                               tmp_path: Path) -> None:
    serve_site(server)
    feed = fault_feed(server)
    server.static("/not-a-feed.xml", fixture_bytes("page_en.html", server.base))
    broken = FeedSpec(url=server.url("/not-a-feed.xml"), name="Broken", language="en")
    with Fetcher(make_policy()) as fetcher:
        report = run_ingest([feed, broken], store=store, fetcher=fetcher, tagger=tagger,
                            raw=RawCapture(tmp_path / "raw"))
    c = report.counts
    entries = 13
    assert sum(c.get(o, 0) for o in ENTRY_OUTCOMES) == entries
    stats = store.stats()
    letters = store.dead_letters()
    assert all(item.letter.reason for item in letters)
    # every distinct entry is indexed or dead-lettered; one more letter for the feed that is not a feed
    assert stats.articles + len(letters) == entries - c.get("duplicate-in-feed", 0) + 1
    assert stats.articles == c["indexed"] == 3
    assert c["feed-failed"] == 1 and c["feed-ok"] == 1
    assert {item.letter.reason for item in letters} >= {"http-404", "http-500", "blocked-address", "timeout",
                                                       "robots-disallowed", "bad-content-type", "no-text",
                                                       "entry-without-link", "not-a-feed"}
    docs = {d.article.url.rsplit("/", 1)[1]: d for d in store.iter_documents()}
    # the syndicated copy (published later) links to the first article
    assert docs["kessa"].duplicate_of == docs["kessa-arrivals"].article.id
    assert docs["kessa-arrivals"].duplicate_of is None


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing on the way catches it."""


class KillOnSecondUpsert:
    def __init__(self, inner: SqliteStore) -> None:
        self.inner, self.upserts = inner, 0

    def upsert(self, docs: Sequence[IndexedDocument]) -> Any:
        self.upserts += 1
        if self.upserts == 2:
            raise Killed
        return self.inner.upsert(docs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_killed_run_restarted_has_no_duplicates_and_loses_nothing(server: Server, store: SqliteStore,
                                                                   tagger: Tagger) -> None:
    serve_site(server)
    b = server.base
    server.static("/one.xml", rss([("Kessa", f"{b}/news/kessa-arrivals")]), content_type="application/rss+xml")
    server.static("/two.xml", rss([("Russian page", f"{b}/ru"), ("Kessa again", f"{b}/news/kessa-arrivals")]),
                  content_type="application/rss+xml")
    feeds = [FeedSpec(url=server.url("/one.xml"), name="One", language="en"),
             FeedSpec(url=server.url("/two.xml"), name="Two", language="ru")]
    with Fetcher(make_policy()) as fetcher:
        with pytest.raises(Killed):
            run_ingest(feeds, store=KillOnSecondUpsert(store), fetcher=fetcher, tagger=tagger)  # type: ignore[arg-type]
        assert store.stats().articles == 1
        assert store.get_feed_state(feeds[1].url) is None  # its state was never saved: it is re-read
        again = run_ingest(feeds, store=store, fetcher=fetcher, tagger=tagger)
    # feed one succeeded before the kill and is not due again yet (its ttl); feed two is re-read in full
    assert again.get("feed-not-due") == 1 and again.get("feed-ok") == 1
    assert again.get("indexed") == 1 and again.get("known") == 1
    ids = [d.article.id for d in store.iter_documents()]
    assert len(ids) == len(set(ids)) == 2 == store.stats().articles
