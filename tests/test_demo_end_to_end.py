"""One honest path from a news feed to a search result, over the bundled demo site, through real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from vigil.cli import main
from vigil.config import load_feeds
from vigil.demo_site import DEMO_SITE_DIR, DemoSite
from vigil.pipeline import run_ingest
from vigil.records import RunReport
from vigil.runtime import build_fetcher, build_raw, build_tagger, open_store
from vigil.search.store import SearchRequest, Store
from vigil.settings import Settings

pytestmark = pytest.mark.slow

CONTENT = DEMO_SITE_DIR.parent / "content"


def demo_articles() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted(CONTENT.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [dict(a, language=data["language"]) for a in data["articles"]]
    return out


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("demo-data"))


@pytest.fixture(scope="module")
def ingested(settings: Settings) -> Iterator[tuple[Store, RunReport, RunReport]]:
    store = open_store(settings)
    tagger = build_tagger(settings)
    with DemoSite() as site:
        catalogue = load_feeds(site.feeds_file, base_url=site.base_url)
        with build_fetcher(settings, extra_allow_hosts=("127.0.0.1",), per_host_delay=0) as fetcher:
            first = run_ingest(catalogue, store=store, fetcher=fetcher, tagger=tagger, raw=build_raw(settings))
            second = run_ingest(catalogue, store=store, fetcher=fetcher, tagger=tagger, raw=build_raw(settings),
                                force=True)
            third = run_ingest(catalogue, store=store, fetcher=fetcher, tagger=tagger)
    assert third.get("feed-not-due") >= 1  # without force, feed TTL hints are respected
    yield store, first, second
    store.close()


def test_first_run_indexes_every_demo_article(ingested: tuple[Store, RunReport, RunReport]) -> None:
    store, first, _ = ingested
    expected = len(demo_articles())
    assert first.get("indexed") == expected, first.counts
    assert store.stats().articles == expected
    assert store.stats().dead_letters == 0


def test_second_run_adds_nothing_and_says_so(ingested: tuple[Store, RunReport, RunReport]) -> None:
    store, first, second = ingested
    assert second.get("indexed") == 0
    assert second.get("known") == len(demo_articles())
    assert store.stats().articles == first.get("indexed")


def test_languages_detected(ingested: tuple[Store, RunReport, RunReport]) -> None:
    store, _, _ = ingested
    by_language = store.stats().by_language
    expected: dict[str, int] = {}
    for article in demo_articles():
        expected[str(article["language"])] = expected.get(str(article["language"]), 0) + 1
    assert by_language == expected


def test_search_by_word_highlights(ingested: tuple[Store, RunReport, RunReport]) -> None:
    store, _, _ = ingested
    page = store.search(SearchRequest(query="civilians", languages=("en",)))
    assert page.total >= 1
    assert all(h.language == "en" for h in page.hits)
    assert any("[civilians]" in h.snippet.lower() for h in page.hits)


def test_search_by_phrase_country_and_language(ingested: tuple[Store, RunReport, RunReport]) -> None:
    store, _, _ = ingested
    sudan = store.search(SearchRequest(query="", countries=("SD",), limit=100))
    assert sudan.total >= 5
    assert all("SD" in h.countries for h in sudan.hits)
    french = store.search(SearchRequest(query="", languages=("fr",), limit=100))
    assert french.total == sum(1 for a in demo_articles() if a["language"] == "fr")
    phrase = store.search(SearchRequest(query='"Rapid Support Forces"', limit=50))
    words = store.search(SearchRequest(query="Rapid Support Forces", limit=50))
    assert 1 <= phrase.total <= words.total


def test_cli_search_json_is_machine_readable(ingested: tuple[Store, RunReport, RunReport], settings: Settings,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data-dir", str(settings.data_dir), "search", "massacre OR genocide", "--json", "--limit", "5"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] >= 1
    assert {"id", "url", "title", "snippet", "countries", "language", "published_at"} <= set(data["hits"][0])


def test_raw_pages_captured(ingested: tuple[Store, RunReport, RunReport], settings: Settings) -> None:
    raw = build_raw(settings)
    assert raw is not None
    assert len(list(raw.iter_ids())) >= len(demo_articles())


def test_demo_site_files_are_in_the_repo() -> None:
    assert (DEMO_SITE_DIR / "feeds.yaml").is_file()
    assert isinstance(Path(DEMO_SITE_DIR / "index.html").read_text(encoding="utf-8"), str)
