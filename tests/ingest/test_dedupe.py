from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from vigil.ingest.dedupe import (
    BANDS,
    NEAR_DUPLICATE_THRESHOLD,
    content_hash,
    fingerprint,
    pick_original,
    similarity,
)

BASE = ("Aid agencies said on Tuesday that more than four thousand families had reached the river town after "
        "walking for three days from villages in the hills. The district health officer said the clinic had run "
        "out of rehydration salts and that two wells near the market were no longer safe. Community leaders asked "
        "the authorities to open the old school buildings as shelters before the rains arrive, and to let trucks "
        "carrying flour pass the checkpoint on the main road. Residents said prices of rice had risen sharply.")
OTHER = ("The national football league announced on Monday that the final will be played in the capital in May. "
         "Ticket sales open next week, and the federation expects the stadium to be full. The coach of the "
         "defending champions said his squad was healthy and ready, while the challengers hope to recover two "
         "injured strikers before the match. Broadcasters will show the game live across the region.")


@dataclass
class Doc:
    id: str
    fingerprint: str
    published_at: datetime
    duplicate_of: str | None = None


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("A  b\nC") == content_hash("a b c") != content_hash("a b d")


def test_small_edits_are_near_duplicates() -> None:
    edited = BASE.replace("told", "said").replace("sharply", "steeply") + " Reporting by the wire desk."
    fa, ka = fingerprint(BASE)
    fb, kb = fingerprint(edited)
    fo, ko = fingerprint(OTHER)
    assert len(ka) == BANDS and similarity(fa, fa) == 1.0
    assert similarity(fa, fb) >= NEAR_DUPLICATE_THRESHOLD and set(ka) & set(kb)
    assert similarity(fa, fo) < 0.2 and not set(ka) & set(ko)


def test_fingerprint_is_stable_and_handles_cjk() -> None:
    assert fingerprint(BASE) == fingerprint(BASE)
    zh = ("当地官员星期二表示，连日降雨导致河水上涨，三个村庄的居民已被转移到县城的临时安置点。"
          "志愿者说第一批大米已经运抵。")
    zh_edit = zh.replace("星期二", "周二")
    assert similarity(fingerprint(zh)[0], fingerprint(zh_edit)[0]) >= NEAR_DUPLICATE_THRESHOLD
    assert fingerprint("too short") == ("", ())
    assert similarity("", fingerprint(BASE)[0]) == 0.0


def test_pick_original_takes_the_earliest_root() -> None:
    fp, _ = fingerprint(BASE)
    other, _ = fingerprint(OTHER)
    first = Doc("a", fp, datetime(2026, 11, 10, 7, tzinfo=UTC))
    copy = Doc("b", fp, datetime(2026, 11, 10, 9, tzinfo=UTC), duplicate_of="a")
    unrelated = Doc("c", other, datetime(2026, 11, 1, tzinfo=UTC))
    new = Doc("d", fp, datetime(2026, 11, 11, tzinfo=UTC))
    assert pick_original(new, [copy, unrelated, first]) == "a"
    assert pick_original(new, [copy]) == "a"  # follows duplicate_of to the root
    assert pick_original(new, [unrelated]) is None
    assert pick_original(first, [first]) is None
