"""Password hashing (Argon2id via argon2-cffi) and the minimum password policy.

The hash is deliberately slow (argon2-cffi's defaults, RFC 9106 low-memory profile):
a stolen `staff_users` table must not give the passwords away cheaply. `HASHER` is a
module attribute so tests can swap in cheap parameters; production code never does.
"""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()

MIN_LENGTH = 10
# Argon2 accepts any length, but nobody types more; the cap keeps requests cheap.
MAX_LENGTH = 256


class WeakPassword(ValueError):
    """The password does not meet the policy; the message is for the person choosing it."""


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why `password` is not acceptable (in Chinese), or None if it is."""
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 个字符。"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 个字符。"
    if password.isdigit():
        return "密码不能全是数字，请加入字母或符号。"
    if not password.strip():
        return "密码不能全是空格。"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同。"
    return None


def check_policy(password: str, username: str | None = None) -> None:
    """Raise WeakPassword (with the Chinese reason) if the password is not acceptable."""
    problem = password_problem(password, username)
    if problem:
        raise WeakPassword(problem)


def hash_password(password: str) -> str:
    """The encoded Argon2id hash (parameters and salt included) to store."""
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; False for a wrong password or a damaged hash."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than the current ones."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


_dummy: tuple[PasswordHasher, str] | None = None


def dummy_hash() -> str:
    """A hash of a random password, made with the current parameters.

    Verifying against it for unknown usernames makes a login take as long as for a
    real account, so timing does not tell which usernames exist.
    """
    global _dummy
    if _dummy is None or _dummy[0] is not HASHER:
        _dummy = (HASHER, HASHER.hash(secrets.token_urlsafe(16)))
    return _dummy[1]
