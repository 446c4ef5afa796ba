"""The nightly ingest as separate stages that hand each other files (the claim-check pattern).

Airflow runs one chain per feed group: :func:`fetch_group` -> :func:`extract_group` -> :func:`tag_group`
-> :func:`index_group`, then :func:`summarise` once for the run. Each stage reads the previous stage's
file and writes its own under ``<data_dir>/runs/<run_id>/``; only the file's path (or a few counts)
goes through XCom, never an article body. Each file starts with a header line, then for every feed
one *ledger* line (the feed, its new state, outcome counts and dead letters so far) followed by that
feed's items. A stage re-run overwrites its own file (written atomically), so retries are harmless.

Nothing is written to the store before :func:`index_group`: a group that fails half-way leaves feed
state untouched, so the next run fetches the same entries again. Functions here take
:class:`~vigil.settings.Settings` and never read the environment; the heavy imports (spaCy, the
fetcher, the store) happen inside the functions, so a DAG file can import this module cheaply.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vigil.errors import ConfigError, StoreError, VigilError
from vigil.records import (
    DeadLetter,
    ExtractedArticle,
    FeedEntry,
    FeedSpec,
    FeedState,
    FetchedPage,
    IndexedDocument,
    RunReport,
    Stage,
)
from vigil.runtime import opened_store
from vigil.settings import Settings

if TYPE_CHECKING:
    from vigil.search.store import DuplicateCandidate, Store

log = logging.getLogger(__name__)

INDEX_ASSET_URI = "vigil://store/articles"
"""The Airflow Asset that the ingest DAG updates and the alerts DAG is scheduled on (a constant)."""
INDEX_ASSET_NAME = "vigil_index"

StageName = Literal["fetch", "extract", "tag", "index"]
STAGES: tuple[StageName, ...] = ("fetch", "extract", "tag", "index")
RUN_DIR_RETENTION_DAYS = 14
"""Claim-check directories older than this are deleted by the weekly maintenance."""
ES_PROBE_TIMEOUT = 5.0
"""Seconds the readiness check waits for Elasticsearch before it calls it unreachable."""

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class GroupFailedError(VigilError):
    """Every feed of a group failed: the stage fails so Airflow retries it later (with back-off)."""


# --------------------------------------------------------------------------- DAG options


@dataclass(frozen=True)
class DagOptions:
    """What the DAG files read from the environment at parse time (cheap: no I/O, no validation of
    the rest of the settings, which happens inside the tasks)."""

    schedule: str = "0 2 * * *"
    maintenance_schedule: str = "0 4 * * 0"
    retries: int = 2
    retry_delay: timedelta = timedelta(minutes=5)
    max_retry_delay: timedelta = timedelta(hours=1)
    fetch_pool: str = "vigil_fetch"
    owner: str = "vigil"


def dag_options(environ: Mapping[str, str]) -> DagOptions:
    """Parse the ``VIGIL_*`` variables the DAG files need at parse time (``os.environ`` in DAG files)."""
    defaults = DagOptions()

    def number(name: str, default: float) -> float:
        raw = environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = float(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
        if value < 0:
            raise ConfigError(f"{name} must be >= 0, got {raw!r}")
        return value

    return DagOptions(
        schedule=environ.get("VIGIL_SCHEDULE", "").strip() or defaults.schedule,
        maintenance_schedule=environ.get("VIGIL_MAINTENANCE_SCHEDULE", "").strip()
        or defaults.maintenance_schedule,
        retries=int(number("VIGIL_DAG_RETRIES", defaults.retries)),
        retry_delay=timedelta(seconds=number("VIGIL_DAG_RETRY_DELAY",
                                             defaults.retry_delay.total_seconds())),
        max_retry_delay=defaults.max_retry_delay,
        fetch_pool=environ.get("VIGIL_FETCH_POOL", "").strip() or defaults.fetch_pool,
        owner=environ.get("VIGIL_DAG_OWNER", "").strip() or defaults.owner,
    )


def es_overrides(*, host: str | None, port: int | None = None, schema: str | None = None,
                 password: str | None = None, extra: Mapping[str, Any] | None = None,
                 conn_type: str | None = None) -> dict[str, Any]:
    """Settings overrides from the fields of an Airflow connection to Elasticsearch.

    ``host`` may carry the scheme (``https://es.example.org``); otherwise the first of ``extra.scheme``,
    ``schema`` and ``conn_type`` that is ``http`` or ``https`` gives it (a URI connection
    ``http://elasticsearch:9200`` has conn_type ``http``), default ``https``. The API key is the
    connection's password or ``extra.api_key``; ``extra.ca_cert`` is a CA certificate path.
    """
    extra = dict(extra or {})
    if not host:
        raise ConfigError("the Elasticsearch connection has no host")
    if "://" in host:
        url = host.rstrip("/")
    else:
        candidates = (str(c).lower() for c in (extra.get("scheme"), schema, conn_type) if c)
        scheme = next((c for c in candidates if c in ("http", "https")), "https")
        url = f"{scheme}://{host}"
    if port and not re.search(r":\d+$", url.split("://", 1)[1]):
        url = f"{url}:{port}"
    out: dict[str, Any] = {"es_url": url}
    key = password or extra.get("api_key")
    if key:
        out["es_api_key"] = key
    if extra.get("ca_cert"):
        out["es_ca_cert"] = extra["ca_cert"]
    return out


# --------------------------------------------------------------------------- run directory


def safe_name(value: str) -> str:
    """A file-name-safe version of an Airflow run id or group name."""
    cleaned = _SAFE.sub("_", value).strip("._")
    return cleaned or "_"


def run_dir(settings: Settings, run_id: str) -> Path:
    return settings.data_dir / "runs" / safe_name(run_id)


def stage_path(directory: Path, group: str, stage: StageName) -> Path:
    suffix = ".json" if stage == "index" else ".jsonl.gz"
    return directory / f"{safe_name(group)}.{stage}{suffix}"


def error_path(directory: Path, group: str) -> Path:
    return directory / f"{safe_name(group)}.error.json"


class Header(BaseModel):
    """First line of every claim-check file."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    group: str
    stage: str
    started_at: datetime


class FeedLedger(BaseModel):
    """What one feed carries from stage to stage besides its items."""

    model_config = ConfigDict(extra="forbid")

    feed: FeedSpec
    state: FeedState
    previous: FeedState | None = Field(default=None, description="state before this run (None: first run)")
    counts: dict[str, int] = Field(default_factory=dict)
    dead_letters: list[DeadLetter] = Field(default_factory=list)
    failed: bool = False

    def add(self, counts: Mapping[str, int], letters: Sequence[DeadLetter] = ()) -> FeedLedger:
        merged = Counter(self.counts)
        merged.update(counts)
        return self.model_copy(update={"counts": dict(merged), "dead_letters": [*self.dead_letters, *letters]})


class _Pair(BaseModel):
    entry: FeedEntry
    page: FetchedPage


_ITEM_TYPES: dict[str, type[BaseModel]] = {
    "pair": _Pair, "article": ExtractedArticle, "document": IndexedDocument,
}


def _atomic_writer(path: Path) -> tuple[Path, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    return Path(tmp), gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3)


class ClaimWriter:
    """Writes a claim-check file atomically: ``with ClaimWriter(path, header) as w: w.ledger(...)``."""

    def __init__(self, path: Path, header: Header) -> None:
        self.path = path
        self._tmp, self._fh = _atomic_writer(path)
        self._line({"header": header.model_dump(mode="json")})

    def _line(self, obj: dict[str, Any]) -> None:
        self._fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")

    def ledger(self, ledger: FeedLedger) -> None:
        self._line({"ledger": ledger.model_dump(mode="json")})

    def item(self, kind: str, record: BaseModel) -> None:
        self._line({kind: record.model_dump(mode="json")})

    def __enter__(self) -> ClaimWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self._fh.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


def read_claim(path: Path) -> tuple[Header, Iterator[tuple[FeedLedger, list[Any]]]]:
    """The header, and an iterator of (ledger, items) per feed: one feed in memory at a time."""
    if not path.is_file():
        raise StoreError(f"claim-check file {path} is missing (was the run directory deleted, or is "
                         f"VIGIL_DATA_DIR not shared between workers?)")
    fh = gzip.open(path, "rt", encoding="utf-8")  # noqa: SIM115 (closed by the iterator below)
    first = json.loads(fh.readline() or "{}")
    if "header" not in first:
        fh.close()
        raise StoreError(f"{path} is not a Vigil claim-check file")
    header = Header.model_validate(first["header"])

    def feeds() -> Iterator[tuple[FeedLedger, list[Any]]]:
        with fh:
            current: FeedLedger | None = None
            items: list[Any] = []
            for line in fh:
                obj = json.loads(line)
                if "ledger" in obj:
                    if current is not None:
                        yield current, items
                    current, items = FeedLedger.model_validate(obj["ledger"]), []
                    continue
                (kind, value), = obj.items()
                items.append(_ITEM_TYPES[kind].model_validate(value))
            if current is not None:
                yield current, items

    return header, feeds()


@contextmanager
def recording_failure(directory: Path, group: str, stage: StageName) -> Iterator[None]:
    """Leave ``<group>.error.json`` naming the stage and error if the block raises (for the summary)."""
    try:
        yield
    except BaseException as exc:
        directory.mkdir(parents=True, exist_ok=True)
        error_path(directory, group).write_text(json.dumps({
            "stage": stage, "error": type(exc).__name__, "message": str(exc)[:1000],
            "at": datetime.now(UTC).isoformat(),
        }), encoding="utf-8")
        raise


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# --------------------------------------------------------------------------- readiness and plan


def check_ready(settings: Settings) -> list[str]:
    """Fail fast on bad configuration: feeds file, data directory, store, tagger config.

    Returns the feed groups of the catalogue."""
    from vigil.config import load_feeds

    catalogue = load_feeds(settings.effective_feeds_file)
    if not catalogue.feeds:
        raise ConfigError(f"{settings.effective_feeds_file}: the catalogue lists no feeds")
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.data_dir, prefix=".vigil-write-test"):
            pass
    except OSError as exc:
        raise ConfigError(f"VIGIL_DATA_DIR {settings.data_dir} is not writable: {exc}") from exc
    check_store(settings)
    check_tagger(settings)
    return sorted(catalogue.groups())


def check_tagger(settings: Settings) -> None:
    """Load the tagger's config (model table, indicator lexicon) now, so a bad file fails the plan task
    rather than every group's tag task; the spaCy pipelines themselves are built on first use."""
    from vigil.runtime import build_tagger

    build_tagger(settings)


def check_store(settings: Settings) -> None:
    """Raise :class:`StoreError` or :class:`ConfigError` with a clear message if the store is unusable."""
    if settings.store == "elasticsearch":
        probe_elasticsearch(settings)
    from vigil.runtime import open_store

    try:
        store = open_store(settings)
    except ImportError as exc:
        raise ConfigError(f"the {settings.store} store is not available in this installation: {exc}") from exc
    store.close()


def probe_elasticsearch(settings: Settings, timeout: float = ES_PROBE_TIMEOUT) -> None:
    """One GET of the cluster root with a short timeout, so an unreachable cluster fails in seconds."""
    import httpx

    if not settings.es_url:
        raise ConfigError("VIGIL_STORE=elasticsearch needs VIGIL_ES_URL or the Airflow connection "
                          "'vigil_elasticsearch'")
    headers = {}
    if settings.es_api_key is not None:
        headers["Authorization"] = f"ApiKey {settings.es_api_key.get_secret_value()}"
    verify: str | bool = str(settings.es_ca_cert) if settings.es_ca_cert else True
    where = f"Elasticsearch at {settings.es_url} (VIGIL_ES_URL or connection 'vigil_elasticsearch')"
    try:
        response = httpx.get(settings.es_url, headers=headers, timeout=timeout, verify=verify,
                             trust_env=False)
    except httpx.HTTPError as exc:
        raise StoreError(f"cannot reach {where}: {type(exc).__name__}: {exc}") from exc
    if response.status_code in (401, 403):
        raise ConfigError(f"{where} refused the credentials (HTTP {response.status_code}); "
                          "check VIGIL_ES_API_KEY or the connection's password")
    if response.status_code >= 400:
        raise StoreError(f"{where} answered HTTP {response.status_code}")


def plan_groups(settings: Settings, only: Sequence[str] = ()) -> list[str]:
    """Check readiness, then list the feed groups to ingest (all, or the ``only`` ones)."""
    groups = check_ready(settings)
    if not only:
        return groups
    unknown = sorted(set(only) - set(groups))
    if unknown:
        raise ConfigError(f"unknown feed group(s) {', '.join(unknown)}; the catalogue has: {', '.join(groups)}")
    return [g for g in groups if g in set(only)]


# --------------------------------------------------------------------------- stages


def fetch_group(settings: Settings, group: str, run_id: str, *, store: Store | None = None,
                now: datetime | None = None) -> str:
    """Fetch every feed of ``group`` and the pages of its new entries; return the claim-check path.

    Raises :class:`GroupFailedError` (after writing the file, so the failures can be recorded) when
    every feed of the group failed.
    """
    from vigil.config import load_feeds
    from vigil.errors import FetchError
    from vigil.ingest import health
    from vigil.ingest.collect import fetch_feed
    from vigil.runtime import build_fetcher

    now = _now(now)
    directory = run_dir(settings, run_id)
    with recording_failure(directory, group, "fetch"):
        feeds = load_feeds(settings.effective_feeds_file).groups().get(group)
        if not feeds:
            raise ConfigError(f"feed group {group!r} is not in {settings.effective_feeds_file}")
        path = stage_path(directory, group, "fetch")
        failures: list[str] = []
        header = Header(run_id=run_id, group=group, stage="fetch", started_at=now)
        with opened_store(settings, store) as st, build_fetcher(settings) as fetcher, \
                ClaimWriter(path, header) as out:
            for feed in feeds:
                previous = st.get_feed_state(feed.url)
                state = previous or FeedState(url=feed.url)
                try:
                    fetched = fetch_feed(feed, state, fetcher=fetcher, is_known=st.known_ids, now=now,
                                         max_articles=settings.max_articles_per_feed)
                except FetchError as exc:  # fetch_feed records feed failures itself; a last guard
                    letter = DeadLetter(stage=Stage.FEED, url=feed.url, feed_url=feed.url, reason=exc.reason,
                                        detail=str(exc)[:500], retryable=exc.retryable, at=now)
                    out.ledger(FeedLedger(feed=feed, state=health.record_failure(state, now, exc.reason),
                                          previous=previous, counts={"feed-failed": 1},
                                          dead_letters=[letter], failed=True))
                    failures.append(f"{feed.url} ({exc.reason})")
                    continue
                failed = fetched.counts.get("feed-failed", 0) > 0
                if failed:
                    failures.append(f"{feed.url} ({fetched.state.last_error})")
                out.ledger(FeedLedger(feed=feed, state=fetched.state, previous=previous, counts=fetched.counts,
                                      dead_letters=list(fetched.dead_letters), failed=failed))
                for entry, page in fetched.pairs:
                    out.item("pair", _Pair(entry=entry, page=page))
        log.info("group %s: fetched %d feeds, %d failed -> %s", group, len(feeds), len(failures), path)
        if len(failures) == len(feeds):
            raise GroupFailedError(f"feed group {group!r}: all {len(feeds)} feed(s) failed: "
                                   + "; ".join(failures))
    return str(path)


def extract_group(settings: Settings, path: str | Path, *, now: datetime | None = None) -> str:
    """Extract the text of every fetched page (keeping raw captures); return the next claim-check path."""
    from vigil.ingest.collect import extract_pages
    from vigil.runtime import build_raw

    now = _now(now)
    source = Path(path)
    header, feeds = read_claim(source)
    with recording_failure(source.parent, header.group, "extract"):
        raw = build_raw(settings)
        out_path = stage_path(source.parent, header.group, "extract")
        new_header = header.model_copy(update={"stage": "extract"})
        with ClaimWriter(out_path, new_header) as out:
            for ledger, pairs in feeds:
                articles, letters, counts = extract_pages([(p.entry, p.page) for p in pairs],
                                                          feed_url=ledger.feed.url, now=now, raw=raw)
                out.ledger(ledger.add(counts, letters))
                for article in articles:
                    out.item("article", article)
    return str(out_path)


class _GroupView:
    """The store, plus the articles tagged earlier in this group (not indexed yet) as duplicate candidates."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._seen: list[tuple[DuplicateCandidate, set[str]]] = []

    def near_duplicate_candidates(self, keys: Sequence[str], limit: int = 50) -> list[DuplicateCandidate]:
        wanted = set(keys)
        found = self._store.near_duplicate_candidates(keys, limit)
        have = {c.id for c in found}
        found += [c for c, ck in self._seen if wanted & ck and c.id not in have]
        return found

    def remember(self, documents: Sequence[IndexedDocument]) -> None:
        from vigil.search.store import DuplicateCandidate

        for doc in documents:
            a = doc.article
            self._seen.append((DuplicateCandidate(id=a.id, fingerprint=a.fingerprint,
                                                  source_domain=a.source_domain, duplicate_of=doc.duplicate_of,
                                                  published_at=a.published_at), set(a.near_dup_keys)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def tag_group(settings: Settings, path: str | Path, *, store: Store | None = None, tagger: Any = None,
              now: datetime | None = None) -> str:
    """Detect language, tag and link near-duplicates; return the next claim-check path."""
    from vigil.pipeline import analyse

    now = _now(now)
    source = Path(path)
    header, feeds = read_claim(source)
    with recording_failure(source.parent, header.group, "tag"):
        if tagger is None:
            from vigil.runtime import build_tagger

            tagger = build_tagger(settings)
        out_path = stage_path(source.parent, header.group, "tag")
        with opened_store(settings, store) as st, \
                ClaimWriter(out_path, header.model_copy(update={"stage": "tag"})) as out:
            view = _GroupView(st)
            for ledger, articles in feeds:
                analysed = analyse(articles, feed_language=ledger.feed.language, tagger=tagger,
                                   store=view, now=now)
                view.remember(analysed.documents)
                out.ledger(ledger.add(analysed.counts, analysed.dead_letters))
                for doc in analysed.documents:
                    out.item("document", doc)
    return str(out_path)


def index_group(settings: Settings, path: str | Path, *, store: Store | None = None) -> dict[str, int]:
    """Upsert the documents, then dead letters, then feed state (last); store the group's report.

    Returns the group's outcome counts (small: it goes through XCom) and writes them to
    ``<group>.index.json`` for the run summary.
    """
    from vigil.pipeline import index

    source = Path(path)
    header, feeds = read_claim(source)
    started = datetime.now(UTC)
    with recording_failure(source.parent, header.group, "index"):
        result_path = stage_path(source.parent, header.group, "index")
        already = result_path.is_file()  # a cleared-and-rerun task: do not count dead letters twice
        totals: Counter[str] = Counter()
        details: dict[str, dict[str, int]] = {}
        n_feeds = 0
        with opened_store(settings, store) as st:
            for ledger, documents in feeds:
                counts = Counter(ledger.counts)
                counts.update(index(documents, st))
                if not already:
                    for letter in ledger.dead_letters:
                        st.add_dead_letter(letter)
                st.put_feed_state(ledger.state)
                totals.update(counts)
                details[ledger.feed.url] = dict(counts)
                n_feeds += 1
            report = RunReport(counts=dict(totals), feeds=n_feeds, started_at=header.started_at,
                               finished_at=datetime.now(UTC), details={"group": header.group, "feeds": details})
            st.add_run_report(header.run_id, report, scope=f"group:{header.group}")
        _write_json(result_path, {"group": header.group, "counts": dict(totals), "feeds": n_feeds,
                                  "started_at": started.isoformat()})
    return dict(totals)


def _write_json(path: Path, obj: object) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(obj, fh)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- summary


def group_status(directory: Path, group: str) -> dict[str, Any]:
    """``{"status": "ok", "counts": ...}`` or ``{"status": "failed", "stage", "error"}`` from the files."""
    result = stage_path(directory, group, "index")
    if result.is_file():
        data = json.loads(result.read_text(encoding="utf-8"))
        return {"status": "ok", "counts": data["counts"], "feeds": data["feeds"]}
    stage: str = "fetch"
    for earlier, later in itertools.pairwise(STAGES):
        if stage_path(directory, group, earlier).is_file():
            stage = later
    error: dict[str, Any] = {}
    if error_path(directory, group).is_file():
        error = json.loads(error_path(directory, group).read_text(encoding="utf-8"))
        stage = error.get("stage", stage)
    message = f"{error.get('error', 'not run')}: {error.get('message', 'the task did not finish')}"
    return {"status": "failed", "stage": stage, "error": message}


def summarise(settings: Settings, run_id: str, groups: Sequence[str], *, store: Store | None = None,
              started_at: datetime | None = None) -> RunReport:
    """Merge the groups' outcome counts into one report, stored with ``scope="run"``.

    A group whose fetch failed entirely still gets its feeds' failure state and dead letters recorded
    (so feed health and back-off see it); a group that failed later records nothing, so the next run
    fetches its entries again. Failed groups are counted as ``group-failed`` and described in
    ``details["groups"]``.
    """
    directory = run_dir(settings, run_id)
    total = RunReport(started_at=started_at)
    described: dict[str, dict[str, Any]] = {}
    with opened_store(settings, store) as st:
        for group in groups:
            status = group_status(directory, group)
            described[group] = status
            if status["status"] == "ok":
                total = total + RunReport(counts=status["counts"], feeds=status["feeds"])
                continue
            feeds = 0
            fetched = stage_path(directory, group, "fetch")
            if status["stage"] == "fetch" and fetched.is_file():
                _, ledgers = read_claim(fetched)
                for ledger, _items in ledgers:
                    feeds += 1
                    for letter in ledger.dead_letters:
                        st.add_dead_letter(letter)
                    st.put_feed_state(ledger.state)
            total = total + RunReport(counts={"group-failed": 1}, feeds=feeds)
        ok = sum(1 for s in described.values() if s["status"] == "ok")
        report = total.model_copy(update={
            "finished_at": datetime.now(UTC),
            "details": {"run_id": run_id, "groups": described, "groups_ok": ok,
                        "groups_failed": len(described) - ok},
        })
        st.add_run_report(run_id, report, scope="run")
    for group, status in described.items():
        if status["status"] == "ok":
            log.info("group %s: ok %s", group, _outcomes(status["counts"]))
        else:
            log.warning("group %s: FAILED at %s: %s", group, status["stage"], status["error"])
    return report


def _outcomes(counts: Mapping[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "-"


# --------------------------------------------------------------------------- alerts


def compute_alerts(settings: Settings, day: date, *, store: Store | None = None) -> dict[str, Any]:
    """Compute and store the day's alerts with the thresholds of ``<config_dir>/alerts.yaml``."""
    from vigil.search.alerts import compute_alerts as compute
    from vigil.search.alerts import load_alert_config

    path = settings.config_dir / "alerts.yaml"
    config = load_alert_config(path) if path.exists() else None
    with opened_store(settings, store) as st:
        result = compute(st, day, config)
    log.info("alerts for %s: %d", day, len(result))
    return {"day": day.isoformat(), "status": "ok", "alerts": len(result)}
