"""URL normalisation, article ids and source domains.

``normalise_url`` gives the URL Vigil stores and links to; ``article_id`` hashes a slightly stronger
form of it (scheme and a leading ``www.`` folded) so that the same article reached over http and https,
or with and without ``www``, gets one id.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from tld import get_fld
from tld.exceptions import TldBadUrl, TldDomainNotFound

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "cmpid", "cmp", "ocid", "ito", "xtor", "ref_src",
    "ref_url", "s_cid", "smid", "sr_share", "spm", "mbid", "rss", "rssfeed", "feature", "share",
    "utm", "ncid", "soc_src", "soc_trk", "trk", "trkcampaign", "fromrss", "from_rss", "dicbo",
    "guccounter", "guce_referrer", "guce_referrer_sig", "__twitter_impression",
})
"""Query parameters dropped from every URL (lower-cased names)."""

TRACKING_PREFIXES = ("utm_", "at_", "ns_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "matomo_", "piwik_")
"""Query parameter name prefixes dropped from every URL."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_SAFE_PATH = "/:@!$&'()*+,;=-._~"
_SAFE_QUERY = "/:@!$'()*+,;-._~?"


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def _fix_percent(component: str, safe: str) -> str:
    """Re-encode a path or query part canonically (decode then quote, keeping reserved characters)."""
    return quote(unquote(component), safe=safe)


def _host(netloc_host: str) -> str:
    host = netloc_host.strip(".").lower()
    if not host:
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def normalise_url(url: str) -> str:
    """Canonical form: lower-case scheme and host (IDNA), no default port, no fragment, dot segments
    resolved, percent-encoding normalised, tracking parameters dropped and the rest sorted.

    >>> normalise_url("HTTPS://WWW.Example.com:443/a/./b/../c?utm_source=x&b=2&a=1#top")
    'https://www.example.com/a/c?a=1&b=2'
    """
    raw = url.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return raw
    host = _host(parts.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    if "." in path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        path = "/" + path.lstrip("/")
        if trailing and not path.endswith("/"):
            path += "/"
    path = _fix_percent(path, _SAFE_PATH)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    pairs.sort()
    query = urlencode(pairs, quote_via=quote, safe=_SAFE_QUERY)
    return urlunsplit((scheme, netloc, path, query, ""))


def identity_key(url: str) -> str:
    """The normalised URL with https and without a leading ``www.``: what ``article_id`` hashes."""
    norm = normalise_url(url)
    parts = urlsplit(norm)
    if parts.scheme not in _DEFAULT_PORTS:
        return norm
    netloc = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
    return urlunsplit(("https", netloc, parts.path, parts.query, ""))


def article_id(url: str) -> str:
    """sha256 hex of the URL's identity key (the normalised URL, scheme and ``www.`` folded)."""
    return hashlib.sha256(identity_key(url).encode("utf-8")).hexdigest()


def source_domain(url: str) -> str:
    """Registrable domain (public suffix list), lower-case, without ``www``; the host for IPs and
    unknown suffixes (``localhost``, ``127.0.0.1``)."""
    parts = urlsplit(url.strip())
    host = _host(parts.hostname or "")
    if not host:
        return ""
    try:
        fld = get_fld(host, fix_protocol=True, fail_silently=False)
    except (TldBadUrl, TldDomainNotFound, ValueError):
        fld = None
    if not fld:
        return host[4:] if host.startswith("www.") else host
    return str(fld).lower()


def same_site(a: str, b: str) -> bool:
    """True when two URLs share a registrable domain (used to trust rel=canonical)."""
    da, db = source_domain(a), source_domain(b)
    return bool(da) and da == db


def is_http_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
