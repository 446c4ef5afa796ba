"""Opaque keyset cursors: the sort key of the last hit plus a digest of the request that made it."""

from __future__ import annotations

import base64
import hashlib
import json

from vigil.errors import QueryError
from vigil.search.store import SearchRequest

SortKey = tuple[float | int, int]


def request_digest(request: SearchRequest) -> str:
    """What a cursor must agree with: everything that changes the result order or set."""
    basis = request.model_dump(mode="json", include={"query", "countries", "languages", "since", "until",
                                                     "sort", "collapse_duplicates"})
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def encode_cursor(request: SearchRequest, sort: str, key: SortKey) -> str:
    payload = {"v": 1, "s": sort, "k": list(key), "r": request_digest(request)}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(request: SearchRequest, sort: str) -> SortKey | None:
    """The keyset of ``request.cursor`` (None for the first page); QueryError if it is not ours."""
    if request.cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(request.cursor + "=" * (-len(request.cursor) % 4))
        payload = json.loads(raw)
        key = payload["k"]
        ok = (payload["v"] == 1 and payload["s"] == sort and payload["r"] == request_digest(request)
              and isinstance(key, list) and len(key) == 2
              and isinstance(key[0], int | float) and isinstance(key[1], int))
    except (ValueError, KeyError, TypeError) as exc:
        raise QueryError("invalid cursor: start again from the first page") from exc
    if not ok:
        raise QueryError("cursor does not belong to this search: start again from the first page")
    return (key[0], key[1])
