"""Check config/actors.yaml, config/groups.yaml and config/countries.yaml.

Validates the formats described in docs/lexicon-format.md and prints counts:
ids unique, types/kinds known, ISO 3166-1 alpha-2 codes valid (pycountry plus XK),
pattern syntax (1-6 terms, stems with >= 4 letters), short aliases only as acronyms,
no alias shared by two actors or two groups unless listed in ALLOWED_SHARED, and the
country coverage targets (demonyms, capitals, places, traps).

Usage: python bench/check_reference_data.py [--config DIR] [--verbose]
Exit status 1 when an error is found; warnings and informational overlaps do not fail.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pycountry
import yaml

LANGS = ("en", "fr", "es", "ar", "ru", "pt", "de", "uk")
EXTRA_LANGS = ("sw", "tr")
ACTOR_TYPES = {
    "state_force",
    "armed_group",
    "militia",
    "political_leader",
    "government",
    "international_body",
    "political_party",
}
GROUP_KINDS = {"ethnic", "religious", "national", "racial"}
COUNTRY_KEYS = {"names", "demonyms", "places", "ambiguous", "not_if_near"}
USER_ASSIGNED_CODES = {"XK"}
MIN_STEM = 4
MAX_TERMS = 6

# Aliases deliberately shared by two entries (truly ambiguous; the tagger must
# disambiguate by country context). Keys are normalised aliases.
ALLOWED_SHARED: dict[str, set[str]] = {
    "SNA": {"somali_national_army", "syrian_national_army"},
    "BIR": {"bir_cameroon", "bir_burkina"},
    "ASWJ": {"islamic_state_mozambique", "aswj_pakistan"},
}
# Countries whose English demonym is shared with a neighbour and therefore
# assigned to the more frequent one only (CG -> CD "Congolese", DM -> DO "Dominican").
DEMONYM_EXEMPT = {"CG", "DM"}
# Capitals are required for every UN member plus these.
CAPITAL_EXTRA = {"PS", "VA", "XK", "TW", "EH"}
_UN_MEMBERS_TEXT = """AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI
    CV KH CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC EG SV GQ ER EE SZ
    ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ
    KE KI KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MD MC MN ME MA MZ
    MM NA NR NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR RO RU RW KN LC VC WS
    SM ST SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TZ TH TL TG TO TT TN TR
    TM TV UG UA AE GB US UY UZ VU VE VN YE ZM ZW"""
UN_MEMBERS = frozenset(_UN_MEMBERS_TEXT.split())
# Traps from /work/shared/docs/domain.md that must be present.
REQUIRED_AMBIGUOUS = {
    "GE": "Georgia",
    "JO": "Jordan",
    "TD": "Chad",
    "NE": "Niger",
    "CD": "Congo",
    "GN": "Guinea",
    "TR": "Turkey",
}
REQUIRED_NAMES = {
    "SS": "South Sudan",
    "GW": "Guinea-Bissau",
    "GQ": "Equatorial Guinea",
    "PG": "Papua New Guinea",
    "MM": "Burma",
    "CI": "Ivory Coast",
    "CD": "DRC",
    "CG": "Congo-Brazzaville",
    "TR": "Türkiye",
}

# (owner, alias) of every name/demonym/place/alias pattern, filled while checking.
ALL_PATTERNS: list[tuple[str, str]] = []

_AR_LETTERS = re.compile("[\u0621-\u064a]")
_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})


class Report:
    """Collects errors, warnings and informational notes."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.info: list[str] = []

    def error(self, msg: str) -> None:
        self.errors.append(msg)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)


def is_acronym_token(tok: str) -> bool:
    """Acronym: >= 2 capitals and at least as many capitals as lower-case letters (FAMa, LeJ, G9 count)."""
    upper = sum(1 for c in tok if c.isupper())
    lower = sum(1 for c in tok if c.islower())
    if upper == 0:
        return False
    if lower == 0:
        return True
    return upper >= 2 and upper >= lower


def _letters(s: str) -> int:
    return sum(1 for c in s if c.isalpha())


def normalise_term(term: str) -> str:
    """Normalise one term as lexicon-format.md describes (approximation used for duplicate checks)."""
    t = unicodedata.normalize("NFKC", term)
    if not is_acronym_token(t):
        t = t.lower()
    t = t.replace("ё", "е").replace("Ё", "Е")
    if _AR_LETTERS.search(t):
        t = _AR_MARKS.sub("", t).translate(_AR_MAP)
        if len(t) > 1 and t[0] in "وف" and _letters(t[1:]) >= 3:
            t = t[1:]
        if len(t) > 1 and t[0] in "بلك" and _letters(t[1:]) >= 3:
            t = t[1:]
        if t.startswith("ال") and _letters(t[2:]) >= 3:
            t = t[2:]
    return t


def fold(text: str) -> str:
    """Drop diacritics the way the tagger's matching key does (Malí -> mali, Séléka -> seleka, й -> и)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


def normalise_alias(alias: str) -> str:
    """Matching key of a whole alias: terms normalised, then diacritics folded (the tagger matches with fold=True)."""
    return " ".join(fold(normalise_term(t)) for t in alias.split())


def check_pattern(alias: Any, where: str, rep: Report) -> bool:
    """Validate one pattern; return True when it is usable."""
    if not isinstance(alias, str) or not alias.strip():
        rep.error(f"{where}: alias is not a non-empty string: {alias!r}")
        return False
    terms = alias.split()
    if len(terms) > MAX_TERMS:
        rep.error(f"{where}: {alias!r} has {len(terms)} terms (max {MAX_TERMS})")
    for term in terms:
        if term == "_":
            continue
        stars = term.count("*")
        if stars > 1 or (stars == 1 and not (term.endswith("*") or term.startswith("*"))):
            rep.error(f"{where}: {alias!r}: '*' only at the start or end of a term ({term!r})")
        elif stars == 1 and _letters(term.strip("*")) < MIN_STEM:
            rep.error(f"{where}: {alias!r}: stem {term!r} shorter than {MIN_STEM} letters")
    if terms[0] == "_" or terms[-1] == "_":
        rep.warn(f"{where}: {alias!r} starts or ends with a gap")
    compact = alias.replace(" ", "")
    if len(compact) < 3 and not all(is_acronym_token(t) for t in terms):
        rep.error(f"{where}: {alias!r} shorter than 3 characters and not an acronym")
    return True


def iter_aliases(entry: dict[str, Any], where: str, rep: Report) -> Iterator[tuple[str, str]]:
    aliases = entry.get("aliases")
    if not isinstance(aliases, dict) or not aliases:
        rep.error(f"{where}: missing aliases mapping")
        return
    if "en" not in aliases:
        rep.error(f"{where}: no English aliases")
    for lang, items in aliases.items():
        if lang not in LANGS + EXTRA_LANGS:
            rep.error(f"{where}: unknown language {lang!r}")
        if not isinstance(items, list) or not items:
            rep.error(f"{where}.{lang}: aliases must be a non-empty list")
            continue
        for alias in items:
            if check_pattern(alias, f"{where}.{lang}", rep):
                yield lang, alias


def valid_code(code: Any) -> bool:
    if not isinstance(code, str) or len(code) != 2 or code.upper() != code:
        return False
    return code in USER_ASSIGNED_CODES or pycountry.countries.get(alpha_2=code) is not None


def check_entries(entries: Any, kind: str, rep: Report) -> tuple[dict[str, set[str]], dict[str, int], int]:
    """Shared checks for actors and groups; returns alias->ids, per-category counts, alias count."""
    alias_owners: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    n_aliases = 0
    prefix = "A:" if kind == "actors" else "G:"
    if not isinstance(entries, list):
        rep.error(f"{kind}: top-level list missing")
        return alias_owners, counts, 0
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            rep.error(f"{kind}[{i}]: not a mapping")
            continue
        eid = entry.get("id")
        where = f"{kind}:{eid}"
        if not isinstance(eid, str) or not re.fullmatch(r"[a-z0-9_]+", eid):
            rep.error(f"{kind}[{i}]: bad id {eid!r}")
            continue
        if eid in seen:
            rep.error(f"{where}: duplicate id")
        seen.add(eid)
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            rep.error(f"{where}: missing name")
        if kind == "actors":
            typ = entry.get("type")
            if typ not in ACTOR_TYPES:
                rep.error(f"{where}: unknown type {typ!r}")
            counts[str(typ)] += 1
            country = entry.get("country", "missing")
            if country is not None and not valid_code(country):
                rep.error(f"{where}: bad country {country!r}")
        else:
            k = entry.get("kind")
            if k not in GROUP_KINDS:
                rep.error(f"{where}: unknown kind {k!r}")
            counts[str(k)] += 1
            countries = entry.get("countries")
            if not isinstance(countries, list) or not countries:
                rep.error(f"{where}: countries must be a non-empty list")
            else:
                for c in countries:
                    if not valid_code(c):
                        rep.error(f"{where}: bad country {c!r}")
        langs = entry.get("aliases") or {}
        if kind == "groups" and isinstance(langs, dict):
            missing = [lang for lang in LANGS if lang not in langs]
            if missing:
                rep.warn(f"{where}: no aliases for {','.join(missing)}")
        for _lang, alias in iter_aliases(entry, where, rep):
            n_aliases += 1
            alias_owners[normalise_alias(alias)].add(eid)
            ALL_PATTERNS.append((prefix + eid, alias))
    return alias_owners, counts, n_aliases


def shared_aliases(owners: dict[str, set[str]], kind: str, rep: Report) -> list[str]:
    shared = []
    for alias, ids in sorted(owners.items()):
        if len(ids) < 2:
            continue
        allowed = ALLOWED_SHARED.get(alias)
        if allowed is not None and ids <= allowed:
            shared.append(f"{alias} -> {', '.join(sorted(ids))}")
        else:
            rep.error(f"{kind}: alias {alias!r} listed for {', '.join(sorted(ids))}")
    return shared


def _lang_lists(value: Any, where: str, rep: Report) -> Iterable[tuple[str, list[Any]]]:
    if not isinstance(value, dict):
        rep.error(f"{where}: must be a mapping language -> list")
        return []
    out = []
    for lang, items in value.items():
        if lang not in LANGS + EXTRA_LANGS:
            rep.error(f"{where}: unknown language {lang!r}")
        if not isinstance(items, list) or not items:
            rep.error(f"{where}.{lang}: must be a non-empty list")
            continue
        out.append((lang, items))
    return out


def check_countries(data: Any, rep: Report) -> dict[str, Any]:
    countries = data.get("countries") if isinstance(data, dict) else None
    if not isinstance(countries, dict):
        rep.error("countries: top-level mapping missing")
        return {}
    owners: dict[str, set[str]] = defaultdict(set)
    stats: dict[str, Any] = defaultdict(int)
    demonym8: list[str] = []
    places8: list[str] = []
    en_demonyms: set[str] = set()
    capitals: set[str] = set()
    for code, entry in countries.items():
        where = f"countries:{code}"
        if not valid_code(code):
            rep.error(f"{where}: not an ISO 3166-1 alpha-2 code")
        if not isinstance(entry, dict):
            rep.error(f"{where}: not a mapping")
            continue
        for key in entry:
            if key not in COUNTRY_KEYS:
                rep.error(f"{where}: unknown key {key!r}")
        for key in ("names", "demonyms", "places"):
            if key not in entry:
                continue
            langs = set()
            for lang, items in _lang_lists(entry[key], f"{where}.{key}", rep):
                langs.add(lang)
                for alias in items:
                    if check_pattern(alias, f"{where}.{key}.{lang}", rep):
                        owners[normalise_alias(alias)].add(code)
                        ALL_PATTERNS.append((f"C:{code}", alias))
                        stats[f"{key}_patterns"] += 1
            if key == "demonyms":
                if "en" in langs:
                    en_demonyms.add(code)
                if set(LANGS) <= langs:
                    demonym8.append(code)
            if key == "places":
                if "en" in langs:
                    capitals.add(code)
                if set(LANGS) <= langs:
                    places8.append(code)
        for key in ("ambiguous", "not_if_near"):
            if key in entry:
                items = entry[key]
                if not isinstance(items, list) or not items:
                    rep.error(f"{where}.{key}: must be a non-empty list")
                    continue
                for alias in items:
                    check_pattern(alias, f"{where}.{key}", rep)
                stats[f"{key}_patterns"] += len(items)
        if "not_if_near" in entry and "ambiguous" not in entry:
            rep.warn(f"{where}: not_if_near without ambiguous")
    for alias, codes in sorted(owners.items()):
        if len(codes) > 1:
            rep.error(f"countries: {alias!r} listed under {', '.join(sorted(codes))}")
    for code, name in REQUIRED_AMBIGUOUS.items():
        if name not in (countries.get(code) or {}).get("ambiguous", []):
            rep.error(f"countries:{code}: trap {name!r} missing from ambiguous")
    for code, name in REQUIRED_NAMES.items():
        if name not in ((countries.get(code) or {}).get("names") or {}).get("en", []):
            rep.error(f"countries:{code}: names.en lacks {name!r}")
    missing_dem = sorted(UN_MEMBERS - en_demonyms - DEMONYM_EXEMPT)
    if missing_dem:
        rep.error(f"countries: UN members without English demonyms: {' '.join(missing_dem)}")
    missing_cap = sorted((UN_MEMBERS | CAPITAL_EXTRA) - capitals)
    if missing_cap:
        rep.error(f"countries: countries without an English capital (places.en): {' '.join(missing_cap)}")
    if len(demonym8) < 80:
        rep.error(f"countries: only {len(demonym8)} countries have demonyms in all 8 languages (need 80)")
    if len(places8) < 40:
        rep.error(f"countries: only {len(places8)} countries have places in all 8 languages (need 40)")
    stats["entries"] = len(countries)
    stats["demonyms_8_languages"] = len(demonym8)
    stats["places_8_languages"] = len(places8)
    stats["en_demonyms"] = len(en_demonyms)
    stats["capitals_en"] = len(capitals)
    stats["with_ambiguous"] = sum(1 for e in countries.values() if isinstance(e, dict) and "ambiguous" in e)
    stats["_owners"] = owners
    return stats


def _term_covers(pattern_term: str, literal: str) -> bool:
    """True when a pattern term would match the (normalised) term of another alias."""
    lit = literal.strip("*")
    if pattern_term.endswith("*"):
        return lit.startswith(pattern_term[:-1])
    if pattern_term.startswith("*"):
        return lit.endswith(pattern_term[1:])
    return pattern_term == lit


def stem_overlaps(patterns: list[tuple[str, str]]) -> list[str]:
    """Stem patterns that also match another owner's alias of the same length ("Джуб*" ~ "Джубаленд")."""
    by_key: dict[tuple[int, str], list[tuple[str, list[str], str]]] = defaultdict(list)
    stems = []
    for owner, alias in patterns:
        terms = normalise_alias(alias).split()
        by_key[(len(terms), terms[0].strip("*")[:2])].append((owner, terms, alias))
        if any("*" in t for t in terms) and not terms[0].startswith("*"):
            stems.append((owner, terms, alias))
    found = set()
    for owner, terms, alias in stems:
        for other, oterms, oalias in by_key[(len(terms), terms[0].strip("*")[:2])]:
            if other != owner and all(_term_covers(p, o) for p, o in zip(terms, oterms, strict=True)):
                found.add(f"{owner} {alias!r} also matches {other} {oalias!r}")
    return sorted(found)


def load(path: Path, rep: Report) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        rep.error(f"{path}: cannot load: {exc}")
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_config = Path(__file__).resolve().parent.parent / "config"
    parser.add_argument("--config", type=Path, default=default_config)
    parser.add_argument("--verbose", action="store_true", help="also print warnings and overlaps")
    args = parser.parse_args(argv)
    rep = Report()

    actors = load(args.config / "actors.yaml", rep)
    groups = load(args.config / "groups.yaml", rep)
    countries = load(args.config / "countries.yaml", rep)

    a_owners: dict[str, set[str]] = {}
    g_owners: dict[str, set[str]] = {}
    if actors is not None:
        if actors.get("version") != 1:
            rep.error("actors: version must be 1")
        a_owners, a_counts, a_n = check_entries(actors.get("actors"), "actors", rep)
        a_shared = shared_aliases(a_owners, "actors", rep)
        print(f"actors: {len(actors.get('actors') or [])} entries, {a_n} aliases")
        print("  by type: " + ", ".join(f"{k}={v}" for k, v in sorted(a_counts.items())))
        print(f"  shared (allowed) aliases: {len(a_shared)}")
        for line in a_shared:
            print(f"    {line}")
    if groups is not None:
        if groups.get("version") != 1:
            rep.error("groups: version must be 1")
        g_owners, g_counts, g_n = check_entries(groups.get("groups"), "groups", rep)
        g_shared = shared_aliases(g_owners, "groups", rep)
        full = sum(1 for g in groups.get("groups") or [] if set(LANGS) <= set((g.get("aliases") or {}).keys()))
        print(f"groups: {len(groups.get('groups') or [])} entries, {g_n} aliases, {full} with all 8 languages")
        print("  by kind: " + ", ".join(f"{k}={v}" for k, v in sorted(g_counts.items())))
        print(f"  shared (allowed) aliases: {len(g_shared)}")
        for line in g_shared:
            print(f"    {line}")
    if countries is not None:
        if countries.get("version") != 1:
            rep.error("countries: version must be 1")
        stats = check_countries(countries, rep)
        c_owners = stats.pop("_owners", {})
        print("countries: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.items())))
    else:
        c_owners = {}

    cross = []
    for alias in sorted(set(a_owners) & set(g_owners)):
        cross.append(f"actor/group {alias!r}: {sorted(a_owners[alias])} / {sorted(g_owners[alias])}")
    for alias in sorted(set(g_owners) & set(c_owners)):
        cross.append(f"group/country {alias!r}: {sorted(g_owners[alias])} / {sorted(c_owners[alias])}")
    for alias in sorted(set(a_owners) & set(c_owners)):
        cross.append(f"actor/country {alias!r}: {sorted(a_owners[alias])} / {sorted(c_owners[alias])}")
    print(f"cross-file overlaps (informational): {len(cross)}")
    overlaps = stem_overlaps(ALL_PATTERNS)
    same_kind = [o for o in overlaps if o[0] == o.split(" also matches ")[1][0]]
    print(f"stem overlaps: {len(overlaps)} ({len(same_kind)} within one file; review, most are benign)")
    if args.verbose:
        for line in cross:
            print(f"  {line}")
        for line in overlaps:
            print(f"  stem: {line}")
        for w in rep.warnings:
            print(f"WARNING {w}")
    elif rep.warnings:
        print(f"warnings: {len(rep.warnings)} (use --verbose)")
    for e in rep.errors:
        print(f"ERROR {e}")
    print(f"errors: {len(rep.errors)}")
    return 1 if rep.errors else 0


if __name__ == "__main__":
    sys.exit(main())
