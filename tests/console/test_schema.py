"""The console's tables: created and migrated by the console's own history, in one place.

The console shares the application's database but not its migrations: bot/ never imports
the console, and a database made before the console had its own history (tables created
by the application's baseline, with rows) is adopted in place.
"""
from __future__ import annotations

import ast
from pathlib import Path

from alembic import command
from sqlalchemy import text

from bot.config import PROJECT_ROOT
from bot.db import make_engine, session_factory
from bot.migrations import runner
from console.auth import accounts, passwords
from console.database import ensure_schema, open_database
from console.migrations import HISTORY
from tests.support.schema import CONSOLE_TABLES, legacy_db, schema_diff, table_names


def revision(url: str, history: runner.History) -> str | None:
    with make_engine(url).connect() as connection:
        return runner.current_revision(connection, history)


def test_a_new_database_gets_the_console_tables_at_head(tmp_path, keys):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    db = open_database(url)
    assert CONSOLE_TABLES | {"console_canned_replies"} <= table_names(url)
    assert revision(url, HISTORY) == runner.head(HISTORY) == "console_0004_staff_department"
    assert revision(url, runner.APP) == runner.head()  # the application's tables are there too
    assert schema_diff(url, HISTORY) == [] and schema_diff(url) == []
    assert ensure_schema(db.kw["bind"]) == "current"


def test_the_console_adds_its_tables_to_an_application_database(tmp_path, keys):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    session_factory(url)
    assert ensure_schema(make_engine(url)) == "created"
    assert CONSOLE_TABLES <= table_names(url) and schema_diff(url, HISTORY) == []


def test_replaying_the_console_revisions_gives_the_same_schema_as_create_all(tmp_path, keys):
    url = f"sqlite:///{tmp_path / 'replayed.db'}"
    with make_engine(url).begin() as connection:
        command.upgrade(runner.alembic_config(connection, HISTORY), "head")
    assert CONSOLE_TABLES <= table_names(url) and schema_diff(url, HISTORY) == []


def test_an_existing_database_with_console_rows_is_adopted_in_place(tmp_path, keys):
    """A var/app.db from before: the console's tables made by the application's baseline."""
    url = legacy_db(tmp_path / "app.db")
    assert runner.migrate(make_engine(url)) == "upgraded"  # as the assistant does at start
    with make_engine(url).begin() as connection:
        connection.execute(text("insert into inbox_decisions (text_normalized, action, username, at) "
                                "values ('社保卡', 'dismiss', 'admin', '2026-01-01')"))
    assert revision(url, HISTORY) is None
    assert ensure_schema(make_engine(url)) == "upgraded"  # the baseline finds every table there
    assert revision(url, HISTORY) == runner.head(HISTORY) and schema_diff(url, HISTORY) == []
    db = open_database(url)
    accounts.create_user(db, "admin", "jinghu-district-42", "admin")
    with db() as session:
        assert session.execute(text("select text_normalized from inbox_decisions")).scalars().all() == ["社保卡"]


def test_accounts_made_before_0002_log_in_as_before(tmp_path, keys):
    """0002 adds the forced password change and the last login to accounts that have rows."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    session_factory(url)  # the application's tables, as a running assistant has them
    with make_engine(url).begin() as connection:
        command.upgrade(runner.alembic_config(connection, HISTORY), "console_0001_baseline")
        connection.execute(text(
            "insert into staff_users (username, password_hash, role, active, created_at) values "
            f"('zhao', '{passwords.hash_password('jinghu-district-42')}', 'admin', 1, '2026-01-01 08:00:00')"))
    assert ensure_schema(make_engine(url)) == "upgraded"
    assert revision(url, HISTORY) == runner.head(HISTORY) and schema_diff(url, HISTORY) == []
    db = open_database(url)
    (zhao,) = accounts.list_users(db)
    assert zhao.username == "zhao" and not zhao.must_change_password and zhao.last_login_at is None
    assert accounts.authenticate(db, "zhao", "jinghu-district-42", "10.0.0.1").last_login_at is not None


def test_accounts_made_before_0004_have_no_department_and_see_every_department(tmp_path, keys):
    """0004 adds the department that scopes 差评回访; existing accounts keep seeing all of them."""
    url = f"sqlite:///{tmp_path / 'before.db'}"
    session_factory(url)
    with make_engine(url).begin() as connection:
        command.upgrade(runner.alembic_config(connection, HISTORY), "console_0002_account_lifecycle")
        connection.execute(text(
            "insert into staff_users (username, password_hash, role, active, created_at, must_change_password) "
            f"values ('qian', '{passwords.hash_password('jinghu-district-42')}', 'reviewer', 1, "
            "'2026-01-01 08:00:00', 0)"))
    assert ensure_schema(make_engine(url)) == "upgraded"
    assert revision(url, HISTORY) == runner.head(HISTORY) and schema_diff(url, HISTORY) == []
    db = open_database(url)
    (qian,) = accounts.list_users(db)
    assert qian.department is None
    assert accounts.set_department(db, "qian", "市民政局").department == "市民政局"
    with make_engine(url).begin() as connection:  # and back down: the column goes, the account stays
        command.downgrade(runner.alembic_config(connection, HISTORY), "console_0002_account_lifecycle")
        assert connection.execute(text("select username from staff_users")).scalars().all() == ["qian"]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_application_never_imports_the_console():
    offenders = sorted(
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("bot", "actions", "channels")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if any(name == "console" or name.startswith("console.") for name in _imports(path))
    )
    assert offenders == []
