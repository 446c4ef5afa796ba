"""Content hashes and near-duplicate detection (MinHash with LSH banding, from datasketch).

``fingerprint(text)`` gives a MinHash signature (hex) and LSH band keys. A store indexes the keys; two
articles sharing a key are candidates, and :func:`similarity` (estimated Jaccard similarity of their
shingles) decides. With 20 bands of 6 rows a pair at similarity 0.8 shares a key with probability 0.997,
a pair at 0.5 with 0.27, so candidates are few and the threshold does the rest.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from datasketch import MinHash

NUM_PERM = 120
BANDS = 20
ROWS = NUM_PERM // BANDS
SEED = 20261121
NEAR_DUPLICATE_THRESHOLD = 0.7
"""Estimated Jaccard similarity of shingles above which two texts are copies of one article."""
MIN_SHINGLES = 8

_WORD = re.compile(r"\w+", re.UNICODE)
_HEX_PER_VALUE = 8


def normalise_text(text: str) -> str:
    """NFKC, lower case, whitespace collapsed: what the content hash and shingles see."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def content_hash(text: str) -> str:
    """sha256 hex of the normalised text (exact copies share it)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def _spaced(text: str) -> bool:
    """Scripts written with spaces between words (not Chinese, Japanese, Thai, Burmese...)."""
    words = text.count(" ") + 1
    return len(text) / words < 12


def shingles(text: str) -> set[str]:
    """Word 3-grams for spaced scripts, character 4-grams otherwise."""
    norm = normalise_text(text)
    if _spaced(norm):
        words = _WORD.findall(norm)
        if len(words) >= 3:
            return {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}
        return set(words)
    compact = "".join(ch for ch in norm if not ch.isspace() and not unicodedata.category(ch).startswith("P"))
    return {compact[i:i + 4] for i in range(max(1, len(compact) - 3))}


def fingerprint(text: str) -> tuple[str, tuple[str, ...]]:
    """(signature hex, LSH band keys) of ``text``; ``("", ())`` for texts too short to compare."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return "", ()
    mh = MinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update_batch([g.encode("utf-8") for g in grams])
    signature = "".join(f"{int(v) & 0xFFFFFFFF:08x}" for v in mh.hashvalues)
    keys = tuple(
        f"{b:02d}" + hashlib.sha1(signature[b * ROWS * _HEX_PER_VALUE:(b + 1) * ROWS * _HEX_PER_VALUE]
                                  .encode("ascii")).hexdigest()[:16]
        for b in range(BANDS)
    )
    return signature, keys


def _values(signature: str) -> list[str]:
    return [signature[i:i + _HEX_PER_VALUE] for i in range(0, len(signature), _HEX_PER_VALUE)]


def similarity(fp_a: str, fp_b: str) -> float:
    """Estimated Jaccard similarity of two signatures (0.0 when either is empty or they differ in size)."""
    if not fp_a or not fp_b or len(fp_a) != len(fp_b):
        return 0.0
    a, b = _values(fp_a), _values(fp_b)
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


class Candidate(Protocol):
    """What :func:`pick_original` needs of an indexed article."""

    @property
    def id(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...
    @property
    def duplicate_of(self) -> str | None: ...


class HasFingerprint(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...


def pick_original(article: HasFingerprint, candidates: Iterable[Candidate],
                  threshold: float = NEAR_DUPLICATE_THRESHOLD) -> str | None:
    """Id of the first article ``article`` copies: among candidates similar enough, the earliest
    published (following ``duplicate_of`` to the root), or None if it is original."""
    similar: Sequence[Candidate] = sorted(
        (c for c in candidates if c.id != article.id and similarity(article.fingerprint, c.fingerprint)
         >= threshold),
        key=lambda c: (c.published_at, c.id))
    if not similar:
        return None
    first = similar[0]
    root = first.duplicate_of or first.id
    return None if root == article.id else root
