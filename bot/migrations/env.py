"""Alembic environment: always online, on the connection the runner passes in."""
from __future__ import annotations

from alembic import context

from bot.migrations.runner import run_migrations

run_migrations(context)
