"""The Elasticsearch store: pure request builders (mapping, compile, bodies, documents) and the store."""

from __future__ import annotations

from vigil.search.elastic.store import ElasticStore

__all__ = ["ElasticStore"]
