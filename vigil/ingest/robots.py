"""A small robots.txt parser (RFC 9309 with ``*`` and ``$`` wildcards, plus Crawl-delay).

The fetcher caches one :class:`RobotsRules` per origin. Python's ``urllib.robotparser`` ignores
wildcards and picks the first matching rule rather than the longest, so it can allow what a site forbids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one robots.txt for one user agent."""

    allow: tuple[str, ...] = ()
    disallow: tuple[str, ...] = ()
    crawl_delay: float | None = None
    disallow_all: bool = False
    _compiled: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def allow_all(cls) -> RobotsRules:
        return cls()

    @classmethod
    def forbid_all(cls) -> RobotsRules:
        return cls(disallow_all=True)

    def _pattern(self, rule: str) -> re.Pattern[str]:
        pat = self._compiled.get(rule)
        if pat is None:
            anchored = rule.endswith("$")
            body = re.escape(rule.rstrip("$")).replace(r"\*", ".*")
            pat = re.compile(body + ("$" if anchored else ""))
            self._compiled[rule] = pat
        return pat

    def allowed(self, url: str) -> bool:
        """Longest matching rule wins; on a tie, allow (RFC 9309 section 2.2.2)."""
        if self.disallow_all:
            return False
        parts = urlsplit(url)
        path = _norm_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        best_len, best_allow = -1, True
        for rules, verdict in ((self.disallow, False), (self.allow, True)):
            for rule in rules:
                if self._pattern(rule).match(path) and (len(rule) > best_len
                                                        or (len(rule) == best_len and verdict)):
                    best_len, best_allow = len(rule), verdict
        return best_allow


def _norm_path(path: str) -> str:
    return quote(unquote(path), safe="/:@!$&'()*+,;=-._~%")


def _agent_token(user_agent: str) -> str:
    return user_agent.split("/")[0].split()[0].lower() if user_agent.strip() else "*"


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """Rules for ``user_agent`` (its product token, e.g. ``vigilbot``), else for ``*``."""
    token = _agent_token(user_agent)
    groups: list[tuple[list[str], list[tuple[str, str]]]] = []
    agents: list[str] = []
    rules: list[tuple[str, str]] = []
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if not last_was_agent and (agents or rules):
                groups.append((agents, rules))
                agents, rules = [], []
            agents.append(value.lower())
            last_was_agent = True
        elif key in ("allow", "disallow", "crawl-delay"):
            rules.append((key, value))
            last_was_agent = False
    if agents or rules:
        groups.append((agents, rules))

    mine = [r for a, r in groups if token in a]
    chosen = mine or [r for a, r in groups if "*" in a]
    allow: list[str] = []
    disallow: list[str] = []
    delay: float | None = None
    for group in chosen:
        for key, value in group:
            if key == "allow" and value:
                allow.append(_norm_path(value))
            elif key == "disallow" and value:
                disallow.append(_norm_path(value))
            elif key == "crawl-delay":
                try:
                    delay = max(delay or 0.0, float(value))
                except ValueError:
                    continue
    return RobotsRules(allow=tuple(allow), disallow=tuple(disallow), crawl_delay=delay)
