"""Alembic environment of the console's history: the runner's connection, the console's tables."""
from __future__ import annotations

from alembic import context

from bot.migrations.runner import run_migrations

run_migrations(context)
