"""Alerts: a country's indicator category departing from its own baseline, reported by independent outlets.

For each (country, category) the day's *score* is the sum, over distinct stories, of the story's strongest
event weight ``severity x confidence``; syndicated copies count once, historical (commemoration) events and
events analysts rejected count zero. The *baseline* is the robust centre and spread (median, MAD) of the same
pair's daily scores over the previous ``lookback_days`` (days without events score 0). An alert needs a
robust z-score of at least ``z_threshold``, a score of at least ``min_score`` and ``min_sources`` distinct
outlets. Its level combines severity (the gravest event, 1-5) and urgency (size of the jump, and whether it
continues the day before). The method is written down in ``docs/alerts.md``.

Data access (:func:`daily_scores`, :func:`attach_evidence`) is apart from the decision (:func:`decide`), which
is pure and unit-tested on its own.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vigil.config import load_model
from vigil.errors import StoreError
from vigil.records import AwareDatetime, IndexedDocument, Record
from vigil.search.review import AlertStatus

log = logging.getLogger(__name__)

AlertLevel = Literal["watch", "warning", "alert"]
LEVELS: tuple[AlertLevel, ...] = ("watch", "warning", "alert")
Urgency = Literal["low", "medium", "high"]
URGENCIES: tuple[Urgency, ...] = ("low", "medium", "high")
METHOD = "robust-z/1"
"""Name and version of the method below (stored on every alert; bump it when the method changes)."""
MAD_TO_SD = 1.4826
"""Scales a median absolute deviation to a standard deviation for normally distributed data."""


# --------------------------------------------------------------------------- config


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UrgencyBands(_Strict):
    """Robust z-scores from which urgency is medium or high (below ``medium_z``: low)."""

    medium_z: float = Field(default=6.0, gt=0)
    high_z: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> UrgencyBands:
        if self.high_z < self.medium_z:
            raise ValueError("urgency.high_z must be at least urgency.medium_z")
        return self


class LevelPoints(_Strict):
    """Severity (1-5) plus urgency (low 0, medium 1, high 2) points needed for each level above watch."""

    warning: int = Field(default=4, ge=1, le=7)
    alert: int = Field(default=6, ge=1, le=7)

    @model_validator(mode="after")
    def _ordered(self) -> LevelPoints:
        if self.alert <= self.warning:
            raise ValueError("levels.alert must be greater than levels.warning")
        return self


class AlertConfig(_Strict):
    """``config/alerts.yaml``: thresholds of the alert method (defaults match the shipped file)."""

    lookback_days: int = Field(default=28, ge=7, le=365, description="days of history forming the baseline")
    min_baseline_days: int = Field(default=14, ge=1, description="covered days needed above level watch")
    z_threshold: float = Field(default=3.0, gt=0, description="robust z-score from which a score departs")
    min_score: float = Field(default=4.0, ge=0, description="smallest daily score that may alert")
    min_spread: float = Field(default=1.0, gt=0, description="floor of the baseline spread (sparse history)")
    min_sources: int = Field(default=2, ge=1, description="distinct outlets that must report it")
    max_evidence: int = Field(default=10, ge=1, le=100, description="evidence articles kept per alert")
    urgency: UrgencyBands = UrgencyBands()
    levels: LevelPoints = LevelPoints()

    @model_validator(mode="after")
    def _consistent(self) -> AlertConfig:
        if self.min_baseline_days > self.lookback_days:
            raise ValueError("min_baseline_days cannot exceed lookback_days")
        if self.urgency.medium_z < self.z_threshold:
            raise ValueError("urgency.medium_z must be at least z_threshold")
        return self


def load_alert_config(path: Path) -> AlertConfig:
    """Load and validate ``alerts.yaml`` (a :class:`~vigil.errors.ConfigError` names file, line and field)."""
    return load_model(path, AlertConfig)


# --------------------------------------------------------------------------- records


class AlertEvidence(Record):
    """One article behind an alert, with its provenance."""

    id: str = Field(description="article id")
    event_id: str
    url: str
    title: str
    source_domain: str
    language: str
    published_at: AwareDatetime
    severity: int
    confidence: float
    independent_sources: int = 1


class Alert(Record):
    """A (country, category, day) whose score departed from its baseline. One id per triple: recomputing upserts."""

    id: str
    country: str
    category: str
    day: date
    level: AlertLevel
    severity: int = Field(ge=1, le=5, description="gravest event severity of the day")
    urgency: Urgency
    score: float
    baseline_median: float
    baseline_mad: float
    baseline_days: int = Field(description="days of history the baseline covers")
    z: float = Field(description="robust z-score: (score - median) / max(1.4826 MAD, min_spread)")
    reports: int = Field(description="distinct stories (syndicated copies once)")
    independent_sources: int = Field(description="distinct outlets among those stories")
    rising: bool = Field(default=False, description="the day before also departed from the baseline")
    evidence: tuple[AlertEvidence, ...] = ()
    status: AlertStatus = "open"
    status_by: str | None = None
    status_at: AwareDatetime | None = None
    status_note: str = ""
    computed_at: AwareDatetime
    method: str = METHOD

    @property
    def summary(self) -> str:
        return (f"{self.category} in {self.country}: score {self.score:g} vs baseline {self.baseline_median:g} "
                f"(z {self.z:g}), {self.reports} reports from {self.independent_sources} outlets")


def alert_id(country: str, category: str, day: date) -> str:
    """Stable id of the alert of one country, category and day."""
    return hashlib.sha256(f"alert|{country.upper()}|{category.lower()}|{day.isoformat()}".encode()).hexdigest()


class DayAggregate(Record):
    """Indicator events of one (country, category, UTC day), syndicated copies once."""

    country: str
    category: str
    day: date
    score: float = Field(description="sum over stories of the strongest severity x confidence")
    reports: int
    sources: int
    severity: int


class ScoreRow(Record):
    """The input of :func:`decide`: one pair's score on the day and its history."""

    country: str
    category: str
    day: date
    score: float
    reports: int
    sources: int
    severity: int
    history: tuple[float, ...] = Field(description="daily scores of the covered lookback days, oldest first")


History = Mapping[tuple[str, str], Mapping[date, float]]
"""(country, category) -> day -> score, for the days before the computed one."""


@runtime_checkable
class AlertStore(Protocol):
    """What a store offers to keep alerts (SQLite and Elasticsearch both do)."""

    def put_alerts(self, alerts: Sequence[Alert]) -> list[Alert]: ...
    def alerts(self, country: str | None = None, since: date | None = None, status: str | None = None,
               limit: int = 100) -> list[Alert]: ...
    def update_alert_status(self, alert_id: str, status: str, *, by: str, note: str = "",
                            at: datetime | None = None) -> Alert: ...


# --------------------------------------------------------------------------- decision (pure)


def decide(rows: Iterable[ScoreRow], config: AlertConfig, *, computed_at: datetime | None = None) -> list[Alert]:
    """The alerts among ``rows`` (no evidence yet), gravest first."""
    now = computed_at or datetime.now(UTC)
    out: list[Alert] = []
    for row in rows:
        if row.sources < config.min_sources or row.score < config.min_score:
            continue
        history = row.history
        median = statistics.median(history) if history else 0.0
        mad = statistics.median(abs(x - median) for x in history) if history else 0.0
        spread = max(MAD_TO_SD * mad, config.min_spread)
        z = (row.score - median) / spread
        if z < config.z_threshold:
            continue
        rising = bool(history) and (history[-1] - median) / spread >= config.z_threshold
        rank = 2 if z >= config.urgency.high_z else 1 if z >= config.urgency.medium_z else 0
        rank = min(rank + int(rising), 2)
        points = row.severity + rank
        level: AlertLevel = "alert" if points >= config.levels.alert else (
            "warning" if points >= config.levels.warning else "watch")
        if len(history) < config.min_baseline_days:
            level = "watch"  # too little history to tell a departure from a first sighting
        out.append(Alert(
            id=alert_id(row.country, row.category, row.day), country=row.country, category=row.category,
            day=row.day, level=level, severity=row.severity, urgency=URGENCIES[rank], score=round(row.score, 4),
            baseline_median=round(median, 4), baseline_mad=round(mad, 4), baseline_days=len(history),
            z=round(z, 3), reports=row.reports, independent_sources=row.sources, rising=rising, computed_at=now))
    out.sort(key=lambda a: (-LEVELS.index(a.level), -a.severity, -URGENCIES.index(a.urgency), -a.z,
                            a.country, a.category))
    return out


def rows_from_aggregates(today: Iterable[DayAggregate], history: History, day: date, lookback_days: int,
                         first_day: date | None) -> list[ScoreRow]:
    """One row per pair of ``today``; its history has a score (0 if none) per covered lookback day."""
    start = day - timedelta(days=lookback_days)
    if first_day is not None and first_day > start:
        start = min(first_day, day)
    covered = [start + timedelta(days=i) for i in range((day - start).days)]
    rows = []
    for agg in sorted(today, key=lambda a: (a.country, a.category)):
        if agg.day != day:
            continue
        scores = history.get((agg.country, agg.category), {})
        rows.append(ScoreRow(country=agg.country, category=agg.category, day=day, score=agg.score,
                             reports=agg.reports, sources=agg.sources, severity=agg.severity,
                             history=tuple(round(scores.get(d, 0.0), 6) for d in covered)))
    return rows


def split_history(aggregates: Iterable[DayAggregate], day: date) -> tuple[list[DayAggregate], History]:
    """The aggregates of ``day``, and every other day's score by pair."""
    today: list[DayAggregate] = []
    history: dict[tuple[str, str], dict[date, float]] = {}
    for agg in aggregates:
        if agg.day == day:
            today.append(agg)
        else:
            history.setdefault((agg.country, agg.category), {})[agg.day] = agg.score
    return today, history


# --------------------------------------------------------------------------- data access


def daily_scores(store: object, day: date, lookback_days: int) -> list[ScoreRow]:
    """The score rows of ``day``: aggregated in the store when it can (SQLite), else from its documents."""
    native = getattr(store, "alert_aggregates", None)
    if native is not None:
        today, history, first_day = native(day, lookback_days)
    else:
        docs = _documents(store, day - timedelta(days=lookback_days), day)
        aggregates, first_day = aggregate_documents(docs, day, getattr(store, "review_statuses", None))
        today, history = split_history(aggregates, day)
        stats = getattr(store, "stats", None)
        oldest = stats().oldest if stats is not None else None
        first_day = oldest.astimezone(UTC).date() if oldest is not None else first_day
    return rows_from_aggregates(today, history, day, lookback_days, first_day)


def _documents(store: object, since: date, until: date) -> Iterable[IndexedDocument]:
    iterate = getattr(store, "iter_documents", None)
    if iterate is None:
        raise StoreError(f"the {type(store).__name__} store cannot compute alerts (no iter_documents)")
    docs: Iterable[IndexedDocument] = iterate(since=since, until=until)
    return docs


def aggregate_documents(docs: Iterable[IndexedDocument], day: date,
                        statuses: Callable[[list[str]], Mapping[str, str]] | None = None,
                        ) -> tuple[list[DayAggregate], date | None]:
    """The same aggregation as the SQLite store's, in Python, for stores without it (Elasticsearch).

    A story is ``duplicate_of or id``: copies of one story count once, with the original's outlet.
    ``statuses`` (event ids -> review status, the store's ``review_statuses``) leaves out rejected events.
    Only pairs that have events on ``day`` are kept. Returns the aggregates and the first day seen.
    """
    rows: list[tuple[str, tuple[str, str, date, str], float, int, str, bool]] = []
    first: date | None = None
    for doc in docs:  # streamed: only the events' numbers are kept
        art = doc.article
        published = art.published_at.astimezone(UTC).date()
        first = published if first is None or published < first else first
        story = doc.duplicate_of or art.id
        domain = art.source_domain.lower().removeprefix("www.")
        for event in doc.tags.events:
            if event.historical or not event.country:
                continue
            key = (event.country.upper(), event.category.lower(), published, story)
            rows.append((event.id, key, event.severity * event.confidence, event.severity, domain,
                         doc.duplicate_of is None))
    verdicts = statuses([r[0] for r in rows]) if statuses is not None and rows else {}
    stories: dict[tuple[str, str, date, str], tuple[float, int, str, bool]] = {}
    for event_id, key, weight, severity, here, original in rows:
        if verdicts.get(event_id) == "rejected":
            continue
        old = stories.get(key)
        if old is None:
            stories[key] = (weight, severity, here, original)
        else:
            source = here if original and not old[3] else (old[2] if old[3] else min(old[2], here))
            stories[key] = (max(old[0], weight), max(old[1], severity), source, old[3] or original)
    wanted = {(c, k) for c, k, d, _ in stories if d == day}
    totals: dict[tuple[str, str, date], tuple[float, int, set[str], int]] = {}
    for (country, category, d, _), (weight, severity, source, _orig) in stories.items():
        if (country, category) not in wanted:
            continue
        score, reports, sources, sev = totals.get((country, category, d), (0.0, 0, set(), 0))
        sources.add(source)
        totals[(country, category, d)] = (score + weight, reports + 1, sources, max(sev, severity))
    aggregates = [DayAggregate(country=c, category=k, day=d, score=round(s, 6), reports=r, sources=len(src),
                               severity=sev) for (c, k, d), (s, r, src, sev) in sorted(totals.items())]
    return aggregates, first


def attach_evidence(store: object, alerts: Sequence[Alert], limit: int) -> list[Alert]:
    """The alerts with their evidence articles (strongest event first, then most outlets, then oldest)."""
    native = getattr(store, "alert_evidence", None)
    out = []
    for alert in alerts:
        if native is not None:
            evidence = native(alert.country, alert.category, alert.day, limit)
        else:
            evidence = _evidence_from_documents(_documents(store, alert.day, alert.day), alert, limit)
        out.append(alert.model_copy(update={"evidence": tuple(evidence)}))
    return out


def _evidence_from_documents(docs: Iterable[IndexedDocument], alert: Alert, limit: int) -> list[AlertEvidence]:
    found: dict[str, AlertEvidence] = {}
    for doc in docs:
        art = doc.article
        for event in doc.tags.events:
            if (event.historical or (event.country or "").upper() != alert.country
                    or event.category.lower() != alert.category):
                continue
            story = doc.duplicate_of or art.id
            item = AlertEvidence(id=art.id, event_id=event.id, url=art.url, title=art.title,
                                 source_domain=art.source_domain, language=art.language,
                                 published_at=art.published_at, severity=event.severity,
                                 confidence=event.confidence, independent_sources=doc.independent_sources)
            old = found.get(story)
            if old is None or (doc.duplicate_of is None and old.id != story):
                found[story] = item
    ranked = sorted(found.values(), key=lambda e: (-e.severity * e.confidence, -e.independent_sources,
                                                   e.published_at, e.id))
    return ranked[:limit]


def compute_alerts(store: object, day: date, config: AlertConfig | None = None, *, save: bool = True,
                   computed_at: datetime | None = None) -> list[Alert]:
    """Compute (and by default store) the alerts of ``day``; what was stored is returned (kept statuses)."""
    cfg = config or AlertConfig()
    rows = daily_scores(store, day, cfg.lookback_days)
    alerts = attach_evidence(store, decide(rows, cfg, computed_at=computed_at), cfg.max_evidence)
    log.info("alerts for %s: %d pairs scored, %d alerts", day, len(rows), len(alerts))
    if not save:
        return alerts
    if not isinstance(store, AlertStore):
        raise StoreError(f"the {type(store).__name__} store cannot keep alerts")
    return store.put_alerts(alerts) if alerts else []
