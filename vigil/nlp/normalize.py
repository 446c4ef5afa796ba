"""Word stream and normalisation shared by every tagging component.

All components match on the same *word stream*: runs of letters and digits found by one regular
expression over the document text, so that "Guinea-Bissau's", "d'Ivoire" and "Sudan's" split the same way
in every language, whatever spaCy's tokenizer for that language does. Each word keeps its character
offsets, its raw form (for case checks), its normalised form and, where a lemmatizer's tables exist, its
lemma candidates. Patterns are normalised by the very same functions, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_LETTER = r"[^\W_\u02bc]"
_MARK = r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
WORD_RE = re.compile(f"{_LETTER}(?:{_LETTER}|{_MARK})*")
"""A word: letters/digits, with Arabic and Latin combining marks kept inside it."""

_AR_TASHKEEL = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_AR_ONE_LETTER = ("و", "ف")
_AR_PREP = ("ب", "ل", "ك")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


def normalise_arabic(word: str) -> str:
    """Alef/ya/ta-marbuta unified, tashkeel and tatweel removed, clitics و ف ب ل ك and ال stripped."""
    word = _AR_TASHKEEL.sub("", word).translate(_AR_MAP)
    if len(word) > 3 and word[0] in _AR_ONE_LETTER and len(word) - 1 >= 3:
        word = word[1:]
    if len(word) > 3 and word[0] in _AR_PREP and len(word) - 1 >= 3:
        word = word[1:]
        if word.startswith("ل") and len(word) - 1 >= 3 and not word.startswith("ال"):
            word = word[1:]  # li + al- contracted to لل
    if word.startswith("ال") and len(word) - 2 >= 3:
        word = word[2:]
    return word


@lru_cache(maxsize=200_000)
def fold_word(norm: str) -> str:
    """A normalised word without diacritics (Malí -> mali, Côte -> cote): the key names are matched on."""
    if norm.isascii():
        return norm
    decomposed = unicodedata.normalize("NFD", norm)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


@lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    """The matching key of one word (any language): NFKC, lower case, ё -> е, Arabic normalised."""
    word = unicodedata.normalize("NFKC", word).translate(_QUOTES).lower()
    if "ё" in word:
        word = word.replace("ё", "е")
    if is_arabic(word):
        word = normalise_arabic(word)
    return word


def raw_form(word: str) -> str:
    """The word as written, NFKC-normalised (used for case checks)."""
    return unicodedata.normalize("NFKC", word)


LemmaFn = Callable[[str], tuple[str, ...]]
"""Maps a normalised word to its lemma candidates (empty when the language has no lemmatizer)."""


def no_lemmas(_word: str) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class Word:
    """One word of the stream: offsets into the doc text, raw and normalised forms, lemma candidates."""

    start: int
    end: int
    raw: str
    norm: str
    lemmas: tuple[str, ...]
    sent: int
    fold: str


@dataclass(frozen=True, slots=True)
class WordStream:
    """All words of a doc plus its sentence boundaries (character offsets)."""

    text: str
    words: tuple[Word, ...]
    sent_bounds: tuple[tuple[int, int], ...]

    def sentence_text(self, index: int) -> str:
        start, end = self.sent_bounds[index]
        return self.text[start:end].strip()


def split_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every word in ``text``."""
    return [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]


def build_stream(text: str, sent_bounds: Sequence[tuple[int, int]], lemma_fn: LemmaFn = no_lemmas) -> WordStream:
    """The word stream of ``text``; ``sent_bounds`` are (start, end) character offsets of its sentences."""
    bounds = tuple(sent_bounds) or ((0, len(text)),)
    words: list[Word] = []
    sent = 0
    n_sents = len(bounds)
    for m in WORD_RE.finditer(text):
        start = m.start()
        while sent + 1 < n_sents and start >= bounds[sent + 1][0]:
            sent += 1
        raw = m.group()
        norm = normalise_word(raw)
        words.append(Word(start, m.end(), raw, norm, lemma_fn(norm), sent, fold_word(norm)))
    return WordStream(text, tuple(words), bounds)
