"""Argon2id hashing and the password policy."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from console.auth import passwords
from console.auth.passwords import (
    WeakPassword,
    check_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

#: Read at import, before the autouse fixture `fast_hashing` (conftest.py) swaps it for a cheap one.
REAL_HASHER = passwords.HASHER
GOOD = "wuhu-jinghu-2024"


def test_production_parameters_are_the_slow_standard_ones():
    stored = REAL_HASHER.hash(GOOD)
    params = extract_parameters(stored)
    assert params.type is Type.ID
    assert params.memory_cost >= 65536 and params.time_cost >= 3
    assert REAL_HASHER.verify(stored, GOOD)


def test_hash_and_verify():
    stored = hash_password(GOOD)
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert verify_password(stored, GOOD)
    assert not verify_password(stored, GOOD + "x")
    assert not verify_password(stored, "")
    assert hash_password(GOOD) != stored  # salted


def test_damaged_hash_is_a_failed_check_not_a_crash():
    assert not verify_password("not-a-hash", GOOD)
    assert not verify_password("", GOOD)
    assert needs_rehash("not-a-hash")


def test_needs_rehash_when_parameters_grow(monkeypatch):
    cheap = hash_password(GOOD)
    assert not needs_rehash(cheap)
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert needs_rehash(cheap)
    assert verify_password(cheap, GOOD)  # old hashes keep working


def test_dummy_hash_follows_the_current_parameters(monkeypatch):
    first = dummy_hash()
    assert dummy_hash() == first
    assert not needs_rehash(first)
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert dummy_hash() != first and not needs_rehash(dummy_hash())


@pytest.mark.parametrize("password, problem", [
    ("short12!", "至少需要 10 个字符"),
    ("123456789", "至少需要 10 个字符"),
    ("1234567890", "不能全是数字"),
    ("１２３４５６７８９０１", "不能全是数字"),  # full-width digits are digits too
    (" " * 12, "不能全是空格"),
    ("x" * 257, "不能超过 256 个字符"),
])
def test_policy_refusals_are_explained_in_chinese(password, problem):
    assert problem in password_problem(password)
    with pytest.raises(WeakPassword, match=problem):
        check_policy(password)


def test_policy_accepts_reasonable_passwords():
    for password in (GOOD, "abcdefghij", "1234567890a", "芜湖市镜湖区政务服务中心"):
        assert password_problem(password) is None
        check_policy(password)


def test_password_may_not_be_the_username():
    assert "不能与用户名相同" in password_problem("zhang.san.admin", "zhang.san.admin")
    assert password_problem("zhang.san.admin", "li.si") is None
