"""Country, actor and group gazetteers: pattern lists per language, built from maintained data plus config.

Countries come from pycountry (codes, English names) and babel's CLDR data (each country's name in every
language), with ``config/countries.yaml`` adding what those lack (short forms, demonyms, capitals and
places, ambiguous names). Russian and Ukrainian names get prefix patterns so case endings match
(Судан -> Судана, Судане); German names get their genitive (Sudans).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vigil.nlp.lexicon import ActorsFile, CountriesFile, GroupsFile

log = logging.getLogger(__name__)

SUPPORTED = ("en", "fr", "es", "ar", "ru", "pt", "de", "uk")
MULTI = "xx"

# Forms CLDR's main names miss and news uses everywhere; the curated file adds the rest.
_BUILTIN_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "US": ("U.S.", "US", "USA", "U.S.A.", "United States of America", "America"),
        "GB": ("UK", "U.K.", "Britain", "Great Britain"),
        "AE": ("UAE", "U.A.E."),
        "CD": ("DRC", "DR Congo", "Democratic Republic of Congo", "Democratic Republic of the Congo"),
        "CG": ("Republic of Congo", "Republic of the Congo", "Congo-Brazzaville"),
        "CI": ("Ivory Coast", "Cote d'Ivoire"),
        "TR": ("Turkey",),
        "MM": ("Burma",),
        "CZ": ("Czech Republic",),
        "PS": ("Palestine",),
        "HK": ("Hong Kong",),
        "CV": ("Cabo Verde",),
        "TL": ("East Timor",),
    },
    "fr": {"CD": ("RDC", "RD Congo", "République démocratique du Congo"), "MM": ("Birmanie",),
           "US": ("USA",), "PS": ("Palestine",)},
    "es": {"CD": ("RDC", "República Democrática del Congo"), "MM": ("Birmania",), "US": ("EEUU", "EE UU"),
           "PS": ("Palestina",)},
    "pt": {"CD": ("RDC", "República Democrática do Congo"), "MM": ("Birmânia",), "US": ("EUA",),
           "PS": ("Palestina",)},
    "de": {"CD": ("DR Kongo", "Demokratische Republik Kongo"), "MM": ("Birma",), "US": ("USA",),
           "PS": ("Palästina",)},
    "ru": {"CD": ("ДРК", "Демократическая Республика Конго"), "US": ("США",), "PS": ("Палестина",)},
    "uk": {"CD": ("ДРК", "Демократична Республіка Конго"), "US": ("США",), "PS": ("Палестина",)},
    "ar": {"CD": ("الكونغو الديمقراطية",), "US": ("أمريكا", "امريكا"), "PS": ("فلسطين",)},
}
# Longer phrases that contain a country name but mean something else: matched, then dropped.
_BLOCKERS: dict[str, tuple[str, ...]] = {
    "en": ("New Jersey", "New Mexico", "New England", "New Guinea", "Indian Ocean", "West Indies",
           "Indian Country", "guinea pig", "guinea pigs", "Georgia Tech", "Jordan Brand", "Jersey City",
           "Turkish delight", "French fries", "Dutch oven", "Chinese checkers", "Panama hat",
           "Papua New Guinea"),
}
_BUILTIN_AMBIGUOUS = {"GE": ("Georgia",), "JO": ("Jordan",), "TD": ("Chad",)}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_RU_ADJ = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ая")
_RU_VOWELS = set("аяеиоуыьйюієїэ")
_RU_SHORT_ENDINGS = ("а", "у", "е", "ом", "ы", "и", "ой", "ю", "і", "ові")


@dataclass(frozen=True, slots=True)
class CountryPattern:
    source: str
    code: str | None  # None: a blocker
    kind: str  # name | demonym | place | blocker
    ambiguous: bool = False


def _clean_cldr(name: str) -> list[str]:
    name = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    if not name or "," in name:
        return []
    return [name]


def _inflect_cyrillic(name: str) -> list[str]:
    """Patterns for a Russian/Ukrainian name: prefix stems so case endings match."""
    words = name.split()
    if not all(_CYRILLIC.search(w) for w in words):
        return [name]
    if len(words) == 1:
        w = words[0]
        stem = w[:-1] if w[-1].lower() in _RU_VOWELS else w
        if len(stem) >= 4:
            return [stem + "*"]
        forms = [w] + [stem + e for e in _RU_SHORT_ENDINGS]
        return list(dict.fromkeys(forms))
    out: list[str] = []
    for w in words:
        low = w.lower()
        if low.endswith(_RU_ADJ) and len(w) - 2 >= 3:
            out.append(w[:-2] + "*")
        elif len(w) >= 5 and low[-1] in _RU_VOWELS:
            out.append(w[:-1] + "*")
        elif len(w) >= 4 and "-" not in w:
            out.append(w + "*")
        else:
            out.append(w)
    return [" ".join(out)]


def _expand(name: str, lang: str) -> list[str]:
    if lang in ("ru", "uk") or (lang == MULTI and _CYRILLIC.search(name)):
        return _inflect_cyrillic(name)
    if lang == "de" and name[-1:].isalpha() and name[-1] not in "sxz" and "*" not in name and " " not in name:
        return [name, name + "s"]
    return [name]


@lru_cache(maxsize=32)
def _cldr_names(lang: str) -> dict[str, list[str]]:
    import pycountry
    from babel import Locale

    codes = {c.alpha_2 for c in pycountry.countries}
    out: dict[str, list[str]] = {}
    territories: dict[str, str] = {}
    try:
        territories = dict(Locale.parse(lang).territories)
    except (ValueError, LookupError):
        log.warning("babel has no CLDR territory names for %r", lang)
    for code in codes:
        names: list[str] = []
        local = territories.get(code)
        if local:
            names.extend(_clean_cldr(local))
        if lang == "en":
            country = pycountry.countries.get(alpha_2=code)
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value:
                    names.extend(_clean_cldr(value))
        out[code] = list(dict.fromkeys(names))
    return out


def _languages_for(lang: str) -> tuple[str, ...]:
    return SUPPORTED if lang == MULTI else (lang,)


def country_patterns(lang: str, curated: CountriesFile | None) -> tuple[CountryPattern, ...]:
    """Every country pattern for ``lang`` (``xx``: all supported languages at once)."""
    return tuple(_iter_country_patterns(lang, curated))


def _iter_country_patterns(lang: str, curated: CountriesFile | None) -> Iterator[CountryPattern]:
    entries = curated.countries if curated is not None else {}
    ambiguous: dict[str, set[str]] = {code: set(names) for code, names in _BUILTIN_AMBIGUOUS.items()}
    for code, entry in entries.items():
        ambiguous.setdefault(code, set()).update(entry.ambiguous)
    for one in _languages_for(lang):
        per_code: dict[str, list[tuple[str, str]]] = {}
        for code, cldr in _cldr_names(one).items():
            per_code.setdefault(code, []).extend((n, "name") for n in cldr)
        for code, builtin in _BUILTIN_NAMES.get(one, {}).items():
            per_code.setdefault(code, []).extend((n, "name") for n in builtin)
        for code, entry in entries.items():
            for kind, table in (("name", entry.names), ("demonym", entry.demonyms), ("place", entry.places)):
                per_code.setdefault(code, []).extend((n, kind) for n in table.get(one, ()))
            per_code.setdefault(code, []).extend((n, "name") for n in entry.ambiguous)
        for code, forms in per_code.items():
            amb = ambiguous.get(code, set())
            for source, kind in dict.fromkeys(forms):
                for pattern in _expand(source, one):
                    yield CountryPattern(pattern, code, kind, source in amb)
        for blocker in _BLOCKERS.get(one, ()):
            yield CountryPattern(blocker, None, "blocker")


def not_if_near(curated: CountriesFile | None) -> dict[str, tuple[str, ...]]:
    out = {"GE": ("Atlanta", "Savannah", "Peach State", "Alabama", "Florida", "state senator", "governor of Georgia"),
           "JO": ("Michael", "basketball", "NBA"), "TD": ()}
    if curated is not None:
        for code, entry in curated.countries.items():
            if entry.not_if_near:
                out[code] = tuple(entry.not_if_near)
    return out


# --------------------------------------------------------------------------- actors and groups


@dataclass(frozen=True, slots=True)
class EntityPattern:
    source: str
    id: str
    name: str
    kind: str
    country: str | None


def _alias_languages(lang: str, available: Iterable[str]) -> list[str]:
    if lang == MULTI:
        return list(available)
    return [lang] + (["en"] if lang != "en" else [])


def actor_patterns(lang: str, actors: ActorsFile) -> list[EntityPattern]:
    """Aliases of every actor in ``lang`` plus English (English names travel); ``xx``: all languages."""
    out: list[EntityPattern] = []
    for actor in actors.actors:
        for one in _alias_languages(lang, actor.aliases):
            for alias in actor.aliases.get(one, ()):
                out.append(EntityPattern(alias, actor.id, actor.name, actor.type, actor.country))
    return out


def group_patterns(lang: str, groups: GroupsFile) -> list[EntityPattern]:
    out: list[EntityPattern] = []
    for group in groups.groups:
        country = group.countries[0] if len(group.countries) == 1 else None
        for one in _alias_languages(lang, group.aliases):
            for alias in group.aliases.get(one, ()):
                out.append(EntityPattern(alias, group.id, group.name, group.kind, country))
    return out


def curated_path(config_dir: Path, name: str) -> Path | None:
    path = Path(config_dir) / name
    return path if path.exists() else None
