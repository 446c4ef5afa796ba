"""Proximity rules (``near:`` in a language's indicator file): one word or phrase from every slot, close together.

Europe Media Monitor's categories combine keywords with boolean and proximity operators; phrase lists alone
miss the many ways a reporter words the same fact ("gunmen shot dozens of villagers", "villagers were gunned
down"). A rule like ``[$kill, @civilians]`` finds a killing word and a civilian word (or a targeted group)
within ``within`` words of one sentence, in either order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

from vigil.nlp.lexicon import LanguageLexicon, NearRule
from vigil.nlp.normalize import Word
from vigil.nlp.terms import Match, Pattern, Term, TermTrie, parse_pattern

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class SlotKey:
    """Trie payload of a slot pattern: rule ``rule``, slot ``slot``."""

    rule: int
    slot: int


@dataclass(frozen=True, slots=True)
class CompiledRule:
    category: str
    within: int
    refs: tuple[frozenset[str], ...]  # per slot
    pattern: Pattern  # what a hit reports as its pattern (never a single word)


def compile_rules(lex: LanguageLexicon, trie: TermTrie) -> list[CompiledRule]:
    """Add every slot pattern of ``lex``'s proximity rules to ``trie`` and return the rules in order."""
    rules: list[CompiledRule] = []
    for cid, spec in lex.categories.items():
        for rule in spec.near:
            rules.append(_compile(cid, rule, lex, trie, len(rules)))
    return rules


def _compile(cid: str, rule: NearRule, lex: LanguageLexicon, trie: TermTrie, index: int) -> CompiledRule:
    refs = []
    for k, slot in enumerate(rule.all):
        patterns, slot_refs = lex.expand(slot)
        for source in patterns:
            trie.add(parse_pattern(source), SlotKey(index, k))
        refs.append(slot_refs)
    marker = tuple(Term("exact", f"slot{k}") for k in range(len(rule.all)))
    return CompiledRule(cid, rule.within, tuple(refs), Pattern(rule.source, marker))


def find_near(rules: Sequence[CompiledRule], slot_matches: Iterable[Match], words: Sequence[Word],
              ref_spans: Mapping[str, Sequence[Span]]) -> list[Match]:
    """Every rule hit: the tightest combination of one span per slot around each first-slot span."""
    per_slot: dict[tuple[int, int], list[Span]] = {}
    for m in slot_matches:
        key = m.payload
        assert isinstance(key, SlotKey)
        per_slot.setdefault((key.rule, key.slot), []).append((m.start, m.end))
    candidate_rules = {r for r, _ in per_slot}
    out: list[Match] = []
    for r in sorted(candidate_rules):
        rule = rules[r]
        slots: list[list[Span]] = []
        for k, refs in enumerate(rule.refs):
            spans = list(per_slot.get((r, k), ()))
            for ref in refs:
                spans.extend(ref_spans.get(ref, ()))
            if not spans:
                break
            slots.append(sorted(set(spans)))
        else:
            out.extend(Match(a, b, rule.pattern, rule.category) for a, b in _combinations(slots, rule.within, words))
    return out


def _combinations(slots: list[list[Span]], within: int, words: Sequence[Word]) -> list[Span]:
    """Extents (first word, end) of the tightest non-overlapping pick per anchor in the first slot."""
    found: set[Span] = set()
    for anchor in slots[0]:
        sent = words[anchor[0]].sent
        options = []
        for spans in slots[1:]:
            near = [s for s in spans if words[s[0]].sent == sent
                    and max(s[1], anchor[1]) - min(s[0], anchor[0]) <= within]
            if not near:
                break
            options.append(near)
        else:
            best: Span | None = None
            for pick in product(*options):
                chosen = (anchor, *pick)
                if any(_overlap(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]):
                    continue
                extent = (min(s[0] for s in chosen), max(s[1] for s in chosen))
                if extent[1] - extent[0] <= within and (best is None or extent[1] - extent[0] < best[1] - best[0]):
                    best = extent
            if best is not None:
                found.add(best)
    return sorted(found)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
