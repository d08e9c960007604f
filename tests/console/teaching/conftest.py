"""Fixtures of the teaching tests: copies of the project's NLU data to edit."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT


@pytest.fixture()
def data(tmp_path) -> tuple[Path, Path]:
    """(nlu folder, domain.yml) copied from the project."""
    nlu = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu)
    domain = tmp_path / "domain.yml"
    shutil.copyfile(PROJECT_ROOT / "domain.yml", domain)
    return nlu, domain
