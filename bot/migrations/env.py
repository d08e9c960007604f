"""Alembic environment: always online, on the connection the runner passes in."""
from __future__ import annotations

from alembic import context

from bot.db import Base, import_models

import_models()
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by the runner
    raise RuntimeError("run migrations through bot.migrations.runner (python -m bot db upgrade)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
