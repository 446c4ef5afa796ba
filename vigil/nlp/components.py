"""spaCy factories: ``vigil_countries``, ``vigil_actors``, ``vigil_groups``, ``vigil_indicators``.

Each works on a blank pipeline as well as on a model's (where it also uses the NER labels), makes one pass
over the shared word stream (:mod:`vigil.nlp.normalize`), and leaves its results twice: as spans in
``doc.spans["vigil_<name>"]`` (label = country code, actor/group id or category) and as plain data in
``doc._.vigil_<name>`` (lists of dicts, cheap to serialise). Configuration is the ``config_dir`` path.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from vigil.errors import TaggingError
from vigil.nlp.gazetteer import (
    MULTI,
    actor_patterns,
    country_patterns,
    group_patterns,
    not_if_near,
)
from vigil.nlp.lemmas import TableLemmatizer
from vigil.nlp.lexicon import (
    CountriesFile,
    load_actors,
    load_countries,
    load_groups,
)
from vigil.nlp.normalize import LemmaFn, WordStream, build_stream, no_lemmas
from vigil.nlp.terms import Match, TermTrie, parse_pattern, select_longest

STREAM_KEY = "vigil_words"
TEXT_KEY = "vigil_text"
"""``doc.user_data`` key where the tagger leaves the text it tokenised (``doc.text`` rebuilds it each time)."""
EXTENSIONS = ("vigil_countries", "vigil_actors", "vigil_groups", "vigil_indicators", "vigil_unlisted")
for _name in EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

PERSON_LABELS = frozenset({"PERSON", "PER"})
PLACE_LABELS = frozenset({"GPE", "LOC"})
NOT_PLACE_LABELS = frozenset({"PERSON", "PER", "ORG", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT"})
UNLISTED_LABELS = frozenset({"PERSON", "PER", "ORG", "NORP"})


def lemma_fn_for(nlp: Language) -> LemmaFn:
    """Lemma candidates from the pipeline's (possibly disabled) rule lemmatizer; none on blank pipelines."""
    cached = getattr(nlp, "_vigil_lemma_fn", None)
    if cached is not None:
        return cached
    table = TableLemmatizer.from_nlp(nlp)
    fn = table.candidates if table is not None else no_lemmas
    nlp._vigil_lemma_fn = fn  # type: ignore[attr-defined]
    return fn


def get_stream(doc: Doc, lemma_fn: LemmaFn = no_lemmas) -> WordStream:
    """The doc's word stream, built once and shared by every component."""
    stream = doc.user_data.get(STREAM_KEY)
    if isinstance(stream, WordStream):
        return stream
    text = doc.user_data.get(TEXT_KEY)
    if not isinstance(text, str):
        text = doc.text  # rebuilt from the tokens on every access: read it once
    has_sents = doc.has_annotation("SENT_START")
    bounds = [(s.start_char, s.end_char) for s in doc.sents] if has_sents else [(0, len(text))]
    stream = build_stream(text, split_paragraphs(text, bounds), lemma_fn)
    doc.user_data[STREAM_KEY] = stream
    return stream


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str, bounds: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence bounds with a paragraph break (blank line, e.g. after the title) always ending a sentence."""
    out: list[tuple[int, int]] = []
    for start, end in bounds:
        cut = start
        for m in _PARAGRAPH.finditer(text, start, end):
            if text[cut:m.start()].strip():
                out.append((cut, m.start()))
            cut = m.end()
        if text[cut:end].strip() or not out:
            out.append((cut, end))
    return out


def _word_index(stream: WordStream, start_char: int, end_char: int) -> tuple[int, int]:
    starts = [w.start for w in stream.words]
    i = bisect.bisect_left(starts, start_char)
    j = bisect.bisect_left(starts, end_char)
    return i, j


def _set_spans(doc: Doc, key: str, items: Sequence[dict[str, Any]], label_key: str) -> None:
    spans = []
    for item in items:
        span = doc.char_span(item["start"], item["end"], label=str(item[label_key]), alignment_mode="expand")
        if span is not None:
            spans.append(span)
    doc.spans[key] = spans


def _ents(doc: Doc) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def _covering(ents: Sequence[tuple[int, int, str]], start: int, end: int) -> tuple[int, int, str] | None:
    for ent in ents:
        if ent[0] <= start and end <= ent[1]:
            return ent
    return None


# --------------------------------------------------------------------------- countries


class CountryTagger:
    """Every country mentioned (names, demonyms, capitals, places), with the traps resolved."""

    def __init__(self, nlp: Language, config_dir: str, window: int = 20) -> None:
        self.lemma_fn = lemma_fn_for(nlp)
        path = Path(config_dir) / "countries.yaml"
        curated: CountriesFile | None = load_countries(path) if path.exists() else None
        lang = nlp.lang if nlp.lang else MULTI
        self.trie = TermTrie(self.lemma_fn, fold=True)
        for pat in country_patterns(lang, curated):
            try:
                parsed = parse_pattern(pat.source, cased=True, fold=True)
            except TaggingError as exc:
                raise TaggingError(f"{path} (or CLDR names): country {pat.code}: {exc}") from exc
            self.trie.add(parsed, (pat.code, pat.kind, pat.ambiguous))
        self.near = TermTrie(self.lemma_fn)
        for code, words in not_if_near(curated).items():
            for w in words:
                self.near.add(parse_pattern(w, cased=False), code)
        self.window = window

    def __call__(self, doc: Doc) -> Doc:
        stream = get_stream(doc, self.lemma_fn)
        words = stream.words
        found = self.trie.find(words)
        chosen = select_longest(found)
        alternatives: dict[tuple[int, int], list[Match]] = defaultdict(list)
        for m in found:
            alternatives[(m.start, m.end)].append(m)
        mentions: list[tuple[Match, list[str], bool]] = []
        for m in chosen:
            alts = alternatives[(m.start, m.end)]
            top = max(a.pattern.specificity for a in alts)
            codes = list(dict.fromkeys(a.payload[0] for a in alts if a.pattern.specificity == top))  # type: ignore[index]
            if None in codes:
                continue  # a blocker ("New Jersey")
            ambiguous = any(a.payload[2] for a in alts)  # type: ignore[index]
            mentions.append((m, codes, ambiguous))
        sure = Counter(codes[0] for _, codes, amb in mentions if len(codes) == 1 and not amb)
        ents = _ents(doc)
        near_hits: list[Match] | None = None
        items: list[dict[str, Any]] = []
        for m, codes, ambiguous in mentions:
            start, end = words[m.start].start, words[m.end - 1].end
            code = next((c for c in codes if c in sure), sorted(codes)[0]) if len(codes) > 1 else codes[0]
            ent = _covering(ents, start, end)
            if ent is not None and ent[2] in PERSON_LABELS and (ent[1] - ent[0]) > (end - start):
                continue  # "Chad Smith", "Jordan Peterson"
            if ambiguous:
                if near_hits is None:
                    near_hits = self.near.find(words)
                if any(h.payload == code and abs(h.start - m.start) <= self.window for h in near_hits):
                    continue
                if not self._confirmed(doc, stream, m, code, ent, ents, sure):
                    continue
            kind = m.payload[1]  # type: ignore[index]
            items.append({"code": code, "start": start, "end": end, "text": stream.text[start:end], "via": kind})
        doc._.vigil_countries = items
        _set_spans(doc, "vigil_countries", items, "code")
        return doc

    @staticmethod
    def _confirmed(doc: Doc, stream: WordStream, m: Match, code: str, ent: tuple[int, int, str] | None,
                   ents: Sequence[tuple[int, int, str]], sure: Counter[str]) -> bool:
        if ent is not None:
            return ent[2] in PLACE_LABELS or ent[2] not in NOT_PLACE_LABELS
        if ents:  # a model ran and did not call it a place: trust only other evidence
            return code in sure
        if code in sure:
            return True
        words = stream.words
        text = stream.text
        first, last = words[m.start], words[m.end - 1]
        sent_start = stream.sent_bounds[first.sent][0]
        if m.start > 0:
            prev = words[m.start - 1]
            at_sentence_start = text[sent_start:prev.start].strip() == ""
            if (prev.sent == first.sent and text[prev.end:first.start].isspace() and prev.raw.isalpha()
                    and prev.raw[:1].isupper() and not at_sentence_start):
                return False  # "Michael Jordan": a capitalised name before it
        if m.end < len(words):
            nxt = words[m.end]
            if (nxt.sent == first.sent and text[last.end:nxt.start].isspace() and nxt.raw.isalpha()
                    and nxt.raw[:1].isupper()):
                return False  # "Chad Smith", "Jordan Henderson"
        return True


@Language.factory("vigil_countries", default_config={"config_dir": "config", "window": 20},
                  assigns=["doc._.vigil_countries", "doc.spans"])
def make_countries(nlp: Language, name: str, config_dir: str, window: int) -> CountryTagger:
    return CountryTagger(nlp, config_dir, window)


# --------------------------------------------------------------------------- actors and groups


class EntityTagger:
    """Listed actors or groups by alias (longest match), plus NER entities no list knows (actors only)."""

    def __init__(self, nlp: Language, config_dir: str, what: str) -> None:
        self.lemma_fn = lemma_fn_for(nlp)
        self.what = what
        lang = nlp.lang if nlp.lang else MULTI
        path = Path(config_dir) / f"{what}.yaml"
        patterns = []
        if path.exists():
            patterns = (actor_patterns(lang, load_actors(path)) if what == "actors"
                        else group_patterns(lang, load_groups(path)))
        self.trie = TermTrie(self.lemma_fn, fold=True)
        for pat in patterns:
            try:
                parsed = parse_pattern(pat.source, cased=True, fold=True)
            except TaggingError as exc:
                raise TaggingError(f"{path}: {what} id {pat.id}: {exc}") from exc
            self.trie.add(parsed, (pat.id, pat.name, pat.kind, pat.country))

    def __call__(self, doc: Doc) -> Doc:
        stream = get_stream(doc, self.lemma_fn)
        words = stream.words
        items: list[dict[str, Any]] = []
        for m in select_longest(self.trie.find(words)):
            start, end = words[m.start].start, words[m.end - 1].end
            assert isinstance(m.payload, tuple)
            ident, name, kind, country = m.payload
            items.append({"id": ident, "name": name, "kind": kind, "country": country, "start": start,
                          "end": end, "text": stream.text[start:end]})
        setattr(doc._, f"vigil_{self.what}", items)
        _set_spans(doc, f"vigil_{self.what}", items, "id")
        if self.what == "actors":
            doc._.vigil_unlisted = self._unlisted(doc, stream.text, items)
        return doc

    @staticmethod
    def _unlisted(doc: Doc, text: str, listed: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        taken = [(i["start"], i["end"]) for i in listed]
        for key in ("vigil_countries", "vigil_groups"):
            taken.extend((i["start"], i["end"]) for i in (getattr(doc._, key) or ()))
        out = []
        for start, end, label in _ents(doc):
            if label not in UNLISTED_LABELS:
                continue
            if any(s < end and start < e for s, e in taken):
                continue
            out.append({"id": None, "name": text[start:end], "kind": label, "country": None,
                        "start": start, "end": end, "text": text[start:end]})
        return out


@Language.factory("vigil_actors", default_config={"config_dir": "config"},
                  assigns=["doc._.vigil_actors", "doc._.vigil_unlisted", "doc.spans"])
def make_actors(nlp: Language, name: str, config_dir: str) -> EntityTagger:
    return EntityTagger(nlp, config_dir, "actors")


@Language.factory("vigil_groups", default_config={"config_dir": "config"},
                  assigns=["doc._.vigil_groups", "doc.spans"])
def make_groups(nlp: Language, name: str, config_dir: str) -> EntityTagger:
    return EntityTagger(nlp, config_dir, "groups")


def register() -> Callable[..., Any]:
    """Importing this module registers the factories; this returns one of them (for tests and linters)."""
    return make_countries
