"""Index names, the articles index template and the small side indices (pure builders, no I/O).

Articles live behind a write alias (``<prefix>-articles``) over rollover-ready indices
(``<prefix>-articles-000001``, ...) created from one composable index template. Feed state, dead
letters, run reports and review decisions each have one small index of their own, as do the analyst
workspace's events, accounts, sessions and feedback (bodies in :mod:`.review_bodies`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vigil.errors import ConfigError
from vigil.search.elastic import review_bodies as rb

SCHEMA_VERSION = 1
"""Version of the template and mappings below; bump it when they change (stored in ``_meta``)."""

TEXT_ANALYZER = "vigil_text"
"""Matching analyzer of ``title`` and ``body``: words of letters/digits, lower-cased, accents folded.

It mirrors the SQLite store's ``unicode61 remove_diacritics 2`` tokenizer, so both stores match the same
documents; stemming only adds to the score (see ``LANGUAGE_ANALYZERS``)."""

WORD_PATTERN = r"[^\p{L}\p{N}\p{M}]+"
"""Separators of the pattern tokenizer (Java regex): anything that is not a letter, digit or mark."""

LANGUAGE_ANALYZERS: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "bn": "bengali", "bg": "bulgarian", "ca": "catalan",
    "zh": "cjk", "ja": "cjk", "ko": "cjk", "cs": "czech", "da": "danish", "nl": "dutch", "en": "english",
    "et": "estonian", "fi": "finnish", "fr": "french", "gl": "galician", "de": "german", "el": "greek",
    "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lv": "latvian",
    "lt": "lithuanian", "no": "norwegian", "nb": "norwegian", "fa": "persian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "ckb": "sorani", "es": "spanish", "sv": "swedish",
    "tr": "turkish", "th": "thai",
}
"""ISO 639 code -> the language analyzer Elasticsearch ships (no plugin needed)."""

_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,100}")


@dataclass(frozen=True)
class IndexNames:
    """Every index and alias name of one Vigil deployment, derived from the prefix."""

    prefix: str

    def __post_init__(self) -> None:
        if not _PREFIX.fullmatch(self.prefix):
            raise ConfigError(f"VIGIL_ES_INDEX_PREFIX must be lower-case letters, digits, '-' or '_' "
                              f"(starting with a letter or digit), not {self.prefix!r}")

    @property
    def articles(self) -> str:
        """The alias: reads go to every backing index, writes of new documents to the write index."""
        return f"{self.prefix}-articles"

    @property
    def first_articles_index(self) -> str:
        return f"{self.prefix}-articles-000001"

    @property
    def template(self) -> str:
        return f"{self.prefix}-articles"

    @property
    def feeds(self) -> str:
        return f"{self.prefix}-feeds"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}-dead-letters"

    @property
    def runs(self) -> str:
        return f"{self.prefix}-runs"

    @property
    def reviews(self) -> str:
        """The append-only log of review decisions."""
        return f"{self.prefix}-reviews"

    @property
    def events(self) -> str:
        """One document per indicator event: the review queue, country pages and precision report."""
        return f"{self.prefix}-events"

    @property
    def users(self) -> str:
        return f"{self.prefix}-users"

    @property
    def tokens(self) -> str:
        return f"{self.prefix}-tokens"

    @property
    def sessions(self) -> str:
        return f"{self.prefix}-sessions"

    @property
    def login_failures(self) -> str:
        return f"{self.prefix}-login-failures"

    @property
    def alert_status(self) -> str:
        return f"{self.prefix}-alert-status"

    @property
    def negative_contexts(self) -> str:
        return f"{self.prefix}-negative-contexts"

    @property
    def feedback_versions(self) -> str:
        return f"{self.prefix}-feedback-versions"

    @property
    def alerts(self) -> str:
        """Alerts (created on first write, see :mod:`vigil.search.elastic.alerts`)."""
        return f"{self.prefix}-alerts"

    def side_indices(self) -> dict[str, dict[str, Any]]:
        """Name -> create-index body of the small indices."""
        return {self.feeds: _side(FEED_PROPERTIES), self.dead_letters: _side(DEAD_LETTER_PROPERTIES),
                self.runs: _side(RUN_PROPERTIES), **self.workspace_indices()}

    def workspace_indices(self) -> dict[str, dict[str, Any]]:
        """Name -> create-index body of the analyst workspace's indices."""
        return {self.reviews: rb.index_body(rb.DECISION_PROPERTIES),
                self.events: rb.index_body(rb.EVENT_PROPERTIES, max_result_window=rb.QUEUE_WINDOW),
                self.users: rb.index_body(rb.USER_PROPERTIES), self.tokens: rb.index_body(rb.TOKEN_PROPERTIES),
                self.sessions: rb.index_body(rb.SESSION_PROPERTIES),
                self.login_failures: rb.index_body(rb.LOGIN_FAILURE_PROPERTIES),
                self.alert_status: rb.index_body(rb.ALERT_STATUS_PROPERTIES),
                self.negative_contexts: rb.index_body(rb.CONTEXT_PROPERTIES),
                self.feedback_versions: rb.index_body(rb.FEEDBACK_VERSION_PROPERTIES)}

    def all_indices(self) -> list[str]:
        """Patterns of every index this prefix owns (for deleting a test deployment)."""
        return [f"{self.articles}-*", self.feeds, self.dead_letters, self.runs, *self.workspace_indices(), self.alerts]


_KEYWORD: dict[str, Any] = {"type": "keyword"}
_STORED_ONLY: dict[str, Any] = {"type": "keyword", "index": False, "doc_values": False}
_OPAQUE: dict[str, Any] = {"type": "object", "enabled": False}


def _text(analyzer: str) -> dict[str, Any]:
    return {"type": "text", "analyzer": analyzer}


def article_properties() -> dict[str, Any]:
    """Field mappings of an article document (see :func:`vigil.search.elastic.documents.to_source`)."""
    languages = {code: {"properties": {"title": _text(name), "body": _text(name)}}
                 for code, name in sorted(LANGUAGE_ANALYZERS.items())}
    return {
        "id": _KEYWORD,
        "alias_ids": _KEYWORD,
        "url": {"type": "keyword", "ignore_above": 4096},
        "source_domain": _KEYWORD,
        "language": _KEYWORD,
        "published_at": {"type": "date"},
        "date_source": _KEYWORD,
        "fingerprint": _STORED_ONLY,
        "doc_hash": _STORED_ONLY,
        "duplicate_of": _KEYWORD,
        "dup_group": _KEYWORD,
        "collapsed": {"type": "boolean"},
        "independent_sources": {"type": "integer"},
        "duplicates": {"type": "integer"},
        "indexed_at": {"type": "date"},
        "seq": {"type": "long"},
        "title": _text(TEXT_ANALYZER),
        "body": _text(TEXT_ANALYZER),
        "lang": {"properties": languages},
        "countries": _KEYWORD,
        "indicators": _KEYWORD,
        "actors": _KEYWORD,
        "groups": _KEYWORD,
        "near_dup_keys": _KEYWORD,
        "event_ids": _KEYWORD,
        "event_count": {"type": "integer"},
        "review": _KEYWORD,
        "doc": _OPAQUE,
    }


def build_template(prefix: str, *, shards: int = 1) -> dict[str, Any]:
    """The composable index template of ``<prefix>-articles-*`` (body of ``PUT _index_template/<name>``).

    The write alias is not in the template (rollover refuses templates that carry it); it is added
    when the first index is created (:func:`first_index_body`).
    """
    names = IndexNames(prefix)
    return {
        "index_patterns": [f"{names.articles}-*"],
        "priority": 200,
        "version": SCHEMA_VERSION,
        "_meta": {"managed_by": "vigil", "schema_version": SCHEMA_VERSION},
        "template": {
            "settings": {
                "number_of_shards": shards,
                "auto_expand_replicas": "0-1",
                "analysis": {
                    "tokenizer": {"vigil_words": {"type": "pattern", "pattern": WORD_PATTERN}},
                    "analyzer": {TEXT_ANALYZER: {"type": "custom", "tokenizer": "vigil_words",
                                                 "filter": ["lowercase", "asciifolding"]}},
                },
            },
            "mappings": {
                "dynamic": False,
                "_meta": {"schema_version": SCHEMA_VERSION},
                "_source": {"excludes": ["lang.*"]},
                "properties": article_properties(),
            },
        },
    }


def first_index_body(prefix: str) -> dict[str, Any]:
    """Body of ``PUT <prefix>-articles-000001``: the write alias (rollover moves it to the next index)."""
    return {"aliases": {IndexNames(prefix).articles: {"is_write_index": True}}}


FEED_PROPERTIES: dict[str, Any] = {"url": _KEYWORD, "state": _OPAQUE}
DEAD_LETTER_PROPERTIES: dict[str, Any] = {
    "stage": _KEYWORD, "url": _KEYWORD, "reason": _KEYWORD, "retryable": {"type": "boolean"},
    "resolved": {"type": "boolean"}, "at": {"type": "date"}, "created": {"type": "long"}, "letter": _OPAQUE,
}
RUN_PROPERTIES: dict[str, Any] = {
    "run_id": _KEYWORD, "scope": _KEYWORD, "recorded_at": {"type": "date"}, "created": {"type": "long"},
    "report": _OPAQUE,
}


def _side(properties: dict[str, Any]) -> dict[str, Any]:
    return {"settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            "mappings": {"dynamic": False, "_meta": {"schema_version": SCHEMA_VERSION},
                         "properties": properties}}
