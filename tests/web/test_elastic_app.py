"""The workspace builds over an ElasticStore (a fake endpoint on 127.0.0.1; replies are canned, not a cluster)."""

from __future__ import annotations

from search.elastic_fake import fake_elastic, route_setup, search_reply

from vigil.search.elastic import ElasticStore
from vigil.search.sqlite.review import digest
from vigil.settings import Settings
from vigil.web.app import create_app

from .conftest import SECRET, TestClient


def test_the_app_builds_over_elasticsearch_and_reads_the_queue_through_it() -> None:
    with fake_elastic() as fake:
        route_setup(fake)
        store = ElasticStore.from_settings(Settings(es_url=fake.url, store="elasticsearch"))
        try:
            app = create_app(store, secret_key=SECRET)
            assert app.state.workspace.reviews is store
            token = "vgl_test-token"
            user = {"username": "ana", "role": "viewer", "created_at": "2026-01-01T00:00:00Z", "disabled": False,
                    "password_hash": "h"}
            fake.on("GET", f"/vigil-tokens/_doc/{digest(token)}", (200, {"found": True, "_source": {
                "id": 1, "username": "ana", "name": "t", "created_at": "2026-01-01T00:00:00Z", "revoked": False}}))
            fake.on("GET", "/vigil-users/_doc/ana", (200, {"found": True, "_source": user}))
            fake.on("POST", "/vigil-events/_search", search_reply([], total=0))
            fake.clear()
            with TestClient(app) as client:
                response = client.get("/api/review/queue?country=SD",
                                      headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
            assert response.json() == {"items": [], "total": 0, "total_capped": False}
            [queue] = fake.calls("POST", "/vigil-events/_search")
            assert queue.body["query"]["bool"]["filter"][1] == {"terms": {"country": ["SD"]}}
        finally:
            store.close()
