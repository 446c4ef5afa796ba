"""Fixtures of the ingest tests (the helpers live in ``support.py``)."""

from __future__ import annotations

from .support import fetcher, server, stalled_port

__all__ = ["fetcher", "server", "stalled_port"]
