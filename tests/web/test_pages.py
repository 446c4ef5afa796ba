"""Server-rendered pages and the CLI commands of the workspace."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from vigil.cli import main
from vigil.search.review import DecisionInput, review_store_for
from vigil.search.sqlite import SqliteStore

from .conftest import TestClient, csrf_of, first_event, login


def test_search_page_highlights_and_escapes(client: TestClient) -> None:
    html = client.get("/search", params={"q": "villagers"}).text
    assert "<mark>villagers</mark>" in html.lower()
    assert 'data-src="/api/search?q=villagers' in html and "/static/search.js" in html
    full = client.get("/search", params={"q": "villagers", "full": "1"}).text
    assert 'id="trend-data"' in full and "/search?q=villagers&amp;country=SD" in full
    assert "/api/export.csv?q=villagers" in html
    bad = client.get("/search", params={"q": '<script>alert(1)</script> AND ('})
    assert bad.status_code == 400 and "<script>alert(1)" not in bad.text and "^" in bad.text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/search").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_country_page(client: TestClient) -> None:
    html = client.get("/countries/SD").text
    assert "Country SD" in html and "country-trend-data" in html and "rsf" in html and "masalit" in html
    assert client.get("/countries?code=mm", follow_redirects=False).headers["location"] == "/countries/MM"


def test_queue_actions_only_for_analysts(client: TestClient) -> None:
    assert client.get("/review", follow_redirects=False).status_code == 303
    login(client, "viewer1")
    html = client.get("/review").text
    assert "Gunmen attack villagers" in html and 'data-action="confirm"' not in html
    client.post("/logout", data={"csrf_token": csrf_of(html)})
    login(client, "analyst1")
    html = client.get("/review").text
    assert 'data-action="confirm"' in html and 'data-action="reject"' in html


def test_review_by_form_then_audit_and_precision_pages(client: TestClient, store: SqliteStore) -> None:
    login(client, "analyst1")
    token = csrf_of(client.get("/review").text)
    event = first_event(store, "forced_displacement", "displaced")
    done = client.post(f"/review/{event}", data={"csrf_token": token, "action": "reject", "reason": "historical",
                                                 "next": "/review?status=pending"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/review?status=pending&done=reject"
    missing = client.post(f"/review/{event}", data={"csrf_token": token, "action": "reject"})
    assert missing.status_code == 400 and "needs a reason" in missing.text
    forged = client.post(f"/review/{event}", data={"csrf_token": "x", "action": "confirm"})
    assert forged.status_code == 403
    assert "historical" in client.get("/review/audit").text
    assert "forced_displacement" in client.get("/review/precision").text
    detail = client.get(f"/review/events/{event}").text
    assert "<mark>" in detail and "analyst1" in detail


def test_admin_feedback_page(client: TestClient, store: SqliteStore) -> None:
    event = first_event(store, "mass_killing", "football")
    decision = review_store_for(store).add_review(event, DecisionInput(action="reject", reason="not_an_event"),
                                                  reviewer="analyst1")
    login(client, "admin1")
    page = client.get("/admin/feedback", params={"decision": decision.id}).text
    assert f"From decision #{decision.id}" in page
    added = client.post("/admin/feedback", data={"csrf_token": csrf_of(page), "category": "mass_killing",
                                                 "language": "en", "pattern": "goals",
                                                 "decision_id": str(decision.id)}, follow_redirects=False)
    assert added.status_code == 303
    assert [c.pattern for c in review_store_for(store).negative_contexts()] == ["goals"]


def test_cli_users_review_report_and_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from .conftest import documents

    monkeypatch.delenv("VIGIL_SECRET_KEY", raising=False)
    data = tmp_path / "data"
    store = SqliteStore(data / "vigil.sqlite3")
    store.upsert(documents())
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert main(["--data-dir", str(data), "users", "add", "ana", "--role", "analyst", "--password-stdin"]) == 0
    assert main(["--data-dir", str(data), "users", "add", "ana", "--role", "boss"]) == 2
    event = first_event(store, "mass_killing", "attack")
    review_store_for(store).add_review(event, DecisionInput(action="confirm"), reviewer="ana")
    store.close()
    capsys.readouterr()
    assert main(["--data-dir", str(data), "review", "report"]) == 0
    out = capsys.readouterr().out
    assert "mass_killing" in out and "100%" in out
    assert main(["--data-dir", str(data), "serve"]) == 1
    assert "VIGIL_SECRET_KEY is not set" in capsys.readouterr().err
    assert main(["--data-dir", str(data), "review", "feedback"]) == 0
    assert "feedback_version: 0" in capsys.readouterr().out
