"""Loading YAML config files into validated models, with errors that name file, line and field."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from vigil.errors import ConfigError
from vigil.records import FeedSpec

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; return the data and its node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read file ({exc})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}:{where}: invalid YAML: {problem}") from exc
    return data, node


def load_model(path: Path, model: type[M]) -> M:
    """Load ``path`` and validate it as ``model``; one clear :class:`ConfigError` on failure."""
    data, node = read_yaml(path)
    if data is None:
        raise ConfigError(f"{path}: file is empty; expected a {model.__name__} mapping")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc, node)) from exc


def describe_validation_error(path: Path, exc: ValidationError, node: yaml.Node | None) -> str:
    """One message naming the file, the line, the field path and what was expected."""
    errors = exc.errors()
    missing = {(tuple(e["loc"][:-1]), str(e["loc"][-1])) for e in errors if e["type"] == "missing"}
    suggestions: dict[tuple[int | str, ...], str] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            parent = tuple(err["loc"][:-1])
            close = difflib.get_close_matches(str(err["loc"][-1]), [m for p, m in missing if p == parent], n=1)
            if close:
                suggestions[tuple(err["loc"])] = close[0]
    explained = {(loc[:-1], name) for loc, name in suggestions.items()}
    lines = []
    for err in errors:
        loc = tuple(err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            hint = suggestions.get(loc)
            msg = f"unknown field '{loc[-1]}'" + (f"; did you mean '{hint}'?" if hint else " (check the spelling)")
        elif err["type"] == "missing":
            if (loc[:-1], str(loc[-1])) in explained:
                continue
            msg = "required field is missing"
        line = _line_of(node, loc)
        where = f"{path}:{line}" if line else str(path)
        lines.append(f"{where}: {_format_loc(loc)}: {msg}")
    more = len(lines) - 5
    lines = lines[:5]
    if more > 0:
        lines.append(f"... and {more} more problem(s)")
    return "; ".join(lines)


def _format_loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    """Walk the YAML node tree along ``loc``; return the 1-based line of the deepest node found."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        best = node.start_mark.line + 1
    return best


class FeedCatalogue(BaseModel):
    """``config/feeds.yaml``: the feeds to ingest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feeds: tuple[FeedSpec, ...]

    @field_validator("feeds")
    @classmethod
    def _check_feeds(cls, feeds: tuple[FeedSpec, ...]) -> tuple[FeedSpec, ...]:
        seen: set[str] = set()
        for i, feed in enumerate(feeds):
            if not feed.url.startswith(("http://", "https://", "__BASE_URL__")):
                raise ValueError(f"feeds[{i}] url must start with http:// or https://, got {feed.url!r}")
            if not (len(feed.language) == 2 and feed.language.isalpha() and feed.language.islower()):
                raise ValueError(f"feeds[{i}] language must be an ISO 639-1 code like 'en', got {feed.language!r}")
            if feed.url in seen:
                raise ValueError(f"feeds[{i}] url is listed twice: {feed.url}")
            seen.add(feed.url)
        return feeds

    def groups(self) -> dict[str, list[FeedSpec]]:
        out: dict[str, list[FeedSpec]] = {}
        for feed in self.feeds:
            out.setdefault(feed.group, []).append(feed)
        return out


def load_feeds(path: Path, base_url: str | None = None) -> FeedCatalogue:
    """Load a feeds catalogue; ``base_url`` replaces the ``__BASE_URL__`` placeholder (demo, tests)."""
    catalogue = load_model(path, FeedCatalogue)
    if base_url is None:
        return catalogue
    feeds = tuple(f.model_copy(update={"url": f.url.replace("__BASE_URL__", base_url)}) for f in catalogue.feeds)
    return FeedCatalogue(feeds=feeds)
