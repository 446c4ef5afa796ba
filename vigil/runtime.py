"""Build the pipeline's parts (store, fetcher, tagger, raw capture) from settings.

Faces (CLI, web, DAGs) call these; library functions receive the built parts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from vigil.errors import ConfigError
from vigil.search.store import Store
from vigil.settings import Settings

if TYPE_CHECKING:  # imported lazily: the web app and the search commands need neither spaCy nor httpx
    from vigil.ingest.fetch import Fetcher
    from vigil.ingest.raw import RawCapture
    from vigil.ingest.safety import FetchPolicy
    from vigil.nlp.tagger import Tagger

RAW_CAPTURE_MAX_BYTES = 5_000_000
"""Largest raw page kept for re-extraction (bytes, before compression)."""


def open_store(settings: Settings) -> Store:
    """Open the configured store (created on first use for the embedded one)."""
    if settings.store == "sqlite":
        from vigil.search.sqlite import SqliteStore

        return SqliteStore(settings.store_path)
    if settings.store == "elasticsearch":
        if not settings.es_url:
            raise ConfigError("VIGIL_STORE=elasticsearch needs VIGIL_ES_URL (e.g. https://es.example.org:9200)")
        from vigil.search.elastic import ElasticStore  # type: ignore[import-not-found,unused-ignore]

        return ElasticStore.from_settings(settings)  # type: ignore[no-any-return,unused-ignore]
    raise ConfigError(f"unknown store {settings.store!r}; choose 'sqlite' or 'elasticsearch'")


@contextmanager
def opened_store(settings: Settings, store: Store | None = None) -> Iterator[Store]:
    """Use ``store`` if given (a caller's open store), else open the configured one and close it after."""
    if store is not None:
        yield store
        return
    opened = open_store(settings)
    try:
        yield opened
    finally:
        opened.close()


def build_fetcher(settings: Settings, *, extra_allow_hosts: tuple[str, ...] = (),
                  per_host_delay: float | None = None) -> Fetcher:
    from vigil.ingest.fetch import Fetcher
    from vigil.ingest.safety import FetchPolicy

    policy = FetchPolicy.from_settings(settings)
    updates: dict[str, object] = {}
    if extra_allow_hosts:
        updates["allow_hosts"] = tuple(policy.allow_hosts) + extra_allow_hosts
    if per_host_delay is not None:
        updates["per_host_delay"] = per_host_delay
    if updates:
        policy = _replace(policy, updates)
    return Fetcher(policy)


def _replace(policy: FetchPolicy, updates: dict[str, object]) -> FetchPolicy:
    import dataclasses

    if dataclasses.is_dataclass(policy):
        return dataclasses.replace(policy, **updates)  # type: ignore[arg-type,type-var,unused-ignore]
    return policy.model_copy(update=updates)  # type: ignore[attr-defined,no-any-return,unused-ignore]


def build_tagger(settings: Settings, *, use_models: bool = True) -> Tagger:
    from vigil.nlp.tagger import Tagger

    return Tagger.from_config(settings.config_dir, use_models=use_models, processes=settings.tag_processes)


def build_raw(settings: Settings) -> RawCapture | None:
    from vigil.ingest.raw import RawCapture

    if not settings.raw_capture:
        return None
    return RawCapture(settings.raw_dir, max_bytes=RAW_CAPTURE_MAX_BYTES)


def feeds_path(settings: Settings, override: Path | None) -> Path:
    return override or settings.effective_feeds_file
