"""The term syntax of the lexicon files and a token trie that matches it in one pass.

A pattern is 1-6 space-separated terms matched against consecutive words (see
``docs/lexicon-format.md``): ``word`` (equals the word or one of its lemmas), ``stem*`` (prefix),
``*tail`` (suffix), ``*part*`` (contains: German compounds),
``_`` (any one word). A term with punctuation inside (``Guinea-Bissau``, ``d'Ivoire``)
is split into words exactly as the text is. Case: a term written in capitals (``RSF``) matches only that
exact spelling; with ``cased=True`` a capitalised term (``Jordan``) also requires a capitalised word.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from vigil.errors import TaggingError
from vigil.nlp.normalize import WORD_RE, LemmaFn, Word, fold_word, no_lemmas, normalise_word, raw_form

TermKind = Literal["exact", "prefix", "suffix", "infix", "gap"]
MAX_TERMS = 24


@dataclass(frozen=True, slots=True)
class Term:
    kind: TermKind
    value: str  # normalised
    case: str | None = None  # "cap" (initial capital), or an exact raw spelling; None: any case


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    terms: tuple[Term, ...]

    @property
    def specificity(self) -> float:
        """Higher for longer, more exact patterns (used to break ties between overlapping matches)."""
        score = 0.0
        for t in self.terms:
            if t.kind == "exact":
                score += 3.0
            elif t.kind in ("prefix", "suffix", "infix"):
                score += (0.5 if t.kind == "infix" else 1.0) + min(len(t.value), 20) / 10.0
        return score


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def parse_pattern(source: str, *, cased: bool = False, fold: bool = False) -> Pattern:
    """Parse one pattern; raises :class:`TaggingError` with the reason when it is malformed."""
    text = " ".join(source.split())
    if not text:
        raise TaggingError("empty pattern")
    terms: list[Term] = []
    for chunk in text.split(" "):
        if chunk == "_":
            terms.append(Term("gap", ""))
            continue
        infix = chunk.startswith("*") and chunk.endswith("*") and len(chunk.strip("*")) > 0
        prefix = chunk.endswith("*") and len(chunk) > 1 and not infix
        suffix = chunk.startswith("*") and len(chunk) > 1 and not prefix and not infix
        body = chunk.strip("*")
        words = [m.group() for m in WORD_RE.finditer(body)]
        if not words:
            continue  # punctuation ("door - to - door"): the word stream has no punctuation words
        if infix and len(words) > 1:
            raise TaggingError(f"pattern {source!r}: '*part*' must be one word")
        for i, w in enumerate(words):
            kind: TermKind = "exact"
            if infix:
                kind = "infix"
            elif prefix and i == len(words) - 1:
                kind = "prefix"
            elif suffix and i == 0:
                kind = "suffix"
            raw = raw_form(w)
            case: str | None = None
            if _is_acronym(raw) and kind == "exact":
                case = raw
            elif cased and raw[:1].isupper():
                case = "cap"
            value = normalise_word(w)
            terms.append(Term(kind, fold_word(value) if fold else value, case))
    if not terms:
        raise TaggingError(f"pattern {source!r} has no letters or digits")
    if len(terms) > MAX_TERMS:
        raise TaggingError(f"pattern {source!r} has {len(terms)} words; at most {MAX_TERMS} are allowed")
    if all(t.kind == "gap" for t in terms):
        raise TaggingError(f"pattern {source!r} is only gaps")
    if terms[0].kind == "gap" or terms[-1].kind == "gap":
        raise TaggingError(f"pattern {source!r} must not start or end with '_'")
    return Pattern(source, tuple(terms))


@dataclass(frozen=True, slots=True)
class Match:
    start: int  # word index, inclusive
    end: int  # word index, exclusive
    pattern: Pattern
    payload: Hashable


@dataclass(slots=True, eq=False)
class _Node:
    exact: dict[str, _Node] = field(default_factory=dict)
    prefix: dict[str, _Node] = field(default_factory=dict)
    suffix: dict[str, _Node] = field(default_factory=dict)
    infix: dict[str, _Node] = field(default_factory=dict)
    gap: _Node | None = None
    via_gap: bool = False
    prefix_lens: tuple[int, ...] = ()
    suffix_lens: tuple[int, ...] = ()
    outputs: list[tuple[Pattern, Hashable]] = field(default_factory=list)


class TermTrie:
    """A trie over terms; :meth:`find` returns every match in a word stream in one left-to-right pass."""

    def __init__(self, lemma_fn: LemmaFn = no_lemmas, *, fold: bool = False, max_gap: int = 1) -> None:
        """``fold``: match on words without diacritics (patterns must be parsed with ``fold=True``);
        ``max_gap``: how many words one ``_`` may stand for (1 = exactly one)."""
        self.fold = fold
        if max_gap < 1:
            raise TaggingError(f"max_gap must be >= 1, got {max_gap}")
        self.max_gap = max_gap
        self._root = _Node()
        self._lemma_fn = lemma_fn
        self._root_cache: dict[str, list[_Node]] = {}
        self._frozen = False
        self.size = 0

    def add(self, pattern: Pattern, payload: Hashable) -> None:
        if self._frozen:
            raise TaggingError("TermTrie.add after the first find()")
        nodes = [self._root]
        for term in pattern.terms:
            nxt: list[_Node] = []
            for node in nodes:
                nxt.extend(self._children(node, term))
            nodes = list({id(n): n for n in nxt}.values())
        for node in nodes:
            if (pattern, payload) not in node.outputs:
                node.outputs.append((pattern, payload))
        self.size += 1

    def add_all(self, sources: Iterable[str], payload: Hashable, *, cased: bool = False) -> None:
        for source in sources:
            self.add(parse_pattern(source, cased=cased, fold=self.fold), payload)

    def _children(self, node: _Node, term: Term) -> list[_Node]:
        if term.kind == "gap":
            if node.gap is None:
                node.gap = _Node(via_gap=True)
            return [node.gap]
        if term.kind == "prefix":
            return [node.prefix.setdefault(term.value, _Node())]
        if term.kind == "suffix":
            return [node.suffix.setdefault(term.value, _Node())]
        if term.kind == "infix":
            return [node.infix.setdefault(term.value, _Node())]
        keys = [term.value]
        if term.case is None or term.case == "cap":
            keys.extend(self._lemma_fn(term.value))
        return [node.exact.setdefault(k, _Node()) for k in dict.fromkeys(keys)]

    def _freeze(self) -> None:
        stack = [self._root]
        while stack:
            node = stack.pop()
            node.prefix_lens = tuple(sorted({len(k) for k in node.prefix}))
            node.suffix_lens = tuple(sorted({len(k) for k in node.suffix}))
            stack.extend(node.exact.values())
            stack.extend(node.prefix.values())
            stack.extend(node.suffix.values())
            stack.extend(node.infix.values())
            if node.gap is not None:
                stack.append(node.gap)
        self._frozen = True

    def _step(self, node: _Node, word: Word) -> list[_Node]:
        out: list[_Node] = []
        norm = word.fold if self.fold else word.norm
        child = node.exact.get(norm)
        if child is not None:
            out.append(child)
        for lemma in word.lemmas:
            child = node.exact.get(lemma)
            if child is not None and all(child is not o for o in out):
                out.append(child)
        n = len(norm)
        for length in node.prefix_lens:
            if length > n:
                break
            child = node.prefix.get(norm[:length])
            if child is not None:
                out.append(child)
        for length in node.suffix_lens:
            if length > n:
                break
            child = node.suffix.get(norm[n - length:])
            if child is not None:
                out.append(child)
        for part, child in node.infix.items():
            if part in norm:
                out.append(child)
        if node.gap is not None:
            out.append(node.gap)
        return out

    def _root_step(self, word: Word) -> list[_Node]:
        key = word.fold if self.fold else word.norm
        cached = self._root_cache.get(key)
        if cached is None:
            cached = self._step(self._root, word)
            if len(self._root_cache) > 100_000:
                self._root_cache.clear()
            self._root_cache[key] = cached
        return cached

    def find(self, words: Sequence[Word]) -> list[Match]:
        """Every match (overlapping ones included) whose words all satisfy their case rules."""
        if not self._frozen:
            self._freeze()
        matches: list[Match] = []
        n = len(words)
        for i in range(n):
            frontier = self._root_step(words[i])
            j = i
            extra = self.max_gap - 1
            states: list[tuple[_Node, int]] = [(node, extra) for node in frontier]
            while states:
                for node, _left in states:
                    for pattern, payload in node.outputs:
                        if _case_ok(pattern, words, i, j + 1):
                            matches.append(Match(i, j + 1, pattern, payload))
                j += 1
                if j >= n:
                    break
                nxt: list[tuple[_Node, int]] = []
                for node, left in states:
                    for child in self._step(node, words[j]):
                        nxt.append((child, extra if child is node.gap else left))
                    if left > 0 and node.via_gap:
                        nxt.append((node, left - 1))  # a gap may stretch over up to max_gap words
                states = nxt
        return matches


def _case_ok(pattern: Pattern, words: Sequence[Word], start: int, end: int) -> bool:
    if words[start].sent != words[end - 1].sent:
        return False
    if len(pattern.terms) != end - start:
        return True  # a stretched gap: no case rules on gap patterns
    for k, term in enumerate(pattern.terms):
        word = words[start + k]
        if term.case is None:
            continue
        if term.case == "cap":
            if not word.raw[:1].isupper():
                return False
        elif word.raw != term.case:
            return False
    return True


def select_longest(matches: Iterable[Match]) -> list[Match]:
    """Non-overlapping matches, preferring the longest, then the most specific, then the leftmost."""
    ranked = sorted(matches, key=lambda m: (-(m.end - m.start), -m.pattern.specificity, m.start))
    taken: list[Match] = []
    used: set[int] = set()
    for m in ranked:
        span = range(m.start, m.end)
        if any(i in used for i in span):
            continue
        used.update(span)
        taken.append(m)
    taken.sort(key=lambda m: m.start)
    return taken
