"""Settings read from the environment, with embedded defaults for `make run`."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things live. Read once per process via :func:`get_settings`."""

    database_url: str
    catalogue_dir: Path
    action_timeout_s: float


def get_settings() -> Settings:
    var_dir = Path(os.environ.get("GOV_VAR_DIR", PROJECT_ROOT / "var"))
    return Settings(
        database_url=os.environ.get("GOV_DATABASE_URL", f"sqlite:///{var_dir / 'app.db'}"),
        catalogue_dir=Path(os.environ.get("GOV_CATALOGUE_DIR", PROJECT_ROOT / "data" / "catalogue")),
        action_timeout_s=float(os.environ.get("GOV_ACTION_TIMEOUT_S", "5")),
    )
