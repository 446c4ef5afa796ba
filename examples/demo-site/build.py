#!/usr/bin/env python3
"""Render the fictional Vigil demo news site from ``content/*.yaml`` into ``site/``.

Usage::

    python examples/demo-site/build.py            # validate, then render into site/
    python examples/demo-site/build.py --check    # validate only, write nothing
    python examples/demo-site/build.py --out DIR  # render somewhere else

The content format is described in examples/demo-site/FORMAT.md. Every content file is validated first;
any problem is reported with the file and the field, and nothing is written. Output is deterministic:
running the script twice produces byte-identical files. Needs only Python 3.11 and PyYAML.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import yaml

HERE = Path(__file__).resolve().parent
CONTENT_DIR = HERE / "content"
SITE_DIR = HERE / "site"
BASE = "__BASE_URL__"
WIRE_OUTLET = "Vigil Demo Wire"
GENERATOR = "vigil-demo-site build.py"

WINDOW_START = datetime(2026, 10, 15, 0, 0, 0, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)
MIN_WORDS, MAX_WORDS = 180, 400
MIN_PARAGRAPHS, MAX_PARAGRAPHS = 4, 7
MIN_PER_KIND = {"indicator": 4, "innocent": 2, "historical": 1, "ordinary": 1}
MIN_ARTICLES = 8

TAXONOMY = (
    "classification", "discrimination", "dehumanization", "incitement", "militia_mobilization",
    "repression", "information_blackout", "targeting", "forced_displacement", "detention",
    "siege_starvation", "sexual_violence", "mass_killing", "genocidal_intent", "denial_impunity", "trigger",
)  # fmt: skip
KINDS = ("indicator", "innocent", "ordinary", "historical", "syndicated")
GROUPS = ("africa", "mena", "europe", "americas", "asia")
FEED_FORMATS = ("rss", "atom")
FEED_NAMES = {"rss": "RSS", "atom": "Atom"}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

FILE_KEYS = frozenset({"language", "outlet", "feed_format", "group", "articles"})
ARTICLE_REQUIRED = frozenset(
    {"slug", "title", "published", "date_in_page", "kind", "countries", "indicators", "summary", "body"}
)
ARTICLE_OPTIONAL = frozenset({"author", "syndicated_from"})

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
PARAGRAPH_SPLIT_RE = re.compile(r"\n[ \t]*\n")

# ISO 3166-1 alpha-2 codes (plus XK, Kosovo) by world region; used to validate country codes and to
# fill the `regions` of each feed in feeds.yaml.
REGIONS: dict[str, str] = {
    code: region
    for region, codes in {
        "africa": "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW "
        "MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TZ UG YT ZA ZM ZW",
        "mena": "AE BH DZ EG EH IL IQ IR JO KW LB LY MA OM PS QA SA SY TN TR YE",
        "europe": "AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU IE IM "
        "IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
        "americas": "AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY "
        "HN HT JM KN KY LC MF MQ MS MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI",
        "asia": "AF BD BN BT CC CN CX HK ID IN IO JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG TH "
        "TJ TL TM TW UZ VN",
        "oceania": "AQ AS AU BV CK FJ FM GS GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TF TK TO TV UM VU WF WS",
    }.items()
    for code in codes.split()
}


class ContentError(Exception):
    """One or more content files are invalid; the message lists every problem."""


@dataclass(frozen=True)
class Article:
    """One article of a language file, validated."""

    slug: str
    title: str
    author: str | None
    published: datetime
    date_in_page: bool
    kind: str
    countries: tuple[str, ...]
    indicators: tuple[str, ...]
    summary: str
    paragraphs: tuple[str, ...]
    syndicated_from: str | None

    @property
    def path(self) -> str:
        """Site-relative path of the rendered page."""
        return f"wire/{self.slug}.html" if self.kind == "syndicated" else f"{self.slug}.html"

    @property
    def outlet_override(self) -> str | None:
        return WIRE_OUTLET if self.kind == "syndicated" else None


@dataclass(frozen=True)
class Edition:
    """One language file: an outlet, its feed settings and its articles (newest first)."""

    language: str
    outlet: str
    feed_format: str
    group: str
    articles: tuple[Article, ...]

    def url(self, article: Article) -> str:
        return f"{BASE}/{self.language}/{article.path}"

    @property
    def feed_url(self) -> str:
        return f"{BASE}/feeds/{self.language}.xml"


# --------------------------------------------------------------------------------------------------
# Loading and validation


class _ContentLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as strings, so their exact form can be checked."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Problems:
    """Collects validation problems for one file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.name}: {where}: {message}")


def _is_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _check_text_field(problems: _Problems, where: str, value: object, *, single_line: bool = True) -> None:
    if not _is_text(value):
        problems.add(where, f"must be a non-empty string (got {value!r})")
    elif single_line and "\n" in str(value).strip():
        problems.add(where, "must be on one line")


def _parse_timestamp(problems: _Problems, where: str, value: object) -> datetime | None:
    if not isinstance(value, str) or not TIMESTAMP_RE.match(value):
        problems.add(where, f"must be an ISO 8601 UTC timestamp like 2026-11-12T08:30:00Z (got {value!r})")
        return None
    try:
        stamp = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        problems.add(where, f"is not a valid date and time ({exc})")
        return None
    if not WINDOW_START <= stamp <= WINDOW_END:
        problems.add(
            where,
            f"{value} is outside the demo window {WINDOW_START:%Y-%m-%d}..{WINDOW_END:%Y-%m-%d}",
        )
    return stamp


def _check_codes(problems: _Problems, where: str, value: object, allowed: Iterable[str], what: str) -> tuple[str, ...]:
    allowed_set = set(allowed)
    if not isinstance(value, list):
        problems.add(where, f"must be a list of {what} (got {value!r})")
        return ()
    codes: list[str] = []
    for index, code in enumerate(value):
        if isinstance(code, bool) and what == "country codes":
            problems.add(
                f"{where}[{index}]",
                f"YAML read {code!r}: quote two-letter codes such as 'NO' (Norway) or 'ON'",
            )
        elif not isinstance(code, str) or code not in allowed_set:
            hint = (
                "ISO 3166-1 alpha-2, upper case"
                if what == "country codes"
                else "one of " + ", ".join(sorted(allowed_set))
            )
            problems.add(f"{where}[{index}]", f"{code!r} is not a valid {what[:-1]} ({hint})")
        elif code in codes:
            problems.add(f"{where}[{index}]", f"{code!r} is listed twice")
        else:
            codes.append(code)
    return tuple(codes)


def _check_body(problems: _Problems, where: str, value: object) -> tuple[str, ...]:
    if not _is_text(value):
        problems.add(where, "must be a non-empty block of text")
        return ()
    paragraphs = tuple(" ".join(part.split()) for part in PARAGRAPH_SPLIT_RE.split(str(value).strip()) if part.strip())
    words = sum(len(paragraph.split()) for paragraph in paragraphs)
    if not MIN_PARAGRAPHS <= len(paragraphs) <= MAX_PARAGRAPHS:
        problems.add(
            where,
            f"has {len(paragraphs)} paragraphs; expected {MIN_PARAGRAPHS}-{MAX_PARAGRAPHS} separated by blank lines",
        )
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.add(where, f"has {words} words; expected {MIN_WORDS}-{MAX_WORDS}")
    return paragraphs


def _check_article(problems: _Problems, index: int, raw: object) -> Article | None:
    if not isinstance(raw, dict):
        problems.add(f"articles[{index}]", "must be a mapping of article fields")
        return None
    slug_label = raw.get("slug") if isinstance(raw.get("slug"), str) else None
    at = f"articles[{index}]" + (f" (slug {slug_label!r})" if slug_label else "")
    before = len(problems.items)
    for key in sorted(ARTICLE_REQUIRED - raw.keys()):
        problems.add(f"{at}.{key}", "is required but missing")
    for key in sorted(raw.keys() - ARTICLE_REQUIRED - ARTICLE_OPTIONAL, key=str):
        problems.add(f"{at}.{key}", "is not a known article field")

    slug = raw.get("slug")
    if "slug" in raw and (not isinstance(slug, str) or not SLUG_RE.match(slug)):
        problems.add(f"{at}.slug", f"must match [a-z0-9-] words joined by single hyphens (got {slug!r})")
    for key in ("title", "summary"):
        if key in raw:
            _check_text_field(problems, f"{at}.{key}", raw[key])
    if "author" in raw:
        _check_text_field(problems, f"{at}.author", raw["author"])
    published = _parse_timestamp(problems, f"{at}.published", raw["published"]) if "published" in raw else None
    if "date_in_page" in raw and not isinstance(raw["date_in_page"], bool):
        problems.add(f"{at}.date_in_page", f"must be true or false (got {raw['date_in_page']!r})")
    kind = raw.get("kind")
    if "kind" in raw and kind not in KINDS:
        problems.add(f"{at}.kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
    countries = (
        _check_codes(problems, f"{at}.countries", raw["countries"], REGIONS, "country codes")
        if "countries" in raw
        else ()
    )
    indicators = (
        _check_codes(problems, f"{at}.indicators", raw["indicators"], TAXONOMY, "taxonomy ids")
        if "indicators" in raw
        else ()
    )
    if kind in ("indicator", "historical") and "indicators" in raw and not indicators:
        problems.add(f"{at}.indicators", f"a {kind} article must list the indicators its text carries")
    if kind in ("innocent", "ordinary") and indicators:
        problems.add(f"{at}.indicators", f"a {kind} article carries no indicator: use []")
    paragraphs = _check_body(problems, f"{at}.body", raw["body"]) if "body" in raw else ()
    source = raw.get("syndicated_from")
    if kind == "syndicated" and not _is_text(source):
        problems.add(f"{at}.syndicated_from", "is required for kind: syndicated (the slug it copies)")
    if kind != "syndicated" and "syndicated_from" in raw:
        problems.add(f"{at}.syndicated_from", "is only allowed for kind: syndicated")

    if len(problems.items) > before or published is None:
        return None
    return Article(
        slug=str(slug),
        title=str(raw["title"]).strip(),
        author=str(raw["author"]).strip() if "author" in raw else None,
        published=published,
        date_in_page=bool(raw["date_in_page"]),
        kind=str(kind),
        countries=countries,
        indicators=indicators,
        summary=str(raw["summary"]).strip(),
        paragraphs=paragraphs,
        syndicated_from=str(source) if source is not None else None,
    )


def _check_cross_references(problems: _Problems, raw_articles: Sequence[object], articles: Sequence[Article]) -> None:
    """Checks across articles: unique slugs, syndication targets, and the mix of kinds in the file."""
    raw_items = [(index, item) for index, item in enumerate(raw_articles) if isinstance(item, dict)]
    kinds: dict[str, object] = {}
    for index, item in raw_items:
        slug = item.get("slug")
        if isinstance(slug, str) and slug in kinds:
            problems.add(f"articles[{index}] (slug {slug!r}).slug", "is used by more than one article")
        if isinstance(slug, str):
            kinds.setdefault(slug, item.get("kind"))
    parsed = {article.slug: article for article in articles}
    for index, item in raw_items:
        source = item.get("syndicated_from")
        if item.get("kind") != "syndicated" or not isinstance(source, str):
            continue
        where = f"articles[{index}] (slug {item.get('slug')!r}).syndicated_from"
        if source not in kinds:
            problems.add(where, f"{source!r} is not the slug of an article in this file")
        elif kinds[source] == "syndicated":
            problems.add(where, f"{source!r} is itself syndicated; point at the original report")
        else:
            copy, original = parsed.get(str(item.get("slug"))), parsed.get(source)
            if copy and original and copy.published < original.published:
                problems.add(where, f"the copy is dated before its original {source!r}")
    counts = {kind: sum(1 for _, item in raw_items if item.get("kind") == kind) for kind in KINDS}
    if len(raw_articles) < MIN_ARTICLES:
        problems.add("articles", f"has {len(raw_articles)} articles; at least {MIN_ARTICLES} are required")
    for kind, minimum in MIN_PER_KIND.items():
        if counts[kind] < minimum:
            problems.add("articles", f"has {counts[kind]} of kind {kind}; at least {minimum} required")


def load_edition(path: Path) -> Edition:
    """Read and validate one content file; raise ContentError listing every problem found."""
    problems = _Problems(f"content/{path.name}")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_ContentLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError(f"{problems.name}: cannot be read as UTF-8 YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ContentError(f"{problems.name}: top level must be a mapping with keys {sorted(FILE_KEYS)}")
    for key in sorted(FILE_KEYS - raw.keys()):
        problems.add(key, "is required but missing")
    for key in sorted(raw.keys() - FILE_KEYS, key=str):
        problems.add(str(key), "is not a known top-level field")
    language = raw.get("language")
    if "language" in raw and (not isinstance(language, str) or not LANG_RE.match(language)):
        problems.add("language", f"must be a two-letter ISO 639-1 code (got {language!r})")
    elif isinstance(language, str) and language != path.stem:
        problems.add("language", f"is {language!r} but the file is named {path.name}")
    if "outlet" in raw:
        _check_text_field(problems, "outlet", raw["outlet"])
        if raw["outlet"] == WIRE_OUTLET:
            problems.add("outlet", f"{WIRE_OUTLET!r} is reserved for syndicated copies")
    if "feed_format" in raw and raw["feed_format"] not in FEED_FORMATS:
        problems.add("feed_format", f"must be one of {', '.join(FEED_FORMATS)} (got {raw['feed_format']!r})")
    if "group" in raw and raw["group"] not in GROUPS:
        problems.add("group", f"must be one of {', '.join(GROUPS)} (got {raw['group']!r})")
    articles: list[Article] = []
    raw_articles = raw.get("articles")
    if "articles" in raw and not isinstance(raw_articles, list):
        problems.add("articles", "must be a list of articles")
    elif isinstance(raw_articles, list):
        for index, item in enumerate(raw_articles):
            article = _check_article(problems, index, item)
            if article is not None:
                articles.append(article)
        _check_cross_references(problems, raw_articles, articles)
    if problems.items:
        raise ContentError("\n".join(problems.items))
    articles.sort(key=lambda a: (-a.published.timestamp(), a.slug))
    return Edition(
        language=str(language),
        outlet=str(raw["outlet"]).strip(),
        feed_format=str(raw["feed_format"]),
        group=str(raw["group"]),
        articles=tuple(articles),
    )


def load_all(content_dir: Path) -> list[Edition]:
    """Validate every content/*.yaml file; raise ContentError listing the problems of all of them."""
    paths = sorted(content_dir.glob("*.yaml"))
    if not paths:
        raise ContentError(f"no content files found in {content_dir}")
    editions: list[Edition] = []
    errors: list[str] = []
    for path in paths:
        try:
            editions.append(load_edition(path))
        except ContentError as exc:
            errors.append(str(exc))
    if errors:
        raise ContentError("\n".join(errors))
    return editions


# --------------------------------------------------------------------------------------------------
# Localised page furniture

_EN_MONTHS = "January February March April May June July August September October November December"
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "notice": "Fictional reports written for the Vigil demo. Not real news.",
        "tagline": "Independent reporting from Africa and beyond",
        "wire_tagline": "News agency copy for partner outlets",
        "nav": "Home|World|Africa|Politics|Economy|Culture|Sport|Opinion",
        "by": "By", "related": "Related stories", "more": "More from {outlet}",
        "newsletter": "Morning briefing",
        "newsletter_text": "The day's essential stories in your inbox at 6am.",
        "email": "Your email address", "subscribe": "Subscribe",
        "footer": "About us|Contact|Privacy policy|Terms of use|Advertise|Cookie settings",
        "rights": "All rights reserved.", "share": "Share this story", "skip": "Skip to content",
        "months": _EN_MONTHS, "date": "{d} {month} {y}, {hm} UTC",
    },
    "fr": {
        "notice": "Reportages fictifs rédigés pour la démonstration de Vigil. Ce ne sont pas de vraies informations.",
        "tagline": "L'actualité du continent africain et du monde",
        "wire_tagline": "Dépêches d'agence pour les médias partenaires",
        "nav": "Accueil|Monde|Afrique|Politique|Économie|Culture|Sport|Opinions",
        "by": "Par", "related": "À lire aussi", "more": "Plus d'articles de {outlet}",
        "newsletter": "La matinale",
        "newsletter_text": "L'essentiel de l'actualité chaque matin dans votre boîte mail.",
        "email": "Votre adresse e-mail", "subscribe": "S'abonner",
        "footer": "Qui sommes-nous|Contact|Confidentialité|Conditions d'utilisation|Publicité|Gestion des cookies",
        "rights": "Tous droits réservés.", "share": "Partager cet article", "skip": "Aller au contenu",
        "months": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "date": "{d} {month} {y} à {hm} UTC",
    },
    "es": {
        "notice": "Reportajes ficticios escritos para la demostración de Vigil. No son noticias reales.",
        "tagline": "Información independiente desde las Américas",
        "wire_tagline": "Despachos de agencia para medios asociados",
        "nav": "Portada|Internacional|América|Política|Economía|Cultura|Deportes|Opinión",
        "by": "Por", "related": "Noticias relacionadas", "more": "Más de {outlet}",
        "newsletter": "Boletín matinal",
        "newsletter_text": "Las noticias esenciales del día en tu correo cada mañana.",
        "email": "Tu correo electrónico", "subscribe": "Suscribirse",
        "footer": "Quiénes somos|Contacto|Política de privacidad|Aviso legal|Publicidad|Configuración de cookies",
        "rights": "Todos los derechos reservados.", "share": "Compartir esta noticia", "skip": "Ir al contenido",
        "months": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "date": "{d} de {month} de {y}, {hm} UTC",
    },
    "ar": {
        "notice": "تقارير خيالية كُتبت للعرض التوضيحي لمشروع Vigil، وليست أخباراً حقيقية.",
        "tagline": "أخبار الشرق الأوسط وشمال أفريقيا والعالم",
        "wire_tagline": "خدمة إخبارية للمؤسسات الإعلامية الشريكة",
        "nav": "الرئيسية|العالم|الشرق الأوسط|سياسة|اقتصاد|ثقافة|رياضة|رأي",
        "by": "بقلم", "related": "أخبار ذات صلة", "more": "المزيد من {outlet}",
        "newsletter": "النشرة الصباحية",
        "newsletter_text": "أهم أخبار اليوم في بريدك الإلكتروني كل صباح.",
        "email": "بريدك الإلكتروني", "subscribe": "اشترك",
        "footer": "من نحن|اتصل بنا|سياسة الخصوصية|شروط الاستخدام|أعلن معنا|إعدادات ملفات تعريف الارتباط",
        "rights": "جميع الحقوق محفوظة.", "share": "شارك هذا الخبر", "skip": "انتقل إلى المحتوى",
        "months": "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر",
        "date": "{d} {month} {y}، الساعة {hm} بتوقيت غرينتش",
    },
    "ru": {
        "notice": "Вымышленные материалы, написанные для демонстрации Vigil. Это не настоящие новости.",
        "tagline": "Новости Европы и мира",
        "wire_tagline": "Агентские материалы для партнёрских изданий",
        "nav": "Главная|В мире|Европа|Политика|Экономика|Культура|Спорт|Мнения",
        "by": "Автор:", "related": "Читайте также", "more": "Ещё материалы: {outlet}",
        "newsletter": "Утренняя рассылка",
        "newsletter_text": "Главные новости дня каждое утро на вашей почте.",
        "email": "Ваш адрес электронной почты", "subscribe": "Подписаться",
        "footer": "О нас|Контакты|Политика конфиденциальности|Условия использования|Реклама|Настройки cookie",
        "rights": "Все права защищены.", "share": "Поделиться", "skip": "Перейти к содержанию",
        "months": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
        "date": "{d} {month} {y}, {hm} UTC",
    },
    "pt": {
        "notice": "Reportagens fictícias escritas para a demonstração do Vigil. Não são notícias reais.",
        "tagline": "Jornalismo independente em língua portuguesa",
        "wire_tagline": "Despachos de agência para veículos parceiros",
        "nav": "Início|Mundo|Brasil|Política|Economia|Cultura|Esportes|Opinião",
        "by": "Por", "related": "Leia também", "more": "Mais de {outlet}",
        "newsletter": "Resumo da manhã",
        "newsletter_text": "As notícias essenciais do dia no seu e-mail todas as manhãs.",
        "email": "Seu e-mail", "subscribe": "Assinar",
        "footer": "Quem somos|Contato|Política de privacidade|Termos de uso|Anuncie|Configurações de cookies",
        "rights": "Todos os direitos reservados.", "share": "Compartilhe esta notícia", "skip": "Ir para o conteúdo",
        "months": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
        "date": "{d} de {month} de {y}, {hm} UTC",
    },
    "de": {
        "notice": "Fiktive Berichte, geschrieben für die Vigil-Demo. Keine echten Nachrichten.",
        "tagline": "Nachrichten aus Europa und der Welt",
        "wire_tagline": "Agenturmeldungen für Partnermedien",
        "nav": "Startseite|Ausland|Europa|Politik|Wirtschaft|Kultur|Sport|Meinung",
        "by": "Von", "related": "Mehr zum Thema", "more": "Mehr von {outlet}",
        "newsletter": "Der Morgen-Newsletter",
        "newsletter_text": "Die wichtigsten Nachrichten des Tages jeden Morgen per E-Mail.",
        "email": "Ihre E-Mail-Adresse", "subscribe": "Abonnieren",
        "footer": "Über uns|Kontakt|Datenschutz|Nutzungsbedingungen|Werbung|Cookie-Einstellungen",
        "rights": "Alle Rechte vorbehalten.", "share": "Artikel teilen", "skip": "Zum Inhalt springen",
        "months": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "date": "{d}. {month} {y}, {hm} Uhr UTC",
    },
    "uk": {
        "notice": "Вигадані матеріали, написані для демонстрації Vigil. Це не справжні новини.",
        "tagline": "Новини України, Європи та світу",
        "wire_tagline": "Агентські матеріали для партнерських видань",
        "nav": "Головна|Світ|Європа|Політика|Економіка|Культура|Спорт|Думки",
        "by": "Автор:", "related": "Читайте також", "more": "Більше матеріалів: {outlet}",
        "newsletter": "Ранкова розсилка",
        "newsletter_text": "Головні новини дня щоранку на вашій пошті.",
        "email": "Ваша електронна адреса", "subscribe": "Підписатися",
        "footer": "Про нас|Контакти|Політика конфіденційності|Умови використання|Реклама|Налаштування cookie",
        "rights": "Усі права захищено.", "share": "Поділитися", "skip": "Перейти до змісту",
        "months": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
        "date": "{d} {month} {y}, {hm} UTC",
    },
    "sw": {
        "notice": "Ripoti za kubuni zilizoandikwa kwa ajili ya maonyesho ya Vigil. Si habari za kweli.",
        "tagline": "Habari za Afrika Mashariki na dunia",
        "wire_tagline": "Taarifa za shirika la habari kwa vyombo washirika",
        "nav": "Nyumbani|Kimataifa|Afrika|Siasa|Uchumi|Utamaduni|Michezo|Maoni",
        "by": "Na", "related": "Habari zinazohusiana", "more": "Zaidi kutoka {outlet}",
        "newsletter": "Habari za asubuhi",
        "newsletter_text": "Habari muhimu za siku kwenye barua pepe yako kila asubuhi.",
        "email": "Barua pepe yako", "subscribe": "Jiandikishe",
        "footer": "Kuhusu sisi|Wasiliana nasi|Sera ya faragha|Masharti ya matumizi|Matangazo|Mipangilio ya vidakuzi",
        "rights": "Haki zote zimehifadhiwa.", "share": "Shiriki habari hii", "skip": "Nenda kwenye maudhui",
        "months": "Januari Februari Machi Aprili Mei Juni Julai Agosti Septemba Oktoba Novemba Desemba",
        "date": "{d} {month} {y}, saa {hm} UTC",
    },
}  # fmt: skip


def labels(language: str) -> dict[str, str]:
    """Page furniture for a language, falling back to English for languages without a translation."""
    return LABELS.get(language, LABELS["en"])


def human_date(language: str, stamp: datetime) -> str:
    lab = labels(language)
    month = lab["months"].split()[stamp.month - 1]
    return lab["date"].format(d=stamp.day, month=month, y=stamp.year, hm=f"{stamp:%H:%M}")


def iso(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------------------------------
# HTML

STYLESHEET = """\
body{margin:0;font-family:Georgia,'Times New Roman',serif;color:#1b1b1b;background:#fafaf7}
a{color:#14406b}
.skip{position:absolute;left:-999px}
.site-header{background:#14233a;color:#fff;padding:0 1.5rem}
.site-header.wire{background:#5a1d1d}
.masthead{display:flex;align-items:baseline;gap:1rem;padding:1rem 0 .4rem}
.masthead .logo{color:#fff;font-size:1.7rem;font-weight:bold;text-decoration:none}
.masthead .tagline{opacity:.8;font-size:.9rem}
.main-nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1.2rem;margin:0;padding:.5rem 0 .8rem}
.main-nav a{color:#dfe7f2;text-decoration:none;font-family:Arial,sans-serif;font-size:.9rem}
.layout{display:flex;gap:2.5rem;max-width:1100px;margin:2rem auto;padding:0 1.5rem}
.story{flex:3;max-width:700px}
.story h1{font-size:2.1rem;line-height:1.2;margin:0 0 .8rem}
.byline{font-family:Arial,sans-serif;font-size:.85rem;color:#555;margin-bottom:1.5rem}
.story-body p{font-size:1.1rem;line-height:1.65}
.sidebar{flex:1;font-family:Arial,sans-serif;font-size:.9rem;border-left:1px solid #ddd;padding-left:1.5rem}
.sidebar li{margin-bottom:.7rem}
.share{font-family:Arial,sans-serif;font-size:.8rem;max-width:1100px;margin:0 auto;padding:0 1.5rem}
.site-footer{background:#eee;border-top:3px solid #14233a;padding:1.5rem;font-family:Arial,sans-serif;font-size:.8rem}
.site-footer .fiction-notice{font-weight:bold;font-size:.95rem}
.site-footer ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;padding:0}
.index section{max-width:900px;margin:2rem auto;padding:0 1.5rem}
"""


def _nav(lab: dict[str, str], home: str, language: str) -> str:
    items = lab["nav"].split("|")
    links = [f'<li><a href="{home}#lang-{language}">{esc(items[0])}</a></li>']
    links += [f'<li><a href="{home}#lang-{language}">{esc(item)}</a></li>' for item in items[1:]]
    return '<nav class="main-nav"><ul>' + "".join(links) + "</ul></nav>"


def _footer(lab: dict[str, str], outlet: str, home: str) -> str:
    links = "".join(f'<li><a href="{home}">{esc(item)}</a></li>' for item in lab["footer"].split("|"))
    return (
        '<footer class="site-footer">\n'
        f'<p class="fiction-notice">{esc(lab["notice"])}</p>\n'
        f"<ul>{links}</ul>\n"
        f"<p>© {esc(outlet)}. {esc(lab['rights'])}</p>\n"
        "</footer>"
    )


def _related(edition: Edition, article: Article, limit: int = 5) -> list[Article]:
    """Other articles of the same language, those sharing a country first, then newest first."""
    others = [a for a in edition.articles if a.slug != article.slug]
    shared = {a.slug: len(set(a.countries) & set(article.countries)) for a in others}
    others.sort(key=lambda a: (-shared[a.slug], -a.published.timestamp(), a.slug))
    return others[:limit]


def _share_links(home: str) -> str:
    return " · ".join(f'<a href="{home}">{name}</a>' for name in ("E-mail", "Facebook", "X", "WhatsApp"))


def render_article(edition: Edition, article: Article) -> str:
    """One full news page for an article (syndicated copies are branded as the wire outlet)."""
    lab = labels(edition.language)
    outlet = article.outlet_override or edition.outlet
    depth = "../../" if article.kind == "syndicated" else "../"
    home = f"{depth}index.html"
    url = edition.url(article)
    direction = "rtl" if edition.language in RTL_LANGUAGES else "ltr"
    feed_type = "application/rss+xml" if edition.feed_format == "rss" else "application/atom+xml"
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(article.title)} | {esc(outlet)}</title>",
        f'<meta name="description" content="{esc(article.summary)}">',
    ]
    if article.author:
        head.append(f'<meta name="author" content="{esc(article.author)}">')
    head += [
        f'<link rel="canonical" href="{url}">',
        f'<link rel="alternate" type="{feed_type}" title="{esc(edition.outlet)}" href="{edition.feed_url}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(article.title)}">',
        f'<meta property="og:description" content="{esc(article.summary)}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:site_name" content="{esc(outlet)}">',
    ]
    if article.date_in_page:
        head.append(f'<meta property="article:published_time" content="{iso(article.published)}">')
    head.append(f'<link rel="stylesheet" href="{depth}assets/site.css">')

    byline_parts = []
    if article.author:
        byline_parts.append(f'{esc(lab["by"])} <span class="author">{esc(article.author)}</span>')
    if article.date_in_page:
        byline_parts.append(
            f'<time datetime="{iso(article.published)}">{esc(human_date(edition.language, article.published))}</time>'
        )
    byline = f'<p class="byline">{" · ".join(byline_parts)}</p>' if byline_parts else ""
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in article.paragraphs)
    related = "\n".join(
        f'<li><a href="{depth}{edition.language}/{other.path}">{esc(other.title)}</a></li>'
        for other in _related(edition, article)
    )
    header_class = "site-header wire" if article.kind == "syndicated" else "site-header"
    tagline = lab["wire_tagline"] if article.kind == "syndicated" else lab["tagline"]
    return f"""<!DOCTYPE html>
<html lang="{edition.language}" dir="{direction}">
<head>
{chr(10).join(head)}
</head>
<body>
<a class="skip" href="#story">{esc(lab["skip"])}</a>
<header class="{header_class}">
<div class="masthead"><a class="logo" href="{home}">{esc(outlet)}</a><span class="tagline">{esc(tagline)}</span></div>
{_nav(lab, home, edition.language)}
</header>
<main class="layout">
<article class="story" id="story">
<h1>{esc(article.title)}</h1>
{byline}
<div class="story-body">
{paragraphs}
</div>
</article>
<aside class="sidebar">
<h2>{esc(lab["related"])}</h2>
<ul>
{related}
</ul>
<h2>{esc(lab["newsletter"])}</h2>
<p>{esc(lab["newsletter_text"])}</p>
<form action="{home}" method="get"><input type="email" name="email" placeholder="{esc(lab["email"])}">
<button type="submit">{esc(lab["subscribe"])}</button></form>
</aside>
</main>
<div class="share">{esc(lab["share"])}: {_share_links(home)}</div>
{_footer(lab, outlet, home)}
</body>
</html>
"""


def render_index(editions: Sequence[Edition]) -> str:
    """The site's home page: every feed and every article, grouped by language."""
    sections = []
    for edition in editions:
        lab = labels(edition.language)
        direction = "rtl" if edition.language in RTL_LANGUAGES else "ltr"
        items = "\n".join(
            f'<li><a href="{edition.language}/{article.path}">{esc(article.title)}</a>'
            f"{' — ' + esc(WIRE_OUTLET) if article.kind == 'syndicated' else ''}</li>"
            for article in edition.articles
        )
        sections.append(
            f'<section id="lang-{edition.language}" lang="{edition.language}" dir="{direction}">\n'
            f"<h2>{esc(edition.outlet)} ({edition.language})</h2>\n"
            f'<p><a href="feeds/{edition.language}.xml">{FEED_NAMES[edition.feed_format]} feed</a> · '
            f"{esc(lab['notice'])}</p>\n<ul>\n{items}\n</ul>\n</section>"
        )
    feed_items = "\n".join(
        f'<li><a href="feeds/{e.language}.xml">{esc(e.outlet)}</a> '
        f"({e.language}, {e.feed_format}, group {e.group})</li>"
        for e in editions
    )
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigil demo news sites</title>
<meta name="generator" content="{GENERATOR}">
<meta name="description" content="Fictional multilingual news outlets used to demonstrate the Vigil pipeline.">
<link rel="canonical" href="{BASE}/index.html">
<link rel="stylesheet" href="assets/site.css">
</head>
<body class="index">
<header class="site-header"><div class="masthead"><a class="logo" href="index.html">Vigil demo news sites</a>
<span class="tagline">{esc(LABELS["en"]["notice"])}</span></div></header>
<main>
<section id="feeds">
<h2>Feeds</h2>
<ul>
{feed_items}
<li><a href="feeds.yaml">feeds.yaml</a> (catalogue for Vigil)</li>
</ul>
</section>
{chr(10).join(sections)}
</main>
<footer class="site-footer"><p class="fiction-notice">{esc(LABELS["en"]["notice"])}</p></footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------------
# Feeds


def _x(text: str) -> str:
    return xml_escape(text)


def render_rss(edition: Edition) -> str:
    """RSS 2.0 with dc:creator, newest item first."""
    lab = labels(edition.language)
    updated = max(a.published for a in edition.articles)
    items = []
    for article in edition.articles:
        url = edition.url(article)
        creator = f"\n<dc:creator>{_x(article.author)}</dc:creator>" if article.author else ""
        items.append(
            "<item>\n"
            f"<title>{_x(article.title)}</title>\n"
            f"<link>{url}</link>\n"
            f'<guid isPermaLink="true">{url}</guid>\n'
            f"<pubDate>{format_datetime(article.published, usegmt=True)}</pubDate>\n"
            f"<description>{_x(article.summary)}</description>{creator}\n"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{_x(edition.outlet)}</title>\n"
        f"<link>{BASE}/index.html#lang-{edition.language}</link>\n"
        f"<description>{_x(lab['tagline'])}. {_x(lab['notice'])}</description>\n"
        f"<language>{edition.language}</language>\n"
        "<ttl>60</ttl>\n"
        f"<lastBuildDate>{format_datetime(updated, usegmt=True)}</lastBuildDate>\n"
        f'<atom:link href="{edition.feed_url}" rel="self" type="application/rss+xml"/>\n'
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def render_atom(edition: Edition) -> str:
    """Atom 1.0, newest entry first; the outlet is the feed-level author."""
    lab = labels(edition.language)
    updated = max(a.published for a in edition.articles)
    entries = []
    for article in edition.articles:
        url = edition.url(article)
        author = (
            f"\n<author><name>{_x(article.author)}</name></author>"
            if article.author
            else (f"\n<author><name>{_x(WIRE_OUTLET)}</name></author>" if article.kind == "syndicated" else "")
        )
        entries.append(
            "<entry>\n"
            f"<id>{url}</id>\n"
            f'<title type="text">{_x(article.title)}</title>\n'
            f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>\n'
            f"<published>{iso(article.published)}</published>\n"
            f"<updated>{iso(article.published)}</updated>\n"
            f'<summary type="text">{_x(article.summary)}</summary>{author}\n'
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{edition.language}">\n'
        f"<id>{edition.feed_url}</id>\n"
        f'<title type="text">{_x(edition.outlet)}</title>\n'
        f'<subtitle type="text">{_x(lab["tagline"])}. {_x(lab["notice"])}</subtitle>\n'
        f'<link rel="self" type="application/atom+xml" href={quoteattr(edition.feed_url)}/>\n'
        f'<link rel="alternate" type="text/html" href="{BASE}/index.html#lang-{edition.language}"/>\n'
        f"<updated>{iso(updated)}</updated>\n"
        f"<author><name>{_x(edition.outlet)}</name></author>\n" + "\n".join(entries) + "\n</feed>\n"
    )


def render_feeds_catalogue(editions: Sequence[Edition]) -> str:
    """feeds.yaml: the demo feeds in Vigil's feed-catalogue shape, one entry per language."""
    feeds = []
    for edition in editions:
        regions = sorted({REGIONS[code] for article in edition.articles for code in article.countries})
        feeds.append(
            {
                "url": edition.feed_url,
                "name": edition.outlet,
                "language": edition.language,
                "country": None,
                "regions": regions,
                "group": edition.group,
            }
        )
    header = (
        "# Generated by examples/demo-site/build.py; do not edit by hand.\n"
        "# Feeds of the fictional Vigil demo site. __BASE_URL__ is replaced by the demo server.\n"
    )
    body = yaml.safe_dump({"feeds": feeds}, allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    return header + body


ROBOTS = "User-agent: *\nDisallow: /private/\nAllow: /\n"


# --------------------------------------------------------------------------------------------------
# Writing


def render_site(editions: Sequence[Edition]) -> dict[str, str]:
    """Every output file of the site, keyed by its path relative to the site root."""
    files: dict[str, str] = {
        "index.html": render_index(editions),
        "robots.txt": ROBOTS,
        "feeds.yaml": render_feeds_catalogue(editions),
        "assets/site.css": STYLESHEET,
    }
    for edition in editions:
        renderer = render_rss if edition.feed_format == "rss" else render_atom
        files[f"feeds/{edition.language}.xml"] = renderer(edition)
        for article in edition.articles:
            files[f"{edition.language}/{article.path}"] = render_article(edition, article)
    return dict(sorted(files.items()))


def write_site(files: dict[str, str], out_dir: Path) -> tuple[int, int]:
    """Write the files and remove stale ones left by earlier builds; return (written, removed).

    Refuses to touch a non-empty directory that does not hold an earlier build of this site.
    """
    marker = out_dir / "index.html"
    is_earlier_build = marker.is_file() and GENERATOR in marker.read_text(encoding="utf-8", errors="replace")
    if out_dir.exists() and any(out_dir.iterdir()) and not is_earlier_build:
        raise ContentError(f"{out_dir} is not empty and holds no earlier build of the demo site; not touching it")
    out_dir.mkdir(parents=True, exist_ok=True)
    removed = 0
    for existing in sorted(out_dir.rglob("*"), reverse=True):
        relative = existing.relative_to(out_dir).as_posix()
        if existing.is_file() and relative not in files:
            existing.unlink()
            removed += 1
        elif existing.is_dir() and not any(existing.iterdir()):
            existing.rmdir()
    for relative, text in files.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return len(files), removed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="validate the content files only")
    parser.add_argument("--content", type=Path, default=CONTENT_DIR, help="content directory")
    parser.add_argument("--out", type=Path, default=SITE_DIR, help="output directory (default: site/)")
    args = parser.parse_args(argv)
    try:
        editions = load_all(args.content)
    except ContentError as exc:
        print(f"build.py: invalid demo content, nothing written:\n{exc}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{e.language}={len(e.articles)}" for e in editions)
    if args.check:
        print(f"content OK: {summary}")
        return 0
    try:
        written, removed = write_site(render_site(editions), args.out)
    except ContentError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {written} files to {args.out} ({summary}); removed {removed} stale files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
