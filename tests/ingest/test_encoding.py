from __future__ import annotations

import pytest

from vigil.ingest.encoding import charset_from_content_type, decide_encoding, decode, normalise_charset

from .support import fixture_bytes

RU = "Президент заявил, что переговоры о прекращении огня продолжатся в четверг в столице."
FR = "Le président a déclaré que les négociations reprendront jeudi à la capitale, où règne une tension élevée."


@pytest.mark.parametrize(("body", "header", "expected"), [
    (RU.encode("cp1251"), "utf-8", "cp1251"),          # wrong header
    (RU.encode("cp1251"), "iso-8859-1", "cp1251"),     # wrong Western header: mojibake detected
    (RU.encode("cp1251"), None, "cp1251"),             # no declaration
    (FR.encode("latin-1"), None, "cp1252"),            # undeclared Latin-1
    (FR.encode("utf-8"), "iso-8859-1", "utf-8"),       # valid UTF-8 wins over a wrong declaration
    (b"\xef\xbb\xbf" + FR.encode("utf-8"), "windows-1251", "utf-8"),  # BOM wins
    (b"plain ascii", "koi8-r", "utf-8"),
])
def test_decide_encoding(body: bytes, header: str | None, expected: str) -> None:
    assert decide_encoding(body, header, "page") == expected


@pytest.mark.parametrize(("name", "codec", "needle"), [
    ("page_ru_cp1251.html", "cp1251", "Сосновку прибыли"),
    ("page_ar_cp1256.html", "cp1256", "الوادي الأخضر"),
    ("feed_zh_gb2312.xml", "gb18030", "山区村民因洪水转移至县城"),
    ("feed_pt_latin1.xml", "cp1252", "Moradores da região ribeirinha"),
    ("feed_ru_cp1251.xml", "cp1251", "Жители Сосновки"),
    ("feed_ar_cp1256.xml", "cp1256", "نقص حاد في الأدوية"),
])
def test_fixtures_decode(name: str, codec: str, needle: str) -> None:
    body = fixture_bytes(name)
    kind = "feed" if name.endswith(".xml") else "page"
    chosen = decide_encoding(body, None, kind)  # type: ignore[arg-type]
    assert chosen == codec
    assert needle in decode(body, chosen)


def test_charset_helpers() -> None:
    assert charset_from_content_type('text/html; charset="Windows-1251"') == "Windows-1251"
    assert charset_from_content_type("text/html") is None
    assert normalise_charset("GB2312") == "gb18030"
    assert normalise_charset("ISO-8859-1") == "cp1252"
    assert normalise_charset("no-such-charset") is None
