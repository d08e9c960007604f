"""Alembic revisions for the application database, run from code (no alembic.ini).

`bot.db.create_schema` calls :func:`bot.migrations.runner.migrate`; deployers can also
run `python -m bot db upgrade` and `python -m bot db current`. A schema change is a new
file in versions/ (`python -m bot db revision -m "what changed"` writes one from the
difference between the models and a database at head).
"""
