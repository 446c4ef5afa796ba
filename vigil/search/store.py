"""The Store interface every backend implements (embedded SQLite, Elasticsearch).

A store holds articles with their tags, indicator events, feed state, dead letters, run summaries,
review decisions and alerts, so that a distributed deployment needs nothing else besides Airflow's
own database. The backend contract suite (``tests/search/test_store_contract.py``) runs the same
tests against every implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import Field

from vigil.records import AwareDatetime, DeadLetter, FeedState, IndexedDocument, Record, RunReport

SortOrder = Literal["relevance", "newest", "oldest"]
Interval = Literal["day", "week", "month"]
FacetField = Literal["country", "indicator", "language", "source", "actor", "group"]


class UpsertCounts(Record):
    """What an upsert did: new ids, changed documents, identical re-submissions."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


class DuplicateCandidate(Record):
    """An indexed article sharing a near-duplicate key with a new one."""

    id: str
    fingerprint: str
    source_domain: str
    duplicate_of: str | None
    published_at: AwareDatetime


class SearchRequest(Record):
    """A search: the query language string plus structured filters (ANDed with the query)."""

    query: str = ""
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    sort: SortOrder = "relevance"
    limit: int = Field(default=20, ge=1, le=1000)
    cursor: str | None = Field(default=None, description="opaque keyset cursor from a previous page")
    facets: tuple[FacetField, ...] = ()
    facet_limit: int = Field(default=10, ge=1, le=200)
    collapse_duplicates: bool = True
    highlight: bool = True


class Hit(Record):
    """One search result."""

    id: str
    url: str
    title: str
    source_domain: str
    language: str
    published_at: AwareDatetime
    date_source: str
    countries: tuple[str, ...]
    indicators: tuple[str, ...]
    snippet: str = Field(description="text excerpt with matches wrapped in [ and ] (plain) or <mark>")
    score: float | None = None
    independent_sources: int = 1
    duplicates: int = Field(default=0, description="copies collapsed into this hit")


class FacetCount(Record):
    value: str
    count: int


class SearchPage(Record):
    hits: tuple[Hit, ...]
    total: int = Field(description="matching documents (after duplicate collapsing)")
    total_capped: bool = Field(default=False, description="the store stopped counting at `total`: there are more")
    next_cursor: str | None = None
    facets: dict[str, tuple[FacetCount, ...]] = Field(default_factory=dict)
    facets_truncated: dict[str, bool] = Field(default_factory=dict)
    took_ms: float = 0.0


class TrendRequest(Record):
    query: str = ""
    interval: Interval = "day"
    split_by: FacetField | None = None
    since: date | None = None
    until: date | None = None
    normalise: bool = Field(default=False, description="divide by all articles in each bucket")
    top: int = Field(default=10, ge=1, le=50, description="series kept when split")


class TrendPoint(Record):
    bucket: date
    count: int
    total: int = Field(description="all articles in the bucket (for normalisation)")
    value: float = Field(description="count, or count/total when normalised")


class TrendSeries(Record):
    key: str = Field(description="split value, or 'all'")
    points: tuple[TrendPoint, ...]


class StoreStats(Record):
    articles: int
    duplicates: int
    by_language: dict[str, int]
    by_country: dict[str, int]
    by_indicator: dict[str, int]
    events: int
    dead_letters: int
    feeds: int
    oldest: datetime | None = None
    newest: datetime | None = None
    schema_version: int | None = None


class EventCount(Record):
    """Indicator events of one (day, country, category): the input of alert baselines."""

    day: date
    country: str | None
    category: str
    count: int


class StoredDeadLetter(Record):
    id: int | str
    letter: DeadLetter
    resolved: bool = False


@runtime_checkable
class Store(Protocol):
    """What the pipeline, the CLI, the web app and the DAGs need from a backend."""

    # lifecycle
    def close(self) -> None: ...

    # articles
    def known_ids(self, ids: Iterable[str]) -> set[str]: ...
    def upsert(self, docs: Sequence[IndexedDocument]) -> UpsertCounts: ...
    def get(self, article_id: str) -> IndexedDocument | None: ...
    def near_duplicate_candidates(self, keys: Sequence[str], limit: int = 50) -> list[DuplicateCandidate]: ...
    def iter_documents(self, since: date | None = None, until: date | None = None) -> Iterator[IndexedDocument]: ...

    # search
    def search(self, request: SearchRequest) -> SearchPage: ...
    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]: ...
    def trends(self, request: TrendRequest) -> list[TrendSeries]: ...
    def stats(self) -> StoreStats: ...

    # feeds, failures, runs
    def get_feed_state(self, url: str) -> FeedState | None: ...
    def put_feed_state(self, state: FeedState) -> None: ...
    def feed_states(self) -> list[FeedState]: ...
    def add_dead_letter(self, letter: DeadLetter) -> None: ...
    def dead_letters(self, *, retryable: bool | None = None, include_resolved: bool = False,
                     limit: int = 1000) -> list[StoredDeadLetter]: ...
    def resolve_dead_letter(self, letter_id: int | str) -> None: ...
    def add_run_report(self, run_id: str, report: RunReport, scope: str = "run") -> None: ...
    def run_reports(self, limit: int = 20) -> list[dict[str, Any]]: ...
