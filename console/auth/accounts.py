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
limits by the number of requests in flight; that is accepted. Every refused login is
written to the audit log (login_audit.py), in the transaction that counts it.

At least one enabled admin: disabling or demoting the last one is refused (LastAdmin), in
the browser and the CLI alike, so accounts can always be managed from the 账号管理 page.
The changes take the database's write lock first (bot.db.begin_immediate), so two admins
demoting each other at once cannot both succeed.

`on_change` (optional, on every change): called with the open transaction and the account
as changed, so the caller's audit entry commits with the change or not at all
(staff_admin.py).
"""
from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import begin_immediate
from console.auth import passwords
from console.auth.login_audit import Failure, record_refusal
from console.auth.roles import Role, parse_role
from console.tables import ConsoleSession, LoginAttempt, StaffUser, utc_naive

USERNAME_RE = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20
_MAX_KEY_PART = 100  # attempt keys are built from client input: keep them bounded
#: PostgreSQL advisory lock of the last-admin check (SQLite: its write lock).
ADMINS_LOCK = "console-admins"


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


class LastAdmin(AccountError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"{username} 是最后一个启用的管理员账号，不能停用或降级；请先让另一个账号成为管理员。")


class WrongPassword(AccountError):
    def __init__(self) -> None:
        super().__init__("当前密码不正确。")


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
    #: Logged in with a one-time password: must choose a new one before anything else.
    must_change_password: bool = False
    last_login_at: datetime | None = None  # naive UTC
    #: Whose 差评回访 the account works on; None: every department's.
    department: str | None = None

    @classmethod
    def from_row(cls, row: StaffUser) -> StaffAccount:
        return cls(row.id, row.username, Role(row.role), bool(row.active), row.created_at,
                   bool(row.must_change_password), row.last_login_at, row.department or None)


#: Called inside the change's transaction with the account as changed (the module docstring).
OnChange = Callable[[Session, StaffAccount], None]


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


def _changed(session: Session, row: StaffUser, on_change: OnChange | None) -> StaffAccount:
    session.flush()
    account = StaffAccount.from_row(row)
    if on_change is not None:
        on_change(session, account)
    return account


def _keep_an_admin(session: Session, row: StaffUser, role: Role, active: bool) -> None:
    """Refuse (LastAdmin) if `row` becoming (`role`, `active`) leaves no enabled admin."""
    if not (row.active and row.role == Role.ADMIN.value) or (active and role is Role.ADMIN):
        return
    others = session.execute(
        select(func.count()).select_from(StaffUser)
        .where(StaffUser.role == Role.ADMIN.value, StaffUser.active.is_(True), StaffUser.id != row.id)
    ).scalar_one()
    if others == 0:
        raise LastAdmin(row.username)


# --- managing accounts --------------------------------------------------------------------

def create_user(sessions: sessionmaker, username: str, password: str, role: str | Role,
                now: datetime | None = None, must_change_password: bool = False,
                on_change: OnChange | None = None) -> StaffAccount:
    """Add an active account. Raises InvalidUsername, UnknownRole, WeakPassword, UsernameTaken.

    `must_change_password`: the password is a one-time one (made by an admin), to be
    replaced at the first login.
    """
    name = validate_username(username)
    parsed_role = parse_role(role)
    passwords.check_policy(password, name)
    row = StaffUser(username=name, password_hash=passwords.hash_password(password),
                    role=parsed_role.value, active=True, created_at=utc_naive(now),
                    must_change_password=must_change_password)
    try:
        with sessions.begin() as session:
            session.add(row)
            return _changed(session, row, on_change)
    except IntegrityError:
        raise UsernameTaken(name) from None


def set_password(sessions: sessionmaker, username: str, password: str,
                 must_change_password: bool = False, on_change: OnChange | None = None) -> StaffAccount:
    """Replace the password and end the account's sessions. Raises UserNotFound, WeakPassword.

    `must_change_password`: a one-time password (an admin's reset); False when the
    account's owner chose it (or the CLI set it), which also lifts an earlier reset.
    """
    passwords.check_policy(password, normalize_username(username))
    new_hash = passwords.hash_password(password)
    with sessions.begin() as session:
        row = _row(session, username)
        row.password_hash = new_hash
        row.must_change_password = must_change_password
        _end_sessions(session, row.id)
        return _changed(session, row, on_change)


def change_own_password(sessions: sessionmaker, username: str, current: str, new: str,
                        on_change: OnChange | None = None) -> StaffAccount:
    """The account's owner replaces their password, proving they know the current one.

    Raises WrongPassword, WeakPassword (also when the new one equals the current one),
    UserNotFound. Ends every session of the account, this one included.
    """
    name = normalize_username(username)
    passwords.check_policy(new, name)
    if new == current:
        raise passwords.WeakPassword("新密码不能与当前密码相同。")
    with sessions() as session:
        stored = _row(session, name).password_hash
    if len(current) > passwords.MAX_LENGTH or not passwords.verify_password(stored, current):
        raise WrongPassword()
    return set_password(sessions, name, new, on_change=on_change)


def set_active(sessions: sessionmaker, username: str, active: bool,
               on_change: OnChange | None = None) -> StaffAccount:
    """Switch an account on or off; switching off also ends its sessions.

    Raises UserNotFound, or LastAdmin for the last enabled admin.
    """
    with sessions.begin() as session:
        begin_immediate(session, ADMINS_LOCK)
        row = _row(session, username)
        _keep_an_admin(session, row, Role(row.role), active)
        row.active = active
        if not active:
            _end_sessions(session, row.id)
        return _changed(session, row, on_change)


def set_role(sessions: sessionmaker, username: str, role: str | Role,
             on_change: OnChange | None = None) -> StaffAccount:
    """Give an account another role (effective at its next request).

    Raises UnknownRole, UserNotFound, or LastAdmin for the last enabled admin.
    """
    parsed = parse_role(role)
    with sessions.begin() as session:
        begin_immediate(session, ADMINS_LOCK)
        row = _row(session, username)
        _keep_an_admin(session, row, parsed, bool(row.active))
        row.role = parsed.value
        return _changed(session, row, on_change)


def set_department(sessions: sessionmaker, username: str, department: str | None,
                   on_change: OnChange | None = None) -> StaffAccount:
    """Give an account a department (None: every department). Raises UserNotFound.

    Which names are departments is the caller's to check (the catalogue's, console/followups).
    """
    with sessions.begin() as session:
        row = _row(session, username)
        row.department = (department or "").strip() or None
        return _changed(session, row, on_change)


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


def _existing(session: Session, name: str) -> str | None:
    """`name` if it is an account's username (for the audit of a refused login)."""
    if not USERNAME_RE.fullmatch(name):
        return None
    return session.execute(select(StaffUser.username).where(StaffUser.username == name)).scalar_one_or_none()


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
    name = normalize_username(username)
    with sessions.begin() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at <= since))
        locked = (_failures(session, user_key, since) >= MAX_FAILURES_PER_USER
                  or _failures(session, ip_key, since) >= MAX_FAILURES_PER_IP)
        if locked:
            record_refusal(session, username, _existing(session, name), Failure.LOCKED, ip, now)
    if locked:
        raise LoginRefused(RefusalReason.LOCKED)

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
            record_refusal(session, username, row.username if row else None,
                           Failure.WRONG_PASSWORD if row else Failure.UNKNOWN_USER, ip, now)
        raise LoginRefused(RefusalReason.BAD_CREDENTIALS)
    if not row.active:
        with sessions.begin() as session:
            record_refusal(session, username, row.username, Failure.DISABLED, ip, now)
        raise LoginRefused(RefusalReason.DISABLED)

    with sessions.begin() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == user_key))
        fresh = session.get(StaffUser, row.id)
        if fresh is not None:
            fresh.last_login_at = now
            if passwords.needs_rehash(row.password_hash) and fresh.password_hash == row.password_hash:
                fresh.password_hash = passwords.hash_password(password)
            session.flush()
            row = fresh
        return StaffAccount.from_row(row)
