"""账号管理 and 操作记录 in a real browser: an admin creates an account and sees its one-time
password once, the newcomer sets their own, the admin disables the account and its open
session ends; a refused login shows on the audit page, in Chinese, found with its filter.

Role checks and CSRF on these routes are tested over HTTP for every role and route
(tests/console/web/test_permissions.py, which also fails when a route is missing from it).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError

from console.web.pages.password import DONE, FIRST_LOGIN
from tests.support.console_browser import page_errors, sign_in
from tests.support.console_web import served_console

pytestmark = pytest.mark.browser

NEWCOMER, OWN_PASSWORD = "wang.wu", "wang-wu-own-42"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_console(tmp_path_factory.mktemp("accounts")) as served:
        yield served


def row(page, username: str):
    return page.locator("tbody tr", has=page.locator("td:first-child", has_text=re.compile(f"^{re.escape(username)}")))


def test_a_new_account_password_is_shown_once_and_disabling_ends_its_session(site, open_desk):
    admin = open_desk("1366x768")
    sign_in(admin, site.base, "admin")
    admin.goto(site.base + "/users")
    admin.fill("#new-username", NEWCOMER)
    admin.select_option("#new-role", "trainer")
    admin.click("button:has-text('创建账号')")
    admin.wait_for_url(site.base + "/users/create")
    assert admin.inner_text("h1") == "一次性密码"
    assert f"已创建账号 {NEWCOMER}（训练员）。" in admin.inner_text("[role=status]")
    secret = admin.locator(".secret")
    assert secret.is_visible()
    password = secret.inner_text().strip()
    assert len(password) >= 12 and "此密码只显示这一次" in admin.inner_text("main")

    admin.click("a:has-text('返回账号管理')")
    admin.wait_for_url(site.base + "/users")
    assert password not in admin.content()
    assert row(admin, NEWCOMER).locator("td").nth(1).inner_text() == "训练员"
    assert "待修改一次性密码" in row(admin, NEWCOMER).inner_text()
    # The page of the POST is not kept (Cache-Control: no-store): going back, chromium will
    # not show it again without sending the form again.
    with pytest.raises(PlaywrightError, match="ERR_CACHE_MISS"):
        admin.go_back()
    admin.wait_for_load_state()
    assert password not in admin.inner_text("body")

    newcomer = open_desk("768x1024")
    sign_in(newcomer, site.base, NEWCOMER, password, landing="/password")
    assert FIRST_LOGIN in newcomer.inner_text("main")
    newcomer.fill("#current", password)
    newcomer.fill("#new", OWN_PASSWORD)
    newcomer.fill("#again", OWN_PASSWORD)
    newcomer.click("main button[type=submit]")
    newcomer.wait_for_url(site.base + "/password?done=1")
    assert DONE in newcomer.inner_text("main")
    newcomer.goto(site.base + "/inbox")
    assert newcomer.url == site.base + "/inbox"

    admin.goto(site.base + "/users")
    account = row(admin, NEWCOMER)
    account.locator("label:has-text('确认停用') input").check()
    account.locator("button:has-text('停用')").click()
    admin.wait_for_url(site.base + f"/users?done=disable&user={NEWCOMER}")
    assert f"已停用账号 {NEWCOMER}，其登录会话已全部结束。" in admin.inner_text("[role=status]")
    assert row(admin, NEWCOMER).locator("td").nth(2).inner_text() == "停用"

    newcomer.reload()
    assert newcomer.url == site.base + "/login"  # signed out by the admin
    newcomer.fill("#username", NEWCOMER)
    newcomer.fill("#password", OWN_PASSWORD)
    newcomer.click("main button[type=submit]")
    newcomer.wait_for_load_state()
    assert "该账号已停用，请联系管理员。" in newcomer.inner_text("[role=alert]")
    assert not page_errors(admin) and not page_errors(newcomer)


def test_a_failed_login_is_on_the_audit_page(site, open_desk):
    stranger = open_desk("1366x768")
    stranger.goto(site.base + "/login")
    stranger.fill("#username", "reviewer")
    stranger.fill("#password", "not-the-password")
    stranger.click("main button[type=submit]")
    stranger.wait_for_load_state()
    assert "用户名或密码不正确" in stranger.inner_text("[role=alert]")

    admin = open_desk("768x1024")
    sign_in(admin, site.base, "admin")
    admin.goto(site.base + "/audit")
    admin.select_option("select[name=action]", label="登录失败")
    admin.select_option("select[name=user]", "reviewer")
    admin.click("form.filters button[type=submit]")
    admin.wait_for_url(re.compile(r".*/audit\?user=reviewer&action=login_failed.*"))
    cells = admin.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:] == ["reviewer", "登录失败", "尝试登录的账号：reviewer；原因：密码错误", "127.0.0.*"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cells[0])  # local time, to the second
    assert not page_errors(admin)
