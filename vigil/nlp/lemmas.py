"""POS-free lemma candidates from a spaCy rule lemmatizer's tables.

Running the tagger and lemmatizer of a model roughly halves its speed. Keyword matching does not need the
one right lemma, only "could this word be a form of that one", so we apply the model's own rule tables for
nouns, verbs and adjectives at once and keep the candidates the tables know. Results are cached per word.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from vigil.nlp.normalize import LemmaFn

_POS = ("noun", "verb", "adj")


class TableLemmatizer:
    """Lemma candidates of a lower-cased word from ``lemma_rules``/``lemma_exc``/``lemma_index``/``lemma_lookup``."""

    def __init__(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        rules = tables.get("lemma_rules") or {}
        exc = tables.get("lemma_exc") or {}
        index = tables.get("lemma_index") or {}
        self._rules = {pos: list(rules.get(pos) or []) for pos in _POS}
        self._exc = {pos: dict(exc.get(pos) or {}) for pos in _POS}
        self._index = {pos: set(index.get(pos) or []) for pos in _POS}
        self._lookup = tables.get("lemma_lookup") or {}
        self.candidates: LemmaFn = lru_cache(maxsize=200_000)(self._candidates)

    @classmethod
    def from_nlp(cls, nlp: Any) -> TableLemmatizer | None:
        """From the (possibly disabled) ``lemmatizer`` pipe of a loaded pipeline; None when it has none."""
        try:
            pipe = nlp.get_pipe("lemmatizer")
        except KeyError:
            return None
        lookups = getattr(pipe, "lookups", None)
        if lookups is None or not lookups.tables:
            return None
        return cls({name: lookups.get_table(name) for name in lookups.tables})

    def _candidates(self, word: str) -> tuple[str, ...]:
        if not word.isalpha():
            return ()
        out: list[str] = []
        looked = self._lookup.get(word)
        if isinstance(looked, str) and looked != word:
            out.append(looked.lower())
        for pos in _POS:
            exc = self._exc.get(pos, {}).get(word)
            if exc:
                out.extend(e.lower() for e in exc)
                continue
            index = self._index.get(pos, set())
            for old, new in self._rules.get(pos, []):
                if word.endswith(old) and len(word) > len(old):
                    form = word[: len(word) - len(old)] + new
                    if form in index:
                        out.append(form)
        return tuple(dict.fromkeys(x for x in out if x != word))
