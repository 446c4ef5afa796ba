"""Passwords, API tokens, signed session cookies, CSRF tokens and the login rate limit.

Passwords are hashed with Argon2id (argon2-cffi defaults, RFC 9106 low-memory profile). API tokens are
32 random bytes shown once and stored as SHA-256. The session cookie carries a random session id signed
with itsdangerous (timestamped, so an old cookie is refused even if its row survives); the server-side
session row holds the expiry and the session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from vigil.search.review import ReviewStore, Session, User
from vigil.search.sqlite.review import digest

SESSION_COOKIE = "vigil_session"
PRE_SESSION_COOKIE = "vigil_pre"
"""Anonymous CSRF cookie (double-submit) protecting the login form before a session exists."""
MAX_FAILURES = 5
"""Failed logins allowed per username and client address within ``FAILURE_WINDOW``."""
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_CHARS = 10

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password-vigil")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; unknown users are checked against a dummy hash so timing does not tell."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh API token and the digest to store."""
    token = "vgl_" + secrets.token_urlsafe(32)
    return token, digest(token)


def constant_equal(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class SessionManager:
    """Creates, signs, reads and ends sessions kept in the review store."""

    def __init__(self, reviews: ReviewStore, secret: str, hours: float) -> None:
        self.reviews = reviews
        self.lifetime = timedelta(hours=hours)
        self._serializer = URLSafeTimedSerializer(secret, salt="vigil-session")
        self._pre = URLSafeTimedSerializer(secret, salt="vigil-pre-session")

    def start(self, user: User) -> tuple[Session, str]:
        now = datetime.now(UTC)
        session = Session(id=secrets.token_urlsafe(32), username=user.username, csrf=secrets.token_urlsafe(32),
                          created_at=now, expires_at=now + self.lifetime)
        self.reviews.add_session(session)
        return session, self._serializer.dumps(session.id)

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            session_id = self._serializer.loads(cookie, max_age=int(self.lifetime.total_seconds()))
        except BadSignature:
            return None
        session = self.reviews.get_session(str(session_id))
        if session is None or session.expires_at <= datetime.now(UTC):
            return None
        return session

    def end(self, session: Session) -> None:
        self.reviews.delete_session(session.id)

    def new_pre_token(self) -> str:
        return secrets.token_urlsafe(24)

    @property
    def max_age(self) -> int:
        return int(self.lifetime.total_seconds())


class LoginLimiter:
    """At most ``MAX_FAILURES`` failed logins per (username, address) in ``FAILURE_WINDOW`` (kept in the store)."""

    def __init__(self, reviews: ReviewStore) -> None:
        self.reviews = reviews

    @staticmethod
    def key(username: str, address: str) -> str:
        return f"{username.strip().lower()}|{address}"

    def blocked(self, key: str) -> bool:
        return self.reviews.login_failures(key, datetime.now(UTC) - FAILURE_WINDOW) >= MAX_FAILURES

    def failed(self, key: str) -> None:
        self.reviews.record_login_failure(key, datetime.now(UTC))

    def succeeded(self, key: str) -> None:
        self.reviews.clear_login_failures(key)
