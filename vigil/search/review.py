"""What the analyst workspace keeps besides articles: review decisions, accounts, alert status, feedback.

:class:`ReviewStore` is a small protocol beside :class:`vigil.search.store.Store`, so that a distributed
deployment needs only its store. Review decisions are append-only (the audit trail): nothing updates or
deletes them; an event's current state is its latest verdict. ``review_store_for`` finds the
implementation for an opened store.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import Field, model_validator

from vigil.errors import ConfigError, VigilError
from vigil.records import AwareDatetime, IndicatorEvent, Record

Role = Literal["viewer", "analyst", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "analyst", "admin")
"""Roles, weakest first: viewers read, analysts review, admins also manage accounts and feedback."""

ReviewAction = Literal["confirm", "reject", "correct", "note"]
RejectReason = Literal["wrong_category", "wrong_country", "not_an_event", "historical", "duplicate", "other"]
REJECT_REASONS: tuple[RejectReason, ...] = (
    "wrong_category", "wrong_country", "not_an_event", "historical", "duplicate", "other")
QueueStatus = Literal["pending", "confirmed", "rejected", "corrected", "all"]
AlertStatus = Literal["open", "acknowledged", "closed"]
ALERT_STATUSES: tuple[AlertStatus, ...] = ("open", "acknowledged", "closed")
STATUS_OF_ACTION = {"confirm": "confirmed", "reject": "rejected", "correct": "corrected"}
"""The review state (the query language's ``review:`` values) each verdict leaves an event in."""


class InvalidReview(VigilError):
    """A decision, account or feedback change that is well-formed but not acceptable (e.g. a no-op correction)."""


def role_at_least(role: str, needed: Role) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)  # type: ignore[arg-type,unused-ignore]


class User(Record):
    username: str
    role: Role
    created_at: AwareDatetime
    disabled: bool = False


class ApiToken(Record):
    """A script's credential; only its hash is stored, the secret is shown once at creation."""

    id: int
    username: str
    name: str
    created_at: AwareDatetime
    last_used_at: AwareDatetime | None = None
    revoked: bool = False


class Session(Record):
    id: str = Field(description="random id; the cookie carries it signed")
    username: str
    csrf: str = Field(description="CSRF token of this session, checked on every form POST")
    created_at: AwareDatetime
    expires_at: AwareDatetime


class DecisionInput(Record):
    """What an analyst decides about one event (validated here, whoever calls)."""

    action: ReviewAction
    reason: RejectReason | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="corrected country")
    category: str | None = Field(default=None, pattern=r"^[a-z_]{2,40}$", description="corrected category")
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _complete(self) -> DecisionInput:
        if self.action == "reject" and self.reason is None:
            raise ValueError("a rejection needs a reason")
        if self.action != "reject" and self.reason is not None:
            raise ValueError("only a rejection takes a reason")
        if self.action == "correct" and not (self.country or self.category):
            raise ValueError("a correction needs a country or a category")
        if self.action != "correct" and (self.country or self.category):
            raise ValueError("only a correction takes a country or a category")
        if self.action == "note" and not self.note.strip():
            raise ValueError("a note needs text")
        return self


class ReviewDecision(Record):
    """One row of the audit trail: who decided what about which event, when, and on what evidence."""

    id: int
    event_id: str
    action: ReviewAction
    reason: RejectReason | None = None
    country: str | None = None
    category: str | None = None
    note: str = ""
    reviewer: str
    at: AwareDatetime
    event_category: str = Field(description="the category the tagger gave")
    event_country: str | None = None
    language: str = ""
    lexicon_version: str = Field(default="", description="lexicon version of the event's evidence")
    published_day: date | None = None


class QueueFilter(Record):
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    status: QueueStatus = "pending"
    sort: Literal["severity", "newest"] = Field(default="severity",
                                                description="severity: most severe, then newest")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=100_000)
    with_total: bool = True


class QueueItem(Record):
    """An indicator event with what a reviewer needs to judge it."""

    event: IndicatorEvent
    title: str
    url: str
    source_domain: str
    language: str
    published_at: AwareDatetime
    independent_sources: int = 1
    status: str = "pending"
    last_decision: ReviewDecision | None = None


QUEUE_COUNT_CAP = 10_000
"""The queue counts at most this many events (``total_capped`` says when there are more)."""


class QueuePage(Record):
    items: tuple[QueueItem, ...]
    total: int
    total_capped: bool = False


class PrecisionRow(Record):
    category: str
    period: str = Field(description="'all', a month (YYYY-MM) or a lexicon version, by the report's grouping")
    confirmed: int = 0
    rejected: int = 0
    corrected: int = 0

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.rejected + self.corrected

    @property
    def precision(self) -> float | None:
        """Share of reviewed events whose category was right (a country-only correction counts as right)."""
        right = self.confirmed + self.corrected
        return right / self.reviewed if self.reviewed else None


class CountryOverview(Record):
    """A country's indicator events in a window: weekly counts per category, top actors and groups."""

    weekly: tuple[tuple[date, str, int], ...] = Field(description="(week start, category, events)")
    events: int
    actors: tuple[tuple[str, int], ...] = ()
    groups: tuple[tuple[str, int], ...] = ()


class NegativeContext(Record):
    """A context word or phrase an admin added from a rejection: near a trigger of ``category`` it cancels it."""

    id: int
    category: str
    language: str
    pattern: str
    version: int = Field(description="feedback version this change created")
    added_by: str
    added_at: AwareDatetime
    decision_id: int | None = None
    active: bool = True


class AlertStatusChange(Record):
    alert_id: str
    status: AlertStatus
    by: str
    at: AwareDatetime
    note: str = ""


@runtime_checkable
class ReviewStore(Protocol):
    """Persistence of the analyst workspace."""

    # reviews (append-only)
    def add_review(self, event_id: str, decision: DecisionInput, *, reviewer: str,
                   at: datetime | None = None) -> ReviewDecision: ...
    def reviews_for_event(self, event_id: str) -> list[ReviewDecision]: ...
    def audit_trail(self, *, limit: int = 100, reviewer: str | None = None,
                    before_id: int | None = None) -> list[ReviewDecision]: ...
    def review_queue(self, filters: QueueFilter) -> QueuePage: ...
    def queue_item(self, event_id: str) -> QueueItem | None: ...
    def precision_report(self, *, by: Literal["all", "month", "lexicon"] = "all") -> list[PrecisionRow]: ...
    def country_overview(self, country: str, since: date, until: date, top: int = 8) -> CountryOverview: ...

    # accounts
    def add_user(self, username: str, password_hash: str, role: Role) -> User: ...
    def get_user(self, username: str) -> tuple[User, str] | None: ...
    def set_password(self, username: str, password_hash: str) -> None: ...
    def users(self) -> list[User]: ...
    def add_token(self, username: str, name: str, token_hash: str) -> ApiToken: ...
    def user_for_token(self, token_hash: str) -> User | None: ...
    def add_session(self, session: Session) -> None: ...
    def get_session(self, session_id: str) -> Session | None: ...
    def delete_session(self, session_id: str) -> None: ...
    def record_login_failure(self, key: str, at: datetime) -> None: ...
    def login_failures(self, key: str, since: datetime) -> int: ...
    def clear_login_failures(self, key: str) -> None: ...

    # alerts
    def set_alert_status(self, change: AlertStatusChange) -> None: ...
    def alert_statuses(self, alert_ids: list[str] | None = None) -> dict[str, AlertStatusChange]: ...

    # feedback into tagging
    def add_negative_context(self, category: str, language: str, pattern: str, *, added_by: str,
                             decision_id: int | None = None) -> NegativeContext: ...
    def deactivate_negative_context(self, context_id: int, *, by: str) -> NegativeContext: ...
    def negative_contexts(self, *, include_inactive: bool = False) -> list[NegativeContext]: ...
    def feedback_version(self) -> int: ...


def feedback_document(contexts: list[NegativeContext], version: int) -> dict[str, Any]:
    """The ``config/indicators/feedback.yaml`` shape the tagger reads: active negatives per category/language."""
    negative: dict[str, dict[str, list[str]]] = {}
    for ctx in contexts:
        if ctx.active:
            negative.setdefault(ctx.category, {}).setdefault(ctx.language, []).append(ctx.pattern)
    for by_lang in negative.values():
        for lang, patterns in by_lang.items():
            by_lang[lang] = sorted(set(patterns))
    return {"feedback_version": version, "negative": dict(sorted(negative.items()))}


def review_store_for(store: object) -> ReviewStore:
    """The review persistence of an opened store (the store itself, or its companion)."""
    if isinstance(store, ReviewStore):
        return store
    from vigil.search.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        from vigil.search.sqlite.review import SqliteReviewStore

        return SqliteReviewStore(store)
    raise ConfigError(f"the analyst workspace does not support the {type(store).__name__} backend yet; "
                      "use VIGIL_STORE=sqlite")
