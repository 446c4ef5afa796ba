"""The ``vigil_indicators`` spaCy factory: atrocity-indicator triggers with their context rules.

One pass of a trigger trie and one of a context trie over the word stream, then per hit:

- negative context (global groups like sports/finance, or the category's own list) within
  ``negative_window`` words: weight ``NEGATED_WEIGHT``, ``negated_by`` says which word;
- the co-occurrence rule (categories with ``requires_context``, default severity >= 4): a civilian word or a
  targeted group, and an armed word/actor or a violence word (the trigger itself counts), within
  ``cooccurrence_window`` words; otherwise weight ``NO_CONTEXT_WEIGHT``;
- historical and reported-speech words in the same sentence set flags (reported speech weighs a bit less).

Proximity rules (``near:``, :mod:`vigil.nlp.proximity`) add hits where words from every slot stand close
together; where one overlaps a trigger hit of the same category, the heavier hit is kept (the trigger on a tie).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from vigil.errors import TaggingError
from vigil.nlp.components import _set_spans, _word_index, get_stream, lemma_fn_for
from vigil.nlp.lexicon import ARMED_TYPES, Category, load_indicators
from vigil.nlp.normalize import WordStream
from vigil.nlp.proximity import CompiledRule, SlotKey, Span, compile_rules, find_near
from vigil.nlp.terms import Match, TermTrie, parse_pattern, select_longest

NEGATED_WEIGHT = 0.1
NO_CONTEXT_WEIGHT = 0.4
PARTIAL_CONTEXT_WEIGHT = 0.7
REPORTED_WEIGHT = 0.85
FULL_WEIGHT_THRESHOLD = 0.5
"""Hits at or above this weight count as evidence that the category is described."""


@dataclass(frozen=True, slots=True)
class _Ctx:
    kind: str  # neg | negcat | civ | armed | viol | hist | rep
    label: str


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Words between two [start, end) word spans (0 when they touch or overlap)."""
    if b[0] >= a[1]:
        return b[0] - a[1]
    if a[0] >= b[1]:
        return a[0] - b[1]
    return 0


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _single_word(m: Match) -> bool:
    return sum(1 for t in m.pattern.terms if t.kind != "gap") == 1


def _scores(stream: WordStream) -> list[tuple[int, int]]:
    """Word spans that look like match scores ("7-0", "6 – 1"): a sports context in every language."""
    out = []
    words = stream.words
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if (a.raw.isdigit() and b.raw.isdigit() and len(a.raw) <= 2 and len(b.raw) <= 2
                and stream.text[a.end:b.start].strip() in ("-", "–")):
            out.append((i, i + 2))
    return out


class IndicatorTagger:
    def __init__(self, nlp: Language, config_dir: str, language: str, negative_window: int,
                 cooccurrence_window: int, max_gap: int = 3) -> None:
        self.lemma_fn = lemma_fn_for(nlp)
        lexicon = load_indicators(Path(config_dir) / "indicators")
        lang: str = language or nlp.lang or ""
        self.version = lexicon.taxonomy.lexicon_version
        self.categories: dict[str, Category] = lexicon.taxonomy.by_id()
        self.negative_window = negative_window
        self.cooccurrence_window = cooccurrence_window
        self.triggers = TermTrie(self.lemma_fn, max_gap=max_gap)
        self.context = TermTrie(self.lemma_fn)
        self.requires: dict[str, bool] = {}
        self.near_rules: list[CompiledRule] = []
        lex = lexicon.languages.get(lang)
        self.language = lang if lex is not None else None
        for cid, cat in self.categories.items():
            self.requires[cid] = cat.severity >= 4
        if lex is None:
            return
        try:
            for cid, spec in lex.categories.items():
                if spec.requires_context is not None:
                    self.requires[cid] = spec.requires_context
                for trig in spec.triggers:
                    self.triggers.add(parse_pattern(trig), cid)
                for neg in spec.negative:
                    self.context.add(parse_pattern(neg), _Ctx("negcat", cid))
            self.near_rules = compile_rules(lex, self.triggers)
            for label, words in lex.negative_global.items():
                for w in words:
                    self.context.add(parse_pattern(w), _Ctx("neg", label))
            for kind, words in (("civ", lex.cooccurrence.civilians), ("armed", lex.cooccurrence.armed),
                                ("viol", lex.cooccurrence.violence), ("hist", lex.historical),
                                ("rep", lex.reported_speech)):
                for w in words:
                    self.context.add(parse_pattern(w), _Ctx(kind, kind))
        except TaggingError as exc:
            raise TaggingError(f"config/indicators/{lang}.yaml: {exc}") from exc

    def __call__(self, doc: Doc) -> Doc:
        if self.language is None:
            doc._.vigil_indicators = []
            doc.spans["vigil_indicators"] = []
            return doc
        stream = get_stream(doc, self.lemma_fn)
        found = self.triggers.find(stream.words)
        if not found:
            doc._.vigil_indicators = []
            doc.spans["vigil_indicators"] = []
            return doc
        per_cat: dict[str, list[Match]] = defaultdict(list)
        slot_matches: list[Match] = []
        for m in found:
            if isinstance(m.payload, SlotKey):
                slot_matches.append(m)
            else:
                per_cat[str(m.payload)].append(m)
        ctx: dict[str, list[tuple[tuple[int, int], _Ctx]]] = defaultdict(list)
        for c in self.context.find(stream.words):
            assert isinstance(c.payload, _Ctx)
            ctx[c.payload.kind].append(((c.start, c.end), c.payload))
        for score in _scores(stream):
            ctx["neg"].append((score, _Ctx("neg", "sports")))
        for item in doc._.vigil_groups or ():
            ctx["civ"].append((_word_index(stream, item["start"], item["end"]), _Ctx("civ", "group")))
        for item in doc._.vigil_actors or ():
            if item["kind"] in ARMED_TYPES:
                ctx["armed"].append((_word_index(stream, item["start"], item["end"]), _Ctx("armed", "actor")))
        hits = [self._hit(doc, stream, m, cid, ctx) for cid, ms in per_cat.items() for m in select_longest(ms)]
        if slot_matches:
            hits = self._with_near(doc, stream, hits, slot_matches, ctx)
        hits.sort(key=lambda h: (h["start"], h["category"]))
        doc._.vigil_indicators = hits
        _set_spans(doc, "vigil_indicators", hits, "category")
        return doc

    def _with_near(self, doc: Doc, stream: WordStream, hits: list[dict[str, Any]], slot_matches: list[Match],
                   ctx: dict[str, list[tuple[tuple[int, int], _Ctx]]]) -> list[dict[str, Any]]:
        """``hits`` plus the proximity hits; where one overlaps a trigger hit of its category, the heavier wins
        (the trigger on a tie: it is the sharper evidence; the proximity hit when the trigger lacked context)."""
        refs: dict[str, list[Span]] = {
            "@group": [span for span, c in ctx.get("civ", ()) if c.label == "group"],
            "@civilians": [span for span, _ in ctx.get("civ", ())],
            "@armed": [span for span, _ in ctx.get("armed", ())],
            "@violence": [span for span, _ in ctx.get("viol", ())],
        }
        per_cat: dict[str, list[Match]] = defaultdict(list)
        for m in find_near(self.near_rules, slot_matches, stream.words, refs):
            per_cat[str(m.payload)].append(m)
        out = list(hits)
        for cid, ms in per_cat.items():
            for m in select_longest(ms):
                hit = self._hit(doc, stream, m, cid, ctx)
                rivals = [h for h in out if h["category"] == cid and h["start"] < hit["end"]
                          and hit["start"] < h["end"]]
                if any(r["weight"] >= hit["weight"] for r in rivals):
                    continue
                out = [h for h in out if all(h is not r for r in rivals)]
                out.append(hit)
        return out

    def _hit(self, doc: Doc, stream: WordStream, m: Match, cid: str,
             ctx: dict[str, list[tuple[tuple[int, int], _Ctx]]]) -> dict[str, Any]:
        words = stream.words
        span = (m.start, m.end)
        sent = words[m.start].sent
        start, end = words[m.start].start, words[m.end - 1].end
        cat = self.categories[cid]
        weight = 1.0
        negated_by: str | None = None

        def near(kind: str, window: int, label: str | None = None, *, overlap: bool = False,
                 sentence: bool = False) -> tuple[tuple[int, int], _Ctx] | None:
            for other, c in ctx.get(kind, ()):
                if label is not None and c.label != label:
                    continue
                if _overlaps(span, other):
                    if overlap:
                        return other, c
                    continue
                if _gap(span, other) < window or (sentence and words[other[0]].sent == sent):
                    return other, c
            return None

        # A negative word anywhere in the sentence, or within the window, or covering the trigger itself
        # ("exterminator" for "exterminat*"), cancels it.
        neg = (near("negcat", self.negative_window, cid, overlap=True, sentence=True)
               or near("neg", self.negative_window, overlap=True, sentence=True))
        if neg is not None:
            (a, b), c = neg
            weight = NEGATED_WEIGHT
            label = "category" if c.kind == "negcat" else c.label
            negated_by = f"{label}:{stream.text[words[a].start:words[b - 1].end]}"
        elif (self.requires.get(cid, False) and _single_word(m)
              and not any(words[o[0]].sent == sent for o, _ in ctx.get("hist", ()))):
            # Only single-word triggers ("massacre", "siege") need context: a phrase ("mass arrests",
            # "re-education camp") is specific enough, and naming a past atrocity at a commemoration or
            # trial needs no violence words around it.
            w = self.cooccurrence_window
            has_target = near("civ", w) is not None
            self_violent = any(_overlaps(span, o) for o, _ in ctx.get("viol", ()))
            other_force = near("armed", w) is not None or near("viol", w) is not None
            has_force = self_violent or other_force
            if not (has_target or other_force):
                weight = NO_CONTEXT_WEIGHT
            elif not (has_target and has_force):
                weight = PARTIAL_CONTEXT_WEIGHT
        historical = any(words[o[0]].sent == sent for o, _ in ctx.get("hist", ()))
        reported = any(words[o[0]].sent == sent for o, _ in ctx.get("rep", ()))
        if reported and weight == 1.0:
            weight = REPORTED_WEIGHT
        return {
            "category": cid, "severity": cat.severity, "text": stream.text[start:end],
            "sentence": stream.sentence_text(sent), "sent": sent, "start": start, "end": end,
            "pattern": m.pattern.source, "lexicon_version": self.version, "weight": weight,
            "historical": historical, "reported_speech": reported, "negated_by": negated_by,
        }


@Language.factory(
    "vigil_indicators",
    default_config={"config_dir": "config", "language": "", "negative_window": 10, "cooccurrence_window": 15,
                    "max_gap": 3},
    assigns=["doc._.vigil_indicators", "doc.spans"],
)
def make_indicators(nlp: Language, name: str, config_dir: str, language: str, negative_window: int,
                    cooccurrence_window: int, max_gap: int) -> IndicatorTagger:
    return IndicatorTagger(nlp, config_dir, language, negative_window, cooccurrence_window, max_gap)
