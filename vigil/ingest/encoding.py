"""Deciding how to decode feeds and pages whose charset declarations are missing or wrong.

Order: a byte-order mark; valid UTF-8 (valid multi-byte UTF-8 is almost never an accident); a declared
charset (HTTP header, then ``<?xml encoding>`` / ``<meta charset>``) that decodes cleanly and, for the
Western single-byte charsets that servers default to, does not read as mojibake; else detection
(charset-normalizer).
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

import charset_normalizer
from charset_normalizer.md import mess_ratio

Kind = Literal["feed", "page"]

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]{0,2000}>")
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "cp1252", "latin-1": "cp1252",
            "ascii": "cp1252", "us-ascii": "cp1252", "x-sjis": "shift_jis", "iso-8859-9": "cp1254",
            "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "tis-620": "cp874", "iso-8859-11": "cp874"}
WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii"})
"""Charsets servers often declare by default: a clean decode proves nothing, so check for mojibake."""
MOJIBAKE_RATIO = 0.2


def normalise_charset(name: str | None) -> str | None:
    """Python codec name for a declared charset (WHATWG-style aliases), or None if unknown."""
    if not name:
        return None
    low = name.strip().strip("\"'").lower()
    low = _ALIASES.get(low, low)
    try:
        return codecs.lookup(low).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if any."""
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def declared_in_document(body: bytes, kind: Kind) -> str | None:
    """The charset the document declares in its first bytes (XML declaration or meta tag)."""
    head = body[:4096]
    match = _XML_DECL.match(head)
    if match:
        return match.group(1).decode("ascii")
    if kind == "page":
        meta = _META.search(head)
        if meta:
            return meta.group(1).decode("ascii")
    return None


def _bom(body: bytes) -> str | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def _clean(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_right(text: str, codec: str) -> bool:
    if codec not in WESTERN:
        return True
    sample = _TAGS.sub(" ", text[:200_000])
    return mess_ratio(sample, MOJIBAKE_RATIO) < MOJIBAKE_RATIO


def decide_encoding(body: bytes, http_charset: str | None, kind: Kind) -> str:
    """The codec to decode ``body`` with (a Python codec name)."""
    bom = _bom(body)
    if bom:
        return bom
    if body.isascii():
        return "utf-8"
    if _clean(body, "utf-8") is not None:
        return "utf-8"
    for declared in (http_charset, declared_in_document(body, kind)):
        codec = normalise_charset(declared)
        if codec is None or codec.startswith("utf"):
            continue
        text = _clean(body, codec)
        if text is not None and _looks_right(text, codec):
            return codec
    western = _clean(body, "cp1252")
    if western is not None and _looks_right(western, "cp1252"):
        return "cp1252"  # the commonest undeclared legacy charset, when it does not read as mojibake
    best = charset_normalizer.from_bytes(body[:400_000]).best()
    if best is not None and best.encoding:
        return normalise_charset(best.encoding) or "cp1252"
    return "cp1252"


def decode(body: bytes, codec: str) -> str:
    """Decode with ``codec``, replacing undecodable bytes; strips a BOM."""
    text = body.decode(codec, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def to_utf8_xml(text: str) -> bytes:
    """Re-encode decoded XML as UTF-8, rewriting its declaration to say so (for feedparser)."""
    text = re.sub(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", r'\1"utf-8"', text, count=1)
    return text.encode("utf-8")
