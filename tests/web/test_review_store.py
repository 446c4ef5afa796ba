"""The SQLite review store on its own: queue order and cap, precision grouping, country overview, accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from search.factories import make_document

from vigil.errors import NotFoundError
from vigil.search import review as review_module
from vigil.search.review import DecisionInput, QueueFilter, review_store_for
from vigil.search.sqlite import SqliteStore
from vigil.search.sqlite.review import SqliteReviewStore


@pytest.fixture
def reviews(tmp_path: Path) -> Iterator[SqliteReviewStore]:
    store = SqliteStore(tmp_path / "v.sqlite3")
    monday = datetime(2026, 3, 2, 10, tzinfo=UTC)
    docs = [make_document(f"Report {i}", f"Text number {i} about the valley.", slug=f"r{i}", countries=("SD",),
                          indicators=(("mass_killing", "repression")[i % 2],), published=monday + timedelta(days=i))
            for i in range(10)]
    store.upsert(docs)
    found = review_store_for(store)
    assert isinstance(found, SqliteReviewStore)
    yield found
    store.close()


def test_queue_is_most_severe_then_newest_and_counts_are_capped(reviews: SqliteReviewStore,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    page = reviews.review_queue(QueueFilter())
    keys = [(i.event.severity, i.published_at) for i in page.items]
    assert keys == sorted(keys, key=lambda k: (-k[0], -k[1].timestamp()))
    assert page.total == 10 and not page.total_capped
    monkeypatch.setattr("vigil.search.sqlite.review.QUEUE_COUNT_CAP", 4)
    capped = reviews.review_queue(QueueFilter(limit=2))
    assert (capped.total, capped.total_capped, len(capped.items)) == (4, True, 2)
    assert review_module.QUEUE_COUNT_CAP == 10_000


def test_country_overview_counts_weeks_starting_monday(reviews: SqliteReviewStore) -> None:
    view = reviews.country_overview("SD", date(2026, 3, 1), date(2026, 3, 31))
    assert view.events == 10
    weeks = {(w, c): n for w, c, n in view.weekly}
    assert weeks[(date(2026, 3, 2), "mass_killing")] == 4  # days 0, 2, 4, 6 of the week of Monday 2 March
    assert weeks[(date(2026, 3, 9), "repression")] == 2
    assert reviews.country_overview("MM", date(2026, 3, 1), date(2026, 3, 31)).events == 0


def test_precision_by_lexicon_and_month_uses_the_latest_verdict(reviews: SqliteReviewStore) -> None:
    items = reviews.review_queue(QueueFilter(categories=("mass_killing",))).items
    first, second = items[0].event.id, items[1].event.id
    reviews.add_review(first, DecisionInput(action="reject", reason="other"), reviewer="a")
    reviews.add_review(first, DecisionInput(action="confirm"), reviewer="b")  # second opinion wins
    reviews.add_review(second, DecisionInput(action="correct", country="SS"), reviewer="a")
    reviews.add_review(second, DecisionInput(action="note", note="checked the map"), reviewer="a")
    rows = reviews.precision_report(by="lexicon")
    assert [(r.category, r.period, r.confirmed, r.corrected, r.rejected, r.precision) for r in rows] == [
        ("mass_killing", "test-1", 1, 1, 0, 1.0)]
    assert [r.period for r in reviews.precision_report(by="month")] == ["2026-03"]
    assert [d.action for d in reviews.reviews_for_event(first)] == ["reject", "confirm"]


def test_accounts_tokens_and_sessions(reviews: SqliteReviewStore) -> None:
    from vigil.search.review import Session
    from vigil.search.sqlite.review import digest

    reviews.add_user("ana", "hash", "analyst")
    assert reviews.get_user("ana") is not None and reviews.get_user("nobody") is None
    reviews.add_token("ana", "script", digest("secret-token"))
    assert reviews.user_for_token(digest("secret-token")).username == "ana"  # type: ignore[union-attr]
    assert reviews.user_for_token(digest("other")) is None
    with pytest.raises(NotFoundError):
        reviews.add_token("nobody", "x", digest("y"))
    now = datetime.now(UTC)
    reviews.add_session(Session(id="sid", username="ana", csrf="c", created_at=now,
                                expires_at=now + timedelta(hours=1)))
    assert reviews.get_session("sid").csrf == "c"  # type: ignore[union-attr]
    stored = reviews.store._db().execute("SELECT id FROM web_sessions").fetchone()[0]
    assert stored == digest("sid")
    reviews.delete_session("sid")
    assert reviews.get_session("sid") is None
