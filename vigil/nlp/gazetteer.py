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
        "BA": ("Bosnia",),
    },
    "fr": {"CD": ("RDC", "RD Congo", "République démocratique du Congo"), "MM": ("Birmanie",),
           "US": ("USA",), "PS": ("Palestine",), "BA": ("Bosnie",)},
    "es": {"CD": ("RDC", "República Democrática del Congo"), "MM": ("Birmania",), "US": ("EEUU", "EE UU"),
           "PS": ("Palestina",), "BA": ("Bosnia",)},
    "pt": {"CD": ("RDC", "República Democrática do Congo"), "MM": ("Birmânia",), "US": ("EUA",),
           "PS": ("Palestina",), "BA": ("Bósnia",)},
    "de": {"CD": ("DR Kongo", "Demokratische Republik Kongo"), "MM": ("Birma",), "US": ("USA",),
           "PS": ("Palästina",), "BA": ("Bosnien",)},
    "ru": {"CD": ("ДРК", "ДР Конго", "Демократическая Республика Конго"), "US": ("США",), "PS": ("Палестина",),
           "BA": ("Босния",)},
    "uk": {"CD": ("ДРК", "ДР Конго", "Демократична Республіка Конго"), "US": ("США",), "PS": ("Палестина",),
           "BA": ("Боснія",)},
    "ar": {"CD": ("الكونغو الديمقراطية",), "US": ("أمريكا", "امريكا"), "PS": ("فلسطين",), "BA": ("البوسنة",)},
}
# Longer phrases that contain a country name but mean something else: matched, then dropped.
_BLOCKERS: dict[str, tuple[str, ...]] = {
    "en": ("New Jersey", "New Mexico", "New England", "New Guinea", "Indian Ocean", "West Indies",
           "Indian Country", "guinea pig", "guinea pigs", "Georgia Tech", "Jordan Brand", "Jersey City",
           "Turkish delight", "French fries", "Dutch oven", "Chinese checkers", "Panama hat",
           "Papua New Guinea"),
}
_BUILTIN_AMBIGUOUS = {"GE": ("Georgia",), "JO": ("Jordan",), "TD": ("Chad",)}
_ENGLISH_PLACES_TOO = frozenset({"fr", "es", "pt", "de"})
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f' .\-]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ADJ_ENDINGS_2 = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ій", "ої")
_ADJ_ENDINGS = (*_ADJ_ENDINGS_2, "ська", "цька", "зька", "на", "ня")
_NOUN_A_ENDINGS = ("а", "я", "ы", "и", "і", "ї", "е", "у", "ю", "ой", "ою", "ей", "ею", "єю")


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


def _noun_forms(w: str) -> list[str]:
    """Case forms of a Russian/Ukrainian name noun (patterns; a prefix only for long consonant stems)."""
    low = w.lower()
    if low[-1] == "ы" and len(w) >= 5:
        return [w[:-1] + "*"]  # plural: Штаты, Штатов
    if low[-1] in "иі" and len(w) >= 7:
        return [w[:-1] + "*"]  # plural: Філіппіни, Нідерланди
    if "-" in w or low[-1] in "оеиіэу":
        return [w]  # indeclinable (Конго, Мали, Кабо-Верде) or hyphenated
    if low.endswith(("ия", "ія")):
        base = w[:-1]
        return [base + e for e in ("я", "и", "ю", "ей", "ї", "єю")]
    if low[-1] in "ая":
        base = w[:-1]
        forms = [base + e for e in _NOUN_A_ENDINGS]
        alternation = {"к": "ц", "г": "з", "х": "с"}.get(low[-2:-1])
        if alternation:
            forms.append(base[:-1] + alternation + "і")  # uk Америка -> Америці
        return forms
    if low[-1] == "й":
        base = w[:-1]
        return [base + e for e in ("й", "я", "ю", "ем", "е", "і", "єм")]
    if low[-1] == "ь":
        base = w[:-1]
        return [base + e for e in ("ь", "и", "і", "ю", "ем", "ью", "я")]
    if len(w) >= 4:
        return [w + "*"]
    return [w + e for e in ("", "а", "у", "е", "і", "ом", "ові")]


def _inflect_cyrillic(name: str) -> list[str]:
    """Patterns for a Russian/Ukrainian name so that case endings match (Судан -> Судане, Нігерія -> Нігерії)."""
    words = name.split()
    if "*" in name or "_" in words or not all(_CYRILLIC.search(w) for w in words):
        return [name]
    options: list[list[str]] = []
    for w in words:
        low = w.lower()
        if len(words) > 1 and len(w) >= 5 and low.endswith(_ADJ_ENDINGS):
            cut = 2 if low.endswith(_ADJ_ENDINGS_2) else 1
            options.append([w[:-cut] + "*"])
        elif len(words) > 1 and len(w) <= 2:
            options.append([w])  # и, і, та
        else:
            options.append(_noun_forms(w))
    out = [""]
    for opts in options:
        out = [f"{prefix} {o}".strip() for prefix in out for o in opts][:200]
    return out


def _inflect_german(name: str, known: set[str]) -> list[str]:
    """Genitive -s, inflected adjectives in multi-word names, and compass compounds (Ostukraine)."""
    if "*" in name:
        return [name]
    words = name.split()
    if len(words) > 1:
        return [name, " ".join(w + "*" if w.endswith("e") and w[:1].isupper() else w for w in words)]
    out = [name]
    if name[-1:].isalpha() and name[-1] not in "sxz":
        out.append(name + "s")
    for compass in ("Nord", "Süd", "Ost", "West", "Zentral"):
        compound = compass + name.lower()
        if compound.lower() not in known:
            out.append(compound)
    return out


def _expand(name: str, lang: str, known: set[str]) -> list[str]:
    if lang in ("ru", "uk") or (lang == MULTI and _CYRILLIC.search(name)):
        return _inflect_cyrillic(name)
    if lang == "de":
        return _inflect_german(name, known)
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
        if one in _ENGLISH_PLACES_TOO:
            # Cities are mostly written the same in Latin-script languages (Paris, Kinshasa, Goma): English
            # places count too unless this language's names already give the form to another country.
            owner = {n.lower(): code for code, forms in per_code.items() for n, _ in forms}
            for code, entry in entries.items():
                for place in entry.places.get("en", ()):
                    if owner.get(place.lower(), code) == code and _LATIN.fullmatch(place):
                        per_code.setdefault(code, []).append((place, "place"))
        known = {n.lower() for forms in per_code.values() for n, _ in forms}
        for code, forms in per_code.items():
            amb = ambiguous.get(code, set())
            for source, kind in dict.fromkeys(forms):
                for pattern in _expand(source, one, known):
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
