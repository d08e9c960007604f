"""The staff console over real HTTP: sanic serving in a background thread, requests as the browser."""
from __future__ import annotations

import base64
import hashlib
import re

import requests

from bot.config import PROJECT_ROOT
from console.auth.sessions import SESSION_COOKIE
from console.teaching import decisions
from console.web.pages.layout import STYLE_SOURCE
from tests.support.console_web import (
    PASSWORD,
    PHRASE,
    XSS,
    card_of,
    csrf_of,
    get,
    logged_in,
    login,
    nlu_digest,
    post,
)


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
        f"default-src 'none'; style-src {STYLE_SOURCE}; form-action 'self'; frame-ancestors 'none'")
    (style,) = re.findall(r"<style>(.*?)</style>", page.text, flags=re.S)  # the one the CSP admits
    assert STYLE_SOURCE == f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
    assert "style=" not in page.text
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
    # The model was unsure (0.31): nothing is filled in for the reviewer.
    assert 'name="target" list="targets" autocomplete="off" maxlength="200" placeholder=' in page.text
    assert re.search(r'<input id="t\d+" name="target"[^>]*value=""', card_of(page.text, PHRASE))
    response = post(reviewer, base + "/inbox/decide", {
        "text": PHRASE, "action": "assign", "target": "社会保障卡申领", "csrf": csrf_of(page.text)})
    decision = decisions.get_decision(console["db"], PHRASE)
    assert (decision.action, decision.intent) == ("assign", "svc_sbk_apply")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/inbox?done={decision.id}&at=0#notice"
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
    assert ">处理待处理消息</td>" in page.text and "inbox_decide</td>" not in page.text
    assert f"消息：{PHRASE}；处理方式：归入意图；意图：svc_sbk_apply" in page.text


def test_logout_ends_the_session(console):
    base = console["base"]
    trainer = logged_in(base, "trainer")
    csrf = csrf_of(get(trainer, base + "/inbox").text)
    assert post(trainer, base + "/logout", {"csrf": csrf}).status_code == 303
    assert get(trainer, base + "/inbox").status_code == 303
