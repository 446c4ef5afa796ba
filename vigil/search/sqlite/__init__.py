"""The embedded SQLite store (Vigil's default backend)."""

from __future__ import annotations

from vigil.search.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
