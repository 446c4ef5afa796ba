from __future__ import annotations

import pytest

from vigil.ingest.urls import article_id, identity_key, normalise_url, same_site, source_domain


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTPS://WWW.Example.COM:443/a/./b/../c?utm_source=x&b=2&a=1#top", "https://www.example.com/a/c?a=1&b=2"),
    ("http://example.com:80", "http://example.com/"),
    ("http://example.com:8080/x?fbclid=1&gclid=2", "http://example.com:8080/x"),
    ("https://example.com/news?id=5&at_medium=rss&ns_source=f", "https://example.com/news?id=5"),
    ("https://example.com/%7euser/caf%c3%a9", "https://example.com/~user/caf%C3%A9"),
    ("https://пример.рф/новости", "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"),
    ("https://example.com/a/", "https://example.com/a/"),
])
def test_normalise_url(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected
    assert normalise_url(expected) == expected  # idempotent


def test_tracking_variants_share_one_id() -> None:
    variants = [
        "https://www.example.org/news/kessa?utm_source=rss&utm_medium=feed",
        "http://example.org/news/kessa?fbclid=abc#comments",
        "https://EXAMPLE.org:443/news/./kessa",
    ]
    assert len({article_id(v) for v in variants}) == 1
    assert identity_key(variants[0]) == "https://example.org/news/kessa"
    assert len(article_id(variants[0])) == 64
    assert article_id("https://example.org/news/other") != article_id(variants[0])


def test_meaningful_parameters_are_kept() -> None:
    assert article_id("https://e.org/story.php?id=1") != article_id("https://e.org/story.php?id=2")


@pytest.mark.parametrize(("url", "domain"), [
    ("https://www.bbc.co.uk/news/world", "bbc.co.uk"),
    ("https://feeds.bbci.co.uk/arabic/rss.xml", "bbci.co.uk"),
    ("https://news.un.org/feed/", "un.org"),
    ("http://127.0.0.1:8000/x", "127.0.0.1"),
    ("http://localhost/x", "localhost"),
    ("https://WWW.Lemonde.FR/international/", "lemonde.fr"),
])
def test_source_domain(url: str, domain: str) -> None:
    assert source_domain(url) == domain


def test_same_site() -> None:
    assert same_site("https://www.example.com/a", "https://m.example.com/b")
    assert not same_site("https://example.com/a", "https://example.net/a")
