"""A small store of original test documents, three accounts, and clients for the web workspace."""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():
    # starlette 1.x prefers httpx2 for its test client; httpx (pinned for the rest of Vigil) still works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from search.factories import make_document

from vigil.records import IndexedDocument
from vigil.search.alerts import Alert, AlertEvidence, alert_id
from vigil.search.review import QueueFilter, review_store_for
from vigil.search.sqlite import SqliteStore
from vigil.web.app import create_app
from vigil.web.security import hash_password

SECRET = "test-secret-key-0123456789abcdef"
PASSWORD = "correct horse battery"
NOW = datetime.now(UTC).replace(microsecond=0)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def documents() -> list[IndexedDocument]:
    """Original text written for these tests."""
    return [
        make_document("Gunmen attack villagers near the river town",
                      "Gunmen killed eleven villagers near the river town at dawn, residents said. "
                      "Survivors fled toward the camps in the east.",
                      slug="attack", countries=("SD",), indicators=("mass_killing",), actors=("rsf",),
                      groups=("masalit",), published=NOW - timedelta(days=3)),
        make_document("Families leave the northern villages",
                      "Hundreds of families were displaced from the northern villages after the raids.",
                      slug="displaced", source="news.example.net", countries=("SD",),
                      indicators=("forced_displacement",), groups=("masalit",), published=NOW - timedelta(days=5)),
        make_document("Cup final ends in a massacre for the visitors",
                      "The home side scored six goals in a massacre of the visitors at the stadium.",
                      slug="football", countries=("SD",), indicators=("mass_killing",),
                      published=NOW - timedelta(days=1)),
        make_document("Un discours de haine diffusé à la radio",
                      "Une radio locale a diffusé un discours de haine contre les déplacés.",
                      slug="radio", source="exemple.fr", language="fr", countries=("SD",),
                      indicators=("incitement",), published=NOW - timedelta(days=8)),
        make_document("Activists detained in the capital",
                      "Police detained forty activists in the capital overnight, a lawyer said.",
                      slug="detained", countries=("MM",), indicators=("detention",), published=NOW - timedelta(days=2)),
    ]


def alerts() -> list[Alert]:
    def make(country: str, category: str, severity: int, urgency: str, days_ago: int,
             evidence: tuple[AlertEvidence, ...] = ()) -> Alert:
        day = (NOW - timedelta(days=days_ago)).date()
        return Alert(id=alert_id(country, category, day), country=country, category=category, day=day,
                     level="alert", severity=severity, urgency=urgency, score=9.0, baseline_median=1.0,  # type: ignore[arg-type]
                     baseline_mad=0.5, baseline_days=28, z=6.0, reports=3, independent_sources=2,
                     evidence=evidence, computed_at=NOW)

    proof = AlertEvidence(id="x", event_id="e", url="https://example.org/news/attack",
                          title="Gunmen attack villagers near the river town", source_domain="example.org",
                          language="en", published_at=NOW - timedelta(days=3), severity=5, confidence=0.8)
    return [make("SD", "mass_killing", 5, "high", 1, (proof,)), make("MM", "detention", 4, "low", 2)]


AlertStore = SqliteStore


@functools.cache
def password_hash() -> str:
    """One Argon2 hash for all test accounts (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AlertStore]:
    s = AlertStore(tmp_path / "vigil.sqlite3")
    s.upsert(documents())
    s.put_alerts(alerts())
    reviews = review_store_for(s)
    for name in ("viewer", "analyst", "admin"):
        reviews.add_user(f"{name}1", password_hash(), name)  # type: ignore[arg-type,unused-ignore]
    yield s
    s.close()


@pytest.fixture
def make_app(store: AlertStore) -> Callable[..., FastAPI]:
    def build(**options: object) -> FastAPI:
        return create_app(store, secret_key=SECRET, **options)  # type: ignore[arg-type]
    return build


@pytest.fixture
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app()) as c:
        yield c


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_of(page.text), "next": "/search"},
                           follow_redirects=False)
    return response.status_code


def api_headers(client: TestClient) -> dict[str, str]:
    """The CSRF header a logged-in browser-style client sends with JSON POSTs."""
    token = client.get("/api/me").json()["csrf_token"]
    assert token
    return {"X-CSRF-Token": token}


def first_event(store: SqliteStore, category: str, slug_word: str) -> str:
    page = review_store_for(store).review_queue(QueueFilter(categories=(category,), status="all"))
    for item in page.items:
        if slug_word in item.url:
            return item.event.id
    raise AssertionError(f"no {category} event for {slug_word}")
