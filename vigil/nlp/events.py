"""Indicator events: per article, one event per (category, country), the unit analysts review.

A hit's country is the country named in its own sentence (the nearest one when several are), else in the
sentence before, else the article's focus country. Only hits at or above ``FULL_WEIGHT_THRESHOLD`` open an
event (downgraded hits stay visible in ``Tags.indicators``). Confidence combines the best hit weight of each
distinct sentence, ``1 - prod(1 - PER_SENTENCE * w)``; score = severity x confidence, raised by up to
``MAX_SENTENCE_BONUS`` when several sentences agree.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vigil.nlp.indicators import FULL_WEIGHT_THRESHOLD
from vigil.records import IndicatorEvent, IndicatorHit

PER_SENTENCE = 0.7
MAX_EVIDENCE = 3
SENTENCE_BONUS = 0.25
MAX_SENTENCE_BONUS = 4


@dataclass(frozen=True, slots=True)
class Located:
    """Something found in a sentence: a country code, actor id or group id, with its offsets."""

    key: str
    sent: int
    start: int


def event_id(article_id: str, category: str, country: str | None) -> str:
    return hashlib.sha256(f"{article_id}|{category}|{country or ''}".encode()).hexdigest()


def _country_for(hit: IndicatorHit, sent: int, countries: Sequence[Located], focus: str | None) -> str | None:
    for target in (sent, sent - 1):
        here = [c for c in countries if c.sent == target]
        if here:
            return min(here, key=lambda c: abs(c.start - hit.start)).key
    return focus


def build_events(article_id: str, hits: Sequence[tuple[IndicatorHit, int]], countries: Sequence[Located],
                 focus: str | None, actors: Sequence[Located], groups: Sequence[Located]) -> list[IndicatorEvent]:
    """Events from (hit, sentence index) pairs; ordered by score, highest first."""
    buckets: dict[tuple[str, str | None], list[tuple[IndicatorHit, int]]] = defaultdict(list)
    for hit, sent in hits:
        buckets[(hit.category, _country_for(hit, sent, countries, focus))].append((hit, sent))
    events: list[IndicatorEvent] = []
    for (category, country), items in buckets.items():
        if max(h.weight for h, _ in items) < FULL_WEIGHT_THRESHOLD:
            continue
        best: dict[int, IndicatorHit] = {}
        for hit, sent in items:
            if sent not in best or hit.weight > best[sent].weight:
                best[sent] = hit
        remaining = 1.0
        for hit in best.values():
            remaining *= 1.0 - PER_SENTENCE * hit.weight
        confidence = round(1.0 - remaining, 4)
        n = len(best)
        severity = items[0][0].severity
        score = round(severity * confidence * (1.0 + SENTENCE_BONUS * min(n - 1, MAX_SENTENCE_BONUS)), 4)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1].weight, kv[1].start))[:MAX_EVIDENCE]
        sents = {s for s, _ in ranked}
        evidence = tuple(h for _, h in sorted(ranked, key=lambda kv: kv[1].start))
        events.append(IndicatorEvent(
            id=event_id(article_id, category, country),
            article_id=article_id,
            category=category,
            country=country,
            severity=severity,
            score=score,
            confidence=min(confidence, 1.0),
            evidence=evidence,
            actors=tuple(dict.fromkeys(a.key for a in actors if a.sent in sents)),
            groups=tuple(dict.fromkeys(g.key for g in groups if g.sent in sents)),
            historical=all(h.historical for h in evidence),
        ))
    events.sort(key=lambda e: (-e.score, e.category, e.country or ""))
    return events
