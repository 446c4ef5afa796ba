"""The Elasticsearch store's alert storage: one small ``<prefix>-alerts`` index, one document per alert.

The index is created on the first write (so opening a store sends what it always did); reads of a
deployment that never stored an alert answer empty. Scores are computed by
:func:`vigil.search.alerts.daily_scores` from the store's documents (no server-side aggregation yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from elasticsearch import ApiError, TransportError
from elasticsearch import NotFoundError as EsNotFoundError

from vigil.errors import NotFoundError, StoreError
from vigil.search.alerts import LEVELS, Alert
from vigil.search.elastic.mapping import IndexNames
from vigil.search.review import ALERT_STATUSES

_T = TypeVar("_T")
_KEYWORD: dict[str, Any] = {"type": "keyword"}
ALERT_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD, "country": _KEYWORD, "category": _KEYWORD, "day": {"type": "date", "format": "date"},
    "level_rank": {"type": "byte"}, "level": _KEYWORD, "severity": {"type": "byte"}, "status": _KEYWORD,
    "alert": {"type": "object", "enabled": False},
}
ALERTS_INDEX_BODY: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
    "mappings": {"dynamic": False, "properties": ALERT_PROPERTIES},
}
ALERT_SORT: list[dict[str, Any]] = [{"day": {"order": "desc"}}, {"level_rank": {"order": "desc"}},
                                    {"severity": {"order": "desc"}}, {"id": {"order": "asc"}}]


def alert_source(alert: Alert) -> dict[str, Any]:
    """The document of one alert: filter and sort fields, and the whole alert (not indexed)."""
    return {"id": alert.id, "country": alert.country, "category": alert.category, "day": alert.day.isoformat(),
            "level_rank": LEVELS.index(alert.level), "level": alert.level, "severity": alert.severity,
            "status": alert.status, "alert": alert.model_dump(mode="json")}


def build_alerts_query(country: str | None = None, since: date | None = None,
                       status: str | None = None) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    if country:
        filters.append({"term": {"country": country.upper()}})
    if since is not None:
        filters.append({"range": {"day": {"gte": since.isoformat()}}})
    if status is not None and status != "all":
        filters.append({"term": {"status": status}})
    return {"bool": {"filter": filters}}


class ElasticAlerts:
    """Alert storage for :class:`~vigil.search.elastic.store.ElasticStore` (a mixin using its plumbing)."""

    if TYPE_CHECKING:
        client: Any
        names: IndexNames

        def _call(self, what: str, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T: ...
        def _create(self, index: str, body: dict[str, Any]) -> None: ...
        def _bulk(self, items: list[tuple[str, str, dict[str, Any]]], op: str,
                  docs: Any = None) -> set[str]: ...
        def _scan(self, index: str, query: dict[str, Any], sort: list[dict[str, Any]], source: Any = True,
                  limit: int | None = None, page: int = 1000) -> Iterator[dict[str, Any]]: ...

    _alerts_ready = False

    def _alerts_index(self) -> str:
        name = self.names.alerts
        if not self._alerts_ready:
            if not self._call("an index check", self.client.indices.exists, index=name):
                self._create(name, ALERTS_INDEX_BODY)
            self._alerts_ready = True
        return name

    def put_alerts(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Index alerts by id; an existing alert keeps its status (an analyst's acknowledgement)."""
        if not alerts:
            return []
        index = self._alerts_index()
        response = self._call("an alert lookup", self.client.mget, index=index, ids=[a.id for a in alerts],
                              source=["alert"])
        previous = {d["_id"]: Alert.model_validate(d["_source"]["alert"])
                    for d in response.body.get("docs", []) if d.get("found")}
        merged = []
        for alert in alerts:
            prev = previous.get(alert.id)
            if prev is not None:
                alert = alert.model_copy(update={"status": prev.status, "status_by": prev.status_by,
                                                 "status_at": prev.status_at, "status_note": prev.status_note})
            merged.append(alert)
        failed = self._bulk([(index, a.id, alert_source(a)) for a in merged], "index")
        if failed:
            raise StoreError(f"Elasticsearch refused {len(failed)} of {len(merged)} alerts")
        return merged

    def alerts(self, country: str | None = None, since: date | None = None, status: str | None = None,
               limit: int = 100) -> list[Alert]:
        """Stored alerts, newest day first, then gravest level and severity."""
        exists = self._call("an index check", self.client.indices.exists, index=self.names.alerts)
        if not exists:
            return []
        hits = self._scan(self.names.alerts, build_alerts_query(country, since, status), ALERT_SORT, ["alert"],
                          limit=limit)
        return [Alert.model_validate(h["_source"]["alert"]) for h in hits]

    def update_alert_status(self, alert_id: str, status: str, *, by: str, note: str = "",
                            at: datetime | None = None) -> Alert:
        """Acknowledge, close or reopen an alert, recording who and when."""
        if status not in ALERT_STATUSES:
            raise StoreError(f"alert status must be one of {', '.join(ALERT_STATUSES)}, not {status!r}")
        try:
            found = self.client.get(index=self.names.alerts, id=alert_id)
        except EsNotFoundError as exc:
            raise NotFoundError(f"no alert {alert_id!r}") from exc
        except (ApiError, TransportError) as exc:
            raise StoreError(f"Elasticsearch refused an alert lookup: {exc}") from exc
        alert = Alert.model_validate(found.body["_source"]["alert"]).model_copy(update={
            "status": status, "status_by": by, "status_at": at or datetime.now(UTC), "status_note": note})
        self._call("an alert update", self.client.index, index=self.names.alerts, id=alert_id,
                   document=alert_source(alert), refresh="wait_for")
        return alert
