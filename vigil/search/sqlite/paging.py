"""Opaque keyset cursors: the sort key of the last hit plus a digest of the request that made it."""

from __future__ import annotations

from vigil.search import cursors
from vigil.search.store import SearchRequest

SortKey = tuple[float | int, int]


def encode_cursor(request: SearchRequest, sort: str, key: SortKey) -> str:
    return cursors.encode(request, sort, key)


def decode_cursor(request: SearchRequest, sort: str) -> SortKey | None:
    """The keyset of ``request.cursor`` (None for the first page); QueryError if it is not ours."""
    key = cursors.decode(request, sort, lambda k: len(k) == 2 and isinstance(k[0], int | float)
                         and isinstance(k[1], int))
    return None if key is None else (key[0], key[1])
