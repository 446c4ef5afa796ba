"""Language decision: seeded langdetect on the title and the start of the text, plus declared languages.

langdetect first reads the first 1,000 characters and the whole sample only when that gives less than 0.99.

Rules (evidence recorded as ``langdetect:fr:0.99``, ``declared:fr``, ``feed:fr``, ``rule:...``):

- Too little text to judge (fewer than ``MIN_LETTERS`` letters): the page's declared language, else the
  feed's, else ``und``.
- langdetect confident (>= ``SURE``) and nobody disagrees, or it agrees with a declared language: take it.
- A declared language that langdetect also considers (>= ``CONSIDERED``) wins over langdetect's first
  choice: this settles the pairs langdetect confuses (es/ca, pt/gl, ru/bg/uk, ar/fa, hr/sr ...).
- langdetect sure (>= ``OVERRULE``) on a long text overrules a declared language (sites mislabel pages).
- Otherwise langdetect's choice if it is at least ``UNSURE``, else declared, else ``und``.
"""

from __future__ import annotations

import logging
import threading

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from vigil.records import LanguageDecision

log = logging.getLogger(__name__)

SAMPLE_CHARS = 2000
FIRST_CHARS = 1000
QUICK_SURE = 0.99
MIN_LETTERS = 12
SURE = 0.90
OVERRULE = 0.995
CONSIDERED = 0.05
UNSURE = 0.60
LONG_TEXT = 300
SEED = 0

SHORT_LETTERS = 200

# Function words of the supported languages, for headline-length text where langdetect wobbles
# ("Der Völkermord an den Rohingya." -> Norwegian 0.71). A word shared by k languages counts 1/k.
_STOPWORDS = {
    "en": "the of and in to a is was for on with by said from at are has have that this",
    "fr": "le la les des du de et en un une au aux est dans pour sur par qui que ont été il elle",
    "es": "el la los las de del y a en un una por con para que se al es fue han sus",
    "pt": "o a os as do da dos das de e em no na nos nas um uma por com para que ao foi são",
    "de": "der die das den dem des und in im an ein eine einen ist mit von zu auf für nicht sich wurde",
}
_VOTES: dict[str, list[str]] = {}
for _lang, _words in _STOPWORDS.items():
    for _w in _words.split():
        _VOTES.setdefault(_w, []).append(_lang)
_UK_ONLY = set("іїєґІЇЄҐ")
_RU_ONLY = set("ыэъЫЭЪ")

_factory: DetectorFactory | None = None
_lock = threading.Lock()


def _get_factory() -> DetectorFactory:
    global _factory
    with _lock:
        if _factory is None:
            from langdetect.detector_factory import PROFILES_DIRECTORY

            factory = DetectorFactory()
            factory.load_profile(PROFILES_DIRECTORY)
            factory.set_seed(SEED)
            _factory = factory
    return _factory


def iso639_1(code: str | None) -> str | None:
    """``en-US`` -> ``en``, ``zh-cn`` -> ``zh``, ``pt_BR`` -> ``pt``; None for empty or non-alpha codes."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    if len(base) == 2 and base.isalpha() and base.isascii():
        return base
    return None


def short_text_vote(sample: str) -> str | None:
    """A language from letters only one Cyrillic language uses, or from function words; None if unclear."""
    chars = set(sample)
    if chars & _UK_ONLY and not chars & _RU_ONLY:
        return "uk"
    if chars & _RU_ONLY and not chars & _UK_ONLY:
        return "ru"
    score: dict[str, float] = {}
    for word in sample.lower().split():
        langs = _VOTES.get(word.strip(".,;:!?\"'«»()"))
        if langs:
            for lang in langs:
                score[lang] = score.get(lang, 0.0) + 1.0 / len(langs)
    ranked = sorted(score.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 1.5:
        return None
    if len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]:
        return None
    return ranked[0][0]


def langdetect_probs(sample: str) -> list[tuple[str, float]]:
    """(ISO 639-1 code, probability) best first; [] when langdetect finds no features. Deterministic."""
    detector = _get_factory().create()
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return []
    merged: dict[str, float] = {}
    for item in ranked:
        code = iso639_1(item.lang) or item.lang
        merged[code] = merged.get(code, 0.0) + float(item.prob)
    return sorted(merged.items(), key=lambda kv: -kv[1])


def detect_language(text: str, title: str = "", declared: str | None = None,
                    feed_language: str | None = None) -> LanguageDecision:
    """Decide an article's language; never raises (``und`` when unsure)."""
    sample = f"{title}\n{(text or '')[:SAMPLE_CHARS]}".strip()
    page = iso639_1(declared)
    feed = iso639_1(feed_language)
    hint = page or feed
    hint_ev: tuple[str, ...] = (f"declared:{page}",) if page else ((f"feed:{feed}",) if feed else ())
    if page and feed and page != feed:
        hint_ev = (f"declared:{page}", f"feed:{feed}")
    letters = sum(ch.isalpha() for ch in sample)
    if letters < MIN_LETTERS:
        if hint:
            return LanguageDecision(code=hint, confidence=0.6 if page else 0.5, evidence=(*hint_ev, "rule:short-text"))
        return LanguageDecision(code="und", confidence=0.0, evidence=("rule:short-text",))
    # Two steps: the first FIRST_CHARS are enough for most news text; the full sample only when unsure.
    probs = langdetect_probs(sample[:FIRST_CHARS]) if len(sample) > FIRST_CHARS else []
    if not probs or probs[0][1] < QUICK_SURE:
        probs = langdetect_probs(sample)
    if not probs:
        if hint:
            return LanguageDecision(code=hint, confidence=0.5, evidence=(*hint_ev, "rule:no-features"))
        return LanguageDecision(code="und", confidence=0.0, evidence=("rule:no-features",))
    best, p = probs[0]
    ev = (f"langdetect:{best}:{p:.2f}", *hint_ev)
    considered = dict(probs)
    if letters < SHORT_LETTERS and (hint is None or hint != best):
        vote = short_text_vote(sample)
        if vote and vote != best and (hint is None or hint == vote) and (
                p < SURE or considered.get(vote, 0.0) >= CONSIDERED):
            return LanguageDecision(code=vote, confidence=0.6, evidence=(*ev, f"stopwords:{vote}",
                                                                          "rule:short-text-stopwords"))
    if hint is None or hint == best:
        if hint == best:
            return LanguageDecision(code=best, confidence=max(min(p, 1.0), 0.95), evidence=(*ev, "rule:agree"))
        if p >= UNSURE:
            return LanguageDecision(code=best, confidence=min(p, 1.0), evidence=(*ev, "rule:langdetect"))
        return LanguageDecision(code="und", confidence=min(p, 1.0), evidence=(*ev, "rule:unsure"))
    if p >= OVERRULE and len(sample) >= LONG_TEXT and considered.get(hint, 0.0) < CONSIDERED:
        return LanguageDecision(code=best, confidence=min(p, 1.0) * 0.9, evidence=(*ev, "rule:overrule-declared"))
    if considered.get(hint, 0.0) >= CONSIDERED or p < SURE:
        conf = max(considered.get(hint, 0.0), 0.5 if page else 0.4)
        return LanguageDecision(code=hint, confidence=min(conf, 1.0), evidence=(*ev, "rule:declared"))
    return LanguageDecision(code=best, confidence=min(p, 1.0) * 0.8, evidence=(*ev, "rule:langdetect-over-declared"))
