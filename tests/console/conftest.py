"""Fixtures for every console test: a fresh SQLite database per test, and cheap Argon2
parameters so dozens of logins do not take seconds each (test_passwords checks the real,
slow parameters separately).
"""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import sessionmaker

from console.auth import passwords
from console.database import open_database

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", FAST_HASHER)


@pytest.fixture()
def console_db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'c.db'}"


@pytest.fixture()
def console_db(console_db_url) -> sessionmaker:
    return open_database(console_db_url)
