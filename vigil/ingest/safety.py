"""Fetch policy (limits, politeness) and the SSRF guard.

The guard runs twice: :func:`check_url` before every request and every redirect hop (scheme, literal IP
addresses), and :class:`GuardedBackend` when a connection is opened, on the addresses the host really
resolves to, so a DNS answer cannot smuggle a private address in after the check (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpcore

from vigil.errors import BlockedURLError, FetchError

if TYPE_CHECKING:
    from vigil.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_TOTAL_TIMEOUT = 120.0
DEFAULT_MAX_BODY_BYTES = 10_000_000
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_MAX_RETRIES = 2
ALLOWED_SCHEMES = frozenset({"http", "https"})

METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
    "169.254.170.2",    # AWS ECS task metadata
    "100.100.100.200",  # Alibaba Cloud
    "192.0.0.192",      # Oracle Cloud (legacy)
    "fd00:ec2::254",    # AWS IMDS over IPv6
))
"""Cloud metadata endpoints: refused even for allow-listed hosts."""

_EXTRA_BLOCKED = tuple(ipaddress.ip_network(n) for n in ("100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15"))

Resolver = Callable[..., Sequence[tuple[Any, ...]]]


@dataclass(frozen=True)
class FetchPolicy:
    """Everything the fetcher enforces. Defaults are safe for real runs; tests shrink the timeouts."""

    user_agent: str = "VigilBot/0.1 (+https://github.com/vigil-early-warning/vigil)"
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_decompressed_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    per_host_concurrency: int = 2
    per_host_delay: float = 5.0
    max_retry_after: float = 300.0
    max_retries: int = DEFAULT_MAX_RETRIES
    allow_hosts: tuple[str, ...] = ()
    respect_robots: bool = True
    robots_ttl: float = 24 * 3600.0
    max_crawl_delay: float = 60.0
    max_robots_bytes: int = 512_000

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        """The policy a run uses, from :class:`vigil.settings.Settings`."""
        return cls(
            user_agent=settings.effective_user_agent,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            total_timeout=max(DEFAULT_TOTAL_TIMEOUT, settings.connect_timeout + 2 * settings.read_timeout),
            max_body_bytes=settings.max_body_bytes,
            max_decompressed_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay=settings.per_host_delay,
            max_retry_after=settings.max_retry_after,
            allow_hosts=tuple(h.lower() for h in settings.allow_hosts),
            respect_robots=settings.respect_robots,
        )

    def host_allowed(self, host: str) -> bool:
        """True when ``host`` is on the explicit allow-list (may resolve to private addresses)."""
        return host.lower().strip("[]") in {h.lower().strip("[]") for h in self.allow_hosts}


def address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is refused (``None`` if it is a public address)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "reserved"
    if isinstance(ip, ipaddress.IPv4Address) and any(ip in net for net in _EXTRA_BLOCKED):
        return "shared/reserved"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    return None


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_address(host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address, policy: FetchPolicy,
                  url: str) -> None:
    """Raise :class:`BlockedURLError` if ``host`` may not be reached at ``ip``."""
    problem = address_problem(ip)
    if problem is None:
        return
    if problem != "cloud metadata" and policy.host_allowed(host):
        return
    raise BlockedURLError(f"{host} resolves to a {problem} address ({ip})", url=url, reason="blocked-address")


def check_url(url: str, policy: FetchPolicy) -> None:
    """Pre-request check: http(s) only, a host, no credentials, no refused literal IP address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError as exc:
        raise BlockedURLError(f"malformed URL: {exc}", url=url, reason="bad-url") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BlockedURLError(f"scheme {parts.scheme!r} is not allowed (http, https only)", url=url,
                              reason="bad-scheme")
    if not host:
        raise BlockedURLError("URL has no host", url=url, reason="bad-url")
    if parts.username or parts.password:
        raise BlockedURLError("URLs with credentials are refused", url=url, reason="bad-url")
    ip = _literal_ip(host)
    if ip is not None:
        check_address(host, ip, policy, url)


def resolve_allowed(host: str, port: int, policy: FetchPolicy, resolver: Resolver = socket.getaddrinfo,
                    ) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing the whole host if any address is refused."""
    literal = _literal_ip(host)
    if literal is not None:
        check_address(host, literal, policy, host)
        return [str(literal)]
    try:
        infos = resolver(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}", url=host, reason="dns-error", retryable=True) from exc
    addresses: list[str] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        check_address(host, ip, policy, host)
        if str(ip) not in addresses:
            addresses.append(str(ip))
    if not addresses:
        raise FetchError(f"{host} has no address", url=host, reason="dns-error", retryable=True)
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend that connects only to addresses the guard accepts."""

    def __init__(self, policy: FetchPolicy, resolver: Resolver = socket.getaddrinfo) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve_allowed(host, port, self._policy, self._resolver):
            try:
                return self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                               socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
