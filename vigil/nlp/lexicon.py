"""Validated models of the tagging data under ``config/`` (formats: docs/lexicon-format.md).

Every file is read with :func:`vigil.config.load_model`, so a bad file fails with one
:class:`~vigil.errors.ConfigError` that names the file, the line and the field.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vigil.config import load_model
from vigil.errors import ConfigError

_ID = re.compile(r"^[a-z0-9_]+$")
_CODE = re.compile(r"^[A-Z]{2}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _patterns(value: object) -> object:
    """Pattern lists: None is empty; bare numbers (``- 1994`` in YAML) are patterns too."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value)
    return value


# --------------------------------------------------------------------------- indicators


class Category(_Model):
    id: str
    label: str
    stages: tuple[int, ...] = ()
    risk_factors: tuple[int, ...] = ()
    severity: int = Field(ge=1, le=5)
    description: str = ""
    false_friends: str = ""

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"category id must be [a-z0-9_]+, got {value!r}")
        return value


class Taxonomy(_Model):
    """``config/indicators/taxonomy.yaml``."""

    lexicon_version: str
    categories: tuple[Category, ...]

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        ids = [c.id for c in self.categories]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"category ids listed twice: {', '.join(dup)}")
        return self

    def by_id(self) -> dict[str, Category]:
        return {c.id: c for c in self.categories}


NEAR_REFS = frozenset({"@group", "@civilians", "@armed", "@violence"})
"""Built-in slot references of proximity rules: a targeted-group mention, the co-occurrence word lists
(civilians include group mentions; armed includes armed actors)."""
MAX_NEAR_WINDOW = 30


class NearRule(_Model):
    """A proximity rule: one word or phrase from every slot, all within ``within`` words of one sentence.

    A slot is a list of patterns, ``$name`` references to the language's ``sets`` and ``@`` references
    (:data:`NEAR_REFS`). Written as ``{all: [slot, slot, ...], within: N}`` or as the bare list of slots.
    """

    all: tuple[tuple[str, ...], ...]
    within: int = Field(default=8, ge=2, le=MAX_NEAR_WINDOW)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            value = {"all": value}
        if isinstance(value, dict) and isinstance(value.get("all"), list | tuple):
            value = {**value, "all": tuple(
                _patterns([slot]) if isinstance(slot, str) else _patterns(slot) for slot in value["all"])}
        return value

    @field_validator("all")
    @classmethod
    def _slots(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        if not 2 <= len(value) <= 4:
            raise ValueError(f"a proximity rule needs 2 to 4 slots, got {len(value)}")
        for slot in value:
            if not slot:
                raise ValueError("a proximity rule has an empty slot")
            for item in slot:
                if item.startswith("@") and item not in NEAR_REFS:
                    raise ValueError(f"unknown reference {item!r}; valid: {', '.join(sorted(NEAR_REFS))}")
        if all(item.startswith("@") for slot in value for item in slot):
            raise ValueError("a proximity rule needs words or a $set in at least one slot, not only @references")
        return value

    @property
    def source(self) -> str:
        """A short readable form for evidence: ``kill*|shot dead ~ @civilians (8)``."""
        def show(slot: tuple[str, ...]) -> str:
            text = "|".join(slot[:3]) + ("|…" if len(slot) > 3 else "")
            return text
        return " ~ ".join(show(s) for s in self.all) + f" ({self.within})"


class CategoryTriggers(_Model):
    triggers: tuple[str, ...] = ()
    near: tuple[NearRule, ...] = ()
    negative: tuple[str, ...] = ()
    requires_context: bool | None = None

    @field_validator("triggers", "negative", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return _patterns(value)


class Cooccurrence(_Model):
    civilians: tuple[str, ...] = ()
    armed: tuple[str, ...] = ()
    violence: tuple[str, ...] = ()

    @field_validator("civilians", "armed", "violence", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _patterns(value)


class LanguageLexicon(_Model):
    """``config/indicators/<lang>.yaml``."""

    language: str
    sets: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    categories: dict[str, CategoryTriggers]
    negative_global: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    cooccurrence: Cooccurrence = Cooccurrence()
    historical: tuple[str, ...] = ()
    reported_speech: tuple[str, ...] = ()

    @field_validator("historical", "reported_speech", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return _patterns(value)

    @field_validator("negative_global", "sets", mode="before")
    @classmethod
    def _groups(cls, value: object) -> object:
        if isinstance(value, dict):
            return {k: _patterns(v) for k, v in value.items()}
        return value

    @field_validator("sets")
    @classmethod
    def _plain_sets(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, items in value.items():
            bad = [i for i in items if i.startswith(("@", "$"))]
            if bad:
                raise ValueError(f"sets.{name}: {bad[0]!r}: a set holds patterns only; put @ and $ references "
                                 "in the rule's slots")
        return value

    @model_validator(mode="after")
    def _known_sets(self) -> LanguageLexicon:
        for cid, spec in self.categories.items():
            for rule in spec.near:
                for slot in rule.all:
                    for item in slot:
                        if item.startswith("$") and item[1:] not in self.sets:
                            close = difflib.get_close_matches(item[1:], list(self.sets), n=1)
                            hint = f"did you mean '${close[0]}'?" if close else (
                                f"sets: {', '.join(sorted(self.sets)) or 'none'}")
                            raise ValueError(f"categories.{cid}.near: unknown set {item!r} ({hint})")
        return self

    def expand(self, slot: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
        """A slot's patterns (``$sets`` expanded) and its ``@`` references."""
        patterns: list[str] = []
        refs: set[str] = set()
        for item in slot:
            if item.startswith("@"):
                refs.add(item)
            elif item.startswith("$"):
                patterns.extend(self.sets[item[1:]])
            else:
                patterns.append(item)
        return tuple(dict.fromkeys(patterns)), frozenset(refs)


# --------------------------------------------------------------------------- actors and groups

ActorType = Literal[
    "state_force", "armed_group", "militia", "political_leader", "government", "international_body",
    "political_party",
]
ARMED_TYPES = frozenset({"state_force", "armed_group", "militia"})


def _alias_table(value: object) -> object:
    if isinstance(value, dict):
        return {k: _patterns(v) for k, v in value.items()}
    return value


class Actor(_Model):
    id: str
    name: str
    type: ActorType
    country: str | None = None
    aliases: dict[str, tuple[str, ...]]

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases(cls, value: object) -> object:
        return _alias_table(value)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"actor id must be [a-z0-9_]+, got {value!r}")
        return value

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str | None) -> str | None:
        if value is not None and not _CODE.match(value):
            raise ValueError(f"country must be an ISO 3166-1 alpha-2 code like 'SD', got {value!r}")
        return value


class ActorsFile(_Model):
    """``config/actors.yaml``."""

    version: int
    actors: tuple[Actor, ...]

    @model_validator(mode="after")
    def _unique(self) -> ActorsFile:
        ids = [a.id for a in self.actors]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"actor ids listed twice: {', '.join(dup)}")
        return self


class Group(_Model):
    id: str
    name: str
    kind: Literal["ethnic", "religious", "national", "racial"]
    countries: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]]

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases(cls, value: object) -> object:
        return _alias_table(value)


class GroupsFile(_Model):
    """``config/groups.yaml``."""

    version: int
    groups: tuple[Group, ...]

    @model_validator(mode="after")
    def _unique(self) -> GroupsFile:
        ids = [g.id for g in self.groups]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"group ids listed twice: {', '.join(dup)}")
        return self


# --------------------------------------------------------------------------- countries


class CountryEntry(_Model):
    names: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    demonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    places: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    ambiguous: tuple[str, ...] = ()
    not_if_near: tuple[str, ...] = ()

    @field_validator("names", "demonyms", "places", mode="before")
    @classmethod
    def _tables(cls, value: object) -> object:
        return {} if value is None else _alias_table(value)

    @field_validator("ambiguous", "not_if_near", mode="before")
    @classmethod
    def _lists(cls, value: object) -> object:
        return _patterns(value)


class CountriesFile(_Model):
    """``config/countries.yaml``: curated additions to pycountry and CLDR."""

    version: int
    countries: dict[str, CountryEntry]

    @field_validator("countries")
    @classmethod
    def _codes(cls, value: dict[str, CountryEntry]) -> dict[str, CountryEntry]:
        bad = [k for k in value if not _CODE.match(k)]
        if bad:
            raise ValueError(f"country keys must be ISO 3166-1 alpha-2 codes like 'SD', got {bad[:5]}")
        return value


# --------------------------------------------------------------------------- loading


class IndicatorLexicon(_Model):
    taxonomy: Taxonomy
    languages: dict[str, LanguageLexicon]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


FEEDBACK_FILE = "feedback.yaml"
"""Analysts' negative contexts (written by ``vigil review feedback --out``), merged into the lexicon."""


class Feedback(_Model):
    """``config/indicators/feedback.yaml``: negatives adopted from analysts' rejections, per category and language."""

    feedback_version: int = Field(ge=0)
    negative: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)


@lru_cache(maxsize=16)
def _load_indicators(directory: Path, _stamp: tuple[float, ...]) -> IndicatorLexicon:
    taxonomy = load_model(directory / "taxonomy.yaml", Taxonomy)
    known = taxonomy.by_id()
    languages: dict[str, LanguageLexicon] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in ("taxonomy.yaml", FEEDBACK_FILE):
            continue
        lex = load_model(path, LanguageLexicon)
        unknown = sorted(set(lex.categories) - set(known))
        if unknown:
            raise ConfigError(
                f"{path}: unknown categories {', '.join(unknown)}; valid ids: {', '.join(known)}")
        if lex.language != path.stem:
            raise ConfigError(f"{path}: language is {lex.language!r} but the file name says {path.stem!r}")
        languages[lex.language] = lex
    feedback_path = directory / FEEDBACK_FILE
    if feedback_path.exists():
        feedback = load_model(feedback_path, Feedback)
        unknown = sorted(set(feedback.negative) - set(known))
        if unknown:
            raise ConfigError(f"{feedback_path}: unknown categories {', '.join(unknown)}; valid ids: "
                              f"{', '.join(known)}")
        languages = {code: _with_feedback(lex, feedback) for code, lex in languages.items()}
        # The version names the feedback too, so precision can be compared before and after adoption.
        taxonomy = taxonomy.model_copy(
            update={"lexicon_version": f"{taxonomy.lexicon_version}+fb{feedback.feedback_version}"})
    return IndicatorLexicon(taxonomy=taxonomy, languages=languages)


def _with_feedback(lex: LanguageLexicon, feedback: Feedback) -> LanguageLexicon:
    """``lex`` with the feedback's negatives for its language added to each category."""
    categories = dict(lex.categories)
    for category, by_language in feedback.negative.items():
        extra = by_language.get(lex.language, ())
        if not extra:
            continue
        current = categories.get(category, CategoryTriggers())
        merged = tuple(dict.fromkeys((*current.negative, *extra)))
        categories[category] = current.model_copy(update={"negative": merged})
    return lex.model_copy(update={"categories": categories})


def load_indicators(directory: Path) -> IndicatorLexicon:
    """Taxonomy plus every ``<lang>.yaml`` of ``config/indicators/`` (cached until a file changes)."""
    directory = Path(directory).resolve()
    files = sorted(directory.glob("*.yaml"))
    return _load_indicators(directory, (*(_mtime(p) for p in files), len(files)))


@lru_cache(maxsize=16)
def _load_cached(path: Path, kind: str, _stamp: float) -> ActorsFile | GroupsFile | CountriesFile:
    if kind == "actors":
        return load_model(path, ActorsFile)
    if kind == "groups":
        return load_model(path, GroupsFile)
    return load_model(path, CountriesFile)


def load_actors(path: Path) -> ActorsFile:
    out = _load_cached(Path(path).resolve(), "actors", _mtime(Path(path)))
    assert isinstance(out, ActorsFile)
    return out


def load_groups(path: Path) -> GroupsFile:
    out = _load_cached(Path(path).resolve(), "groups", _mtime(Path(path)))
    assert isinstance(out, GroupsFile)
    return out


def load_countries(path: Path) -> CountriesFile:
    out = _load_cached(Path(path).resolve(), "countries", _mtime(Path(path)))
    assert isinstance(out, CountriesFile)
    return out
