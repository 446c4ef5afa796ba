"""The JSON API in-process: what it shows, every permission boundary, and bad input."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI

from vigil.search.review import review_store_for
from vigil.search.sqlite import SqliteStore
from vigil.web import views

from .conftest import AlertStore, TestClient, alerts, api_headers, first_event, login


def test_public_search_shows_highlights_facets_and_trend(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "villagers"}).json()
    assert body["page"]["total"] == 1
    hit = body["page"]["hits"][0]
    assert "[villagers]" in hit["snippet"].lower()
    assert {f["value"] for f in body["page"]["facets"]["country"]} == {"SD"}
    assert sum(sum(s["values"]) for s in body["trend"]["series"]) == 1


def test_search_filters_by_country_and_language(client: TestClient) -> None:
    body = client.get("/api/search", params={"country": "sd,MM", "lang": "fr"}).json()
    assert [h["language"] for h in body["page"]["hits"]] == ["fr"]
    assert client.get("/api/search", params={"country": "MM"}).json()["page"]["total"] == 1


def test_malformed_query_is_400_with_position(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": 'massacre AND ("ethnic'})
    assert response.status_code == 400
    body = response.json()
    assert body["position"] is not None and body["query"] == 'massacre AND ("ethnic'
    assert client.get("/api/search", params={"q": "x", "since": "yesterday"}).status_code == 400
    assert client.get("/api/search", params={"q": "a" * 5000}).status_code == 422


def test_private_search_needs_login(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(public_search=False)) as c:
        assert c.get("/api/search", params={"q": "villagers"}).status_code == 401
        assert c.get("/api/countries/SD").status_code == 401
        page = c.get("/search", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/search")
        assert login(c, "viewer1") == 303
        assert c.get("/api/search", params={"q": "villagers"}).json()["page"]["total"] == 1


def test_exports_stream_every_hit_as_csv_and_json_lines(client: TestClient) -> None:
    csv_text = client.get("/api/export.csv", params={"country": "SD"}).text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("id,published_at,title,url")
    assert len(lines) == 1 + 4
    rows = [json.loads(x) for x in client.get("/api/export.jsonl", params={"q": "country:MM"}).text.splitlines()]
    assert [r["countries"] for r in rows] == [["MM"]]
    assert client.get("/api/export.csv", params={"q": "(("}).status_code == 400


def test_country_page_data(client: TestClient) -> None:
    body = client.get("/api/countries/sd").json()
    assert body["code"] == "SD" and body["events"] == 4
    keys = {s["key"] for s in body["trend"]["series"]}
    assert {"mass_killing", "forced_displacement", "incitement"} <= keys and body["trend"]["stacked"]
    assert body["actors"][0]["value"] == "rsf"
    assert body["groups"][0] == {"value": "masalit", "count": 2}
    assert body["evidence"][0]["event"]["country"] == "SD"
    dates = [e["published_at"] for e in body["evidence"]]
    assert dates == sorted(dates, reverse=True)
    assert [a["country"] for a in body["alerts"]["alerts"]] == ["SD"]
    assert client.get("/api/countries/Sudan").status_code == 404


def test_review_needs_login_viewers_cannot_review(client: TestClient, store: SqliteStore) -> None:
    event = first_event(store, "mass_killing", "attack")
    url = f"/api/review/events/{event}/decisions"
    assert client.post(url, json={"action": "confirm"}).status_code == 401
    assert client.get("/api/review/queue").status_code == 401
    login(client, "viewer1")
    assert client.get("/api/review/queue").status_code == 200
    assert client.post(url, json={"action": "confirm"}, headers=api_headers(client)).status_code == 403
    assert review_store_for(store).reviews_for_event(event) == []


def test_analyst_cannot_do_admin_actions(client: TestClient) -> None:
    login(client, "analyst1")
    headers = api_headers(client)
    ctx = {"category": "mass_killing", "language": "en", "pattern": "stadium"}
    assert client.post("/api/feedback/negative-contexts", json=ctx, headers=headers).status_code == 403
    assert client.post("/api/users", json={"username": "eve", "password": "x" * 12}, headers=headers).status_code == 403
    assert client.get("/api/users").status_code == 403
    assert client.get("/admin/feedback", follow_redirects=False).status_code == 403


def test_csrf_is_required_with_cookies_but_not_with_tokens(client: TestClient, store: SqliteStore) -> None:
    event = first_event(store, "mass_killing", "attack")
    url = f"/api/review/events/{event}/decisions"
    login(client, "analyst1")
    assert client.post(url, json={"action": "confirm"}).status_code == 403
    assert client.post(url, json={"action": "confirm"}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    token = client.post("/api/tokens", json={"name": "script"}, headers=api_headers(client)).json()["token"]
    bare = TestClient(client.app)
    assert bare.post(url, json={"action": "confirm"},
                     headers={"Authorization": f"Bearer {token}"}).status_code == 201
    assert bare.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_review_decisions_and_audit_trail(client: TestClient, store: SqliteStore) -> None:
    real = first_event(store, "mass_killing", "attack")
    sport = first_event(store, "mass_killing", "football")
    login(client, "analyst1")
    h = api_headers(client)
    assert client.post(f"/api/review/events/{real}/decisions", json={"action": "confirm"}, headers=h).status_code == 201
    rejected = client.post(f"/api/review/events/{sport}/decisions", headers=h,
                           json={"action": "reject", "reason": "not_an_event", "note": "football match"})
    assert rejected.status_code == 201 and rejected.json()["reviewer"] == "analyst1"
    queue = client.get("/api/review/queue", params={"category": "mass_killing"}).json()
    assert queue["total"] == 0
    done = client.get("/api/review/queue", params={"status": "rejected"}).json()["items"]
    assert [i["event"]["id"] for i in done] == [sport]
    assert done[0]["last_decision"]["reason"] == "not_an_event"
    audit = client.get("/api/review/audit").json()
    assert [(a["action"], a["event_id"]) for a in audit] == [("reject", sport), ("confirm", real)]
    report = client.get("/api/review/precision").json()
    assert report["rows"] == [{"category": "mass_killing", "period": "all", "confirmed": 1, "rejected": 1,
                               "corrected": 0}]
    found = client.get("/api/search", params={"q": "review:rejected"}).json()["page"]["hits"]
    assert [h["title"] for h in found] == ["Cup final ends in a massacre for the visitors"]


def test_audit_trail_is_append_only(client: TestClient, store: SqliteStore) -> None:
    event = first_event(store, "detention", "detained")
    login(client, "analyst1")
    client.post(f"/api/review/events/{event}/decisions", json={"action": "note", "note": "check the lawyer"},
                headers=api_headers(client))
    db = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE review_decisions SET reviewer = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM review_decisions")
    db.close()


def test_corrections_and_the_queue_filters(client: TestClient, store: SqliteStore) -> None:
    event = first_event(store, "detention", "detained")
    login(client, "analyst1")
    h = api_headers(client)
    url = f"/api/review/events/{event}/decisions"
    assert client.post(url, json={"action": "correct", "country": "MM"}, headers=h).status_code == 409
    fixed = client.post(url, json={"action": "correct", "category": "repression"}, headers=h).json()
    assert fixed["category"] == "repression" and fixed["event_category"] == "detention"
    report = client.get("/api/review/precision").json()["rows"]
    assert report == [{"category": "detention", "period": "all", "confirmed": 0, "rejected": 1, "corrected": 0}]
    fr = client.get("/api/review/queue", params={"lang": "fr"}).json()
    assert [i["language"] for i in fr["items"]] == ["fr"]
    severe = client.get("/api/review/queue", params={"country": "SD"}).json()["items"]
    assert [i["event"]["severity"] for i in severe] == sorted((i["event"]["severity"] for i in severe), reverse=True)


@pytest.mark.parametrize("payload", [
    {"action": "reject"},
    {"action": "confirm", "reason": "duplicate"},
    {"action": "correct"},
    {"action": "note", "note": " "},
    {"action": "note", "note": "x" * 2001},
    {"action": "correct", "country": "sudan"},
    {"action": "reject", "reason": "because"},
    {"action": "approve"},
])
def test_bad_decisions_are_422(client: TestClient, store: SqliteStore, payload: dict[str, str]) -> None:
    event = first_event(store, "mass_killing", "attack")
    login(client, "analyst1")
    response = client.post(f"/api/review/events/{event}/decisions", json=payload, headers=api_headers(client))
    assert response.status_code == 422
    assert review_store_for(store).reviews_for_event(event) == []


def test_unknown_ids_are_404(client: TestClient) -> None:
    login(client, "analyst1")
    h = api_headers(client)
    assert client.post("/api/review/events/nope/decisions", json={"action": "confirm"}, headers=h).status_code == 404
    assert client.get("/api/review/events/nope").status_code == 404
    assert client.post("/api/alerts/nope/status", json={"status": "closed"}, headers=h).status_code == 404
    assert client.get("/review/events/nope").status_code == 404


def test_oversized_payloads_are_refused(client: TestClient, store: SqliteStore) -> None:
    event = first_event(store, "mass_killing", "attack")
    login(client, "analyst1")
    big = json.dumps({"action": "note", "note": "x" * 100_000})
    response = client.post(f"/api/review/events/{event}/decisions", content=big,
                           headers={**api_headers(client), "Content-Type": "application/json"})
    assert response.status_code == 413


def test_alerts_by_severity_acknowledge_and_close(client: TestClient, store: SqliteStore) -> None:
    sd, mm = (a.id for a in alerts())
    assert client.get("/api/alerts").status_code == 401
    login(client, "viewer1")
    h = api_headers(client)
    shown = client.get("/api/alerts").json()["alerts"]
    assert [a["id"] for a in shown] == [sd, mm]
    assert shown[0]["evidence"][0]["source_domain"] == "example.org"
    assert client.post(f"/api/alerts/{sd}/status", json={"status": "acknowledged"}, headers=h).status_code == 403
    client.post("/logout", data={"csrf_token": h["X-CSRF-Token"]})
    login(client, "analyst1")
    h = api_headers(client)
    ack = client.post(f"/api/alerts/{sd}/status", json={"status": "acknowledged"}, headers=h)
    assert ack.status_code == 200 and ack.json()["by"] == "analyst1"
    client.post(f"/api/alerts/{mm}/status", json={"status": "closed"}, headers=h)
    assert [a["id"] for a in client.get("/api/alerts").json()["alerts"]] == []
    everything = {a["id"]: a["status"] for a in client.get("/api/alerts", params={"status": "all"}).json()["alerts"]}
    assert everything == {sd: "acknowledged", mm: "closed"}
    assert store.get_alert(sd).status_by == "analyst1"  # type: ignore[union-attr]
    assert client.post(f"/api/alerts/{sd}/status", json={"status": "gone"}, headers=h).status_code == 422
    page = client.get("/alerts", params={"status": "all"}).text
    assert "Gunmen attack villagers" in page and "acknowledged by analyst1" in page


def test_alerts_feature_detected(store: SqliteStore) -> None:
    view = views.alerts_view(object(), review_store_for(store))  # type: ignore[arg-type]
    assert view.available is False and view.alerts == []


def test_feeds_health(client: TestClient, store: AlertStore) -> None:
    from datetime import UTC, datetime

    from vigil.records import FeedState

    now = datetime.now(UTC)
    store.put_feed_state(FeedState(url="https://ok.example/feed", last_fetched_at=now, last_success_at=now))
    store.put_feed_state(FeedState(url="https://bad.example/feed", last_fetched_at=now, consecutive_failures=3,
                                   last_error="http-500"))
    login(client, "viewer1")
    body = client.get("/api/feeds").json()
    assert [(f["state"]["url"], f["status"]) for f in body["feeds"]] == [
        ("https://bad.example/feed", "failing"), ("https://ok.example/feed", "ok")]
    assert "http-500" in client.get("/feeds").text


def test_login_is_rate_limited_per_user_and_address(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "analyst1", "wrong password!") == 401
    assert login(client, "analyst1") == 429
    assert login(client, "viewer1") == 303


def test_login_needs_csrf_and_sets_safe_cookie(client: TestClient) -> None:
    client.get("/login")
    refused = client.post("/login", data={"username": "viewer1", "password": "correct horse battery"})
    assert refused.status_code == 403
    page = client.get("/login")
    from .conftest import csrf_of

    ok = client.post("/login", data={"username": "viewer1", "password": "correct horse battery",
                                     "csrf_token": csrf_of(page.text), "next": "//evil.example"},
                     follow_redirects=False)
    assert ok.headers["location"] == "/search"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie


def test_sessions_expire(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(session_hours=1 / 3600)) as c:
        assert login(c, "viewer1") == 303
        assert c.get("/api/me").json()["user"]["username"] == "viewer1"
        time.sleep(1.2)
        assert c.get("/api/me").json()["user"] is None


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "viewer1")
    old = client.cookies.get("vigil_session")
    client.post("/logout", data={"csrf_token": api_headers(client)["X-CSRF-Token"]})
    client.cookies.set("vigil_session", old or "")
    assert client.get("/api/me").json()["user"] is None


def test_admin_feedback_becomes_versioned_negative_contexts(client: TestClient, store: SqliteStore) -> None:
    login(client, "admin1")
    h = api_headers(client)
    sport = first_event(store, "mass_killing", "football")
    decision = client.post(f"/api/review/events/{sport}/decisions", headers=h,
                           json={"action": "reject", "reason": "not_an_event"}).json()
    added = client.post("/api/feedback/negative-contexts", headers=h, json={
        "category": "mass_killing", "language": "en", "pattern": "Stadium", "decision_id": decision["id"]})
    assert added.status_code == 201 and added.json()["version"] == 1
    client.post("/api/feedback/negative-contexts", headers=h,
                json={"category": "mass_killing", "language": "en", "pattern": "cup final"})
    exported = client.get("/api/feedback/export.yaml").text
    assert "feedback_version: 2" in exported and "- stadium" in exported
    client.post(f"/api/feedback/negative-contexts/{added.json()['id']}/deactivate", headers=h)
    exported = client.get("/api/feedback/export.yaml").text
    assert "feedback_version: 3" in exported and "stadium" not in exported
    assert client.get("/api/review/precision").json()["feedback_version"] == 3


def test_admin_creates_users(client: TestClient) -> None:
    login(client, "admin1")
    h = api_headers(client)
    made = client.post("/api/users", json={"username": "new.analyst", "password": "a long password", "role": "analyst"},
                       headers=h)
    assert made.status_code == 201
    assert client.post("/api/users", json={"username": "new.analyst", "password": "a long password"},
                       headers=h).status_code == 409
    assert client.post("/api/users", json={"username": "Bad Name", "password": "a long password"},
                       headers=h).status_code == 422
    assert "new.analyst" in [u["username"] for u in client.get("/api/users").json()]


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/search", "/api/countries/{code}", "/api/alerts", "/api/review/queue",
                 "/api/review/events/{event_id}/decisions", "/api/review/audit", "/api/review/precision",
                 "/api/feeds", "/api/export.csv", "/api/export.jsonl", "/api/feedback/negative-contexts"):
        assert path in spec["paths"], path
    assert "/search" not in spec["paths"]
