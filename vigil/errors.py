"""The one exception tree of Vigil.

Every error a user can cause or meet derives from :class:`VigilError` and carries a message a person
understands. Foreign exceptions are translated at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class VigilError(Exception):
    """Base of every Vigil error."""


class ConfigError(VigilError):
    """A settings value or a config file is missing or invalid."""


class FetchError(VigilError):
    """Fetching a URL failed.

    ``reason`` is a short machine-readable label (``http-404``, ``timeout``, ``blocked-address`` ...);
    ``retryable`` says whether trying again later may succeed.
    """

    def __init__(self, message: str, *, url: str, reason: str, retryable: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class BlockedURLError(FetchError):
    """The URL is refused by policy (scheme, SSRF guard, robots.txt)."""

    def __init__(self, message: str, *, url: str, reason: str = "blocked") -> None:
        super().__init__(message, url=url, reason=reason, retryable=False)


class FeedError(VigilError):
    """A feed could not be parsed (not a feed, malformed beyond recovery)."""

    def __init__(self, message: str, *, url: str, reason: str = "bad-feed") -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason


class ExtractionError(VigilError):
    """No usable article text could be extracted from a page."""

    def __init__(self, message: str, *, url: str, reason: str = "no-text") -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason


class TaggingError(VigilError):
    """The tagger could not be built or run (e.g. a bad lexicon)."""


class QueryError(VigilError):
    """A search query is malformed; ``position`` points at the offending character."""

    def __init__(self, message: str, *, query: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.query = query
        self.position = position

    def pointer(self) -> str:
        """The query with a caret under the bad position, for terminals."""
        if self.position is None or not self.query:
            return str(self)
        return f"{self}\n  {self.query}\n  {' ' * self.position}^"


class StoreError(VigilError):
    """The store is unreachable, corrupt, or refused an operation."""


class NotFoundError(StoreError):
    """An id that does not exist in the store."""
