"""Opaque keyset cursors shared by every backend: the sort key of a page's last hit, the sort order, an
optional backend tag and a digest of the request that made it, as URL-safe base64 JSON."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from vigil.errors import QueryError
from vigil.search.store import SearchRequest


def request_digest(request: SearchRequest) -> str:
    """What a cursor must agree with: everything that changes the result order or set."""
    basis = request.model_dump(mode="json", include={"query", "countries", "languages", "since", "until",
                                                     "sort", "collapse_duplicates"})
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:16]


def encode(request: SearchRequest, sort: str, key: Sequence[Any], backend: str | None = None) -> str:
    payload: dict[str, Any] = {"v": 1, "s": sort, "k": list(key), "r": request_digest(request)}
    if backend is not None:
        payload["b"] = backend
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(request: SearchRequest, sort: str, valid_key: Callable[[list[Any]], bool],
           backend: str | None = None) -> list[Any] | None:
    """The key of ``request.cursor`` (None on the first page); QueryError if the cursor is not this search's."""
    if request.cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(request.cursor + "=" * (-len(request.cursor) % 4))
        payload = json.loads(raw)
        key = payload["k"]
        ok = (payload["v"] == 1 and payload.get("b") == backend and payload["s"] == sort
              and payload["r"] == request_digest(request) and isinstance(key, list) and valid_key(key))
    except (ValueError, KeyError, TypeError) as exc:
        raise QueryError("invalid cursor: start again from the first page") from exc
    if not ok:
        raise QueryError("cursor does not belong to this search: start again from the first page")
    return key
