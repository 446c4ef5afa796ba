"""Config files are validated at load with one clear message naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigil.config import FeedCatalogue, load_feeds, load_model
from vigil.errors import ConfigError

GOOD = """\
feeds:
  - url: https://news.example.org/rss
    name: Example News
    language: en
    country: GB
    regions: [africa]
    group: africa
  - url: https://nouvelles.example.fr/atom
    name: Exemple
    language: fr
    group: europe
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_catalogue_loads_and_groups(tmp_path: Path) -> None:
    catalogue = load_feeds(write(tmp_path, GOOD))
    assert [f.language for f in catalogue.feeds] == ["en", "fr"]
    assert sorted(catalogue.groups()) == ["africa", "europe"]


def test_typo_in_field_name_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    language: fr", "    langauge: fr"))
    with pytest.raises(ConfigError) as info:
        load_feeds(path)
    message = str(info.value)
    assert str(path) in message
    assert ":10:" in message  # the line of the misspelt key
    assert "feeds[1].langauge" in message
    assert "unknown field 'langauge'; did you mean 'language'?" in message
    assert "required field is missing" not in message


def test_missing_required_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    name: Exemple\n", ""))
    with pytest.raises(ConfigError, match=r"feeds\[1\]\.name: required field is missing"):
        load_feeds(path)


def test_bad_language_code_is_explained(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("language: fr", "language: French"))
    with pytest.raises(ConfigError, match="ISO 639-1 code like 'en', got 'French'"):
        load_feeds(path)


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("regions: [africa]", "regions: [africa"))
    with pytest.raises(ConfigError, match=r"feeds.yaml: line \d+, column \d+: invalid YAML"):
        load_feeds(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_model(tmp_path / "nope.yaml", FeedCatalogue)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file is empty"):
        load_feeds(write(tmp_path, ""))


def test_duplicate_url_rejected(tmp_path: Path) -> None:
    text = GOOD.replace("https://nouvelles.example.fr/atom", "https://news.example.org/rss")
    with pytest.raises(ConfigError, match="listed twice"):
        load_feeds(write(tmp_path, text))


def test_base_url_placeholder_is_substituted(tmp_path: Path) -> None:
    text = "feeds:\n  - {url: '__BASE_URL__/feeds/en.xml', name: Demo, language: en}\n"
    catalogue = load_feeds(write(tmp_path, text), base_url="http://127.0.0.1:8123")
    assert catalogue.feeds[0].url == "http://127.0.0.1:8123/feeds/en.xml"
