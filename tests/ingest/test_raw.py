from __future__ import annotations

import os
import time
from pathlib import Path

from vigil.ingest.raw import RawCapture
from vigil.ingest.urls import article_id


def test_put_get_iter_prune(tmp_path: Path) -> None:
    raw = RawCapture(tmp_path / "raw", max_bytes=1000)
    a, b = article_id("https://e.org/a"), article_id("https://e.org/b")
    assert raw.put(a, b"<html>a</html>", "https://e.org/a")
    assert raw.put(b, b"<html>b</html>", "https://e.org/b")
    assert not raw.put(article_id("https://e.org/big"), b"x" * 1001, "https://e.org/big")
    assert raw.get(a) == b"<html>a</html>" and raw.get_url(a) == "https://e.org/a"
    assert raw.get(article_id("https://e.org/none")) is None
    assert list(raw.iter_ids()) == sorted([a, b])
    old = time.time() - 10 * 86400
    path = next((tmp_path / "raw").glob(f"*/{a}.html.gz"))
    os.utime(path, (old, old))
    assert raw.prune(older_than_days=5) == 1
    assert list(raw.iter_ids()) == [b]


def test_put_is_atomic_and_overwrites(tmp_path: Path) -> None:
    raw = RawCapture(tmp_path)
    a = article_id("https://e.org/a")
    raw.put(a, b"v1", "https://e.org/a")
    raw.put(a, b"v2", "https://e.org/a")
    assert raw.get(a) == b"v2"
    assert not list(tmp_path.glob("*/*.tmp"))
