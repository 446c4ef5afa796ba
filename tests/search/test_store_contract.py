"""The backend contract: the same tests against every Store.

Add a backend with one line in ``STORE_FACTORIES`` (e.g. Elasticsearch when ``VIGIL_ES_URL`` is set).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from vigil.errors import NotFoundError, QueryError
from vigil.records import DeadLetter, FeedState, RunReport, Stage
from vigil.search.sqlite import SqliteStore
from vigil.search.store import SearchRequest, Store, TrendRequest

from .factories import make_document

STORE_FACTORIES: dict[str, Callable[[Path], Store]] = {
    "sqlite": lambda tmp: SqliteStore(tmp / "data" / "vigil.sqlite3"),
}


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend = STORE_FACTORIES[request.param](tmp_path)
    yield backend
    backend.close()


def ids(page_hits: object) -> list[str]:
    return [h.title for h in page_hits]  # type: ignore[attr-defined]


def day(n: int) -> datetime:
    return datetime(2026, 1, 1, 8, tzinfo=UTC) + timedelta(days=n)


@pytest.fixture
def corpus(store: Store) -> Store:
    store.upsert([
        make_document("Militia attack on Masalit villages", "Witnesses said the militia burned homes in "
                      "the western villages and killed civilians fleeing towards the border.",
                      countries=("SD", "TD"), indicators=("mass_killing",), actors=("rsf",),
                      groups=("masalit",), published=day(3)),
        make_document("Génocide dénoncé par des ONG", "Des organisations dénoncent un génocide en cours "
                      "et des déplacements forcés de familles.", language="fr", source="presse.example",
                      countries=("SD",), indicators=("genocidal_intent", "forced_displacement"), published=day(10)),
        make_document("Harvest festival draws crowds", "The annual harvest festival drew large crowds to the "
                      "river town, organisers said.", countries=("KE",), published=day(20)),
        make_document("Camps expand near the river", "Satellite images show detention camps expanding "
                      "near the river; families described a massacre last year.", countries=("MM",),
                      indicators=("detention",), groups=("rohingya",), source="wire.example",
                      published=day(40)),
        make_document("Film about a massacre wins award", "A film about a historical massacre won the "
                      "festival's top award.", countries=("FR",), published=day(45), source="culture.example"),
    ])
    return store


# ------------------------------------------------------------------ documents


def test_upsert_and_get_round_trip(store: Store) -> None:
    doc = make_document(indicators=("mass_killing",), actors=("rsf",), near_dup_keys=("k1", "k2"))
    assert store.upsert([doc]).new == 1
    assert store.get(doc.article.id) == doc
    assert store.get("0" * 64) is None
    assert store.known_ids([doc.article.id, "missing"]) == {doc.article.id}


def test_second_upsert_is_unchanged_and_adds_nothing(store: Store) -> None:
    doc = make_document()
    store.upsert([doc])
    counts = store.upsert([doc.model_copy(update={"indexed_at": datetime(2027, 1, 1, tzinfo=UTC)})])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert store.stats().articles == 1
    assert store.search(SearchRequest(query="valley")).total == 1


def test_changed_document_is_updated_and_reindexed(store: Store) -> None:
    doc = make_document(text="Old wording about a bridge.")
    store.upsert([doc])
    new = make_document(text="New wording about a dam.")
    assert new.article.id == doc.article.id
    assert store.upsert([new]).updated == 1
    assert store.search(SearchRequest(query="bridge")).total == 0
    assert store.search(SearchRequest(query="dam")).total == 1
    assert store.stats().articles == 1


def test_events_are_replaced_when_retagged(store: Store) -> None:
    store.upsert([make_document(indicators=("mass_killing", "detention"))])
    assert store.stats().events == 2
    store.upsert([make_document(indicators=("repression",))])
    assert store.stats().events == 1
    assert store.search(SearchRequest(query="indicator:mass_killing")).total == 0
    assert store.search(SearchRequest(query="indicator:repression")).total == 1


def test_duplicates_count_independent_sources_and_collapse(store: Store) -> None:
    original = make_document("Aid convoy blocked at checkpoint", "The convoy waited three days at the "
                             "checkpoint.", source="first.example", slug="convoy")
    oid = original.article.id
    copy_a = make_document(original.article.title, original.article.text, source="second.example",
                           slug="convoy", duplicate_of=oid)
    copy_b = make_document(original.article.title, original.article.text, source="first.example",
                           slug="convoy-2", duplicate_of=oid)
    store.upsert([original])
    store.upsert([copy_a, copy_b])
    got = store.get(oid)
    assert got is not None and got.independent_sources == 2
    page = store.search(SearchRequest(query="convoy"))
    assert page.total == 1
    assert [(h.id, h.independent_sources, h.duplicates) for h in page.hits] == [(oid, 2, 2)]
    assert store.search(SearchRequest(query="convoy", collapse_duplicates=False)).total == 3
    assert store.stats().duplicates == 2


def test_copy_seen_before_its_original_is_shown_until_the_original_arrives(store: Store) -> None:
    original = make_document("Bridge reopened", "The bridge reopened after repairs.", source="a.example")
    copy = make_document("Bridge reopened", "The bridge reopened after repairs.", source="b.example",
                         duplicate_of=original.article.id)
    store.upsert([copy])
    assert [h.id for h in store.search(SearchRequest(query="bridge")).hits] == [copy.article.id]
    store.upsert([original])
    assert [h.id for h in store.search(SearchRequest(query="bridge")).hits] == [original.article.id]


def test_near_duplicate_candidates_by_shared_keys(store: Store) -> None:
    one = make_document("One", slug="one", near_dup_keys=("k1", "k2", "k3"), fingerprint="aa", published=day(2))
    two = make_document("Two", slug="two", near_dup_keys=("k3",), fingerprint="bb", published=day(1))
    three = make_document("Three", slug="three", near_dup_keys=("k9",), fingerprint="cc")
    store.upsert([one, two, three])
    found = store.near_duplicate_candidates(["k1", "k3"])
    assert [c.id for c in found] == [one.article.id, two.article.id]
    assert found[0].fingerprint == "aa" and found[0].source_domain == "example.org"
    assert store.near_duplicate_candidates(["k3"], limit=1)[0].id == two.article.id
    assert store.near_duplicate_candidates([]) == []


def test_iter_documents_filters_by_day(corpus: Store) -> None:
    titles = {d.article.title for d in corpus.iter_documents(since=date(2026, 1, 12), until=date(2026, 2, 10))}
    assert titles == {"Harvest festival draws crowds", "Camps expand near the river"}
    assert len(list(corpus.iter_documents())) == 5


# ------------------------------------------------------------------ query language


@pytest.mark.parametrize(("query", "expected"), [
    ("massacre", {"Camps expand near the river", "Film about a massacre wins award"}),
    ("massacre -film", {"Camps expand near the river"}),
    ("massacre NOT festival", {"Camps expand near the river"}),
    ('"detention camps"', {"Camps expand near the river"}),
    ('"camps detention"', set()),
    ("massac*", {"Camps expand near the river", "Film about a massacre wins award"}),
    ("genocide", {"Génocide dénoncé par des ONG"}),  # diacritics folded
    ("GÉNOCIDE", {"Génocide dénoncé par des ONG"}),
    ("festival OR militia", {"Harvest festival draws crowds", "Film about a massacre wins award",
                             "Militia attack on Masalit villages"}),
    ("(festival OR militia) country:SD", {"Militia attack on Masalit villages"}),
    ("festival OR country:MM", {"Harvest festival draws crowds", "Film about a massacre wins award",
                                "Camps expand near the river"}),
    ("country:TD", {"Militia attack on Masalit villages"}),
    ("country:(KE OR FR)", {"Harvest festival draws crowds", "Film about a massacre wins award"}),
    ("indicator:forced_displacement", {"Génocide dénoncé par des ONG"}),
    ("actor:rsf", {"Militia attack on Masalit villages"}),
    ("group:rohingya", {"Camps expand near the river"}),
    ("lang:fr", {"Génocide dénoncé par des ONG"}),
    ("source:wire.example", {"Camps expand near the river"}),
    ("date:2026-01-04..2026-01-21", {"Génocide dénoncé par des ONG", "Militia attack on Masalit villages",
                                     "Harvest festival draws crowds"}),
    ("date:2026-02", {"Camps expand near the river", "Film about a massacre wins award"}),
    ("title:massacre", {"Film about a massacre wins award"}),
    ("text:river -title:river", {"Harvest festival draws crowds"}),
    ("-country:SD -lang:en", set()),
    ("NOT country:SD", {"Harvest festival draws crowds", "Camps expand near the river",
                        "Film about a massacre wins award"}),
    ("", {"Militia attack on Masalit villages", "Génocide dénoncé par des ONG",
          "Harvest festival draws crowds", "Camps expand near the river", "Film about a massacre wins award"}),
])
def test_query_language(corpus: Store, query: str, expected: set[str]) -> None:
    page = corpus.search(SearchRequest(query=query, limit=50))
    assert set(ids(page.hits)) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize("query", [
    r'"\"); DROP TABLE articles; --"', "'; DELETE FROM articles; --", "NEAR(massacre river, 3)",
    "massacre^4", "{title}", "title:massacre* OR body:x", "a:b", '"" OR x', "\\", "* OR 1=1",
])
def test_hostile_queries_are_errors_or_plain_text(corpus: Store, query: str) -> None:
    try:
        corpus.search(SearchRequest(query=query))
    except QueryError as exc:
        assert exc.position is not None
    assert corpus.stats().articles == 5
    assert corpus.search(SearchRequest(query="massacre")).total == 2


def test_bad_query_error_points_at_position(corpus: Store) -> None:
    with pytest.raises(QueryError) as info:
        corpus.search(SearchRequest(query="massacre AND (country:SD"))
    assert info.value.position == 13


def test_structured_filters_and_query_combine(corpus: Store) -> None:
    page = corpus.search(SearchRequest(query="massacre", countries=("mm",), since=date(2026, 2, 1)))
    assert ids(page.hits) == ["Camps expand near the river"]
    page = corpus.search(SearchRequest(languages=("fr",), until=date(2026, 1, 31)))
    assert ids(page.hits) == ["Génocide dénoncé par des ONG"]


def test_review_field(store: Store) -> None:
    if not hasattr(store, "put_review"):
        pytest.fail("every store must record review decisions")
    doc = make_document(indicators=("mass_killing",))
    store.upsert([doc, make_document("Second", slug="second", indicators=("detention",)),
                  make_document("Third", slug="third")])
    event = doc.tags.events[0]
    assert set(ids(store.search(SearchRequest(query="review:pending")).hits)) == {doc.article.title, "Second"}
    store.put_review(event.id, "confirmed", at=day(1))
    assert ids(store.search(SearchRequest(query="review:confirmed")).hits) == [doc.article.title]
    assert ids(store.search(SearchRequest(query="review:pending")).hits) == ["Second"]
    with pytest.raises(NotFoundError):
        store.put_review("no-such-event", "rejected", at=day(1))


# ------------------------------------------------------------------ results


def test_relevance_prefers_title_matches(store: Store) -> None:
    store.upsert([
        make_document("Water talks", "Farmers argue about a dam and grazing land.", slug="a"),
        make_document("Dam talks", "Farmers argue about water and grazing land.", slug="b"),
    ])
    page = store.search(SearchRequest(query="dam"))
    assert ids(page.hits) == ["Dam talks", "Water talks"]
    assert page.hits[0].score is not None and page.hits[0].score > (page.hits[1].score or 0)


def test_sort_by_date(corpus: Store) -> None:
    newest = ids(corpus.search(SearchRequest(query="massacre", sort="newest")).hits)
    assert newest == ["Film about a massacre wins award", "Camps expand near the river"]
    oldest = ids(corpus.search(SearchRequest(query="", sort="oldest", limit=2)).hits)
    assert oldest == ["Militia attack on Masalit villages", "Génocide dénoncé par des ONG"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_keyset_pagination_visits_every_hit_once(store: Store, sort: str) -> None:
    docs = [make_document(f"Report {i}", "river " * (1 + i % 4) + "bank", slug=f"r{i}",
                          published=day(i % 7)) for i in range(23)]
    store.upsert(docs)
    seen: list[str] = []
    request = SearchRequest(query="river", sort=sort, limit=10)  # type: ignore[arg-type]
    pages = 0
    while True:
        page = store.search(request)
        pages += 1
        assert page.total == 23
        seen.extend(h.id for h in page.hits)
        if page.next_cursor is None:
            break
        request = request.model_copy(update={"cursor": page.next_cursor})
    assert pages == 3
    assert sorted(seen) == sorted(d.article.id for d in docs)
    assert [h.id for h in store.iter_hits(SearchRequest(query="river", sort=sort))] == seen  # type: ignore[arg-type]


def test_cursor_from_another_search_is_refused(corpus: Store) -> None:
    page = corpus.search(SearchRequest(query="", limit=2))
    assert page.next_cursor is not None
    with pytest.raises(QueryError, match="cursor"):
        corpus.search(SearchRequest(query="massacre", limit=2, cursor=page.next_cursor))
    with pytest.raises(QueryError, match="cursor"):
        corpus.search(SearchRequest(query="", limit=2, cursor="not-a-cursor"))


def test_snippets_highlight_matches(corpus: Store) -> None:
    hit = corpus.search(SearchRequest(query='"detention camps"')).hits[0]
    assert "show [detention camps] expanding" in hit.snippet
    plain = corpus.search(SearchRequest(query='"detention camps"', highlight=False)).hits[0]
    assert "[" not in plain.snippet and "detention camps" in plain.snippet
    no_text = corpus.search(SearchRequest(query="country:KE")).hits[0]
    assert no_text.snippet.startswith("The annual harvest festival")


def test_hit_fields(corpus: Store) -> None:
    hit = corpus.search(SearchRequest(query="militia")).hits[0]
    assert hit.countries == ("SD", "TD")
    assert hit.indicators == ("mass_killing",)
    assert (hit.language, hit.source_domain, hit.published_at) == ("en", "example.org", day(3))
    assert hit.url.startswith("https://example.org/")


def test_facets_with_counts_and_truncation(corpus: Store) -> None:
    page = corpus.search(SearchRequest(query="", facets=("country", "language", "indicator", "source",
                                                         "actor", "group"), facet_limit=2))
    assert page.total == 5
    assert [(f.value, f.count) for f in page.facets["country"]] == [("SD", 2), ("FR", 1)]
    assert page.facets_truncated["country"] is True
    assert [(f.value, f.count) for f in page.facets["language"]] == [("en", 4), ("fr", 1)]
    assert page.facets_truncated["language"] is False
    assert [f.value for f in page.facets["actor"]] == ["rsf"]
    assert [f.value for f in page.facets["group"]] == ["masalit", "rohingya"]
    assert page.facets["source"][0].value == "example.org" and page.facets["source"][0].count == 2
    filtered = corpus.search(SearchRequest(query="massacre", facets=("country",)))
    assert [(f.value, f.count) for f in filtered.facets["country"]] == [("FR", 1), ("MM", 1)]


# ------------------------------------------------------------------ trends


def test_trend_by_week_with_zero_buckets(corpus: Store) -> None:
    [series] = corpus.trends(TrendRequest(query="", interval="week", since=date(2026, 1, 1),
                                          until=date(2026, 2, 28)))
    assert series.key == "all"
    weeks = {p.bucket: p.count for p in series.points}
    assert next(iter(weeks)) == date(2025, 12, 29)  # Monday of the first week
    assert all(b.weekday() == 0 for b in weeks)
    assert weeks[date(2026, 1, 5)] == 1 and weeks[date(2026, 1, 12)] == 0
    assert sum(weeks.values()) == 5


def test_trend_split_and_normalised(corpus: Store) -> None:
    series = corpus.trends(TrendRequest(query="", interval="month", split_by="country", normalise=True,
                                        since=date(2026, 1, 1), until=date(2026, 2, 28)))
    by_key = {s.key: s for s in series}
    assert next(iter(by_key)) == "SD"
    sd = by_key["SD"].points
    assert [(p.bucket, p.count, p.total) for p in sd] == [(date(2026, 1, 1), 2, 3), (date(2026, 2, 1), 0, 2)]
    assert sd[0].value == pytest.approx(2 / 3)
    assert corpus.trends(TrendRequest(query="country:ZZ", split_by="indicator")) == []


def test_trend_of_a_query_by_day(corpus: Store) -> None:
    [series] = corpus.trends(TrendRequest(query="massacre", interval="day"))
    assert [(p.bucket, p.count) for p in series.points if p.count] == [(date(2026, 2, 10), 1),
                                                                       (date(2026, 2, 15), 1)]
    assert series.points[0].bucket == date(2026, 2, 10) and len(series.points) == 6


def test_trend_split_by_language_keeps_top(corpus: Store) -> None:
    series = corpus.trends(TrendRequest(query="", interval="month", split_by="language", top=1))
    assert [s.key for s in series] == ["en"]


# ------------------------------------------------------------------ feeds, failures, runs, stats


def test_feed_state_round_trip(store: Store) -> None:
    state = FeedState(url="https://example.org/feed.xml", etag='"abc"', consecutive_failures=2,
                      last_fetched_at=day(1))
    assert store.get_feed_state(state.url) is None
    store.put_feed_state(state)
    store.put_feed_state(state.model_copy(update={"consecutive_failures": 0}))
    assert store.get_feed_state(state.url) == state.model_copy(update={"consecutive_failures": 0})
    assert [s.url for s in store.feed_states()] == [state.url]


def test_dead_letters_with_resolve(store: Store) -> None:
    first = DeadLetter(stage=Stage.FETCH, url="https://a.example/x", reason="timeout", retryable=True, at=day(1))
    store.add_dead_letter(first)
    store.add_dead_letter(first.model_copy(update={"reason": "http-503", "at": day(2)}))
    store.add_dead_letter(DeadLetter(stage=Stage.EXTRACT, url="https://b.example/y", reason="no-text",
                                     at=day(1)))
    open_letters = store.dead_letters()
    assert len(open_letters) == 2
    assert open_letters[0].letter.reason == "http-503" and open_letters[0].letter.attempts == 2
    assert [d.letter.url for d in store.dead_letters(retryable=True)] == ["https://a.example/x"]
    store.resolve_dead_letter(open_letters[0].id)
    assert [d.letter.url for d in store.dead_letters()] == ["https://b.example/y"]
    assert len(store.dead_letters(include_resolved=True)) == 2
    with pytest.raises(NotFoundError):
        store.resolve_dead_letter(999_999)
    assert store.stats().dead_letters == 1


def test_run_reports_newest_first(store: Store) -> None:
    store.add_run_report("run-1", RunReport(counts={"indexed": 3}))
    store.add_run_report("run-2", RunReport(counts={"indexed": 5, "duplicate": 1}), scope="feed")
    reports = store.run_reports()
    assert [(r["run_id"], r["scope"]) for r in reports] == [("run-2", "feed"), ("run-1", "run")]
    assert reports[0]["report"].get("duplicate") == 1
    assert len(store.run_reports(limit=1)) == 1


def test_stats(corpus: Store) -> None:
    stats = corpus.stats()
    assert stats.articles == 5 and stats.duplicates == 0
    assert stats.by_language == {"en": 4, "fr": 1}
    assert stats.by_country["SD"] == 2
    assert stats.by_indicator["mass_killing"] == 1
    assert stats.events == 4
    assert stats.oldest == day(3) and stats.newest == day(45)
