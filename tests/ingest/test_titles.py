"""Headlines without the site's name."""

from __future__ import annotations

import lxml.html
import pytest

from vigil.ingest.extract import extract_html
from vigil.ingest.titles import clean_title

from .support import NOW

URL = "https://www.harbour-herald.example/news/ferry"


def tree(head: str = "", h1: str = "") -> lxml.html.HtmlElement:
    heading = f"<h1>{h1}</h1>" if h1 else ""
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{heading}<p>Text.</p></body></html>")


@pytest.mark.parametrize(("title", "head", "expected"), [
    ("Ferry runs again - Harbour Herald", '<meta property="og:site_name" content="Harbour Herald">',
     "Ferry runs again"),
    ("Harbour Herald | Ferry runs again", '<meta name="application-name" content="Harbour Herald">',
     "Ferry runs again"),
    ("Ferry runs again – harbour-herald.example", "", "Ferry runs again"),  # the host name
    ("Ferry runs again » Harbour Herald Online", '<meta property="og:site_name" content="Harbour Herald">',
     "Ferry runs again"),  # the name with a word more
    ("Ferry runs again | News | Harbour Herald", '<meta property="og:site_name" content="Harbour Herald">',
     "Ferry runs again | News"),  # only parts that name the site go
    ("Ferry runs again - and traders return", "", "Ferry runs again - and traders return"),
    ("Harbour Herald", '<meta property="og:site_name" content="Harbour Herald">', "Harbour Herald"),
])
def test_site_name_is_cut(title: str, head: str, expected: str) -> None:
    assert clean_title(title, tree(head), URL) == expected


def test_json_ld_publisher_is_a_site_name() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"publisher": {"@type": "Organization", "name": "The Coast Courier"}}</script>')
    assert clean_title("Ferry runs again :: The Coast Courier", tree(head), URL) == "Ferry runs again"


@pytest.mark.parametrize(("title", "h1"), [
    ("Islands | Ferry runs again after the storms", "Ferry runs again after the storms"),
    ("Storms: Ferry runs again", "Ferry runs again"),  # a topic word before the headline
    ('"Ferry runs again" - Islands', "„Ferry runs again“"),  # the heading's own quotes
])
def test_heading_that_is_one_side_of_the_title(title: str, h1: str) -> None:
    assert clean_title(title, tree(h1=h1), None) == h1


def test_heading_that_names_the_site_is_not_the_headline() -> None:
    head = '<meta property="og:site_name" content="Harbour Herald">'
    assert clean_title("Ferry runs again - Harbour Herald", tree(head, "Harbour Herald"), URL) == "Ferry runs again"


def test_colon_in_a_headline_is_kept_without_a_matching_heading() -> None:
    assert clean_title("Storms: Ferry runs again", tree(h1="Latest news"), None) == "Storms: Ferry runs again"


def test_extracted_title_has_no_site_suffix() -> None:
    body = "".join(f"<p>Paragraph {i}: the ferry to the island ran again after a week of storms, and traders "
                   f"unloaded sacks of maize on the quay.</p>" for i in range(4))
    html = ("<html><head><title>Ferry runs again | Harbour Herald</title>"
            '<meta property="og:site_name" content="Harbour Herald"></head>'
            f"<body><header>Harbour Herald</header><article>{body}</article></body></html>")
    assert extract_html(html, url=URL, now=NOW).title == "Ferry runs again"
