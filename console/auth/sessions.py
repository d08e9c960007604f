"""Login sessions (opaque cookie tokens) and CSRF tokens for the staff console.

The browser holds a random token; the database holds only its SHA-256, so reading the
database (or a backup) does not let anyone act as a logged-in member of staff. A session
ends after IDLE_TIMEOUT without requests or ABSOLUTE_TIMEOUT after login, whichever
comes first, and at once when the account is disabled or its password changed.

CSRF: every form that changes something sends `csrf_token(session_token, secret)` (in
its ``csrf`` field; the pages have no scripts); it is bound to the session, so a token
taken from another session (or made up) is refused. Together with SameSite=Strict
cookies this blocks cross-site requests.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import TypeGuard

from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from console.auth.accounts import StaffAccount
from console.tables import ConsoleSession, StaffUser, utc_naive

IDLE_TIMEOUT = timedelta(hours=8)
ABSOLUTE_TIMEOUT = timedelta(hours=24)
_MAX_TOKEN_LENGTH = 200  # token_urlsafe(32) is 43 characters; anything much longer is junk

SESSION_COOKIE = "console_session"


def cookie_attributes(secure: bool = True) -> dict[str, str | bool | int]:
    """Attributes for the session cookie, keyed as sanic's `response.cookies[...]` expects.

    HttpOnly keeps scripts from reading the token; SameSite=Strict keeps other sites'
    pages from sending it. `secure=False` only for local development over plain http.
    """
    return {
        "path": "/",
        "httponly": True,
        "samesite": "Strict",
        "secure": secure,
        "max-age": int(ABSOLUTE_TIMEOUT.total_seconds()),
    }


def token_hash(token: str) -> str:
    """What is stored for a session token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _plausible(token: str | None) -> TypeGuard[str]:
    return token is not None and 0 < len(token) <= _MAX_TOKEN_LENGTH


def start_session(sessions: sessionmaker, user: StaffAccount, now: datetime | None = None) -> str:
    """Open a session for a just-authenticated account and return the cookie token.

    Also drops the account's expired sessions, so the table does not grow without end.
    """
    now = utc_naive(now)
    token = secrets.token_urlsafe(32)
    with sessions.begin() as session:
        row = session.get(StaffUser, user.id)
        if row is None or not row.active:
            raise ValueError("account missing or disabled; authenticate before starting a session")
        session.execute(delete(ConsoleSession).where(
            ConsoleSession.user_id == user.id,
            (ConsoleSession.expires_at <= now) | (ConsoleSession.last_seen_at <= now - IDLE_TIMEOUT),
        ))
        session.add(ConsoleSession(id=token_hash(token), user_id=user.id, created_at=now,
                                   expires_at=now + ABSOLUTE_TIMEOUT, last_seen_at=now))
    return token


def resolve(sessions: sessionmaker, token: str | None, now: datetime | None = None
            ) -> StaffAccount | None:
    """The account behind a cookie token, or None (unknown, expired, or account disabled).

    A valid session's idle clock is reset; a dead one is deleted.
    """
    if not _plausible(token):
        return None
    now = utc_naive(now)
    with sessions.begin() as session:
        row = session.get(ConsoleSession, token_hash(token))
        if row is None:
            return None
        user = session.get(StaffUser, row.user_id)
        if (now >= row.expires_at or now - row.last_seen_at >= IDLE_TIMEOUT
                or user is None or not user.active):
            session.delete(row)
            return None
        row.last_seen_at = now
        return StaffAccount.from_row(user)


def end_session(sessions: sessionmaker, token: str | None) -> bool:
    """Log out: forget the session. True if there was one."""
    if not _plausible(token):
        return False
    with sessions.begin() as session:
        result = session.execute(delete(ConsoleSession).where(ConsoleSession.id == token_hash(token)))
        return result.rowcount > 0


# --- CSRF ---------------------------------------------------------------------------------

def _secret_bytes(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(key) < 16:
        # An empty or tiny secret would let anyone compute valid tokens.
        raise ValueError("CSRF secret must be at least 16 bytes")
    return key


def csrf_token(session_token: str, secret: str | bytes) -> str:
    """The CSRF token for this session: HMAC-SHA256 of the session token, hex."""
    return hmac.new(_secret_bytes(secret), b"csrf:" + session_token.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def csrf_valid(session_token: str | None, secret: str | bytes, submitted: str | None) -> bool:
    """True if `submitted` is this session's CSRF token (compared in constant time)."""
    if not session_token or not submitted:
        return False
    expected = csrf_token(session_token, secret)
    return hmac.compare_digest(expected.encode("ascii"), submitted.encode("utf-8", "replace"))
