"""The console served over real HTTP, one server per test module."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from console.auth import passwords
from tests.support.console_web import SECRET, console_files
from tests.support.server_thread import ServerThread, free_port


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    root = tmp_path_factory.mktemp("console_app")
    nlu_dir, domain_path, db_url, db, tracker = console_files(root)

    from console.web.app import create_app
    app = create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False)
    server = ServerThread(app, free_port())
    server.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.port}", "nlu_dir": nlu_dir, "db": db}
    finally:
        server.stop()
        patch.undo()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A console for the hand-off desk tests: base, db (accounts reviewer, trainer, admin, agent)."""
    from tests.support.handoff_desk import desk_console

    with desk_console(tmp_path_factory.mktemp("handoff_desk")) as served:
        yield served
