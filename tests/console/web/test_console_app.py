"""The staff console over real HTTP: sanic serving in a background thread, requests as the browser."""
from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from console.auth import accounts, passwords
from console.auth.sessions import SESSION_COOKIE
from console.database import open_database
from console.teaching import decisions
from tests.console.teaching.test_inbox import T0, act, bot, fallback, start
from tests.support.server_thread import ServerThread, free_port  # noqa: F401 (shared)

PHRASE = "社保卡在哪能弄到手"
XSS = "<script>alert(1)</script>怎么办"
PASSWORD = "correct-horse-42"
SECRET = "test-secret-0123456789abcdef"


def build_tracker_db(path: Path) -> str:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(path))
    conversations = {
        "resident-1": [*start(T0), fallback(PHRASE, T0 + 1, ("svc_sbk_apply", 0.31)),
                       act("action_default_fallback", T0 + 2), bot("抱歉，我没有理解。", T0 + 2),
                       act("action_listen", T0 + 2)],
        "resident-2": [*start(T0 + 50), fallback(XSS, T0 + 51, ("svc_sbk_apply", 0.1)),
                       act("action_default_fallback", T0 + 52), bot("抱歉，我没有理解。", T0 + 52),
                       act("action_listen", T0 + 52)],
    }

    async def save_all() -> None:
        for sender_id, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender_id, events, slots=domain.slots))

    asyncio.run(save_all())
    store.engine.dispose()
    return f"sqlite:///{path}"


def console_files(root: Path) -> tuple[Path, Path, str, object, str]:
    """A console's inputs under `root`: copies of data/nlu and domain.yml, a database with
    one account per role (password PASSWORD), a tracker store with two fallbacks.
    Returns (nlu_dir, domain_path, db_url, sessionmaker, tracker_url)."""
    nlu_dir = root / "data" / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu_dir)
    domain_path = root / "domain.yml"
    shutil.copy(PROJECT_ROOT / "domain.yml", domain_path)
    db_url = f"sqlite:///{root / 'console.db'}"
    db = open_database(db_url)
    for role in ("reviewer", "trainer", "admin"):
        accounts.create_user(db, role, PASSWORD, role)
    return nlu_dir, domain_path, db_url, db, build_tracker_db(root / "tracker.db")


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


def test_anonymous_is_sent_to_login(console):
    base, anon = console["base"], requests.Session()
    for path in ("/inbox", "/audit"):
        response = get(anon, base + path)
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/login")
    response = post(anon, base + "/inbox/decide", {"text": PHRASE, "action": "dismiss", "csrf": "x"})
    assert response.status_code == 401
    page = get(anon, base + "/login")
    assert '<html lang="zh-CN">' in page.text and "<title>" in page.text
    assert page.text.count("<h1>") == 1 and '<label for="password">' in page.text
    headers = page.headers
    assert headers["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_login_needs_the_form_token_and_the_right_password(console):
    base = console["base"]
    _, wrong = login(base, "reviewer", "not-the-password")
    assert wrong.status_code == 401
    assert "用户名或密码不正确" in wrong.text
    no_form = requests.Session()
    forged = post(no_form, base + "/login",
                  {"form_token": "made-up", "username": "reviewer", "password": PASSWORD})
    assert forged.status_code == 403
    assert SESSION_COOKIE not in forged.cookies


def test_session_cookie_flags(console):
    _, response = login(console["base"], "trainer")
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    cookies = [c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "=")]
    assert len(cookies) == 1
    flags = cookies[0].lower()
    assert "httponly" in flags and "samesite=strict" in flags and "path=/" in flags


def test_missing_or_forged_csrf_is_refused_and_writes_nothing(console):
    base, nlu_dir = console["base"], console["nlu_dir"]
    reviewer = logged_in(base, "reviewer")
    before = nlu_digest(nlu_dir)
    for data in ({"text": PHRASE, "action": "assign", "intent": "svc_sbk_apply"},
                 {"text": PHRASE, "action": "assign", "intent": "svc_sbk_apply", "csrf": "0" * 64}):
        response = post(reviewer, base + "/inbox/decide", data)
        assert response.status_code == 403
    assert nlu_digest(nlu_dir) == before
    assert decisions.get_decision(console["db"], PHRASE) is None
    # Another session's valid token is no good either.
    other = csrf_of(get(logged_in(base, "trainer"), base + "/inbox").text)
    response = post(reviewer, base + "/inbox/decide",
                    {"text": PHRASE, "action": "dismiss", "csrf": other})
    assert response.status_code == 403
    assert decisions.get_decision(console["db"], PHRASE) is None


def test_xss_phrasing_is_escaped(console):
    reviewer = logged_in(console["base"], "reviewer")
    page = get(reviewer, console["base"] + "/inbox").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;怎么办" in page
    assert "<script" not in page


def test_reviewer_assigns_a_phrasing(console):
    base, nlu_dir = console["base"], console["nlu_dir"]
    reviewer = logged_in(base, "reviewer")
    page = get(reviewer, base + "/inbox")
    assert page.status_code == 200 and PHRASE in page.text
    assert '<option value="svc_sbk_apply" selected>' in page.text
    response = post(reviewer, base + "/inbox/decide", {
        "text": PHRASE, "action": "assign", "intent": "svc_sbk_apply", "csrf": csrf_of(page.text)})
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    assert f"- {PHRASE}" in (nlu_dir / "social_security.yml").read_text(encoding="utf-8")
    after = get(reviewer, base + "/inbox").text
    assert PHRASE not in after
    assert get(reviewer, base + "/audit").status_code == 403
    assert "您没有权限执行此操作" in get(reviewer, base + "/audit").text


def test_training_data_error_is_shown(console):
    base = console["base"]
    reviewer = logged_in(base, "reviewer")
    csrf = csrf_of(get(reviewer, base + "/inbox").text)
    response = post(reviewer, base + "/inbox/decide",
                    {"text": XSS, "action": "assign", "intent": "no_such_intent", "csrf": csrf})
    assert response.status_code == 400
    assert "no_such_intent" in response.text and "domain.yml" in response.text


def test_a_held_out_phrasing_is_never_added_to_the_training_data(console):
    """The regression set must stay unseen, or the evaluation gate measures nothing."""
    base, nlu_dir = console["base"], console["nlu_dir"]
    heldout = next(line[6:] for line in (PROJECT_ROOT / "tests" / "nlu_heldout" / "civil_affairs.yml")
                   .read_text(encoding="utf-8").splitlines() if line.startswith("    - "))
    before = nlu_digest(nlu_dir)
    reviewer = logged_in(base, "reviewer")
    for action in ("assign", "out_of_scope"):
        csrf = csrf_of(get(reviewer, base + "/inbox").text)
        response = post(reviewer, base + "/inbox/decide",
                        {"text": heldout, "action": action, "intent": "svc_marriage", "csrf": csrf})
        assert response.status_code == 400, response.text[:500]
        assert "留出" in response.text or "held" in response.text
    assert nlu_digest(nlu_dir) == before


def test_admin_sees_the_decision_in_the_audit_log(console):
    base = console["base"]
    admin = logged_in(base, "admin")
    page = get(admin, base + "/audit")
    assert page.status_code == 200
    assert "inbox_decide" in page.text and PHRASE in page.text and "svc_sbk_apply" in page.text


def test_logout_ends_the_session(console):
    base = console["base"]
    trainer = logged_in(base, "trainer")
    csrf = csrf_of(get(trainer, base + "/inbox").text)
    assert post(trainer, base + "/logout", {"csrf": csrf}).status_code == 303
    assert get(trainer, base + "/inbox").status_code == 303
