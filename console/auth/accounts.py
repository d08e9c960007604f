"""Staff accounts: creating and changing them, and logging in with rate limiting.

Each public function is one unit of work and returns a frozen `StaffAccount`, never
the ORM row, so the password hash does not travel further than this module.

Login throttling: every failed login stores two rows in `login_attempts`, one keyed by
the username and one by the client address. With MAX_FAILURES_PER_USER failures for a
username, or MAX_FAILURES_PER_IP from one address, within the last WINDOW, the login is
refused without checking the password at all (so even the right one does not get in)
until enough of those failures are older than WINDOW. A successful login clears the
username's failures but not the address's, so one valid account cannot be used to
reset the counter while guessing others. Checks and writes are not one transaction (the
slow hash must not hold the SQLite write lock), so parallel guesses can overshoot the
limits by the number of requests in flight; that is accepted.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from console.auth import passwords
from console.auth.roles import Role, parse_role
from console.tables import ConsoleSession, LoginAttempt, StaffUser, utc_naive

USERNAME_RE = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20
_MAX_KEY_PART = 100  # attempt keys are built from client input: keep them bounded


# --- errors -------------------------------------------------------------------------------

class AccountError(Exception):
    """Base class; str() is a Chinese message fit to show to staff."""


class InvalidUsername(AccountError, ValueError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__("用户名须以小写字母开头，由 3–32 个小写字母、数字或 _ . - 组成。")


class UsernameTaken(AccountError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"用户名 {username} 已被使用。")


class UserNotFound(AccountError, LookupError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"没有找到账号 {username}。")


class RefusalReason(str, enum.Enum):
    BAD_CREDENTIALS = "bad_credentials"  # wrong password or unknown user (deliberately the same)
    LOCKED = "locked"  # too many recent failures for this username or address
    DISABLED = "disabled"  # right password, but the account is switched off


_REFUSAL_MESSAGES = {
    RefusalReason.BAD_CREDENTIALS: "用户名或密码不正确。",
    RefusalReason.LOCKED: "登录失败次数过多，请 15 分钟后再试。",
    RefusalReason.DISABLED: "该账号已停用，请联系管理员。",
}


class LoginRefused(AccountError):
    """Login refused; `reason` is for code, str() for the person at the login form."""

    def __init__(self, reason: RefusalReason) -> None:
        self.reason = reason
        super().__init__(_REFUSAL_MESSAGES[reason])


# --- views --------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffAccount:
    """What the rest of the console may know about an account (no password hash)."""

    id: int
    username: str
    role: Role
    active: bool
    created_at: datetime  # naive UTC

    @classmethod
    def from_row(cls, row: StaffUser) -> StaffAccount:
        return cls(row.id, row.username, Role(row.role), bool(row.active), row.created_at)


# --- helpers ------------------------------------------------------------------------------

def normalize_username(username: str) -> str:
    """Usernames are lower-case; "Alice " at the login form is "alice"."""
    return username.strip().lower()


def validate_username(username: str) -> str:
    """The normalised username, or InvalidUsername."""
    name = normalize_username(username)
    if not USERNAME_RE.fullmatch(name):
        raise InvalidUsername(username)
    return name


def _row(session: Session, username: str) -> StaffUser:
    row = session.execute(
        select(StaffUser).where(StaffUser.username == normalize_username(username))
    ).scalar_one_or_none()
    if row is None:
        raise UserNotFound(username)
    return row


def _end_sessions(session: Session, user_id: int) -> None:
    """Log the account out everywhere (after a password change or when it is disabled)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))


# --- managing accounts --------------------------------------------------------------------

def create_user(sessions: sessionmaker, username: str, password: str, role: str | Role,
                now: datetime | None = None) -> StaffAccount:
    """Add an active account. Raises InvalidUsername, UnknownRole, WeakPassword, UsernameTaken."""
    name = validate_username(username)
    parsed_role = parse_role(role)
    passwords.check_policy(password, name)
    row = StaffUser(username=name, password_hash=passwords.hash_password(password),
                    role=parsed_role.value, active=True, created_at=utc_naive(now))
    try:
        with sessions.begin() as session:
            session.add(row)
    except IntegrityError:
        raise UsernameTaken(name) from None
    return StaffAccount.from_row(row)


def set_password(sessions: sessionmaker, username: str, password: str) -> StaffAccount:
    """Replace the password and end the account's sessions. Raises UserNotFound, WeakPassword."""
    passwords.check_policy(password, normalize_username(username))
    new_hash = passwords.hash_password(password)
    with sessions.begin() as session:
        row = _row(session, username)
        row.password_hash = new_hash
        _end_sessions(session, row.id)
        return StaffAccount.from_row(row)


def set_active(sessions: sessionmaker, username: str, active: bool) -> StaffAccount:
    """Switch an account on or off; switching off also ends its sessions."""
    with sessions.begin() as session:
        row = _row(session, username)
        row.active = active
        if not active:
            _end_sessions(session, row.id)
        return StaffAccount.from_row(row)


def get_user(sessions: sessionmaker, username: str) -> StaffAccount | None:
    with sessions() as session:
        row = session.execute(
            select(StaffUser).where(StaffUser.username == normalize_username(username))
        ).scalar_one_or_none()
        return StaffAccount.from_row(row) if row else None


def list_users(sessions: sessionmaker) -> list[StaffAccount]:
    """All accounts, by username."""
    with sessions() as session:
        rows = session.execute(select(StaffUser).order_by(StaffUser.username)).scalars()
        return [StaffAccount.from_row(row) for row in rows]


# --- logging in ---------------------------------------------------------------------------

def _user_key(username: str) -> str:
    return "user:" + normalize_username(username)[:_MAX_KEY_PART]


def _ip_key(ip: str | None) -> str:
    return "ip:" + (ip or "unknown").strip()[:_MAX_KEY_PART]


def _failures(session: Session, key: str, since: datetime) -> int:
    return session.execute(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.at > since)
    ).scalar_one()


def authenticate(sessions: sessionmaker, username: str, password: str, ip: str | None,
                 now: datetime | None = None) -> StaffAccount:
    """The account if the login may go ahead; LoginRefused(reason) otherwise.

    Unknown usernames are checked against a dummy hash, so they take as long as real ones.
    """
    now = utc_naive(now)
    user_key, ip_key = _user_key(username), _ip_key(ip)
    since = now - WINDOW
    with sessions.begin() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at <= since))
        locked = (_failures(session, user_key, since) >= MAX_FAILURES_PER_USER
                  or _failures(session, ip_key, since) >= MAX_FAILURES_PER_IP)
    if locked:
        raise LoginRefused(RefusalReason.LOCKED)

    name = normalize_username(username)
    row: StaffUser | None = None
    if USERNAME_RE.fullmatch(name):
        with sessions() as session:
            row = session.execute(select(StaffUser).where(StaffUser.username == name)).scalar_one_or_none()
    # No stored password is longer than the policy allows; hash a bounded prefix anyway so an
    # oversized one costs the same as any other wrong password.
    too_long = len(password) > passwords.MAX_LENGTH
    ok = passwords.verify_password(row.password_hash if row else passwords.dummy_hash(),
                                   password[:passwords.MAX_LENGTH]) and not too_long

    if not ok or row is None:
        with sessions.begin() as session:
            session.add_all([LoginAttempt(key=user_key, at=now), LoginAttempt(key=ip_key, at=now)])
        raise LoginRefused(RefusalReason.BAD_CREDENTIALS)
    if not row.active:
        raise LoginRefused(RefusalReason.DISABLED)

    with sessions.begin() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == user_key))
        if passwords.needs_rehash(row.password_hash):
            fresh = session.get(StaffUser, row.id)
            if fresh is not None and fresh.password_hash == row.password_hash:
                fresh.password_hash = passwords.hash_password(password)
    return StaffAccount.from_row(row)
