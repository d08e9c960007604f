"""The staff console over real HTTP: its files, accounts, tracker store and a browser-like client.

Shared by the web tests of the console (tests/console/web; the `console` fixture that
serves one is in that folder's conftest.py) and its browser tests (tests/web, which start
theirs with :func:`served_console`).
"""
from __future__ import annotations

import hashlib
import re
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from argon2 import PasswordHasher

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from console.auth import accounts, passwords
from console.database import open_database
from tests.support.server_thread import ServerThread, free_port
from tests.support.tracker_events import act, bot, fallback, start, store_directly

PHRASE = "社保卡在哪能弄到手"
XSS = "<script>alert(1)</script>怎么办"
PASSWORD = "correct-horse-42"
SECRET = "test-secret-0123456789abcdef"


def build_tracker_db(path: Path, t0: float | None = None) -> str:
    """Two residents' fallbacks, an hour ago unless ``t0`` says when (inside the inbox's window)."""
    t0 = time.time() - 3600 if t0 is None else t0
    return store_directly(path, {
        "resident-1": [*start(t0), fallback(PHRASE, t0 + 1, ("svc_sbk_apply", 0.31)),
                       act("action_default_fallback", t0 + 2), bot("抱歉，我没有理解。", t0 + 2),
                       act("action_listen", t0 + 2)],
        "resident-2": [*start(t0 + 50), fallback(XSS, t0 + 51, ("svc_sbk_apply", 0.1)),
                       act("action_default_fallback", t0 + 52), bot("抱歉，我没有理解。", t0 + 52),
                       act("action_listen", t0 + 52)],
    })


def console_files(root: Path) -> tuple[Path, Path, str, object, str]:
    """A console's inputs under `root`: copies of data/nlu and domain.yml, a database with
    the catalogue (the 归入意图 list names services by it) and one account per role, named
    after it (password PASSWORD), a tracker store with two fallbacks.
    Returns (nlu_dir, domain_path, db_url, sessionmaker, tracker_url)."""
    nlu_dir = root / "data" / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu_dir)
    domain_path = root / "domain.yml"
    shutil.copy(PROJECT_ROOT / "domain.yml", domain_path)
    db_url = f"sqlite:///{root / 'console.db'}"
    db = open_database(db_url)
    load_catalogue(db, PROJECT_ROOT / "data" / "catalogue")
    for role in ("reviewer", "trainer", "admin", "agent"):
        accounts.create_user(db, role, PASSWORD, role)
    return nlu_dir, domain_path, db_url, db, build_tracker_db(root / "tracker.db")


@contextmanager
def served_console(root: Path, conversations: Mapping[str, Sequence[Any]] | None = None,
                   **options: Any) -> Iterator[SimpleNamespace]:
    """A console on :func:`console_files` under ``root`` served over HTTP, with cheap password
    hashing while it runs; ``conversations`` (sender id → events) are added to its tracker
    store first, ``options`` go to create_app. Yields base (URL), db, nlu_dir and tracker_db."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        nlu_dir, domain_path, db_url, db, tracker = console_files(root)
        if conversations:
            store_directly(root / "tracker.db", conversations)
        from console.web.app import create_app
        app = create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False, **options)
        server = ServerThread(app, free_port())
        server.start()
        try:
            yield SimpleNamespace(base=f"http://127.0.0.1:{server.port}", db=db, nlu_dir=nlu_dir,
                                  tracker_db=root / "tracker.db")
        finally:
            server.stop()


def get(session: requests.Session, url: str) -> requests.Response:
    return session.get(url, allow_redirects=False, timeout=10)


def post(session: requests.Session, url: str, data: dict) -> requests.Response:
    return session.post(url, data=data, allow_redirects=False, timeout=10)


def login(base: str, username: str, password: str = PASSWORD) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    form = get(session, base + "/login")
    assert form.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    response = post(session, base + "/login",
                    {"form_token": token, "username": username, "password": password})
    return session, response


def logged_in(base: str, username: str) -> requests.Session:
    session, response = login(base, username)
    assert response.status_code == 303, response.text
    return session


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def nlu_digest(nlu_dir: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(nlu_dir.glob("*.yml")))).hexdigest()


def visible_text(page: str) -> str:
    """What a person reads on a page: tags, attributes, the style block and the
    datalists' (unshown) option values left out."""
    page = re.sub(r"<style>.*?</style>|<datalist.*?</datalist>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def card_of(page: str, text: str) -> str:
    """The HTML of the inbox card whose phrasing is ``text`` ('' when there is none)."""
    for card in re.findall(r'<section class="card".*?</section>', page, flags=re.S):
        if re.search(rf'<p class="phrase" id="g\d+">{re.escape(text)}</p>', card):
            return card
    return ""
