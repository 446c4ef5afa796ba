from __future__ import annotations

from vigil.ingest.robots import parse_robots

ROBOTS = """
# comment
User-agent: *
Disallow: /private/
Allow: /private/open$
Disallow: /*.pdf$
Crawl-delay: 3

User-agent: OtherBot
User-agent: ThirdBot
Disallow: /
"""


def test_longest_match_and_wildcards() -> None:
    rules = parse_robots(ROBOTS, "VigilBot/0.1 (+https://example.org)")
    assert not rules.allowed("https://a.example/private/x")
    assert rules.allowed("https://a.example/private/open")
    assert not rules.allowed("https://a.example/private/open2")
    assert not rules.allowed("https://a.example/files/report.pdf")
    assert rules.allowed("https://a.example/files/report.pdf?download=1")
    assert rules.allowed("https://a.example/news/today")
    assert rules.crawl_delay == 3.0


def test_named_group_wins_over_star() -> None:
    assert not parse_robots(ROBOTS, "ThirdBot/2.0").allowed("https://a.example/news")
    rules = parse_robots("User-agent: vigilbot\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "VigilBot/0.1")
    assert not rules.allowed("https://a.example/")
    assert parse_robots("User-agent: bot\nDisallow: /\n", "VigilBot/0.1").allowed("https://a.example/")


def test_empty_disallow_allows_everything() -> None:
    assert parse_robots("User-agent: *\nDisallow:\n", "VigilBot").allowed("https://a.example/x")
