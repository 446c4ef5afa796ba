"""config/feeds.yaml: validated at load, multilingual, weighted toward high-risk places."""

from __future__ import annotations

from collections import Counter

from vigil.config import load_feeds
from vigil.settings import PROJECT_ROOT

REQUIRED_LANGUAGES = {"en", "fr", "es", "ar", "ru", "pt", "de", "uk", "tr", "fa", "sw", "zh"}
HIGH_RISK = {"SD", "SS", "ET", "CD", "MM", "AF", "SY", "IQ", "YE", "PS", "UA", "HT", "NG", "CM", "MZ", "CN", "ML",
             "BF", "NE"}


def test_catalogue_loads_and_covers_the_brief() -> None:
    catalogue = load_feeds(PROJECT_ROOT / "config" / "feeds.yaml")
    feeds = catalogue.feeds
    assert len(feeds) >= 80
    languages = Counter(f.language for f in feeds)
    assert set(languages) >= REQUIRED_LANGUAGES and {"am", "ha", "my"} <= set(languages)
    covered = {r for f in feeds for r in f.regions}
    assert covered >= HIGH_RISK
    assert all(f.url.startswith("https://") or f.url.startswith("http://") for f in feeds)
    assert all(f.regions and f.group for f in feeds)
    assert all(f.country is None or (len(f.country) == 2 and f.country.isupper()) for f in feeds)
    assert set(catalogue.groups()) >= {"global", "africa-east", "africa-west", "africa-central", "mena", "asia",
                                       "europe", "americas"}
