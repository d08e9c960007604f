"""账号管理 over real HTTP: one-time passwords shown once, forced change, disable, reset, last admin.

Role checks and forged CSRF tokens for these routes are in test_permissions.py's tables.
"""
from __future__ import annotations

import re

from console import timefmt
from console.auth import accounts, audit
from console.tables import StaffUser
from console.web.context import MUST_CHANGE_MESSAGE
from console.web.pages.password import FIRST_LOGIN
from tests.support.console_web import PASSWORD, csrf_of, get, logged_in, login, post

SECRET_RE = re.compile(r'<span class="secret">([^<]+)</span>')


def admin_form(base: str, http) -> str:
    return csrf_of(get(http, base + "/users").text)


def test_the_list_shows_roles_states_and_last_logins_in_local_time(console):
    base, db = console["base"], console["db"]
    admin = logged_in(base, "admin")
    page = get(admin, base + "/users").text
    me = accounts.get_user(db, "admin")
    assert f'<td class="nowrap">{timefmt.format_time(me.last_login_at)}</td>' in page
    assert '<td class="nowrap">admin（我）</td>' in page and '<td class="nowrap">训练员</td>' in page
    assert "最近登录（北京时间）" in page and 'href="/users"' in page
    trainer_nav = get(logged_in(base, "trainer"), base + "/inbox").text
    assert 'href="/users"' not in trainer_nav and 'href="/password"' in trainer_nav


def test_a_new_account_gets_a_password_shown_once_and_must_change_it(console):
    base, db = console["base"], console["db"]
    admin = logged_in(base, "admin")
    created = post(admin, base + "/users/create", {"username": "Zhang.San", "role": "trainer",
                                                   "csrf": admin_form(base, admin)})
    assert created.status_code == 200 and "已创建账号 zhang.san（训练员）" in created.text
    (password,) = SECRET_RE.findall(created.text)
    assert "此密码只显示这一次" in created.text and created.headers["Cache-Control"] == "no-store"
    # Nowhere else: not on the list, not in the audit log, not in the database.
    assert password not in get(admin, base + "/users").text
    assert password not in get(admin, base + "/audit").text
    assert password not in str([e.detail for e in audit.recent(db)])
    with db() as session:
        assert password not in str(session.query(StaffUser.password_hash).all())
    entry = audit.recent(db)[0]
    assert (entry.username, entry.action, entry.detail) == ("admin", "user.add", {"username": "zhang.san",
                                                                                  "role": "trainer"})

    newcomer, first = login(base, "zhang.san", password)
    assert first.status_code == 303 and first.headers["Location"] == "/password"
    assert get(newcomer, base + "/models").headers["Location"] == "/password"  # every page leads there
    page = get(newcomer, base + "/password").text
    assert FIRST_LOGIN in page
    csrf = csrf_of(page)
    refused = post(newcomer, base + "/faq/add", {"key": "x_y", "examples": "甲\n乙", "answer": "答", "csrf": csrf})
    assert refused.status_code == 403 and MUST_CHANGE_MESSAGE in refused.text
    mismatch = post(newcomer, base + "/password", {"current": password, "new": "zhang-own-42",
                                                   "again": "zhang-own-43", "csrf": csrf})
    assert mismatch.status_code == 400 and "两次输入的新密码不一致" in mismatch.text
    changed = post(newcomer, base + "/password", {"current": password, "new": "zhang-own-42",
                                                  "again": "zhang-own-42", "csrf": csrf})
    assert changed.status_code == 303 and changed.headers["Location"] == "/password?done=1"
    assert "密码已修改" in get(newcomer, base + "/password?done=1").text  # still signed in, new session
    assert get(newcomer, base + "/faq").status_code == 200
    assert login(base, "zhang.san", password)[1].status_code == 401
    assert login(base, "zhang.san", "zhang-own-42")[1].headers["Location"] == "/inbox"
    assert ("zhang.san", "password_change") in [(e.username, e.action) for e in audit.recent(db, 5)]


def test_disabling_ends_sessions_and_blocks_login(console):
    base, db = console["base"], console["db"]
    accounts.create_user(db, "li.si", PASSWORD, "reviewer")
    li_si = logged_in(base, "li.si")
    admin = logged_in(base, "admin")
    unconfirmed = post(admin, base + "/users/active", {"username": "li.si", "active": "0",
                                                        "csrf": admin_form(base, admin)})
    assert unconfirmed.status_code == 400 and accounts.get_user(db, "li.si").active
    done = post(admin, base + "/users/active", {"username": "li.si", "active": "0", "confirm": "yes",
                                                "csrf": admin_form(base, admin)})
    assert done.status_code == 303 and done.headers["Location"] == "/users?done=disable&user=li.si"
    assert "已停用账号 li.si" in get(admin, base + "/users?done=disable&user=li.si").text
    assert get(li_si, base + "/inbox").headers["Location"] == "/login"
    _, again = login(base, "li.si")
    assert again.status_code == 401 and "该账号已停用" in again.text
    refusal = audit.recent(db)[0]
    assert (refusal.action, refusal.username, refusal.detail["reason"]) == ("login_failed", "li.si", "disabled")
    assert post(admin, base + "/users/active", {"username": "li.si", "active": "1",
                                                "csrf": admin_form(base, admin)}).status_code == 303
    assert login(base, "li.si")[1].status_code == 303


def test_a_reset_ends_the_old_password_and_forces_a_change(console):
    base, db = console["base"], console["db"]
    accounts.create_user(db, "wang.wu", PASSWORD, "trainer")
    wang = logged_in(base, "wang.wu")
    admin = logged_in(base, "admin")
    reset = post(admin, base + "/users/reset", {"username": "wang.wu", "confirm": "yes",
                                                "csrf": admin_form(base, admin)})
    assert reset.status_code == 200 and "已重置账号 wang.wu 的密码" in reset.text
    (password,) = SECRET_RE.findall(reset.text)
    assert get(wang, base + "/inbox").headers["Location"] == "/login"
    assert login(base, "wang.wu")[1].status_code == 401
    assert login(base, "wang.wu", password)[1].headers["Location"] == "/password"
    assert accounts.get_user(db, "wang.wu").must_change_password
    mine = post(admin, base + "/users/reset", {"username": "admin", "confirm": "yes", "csrf": admin_form(base, admin)})
    assert mine.status_code == 400 and "修改密码" in mine.text


def test_roles_change_and_the_last_enabled_admin_stays(console):
    base, db = console["base"], console["db"]
    accounts.create_user(db, "root.a", PASSWORD, "admin")
    root = logged_in(base, "root.a")
    off = post(root, base + "/users/active", {"username": "admin", "active": "0", "confirm": "yes",
                                              "csrf": admin_form(base, root)})
    assert off.status_code == 303  # two admins: one may go
    for path, form in (("/users/active", {"active": "0", "confirm": "yes"}), ("/users/role", {"role": "trainer"})):
        refused = post(root, base + path, {"username": "root.a", **form, "csrf": admin_form(base, root)})
        assert refused.status_code == 409 and "最后一个启用的管理员" in refused.text
    me = accounts.get_user(db, "root.a")
    assert me.active and me.role.value == "admin"
    assert post(root, base + "/users/active", {"username": "admin", "active": "1",
                                               "csrf": admin_form(base, root)}).status_code == 303
    demoted = post(root, base + "/users/role", {"username": "root.a", "role": "reviewer",
                                                "csrf": admin_form(base, root)})
    assert demoted.status_code == 303 and demoted.headers["Location"] == "/inbox"
    assert get(root, base + "/users").status_code == 403
    admin = logged_in(base, "admin")
    unknown = post(admin, base + "/users/role",
                   {"username": "trainer", "role": "boss", "csrf": admin_form(base, admin)})
    assert unknown.status_code == 400 and "没有“boss”这个角色" in unknown.text
    actions = [(e.username, e.action, e.detail.get("username")) for e in audit.recent(db, 6) if e.action != "login"]
    assert ("root.a", "user.role", "root.a") in actions and ("root.a", "user.enable", "admin") in actions
