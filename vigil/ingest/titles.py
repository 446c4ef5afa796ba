"""Headlines without the site's name.

Pages put the site's name into ``<title>`` and often ``og:title`` ("Headline - Site", "Site | Headline").
Two general rules recover the headline: when the page's ``<h1>`` is one side of such a title, the ``<h1>``
is the headline; otherwise a leading or trailing part that names the site (``og:site_name``,
``application-name``, the JSON-LD publisher, or the host name) is cut off.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

import lxml.html

_SEPARATOR = re.compile(r"\s+(?:[-|–—›»«·•~]|::)\s+|\s+[|›»]|[|›»]\s+")
_KICKER = re.compile(r"(?<=\w):\s+")
"""A topic word before the headline ("Flooding: Headline"), cut only when the rest is the ``<h1>``."""
_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                         "–": "-", "—": "-", "…": "..."})
_SITE_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site",
              "publisher", "dc.publisher")
MAX_H1 = 5


def _key(text: str) -> str:
    """Comparison form: NFKC, casefolded, quotes and dashes unified, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


def _letters(text: str) -> str:
    """Only letters and digits, casefolded: ``www.Helge.at`` and ``helge at`` compare equal."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def site_names(tree: lxml.html.HtmlElement, url: str | None) -> list[str]:
    """What the site calls itself: meta names, the JSON-LD publisher, the host with and without
    ``www.`` and its registrable label."""
    names: list[str] = []
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in _SITE_KEYS:
            names.append(meta.get("content", "").strip().lstrip("@"))
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        names.extend(_publisher_names(data))
    host = (urlsplit(url).hostname or "") if url else ""
    if host:
        bare = host.removeprefix("www.")
        names += [host, bare, bare.split(".")[0]] if "." in bare else [host]
    return [name for name in names if len(_letters(name)) >= 2]


def _publisher_names(data: object) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _publisher_names(item)
    elif isinstance(data, dict):
        publisher = data.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            yield publisher["name"]
        if isinstance(data.get("@graph"), list):
            yield from _publisher_names(data["@graph"])


def _names_site(part: str, sites: list[str]) -> bool:
    """Whether a title part names the site: equal to a name, part of one, or a name with a word or two
    more (letters only)."""
    letters = _letters(part)
    if len(letters) < 2:
        return True  # a stray separator or symbol
    for site in sites:
        name = _letters(site)
        if letters == name or (len(letters) >= 4 and letters in name):
            return True
        if len(name) >= 4 and name in letters and 2 * len(name) >= len(letters):
            return True  # "Site Blog" for "Site"
    return False


def headings(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's ``<h1>`` texts, whitespace collapsed."""
    found = (" ".join(h.text_content().split()) for h in tree.xpath("//h1")[:MAX_H1])
    return [text for text in found if text]


def clean_title(title: str, tree: lxml.html.HtmlElement, url: str | None) -> str:
    """The headline in ``title``: an ``<h1>`` that is one side of it, else ``title`` without leading or
    trailing parts that name the site. Unchanged when neither rule applies."""
    title = " ".join(title.split())
    if not title:
        return title
    parts = _SEPARATOR.split(title)
    sites = site_names(tree, url)
    h1s = [h1 for h1 in headings(tree) if not _names_site(h1, sites)]
    sides = [part for part in _KICKER.split(title, maxsplit=1)[1:]]
    for cut in range(1, len(parts)):
        sides += [" - ".join(parts[:cut]), " - ".join(parts[cut:])]
    side_keys = {_key(side) for side in sides}
    for h1 in h1s:
        if _key(h1) in side_keys:
            return h1
    for h1 in h1s:
        if _key(h1) == _key(title):
            return h1  # same words, the heading's own quotes and dashes
    if len(parts) == 1:
        return title
    start, end = 0, len(parts)
    while end - start > 1 and _names_site(parts[end - 1], sites):
        end -= 1
    while end - start > 1 and _names_site(parts[start], sites):
        start += 1
    if (start, end) == (0, len(parts)):
        return title
    return _rejoin(title, parts[start:end])


def _rejoin(title: str, kept: list[str]) -> str:
    """The kept parts with the separators that stood between them in ``title``."""
    first, last = kept[0], kept[-1]
    begin = title.find(first)
    finish = title.rfind(last) + len(last)
    return title[begin:finish].strip() if 0 <= begin < finish else " ".join(kept)
