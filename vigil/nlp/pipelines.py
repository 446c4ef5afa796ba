"""Building the spaCy pipeline of one language from ``config/models.yaml``.

Model table: language -> package names to try (official name, then the registry's re-upload), then
``spacy.blank``. Only the components listed under ``run`` (NER) are executed; the rest of a model is
excluded at load time, except its rule lemmatizer, which is loaded *disabled* so that its tables can give
lemma candidates (:mod:`vigil.nlp.lemmas`). The Vigil components and a rule-based sentencizer follow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import spacy
from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language

import vigil.nlp.components
import vigil.nlp.indicators
from vigil.config import load_model
from vigil.errors import ConfigError, TaggingError

log = logging.getLogger(__name__)

_FACTORIES = (vigil.nlp.components.register(),)


class LanguageModels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: tuple[str, ...] = ()
    blank: str | None = Field(default=None, description="spacy.blank() code; default: the language itself")


class ModelTable(BaseModel):
    """``config/models.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    run: tuple[str, ...] = ("ner",)
    fallback: str = "xx"
    languages: dict[str, LanguageModels]


def load_model_table(path: Path) -> ModelTable:
    return load_model(path, ModelTable)


@dataclass(frozen=True)
class BuiltPipeline:
    nlp: Language
    language: str
    source: str  # the package loaded, or "blank:<lang>"


def _package_dir(name: str) -> Path | None:
    try:
        return Path(spacy.util.get_package_path(name))
    except (ImportError, OSError, ValueError):
        return None


def _load_model(name: str, run: tuple[str, ...]) -> Language | None:
    """Load an installed model with only ``run`` (+ a listened-to tok2vec) active; None if unusable."""
    path = _package_dir(name)
    if path is None:
        return None
    try:
        meta = spacy.util.load_meta(path / "meta.json")
        cfg = spacy.util.load_config(next(path.glob("*/config.cfg")))
    except (StopIteration, OSError, ValueError) as exc:
        log.warning("skipping spaCy model %s: %s", name, exc)
        return None
    spec = str(meta.get("spacy_version", ""))
    if spec and not spacy.util.is_compatible_version(spacy.about.__version__, spec):
        log.warning("skipping spaCy model %s: built for spaCy %s, running %s", name, spec, spacy.about.__version__)
        return None
    ner_tok2vec = cfg.get("components", {}).get("ner", {}).get("model", {}).get("tok2vec", {})
    listens = "Listener" in str(ner_tok2vec.get("@architectures", ""))
    pipes = list(cfg.get("nlp", {}).get("pipeline", []))
    keep = set(run) | {"lemmatizer"} | ({"tok2vec"} if listens else set())
    exclude = [p for p in pipes if p not in keep]
    disable = [p for p in pipes if p in keep and p not in run and p != "tok2vec"]
    try:
        return spacy.load(name, exclude=exclude, disable=disable)
    except (OSError, ImportError, ValueError) as exc:
        log.warning("could not load spaCy model %s: %s", name, exc)
        return None


def build_pipeline(language: str, table: ModelTable, config_dir: Path, *, use_models: bool = True,
                   with_indicators: bool = True) -> BuiltPipeline:
    """The full tagging pipeline for ``language`` (a code listed in the table, or the fallback)."""
    spec = table.languages.get(language, LanguageModels())
    nlp: Language | None = None
    source = ""
    if use_models:
        for name in spec.models:
            nlp = _load_model(name, table.run)
            if nlp is not None:
                source = name
                break
    if nlp is None:
        blank = spec.blank or language
        try:
            nlp = spacy.blank(blank)
        except ImportError as exc:
            raise ConfigError(f"config/models.yaml: spaCy has no language {blank!r} for spacy.blank()") from exc
        source = f"blank:{blank}"
    cfg = {"config_dir": str(config_dir)}
    try:
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("vigil_countries", config=cfg)
        nlp.add_pipe("vigil_groups", config=cfg)
        nlp.add_pipe("vigil_actors", config=cfg)
        if with_indicators:
            nlp.add_pipe("vigil_indicators", config={**cfg, "language": language})
    except ValueError as exc:
        raise TaggingError(f"cannot build the {language} pipeline: {exc}") from exc
    log.info("built %s pipeline from %s: %s", language, source, nlp.pipe_names)
    return BuiltPipeline(nlp, language, source)
