"""Evaluation tests run on the catalogue database (services and their departments), with key files of their own."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker


@pytest.fixture()
def evaluation(sessions, keys) -> sessionmaker:
    return sessions
