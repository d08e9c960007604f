"""Alembic revisions of the console's tables, a history of their own in the shared database.

The console keeps its tables (console/tables.py) in the application's database but
versions them apart, in the table ``console_alembic_version``, with the application's
runner (bot.migrations.runner): the application's migrations neither create nor see them.
:func:`console.database.open_database` brings them to the newest revision; a schema
change is a new file in versions/ (autogenerate with
``command.revision(runner.alembic_config(connection, HISTORY), autogenerate=True, ...)``).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData

from bot.migrations.runner import History


def _metadata() -> MetaData:
    from console.tables import Base

    return Base.metadata


HISTORY = History(Path(__file__).resolve().parent, _metadata, "console_alembic_version")
