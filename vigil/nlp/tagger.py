"""The tagger: language decision, one cached spaCy pipeline per language, and :class:`Tags` out.

The tagged text is ``title + "\\n\\n" + text`` when there is a title; every offset refers to it.
``tag_many`` batches with ``nlp.pipe`` per language and can fan out to worker processes (each builds
its own pipelines once); results always come back in input order.
"""

from __future__ import annotations

import bisect
import logging
import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from vigil.errors import TaggingError
from vigil.nlp.components import STREAM_KEY, TEXT_KEY
from vigil.nlp.events import Located, build_events
from vigil.nlp.language import detect_language, iso639_1
from vigil.nlp.lexicon import load_indicators
from vigil.nlp.normalize import WordStream
from vigil.nlp.pipelines import BuiltPipeline, ModelTable, build_pipeline, load_model_table
from vigil.records import Article, CountryMention, EntityMention, IndicatorHit, Span, Tags

log = logging.getLogger(__name__)

TITLE_BOOST = 2.0
"""A title mention counts this many extra mentions when choosing the focus country."""
MAX_SPANS = 20
MAX_UNLISTED = 50


class TagInput(BaseModel):
    """One text to tag (the ``vigil tag`` input line)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    text: str
    title: str = ""
    language: str | None = None

    @property
    def tagged_text(self) -> str:
        return f"{self.title}\n\n{self.text}" if self.title else self.text

    @property
    def title_end(self) -> int:
        return len(self.title) if self.title else 0

    @classmethod
    def from_article(cls, article: Article) -> TagInput:
        return cls(id=article.id, text=article.text, title=article.title, language=article.language)


class Tagger:
    """Tags texts with countries, actors, groups, indicator hits and events."""

    def __init__(self, config_dir: Path, table: ModelTable, *, languages: Sequence[str] | None = None,
                 use_models: bool = True, processes: int = 1) -> None:
        if processes < 1:
            raise TaggingError(f"processes must be >= 1, got {processes}")
        self.processes = processes
        self.config_dir = Path(config_dir)
        self.table = table
        self.use_models = use_models
        self.languages = tuple(languages) if languages is not None else tuple(table.languages)
        self._pipelines: dict[str, BuiltPipeline] = {}
        self._lexicon_version = load_indicators(self.config_dir / "indicators").taxonomy.lexicon_version

    @classmethod
    def from_config(cls, config_dir: Path, *, languages: Sequence[str] | None = None,
                    use_models: bool = True, processes: int = 1) -> Tagger:
        """Read ``models.yaml`` and the indicator lexicon now; pipelines are built on first use.

        ``processes`` is the default for :meth:`tag_many` on batches big enough to pay for workers."""
        config_dir = Path(config_dir)
        table = load_model_table(config_dir / "models.yaml")
        return cls(config_dir, table, languages=languages, use_models=use_models, processes=processes)

    @property
    def lexicon_version(self) -> str:
        return self._lexicon_version

    def pipeline_language(self, language: str) -> str:
        """The pipeline a language runs on: its own when configured, else the multilingual fallback."""
        return language if language in self.languages and language in self.table.languages else self.table.fallback

    def pipeline(self, language: str) -> BuiltPipeline:
        key = self.pipeline_language(language)
        built = self._pipelines.get(key)
        if built is None:
            built = build_pipeline(key, self.table, self.config_dir, use_models=self.use_models,
                                   with_indicators=key != self.table.fallback)
            self._pipelines[key] = built
        return built

    def language_of(self, item: TagInput) -> str:
        given = iso639_1(item.language)
        if given:
            return given
        return detect_language(item.text, title=item.title).code

    # ------------------------------------------------------------------ tagging

    def tag(self, item: TagInput) -> Tags:
        return next(self.tag_many([item]))

    def tag_article(self, article: Article) -> Tags:
        """Tag an ingested article (its language is already decided)."""
        return self.tag(TagInput.from_article(article))

    def warm_up(self, languages: Iterable[str]) -> None:
        """Build the pipelines of ``languages`` now (before forking workers, they then share them)."""
        for lang in languages:
            self.pipeline(lang)
        detect_language("warm up the language detector with a sentence")

    def tag_many(self, items: Iterable[TagInput], *, batch_size: int = 32,
                 n_process: int | None = None) -> Iterator[Tags]:
        """Tags for every item, in input order; ``n_process > 1`` uses worker processes.

        ``n_process`` None means the tagger's ``processes``, used only when ``items`` is a sequence of at least
        two batches per process (smaller ones are faster in this process)."""
        if batch_size < 1:
            raise TaggingError(f"batch_size must be >= 1, got {batch_size}")
        if n_process is None:
            n_process = self.processes
            if isinstance(items, Sequence) and len(items) < 2 * batch_size * n_process:
                n_process = 1
        chunks = _chunks(items, batch_size)
        if n_process <= 1:
            for chunk in chunks:
                yield from self._tag_chunk(chunk)
            return
        global _worker
        if "fork" in multiprocessing.get_all_start_methods():
            # Forked workers inherit this tagger and the pipelines it has built (shared copy-on-write).
            _worker = self
            pool = multiprocessing.get_context("fork").Pool(n_process)
        else:
            pool = multiprocessing.get_context("spawn").Pool(n_process, initializer=_init_worker,
                                                             initargs=(self._spec(),))
        with pool:
            for tags in pool.imap(_work, chunks, chunksize=1):
                yield from tags

    def _spec(self) -> dict[str, Any]:
        return {"config_dir": str(self.config_dir), "table": self.table, "languages": self.languages,
                "use_models": self.use_models}

    def _tag_chunk(self, chunk: Sequence[TagInput]) -> list[Tags]:
        langs = [self.language_of(item) for item in chunk]
        groups: dict[str, list[int]] = defaultdict(list)
        for i, lang in enumerate(langs):
            groups[self.pipeline_language(lang)].append(i)
        out: list[Tags | None] = [None] * len(chunk)
        for key, indexes in groups.items():
            nlp = self.pipeline(key).nlp
            docs = (_make_doc(nlp, chunk[i].tagged_text) for i in indexes)
            for i, doc in zip(indexes, nlp.pipe(docs, batch_size=len(indexes)), strict=True):
                out[i] = self._to_tags(doc, chunk[i], langs[i])
        return [t for t in out if t is not None]

    # ------------------------------------------------------------------ doc -> Tags

    def _to_tags(self, doc: Doc, item: TagInput, language: str) -> Tags:
        stream = doc.user_data.get(STREAM_KEY)
        bounds = [b[0] for b in stream.sent_bounds] if isinstance(stream, WordStream) else [0]

        def sent_of(start: int) -> int:
            return max(bisect.bisect_right(bounds, start) - 1, 0)

        title_end = item.title_end
        country_items = doc._.vigil_countries or []
        countries = _countries(country_items, title_end)
        focus = next((c.code for c in countries if c.focus), None)
        actors = _entities(doc._.vigil_actors or [])
        groups = _entities(doc._.vigil_groups or [])
        unlisted = _entities(doc._.vigil_unlisted or [], by_name=True)[:MAX_UNLISTED]
        version = self._lexicon_version
        hits: list[tuple[IndicatorHit, int]] = []
        for h in doc._.vigil_indicators or []:
            data = {k: v for k, v in h.items() if k != "sent"}
            hits.append((IndicatorHit(**data), int(h["sent"])))
        events = build_events(
            item.id, hits,
            [Located(c["code"], sent_of(c["start"]), c["start"]) for c in country_items],
            focus,
            [Located(a["id"], sent_of(a["start"]), a["start"]) for a in doc._.vigil_actors or []],
            [Located(g["id"], sent_of(g["start"]), g["start"]) for g in doc._.vigil_groups or []],
        )
        return Tags(language=language, countries=countries, actors=actors, groups=groups, unlisted=unlisted,
                    indicators=tuple(h for h, _ in hits), events=tuple(events), lexicon_version=version)


def _countries(items: Sequence[dict[str, Any]], title_end: int) -> tuple[CountryMention, ...]:
    if not items:
        return ()
    counts = Counter(i["code"] for i in items)
    in_title = Counter(i["code"] for i in items if i["start"] < title_end)
    first: dict[str, int] = {}
    for i in items:
        first.setdefault(i["code"], i["start"])
    ranked = sorted(counts, key=lambda c: (-(counts[c] + TITLE_BOOST * in_title[c]), first[c]))
    focus = ranked[0]
    return tuple(
        CountryMention(code=c, count=counts[c], focus=c == focus,
                       spans=tuple(Span(start=i["start"], end=i["end"], text=i["text"])
                                   for i in items if i["code"] == c)[:MAX_SPANS])
        for c in ranked
    )


def _entities(items: Sequence[dict[str, Any]], *, by_name: bool = False) -> tuple[EntityMention, ...]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for i in items:
        grouped[(i["name"], i["kind"]) if by_name else i["id"]].append(i)
    out = [
        EntityMention(id=g[0]["id"], name=g[0]["name"], kind=g[0]["kind"], country=g[0]["country"], count=len(g),
                      spans=tuple(Span(start=i["start"], end=i["end"], text=i["text"]) for i in g)[:MAX_SPANS])
        for g in grouped.values()
    ]
    out.sort(key=lambda e: (-e.count, e.spans[0].start if e.spans else 0))
    return tuple(out)


def _make_doc(nlp: Language, text: str) -> Doc:
    doc = nlp.make_doc(text)
    doc.user_data[TEXT_KEY] = text
    return doc


def _chunks(items: Iterable[TagInput], size: int) -> Iterator[list[TagInput]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


_worker: Tagger | None = None


def _init_worker(spec: dict[str, Any]) -> None:
    global _worker
    _worker = Tagger(Path(spec["config_dir"]), spec["table"], languages=spec["languages"],
                     use_models=spec["use_models"])


def _work(chunk: list[TagInput]) -> list[Tags]:
    assert _worker is not None
    return _worker._tag_chunk(chunk)
