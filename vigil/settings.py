"""Vigil's settings: one class, read from ``VIGIL_*`` environment variables (and ``.env``).

Only entry points (CLI, web, DAGs) build a :class:`Settings`; library functions receive the values
they need as arguments and never read the environment themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from vigil.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout's root (where ``config/`` and ``examples/`` live in a source install)."""

DEFAULT_USER_AGENT = "VigilBot/0.1 (+{contact}; atrocity early-warning research crawler)"


class Settings(BaseSettings):
    """All runtime settings. Every field maps to ``VIGIL_<FIELD>`` (e.g. ``VIGIL_DATA_DIR``)."""

    model_config = SettingsConfigDict(env_prefix="VIGIL_", env_file=".env", extra="ignore")

    # where things live
    data_dir: Path = Field(default=Path("data"), description="directory for the embedded store and raw captures")
    config_dir: Path = Field(default=PROJECT_ROOT / "config", description="directory of the YAML config files")
    feeds_file: Path | None = Field(default=None, description="feeds catalogue; default <config_dir>/feeds.yaml")
    store: Literal["sqlite", "elasticsearch"] = Field(default="sqlite", description="which store backend to use")

    # polite, safe fetching
    contact_url: str = Field(default="https://github.com/vigil-early-warning/vigil",
                             description="contact URL put in the User-Agent")
    user_agent: str | None = Field(default=None, description="full User-Agent; default names Vigil and contact_url")
    connect_timeout: float = Field(default=10.0, gt=0, description="seconds to open a connection")
    read_timeout: float = Field(default=30.0, gt=0, description="seconds to wait for data on a connection")
    max_body_bytes: int = Field(default=10_000_000, gt=0, description="largest response body accepted (decoded)")
    max_redirects: int = Field(default=5, ge=0, description="redirects followed per request")
    per_host_concurrency: int = Field(default=2, ge=1, description="requests in flight to one host")
    per_host_delay: float = Field(default=5.0, ge=0, description="minimum seconds between requests to one host")
    max_retry_after: float = Field(default=300.0, ge=0, description="longest Retry-After honoured in-run (s)")
    allow_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), description="hosts allowed to resolve to private/loopback addresses (comma-separated)")
    respect_robots: bool = Field(default=True, description="obey robots.txt")
    raw_capture: bool = Field(default=True, description="keep compressed raw HTML for re-extraction")
    raw_retention_days: int = Field(default=90, ge=1, description="days raw captures are kept")
    max_articles_per_feed: int = Field(default=200, ge=1, description="newest entries taken per feed per run")
    tag_processes: int = Field(default=1, ge=1, description="spaCy worker processes for large tagging batches")

    # Elasticsearch
    es_url: str | None = Field(default=None, description="Elasticsearch URL (store=elasticsearch)")
    es_api_key: SecretStr | None = Field(default=None, description="Elasticsearch API key")
    es_ca_cert: Path | None = Field(default=None, description="CA certificate file for Elasticsearch TLS")
    es_index_prefix: str = Field(default="vigil", description="prefix of Elasticsearch index and alias names")

    # scheduling and web
    schedule: str = Field(default="0 2 * * *", description="cron schedule of the nightly ingest DAG (UTC)")
    web_public_search: bool = Field(default=True, description="allow searching without logging in")
    secret_key: SecretStr | None = Field(default=None, description="web session signing key (required to serve)")
    session_hours: float = Field(default=12.0, gt=0, description="web session lifetime in hours")

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(h.strip().lower() for h in value.split(",") if h.strip())
        return value

    @property
    def effective_user_agent(self) -> str:
        return self.user_agent or DEFAULT_USER_AGENT.format(contact=self.contact_url)

    @property
    def effective_feeds_file(self) -> Path:
        return self.feeds_file or self.config_dir / "feeds.yaml"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "vigil.sqlite3"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides, with a readable error."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"VIGIL_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
