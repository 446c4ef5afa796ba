"""Raw capture: compressed page HTML kept on disk so extraction can be re-run later."""

from __future__ import annotations

import gzip
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = ".html.gz"


class RawCapture:
    """Gzipped HTML per article id under ``dir/<2 hex>/<id>.html.gz``; the first line is the URL.

    Pages larger than ``max_bytes`` (uncompressed) are not kept. Writes are atomic (temp file + rename),
    so a run killed midway never leaves a truncated capture.
    """

    def __init__(self, directory: Path, max_bytes: int = 5_000_000) -> None:
        self.dir = Path(directory)
        self.max_bytes = max_bytes

    def _path(self, article_id: str) -> Path:
        if not _ID.match(article_id):
            raise ValueError(f"not an article id: {article_id!r}")
        return self.dir / article_id[:2] / f"{article_id}{_SUFFIX}"

    def put(self, article_id: str, html: bytes, url: str) -> bool:
        """Store the page; False if it is over the size cap."""
        if len(html) > self.max_bytes:
            log.info("raw capture skipped for %s: %d bytes over the cap", url, len(html))
            return False
        path = self._path(article_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = url.replace("\n", " ").encode("utf-8") + b"\n" + html
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(gzip.compress(payload, compresslevel=6, mtime=0))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def _read(self, article_id: str) -> tuple[str, bytes] | None:
        path = self._path(article_id)
        try:
            data = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, EOFError) as exc:
            log.warning("raw capture %s unreadable: %s", path, exc)
            return None
        url, _, html = data.partition(b"\n")
        return url.decode("utf-8", errors="replace"), html

    def get(self, article_id: str) -> bytes | None:
        """The stored HTML, or None."""
        found = self._read(article_id)
        return found[1] if found else None

    def get_url(self, article_id: str) -> str | None:
        """The URL the page was fetched from, or None."""
        found = self._read(article_id)
        return found[0] if found else None

    def iter_ids(self) -> Iterator[str]:
        """Every stored article id (sorted)."""
        if not self.dir.exists():
            return
        for path in sorted(self.dir.glob(f"*/*{_SUFFIX}")):
            name = path.name[: -len(_SUFFIX)]
            if _ID.match(name):
                yield name

    def prune(self, older_than_days: float, now: float | None = None) -> int:
        """Delete captures older than ``older_than_days``; returns how many were deleted."""
        cutoff = (now if now is not None else time.time()) - older_than_days * 86400
        removed = 0
        for path in self.dir.glob(f"*/*{_SUFFIX}") if self.dir.exists() else ():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        for tmp in self.dir.glob("*/*.tmp") if self.dir.exists() else ():
            if tmp.stat().st_mtime < cutoff:  # left by a killed run
                tmp.unlink(missing_ok=True)
        return removed
