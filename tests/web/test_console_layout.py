"""Every console page on an office laptop (1366 px) and an upright tablet (768 px), in a real
browser: nothing makes the page scroll sideways (a wide table scrolls inside its own box),
names, usernames, times, codes, headings of columns and buttons stay on one line, no cell
breaks words anywhere (no ``word-break: break-all``), and the CSP refuses nothing (every
style is the one stylesheet of console/web/pages/layout.py). The login page names the
product once and the department.

The models page (训练与上线) is being rebuilt on another branch (console-models) and needs a
training pipeline to show anything: it is not in PAGES yet.
"""
from __future__ import annotations

import re

import pytest

from bot.handoff import service as handoff
from console.auth import accounts
from console.auth.audit import Actor
from console.handoff import canned
from console.teaching import service
from console.teaching.service import TrainingFiles
from console.web.pages.layout import CONSOLE_TITLE, DEPARTMENT
from tests.support.console_browser import broken_texts, line_count, page_errors, page_overflows, sign_in
from tests.support.console_web import PASSWORD
from tests.support.handoff_desk import desk_console, queued

pytestmark = pytest.mark.browser

#: The longest kind of username there is (32 characters, the most accounts.py allows).
LONG_NAME = "chen.xiaoming-shujuju.zhengwu-01"
PAGES = ("/inbox", "/inbox/decided", "/faq", "/services", "/services/edit?id=marriage", "/services/new",
         "/audit", "/users", "/password", "/handoff", "/handoff/replies", "/handoff/1", "/handoff/2", "/dashboard")
#: What must never wrap: column headings, whatever is marked so (names, times, codes, labels), buttons,
#: the links of the header, the pager.
ONE_LINE = "th, .nowrap, button, header a, header span, nav.pager span, .secret"
SIZES = ("1366x768", "768x1024")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with desk_console(tmp_path_factory.mktemp("layout")) as served:
        assert len(LONG_NAME) == 32
        accounts.create_user(served.db, LONG_NAME, PASSWORD, "reviewer")
        # The hand-off desk: a resident waiting (/handoff/1), one the admin holds (/handoff/2).
        long_words = "我想问一下社保卡补办需要带哪些材料" * 6 + "https://example.org/" + "a" * 80
        queued(served.db, "wechat:layout-1", channel="wechat", district="镜湖区", service_id="sbk-apply",
               flow_step="社会保障卡挂失补换 · 第3步（共6步）", says=[long_words, "在吗"])
        held = queued(served.db, "web:layout-2", says=[long_words])
        handoff.claim(served.db, request_id=held, agent="admin")
        handoff.reply(served.db, request_id=held, agent="admin", text="您好，" + long_words)
        canned.add_reply(served.db, Actor("admin"), "请稍等", "请稍等，我帮您查一下。")
        for text in ("这句话已经处理过了", "another message decided in English words"):
            service.decide_inbox_message(served.db, TrainingFiles(served.nlu_dir, served.nlu_dir.parent / "domain.yml"),
                                         Actor(LONG_NAME), text, "dismiss")
        yield served


def no_break_all(page) -> list[str]:
    """Cells whose computed style breaks words anywhere."""
    return page.evaluate("""() => [...document.querySelectorAll('td, th')]
        .filter(c => getComputedStyle(c).wordBreak === 'break-all').map(c => c.innerText)""")


def assert_laid_out(page, where: str) -> None:
    assert not page_overflows(page), f"{where}: the page scrolls sideways"
    assert broken_texts(page, ONE_LINE) == [], where
    assert no_break_all(page) == [], where
    assert not page_errors(page), (where, page.errors)


@pytest.mark.parametrize("size", SIZES)
def test_the_login_page_names_the_product_once_and_the_department(site, open_desk, size):
    page = open_desk(size)
    page.goto(site.base + "/login")
    assert page.locator("h1").all_inner_texts() == [CONSOLE_TITLE]
    assert CONSOLE_TITLE == "芜湖市政务服务助手 · 工作人员管理台"
    assert page.inner_text(".dept") == DEPARTMENT and "示例" in DEPARTMENT
    assert page.title() == f"登录 - {CONSOLE_TITLE}"
    assert line_count(page.locator("h1")) == 1
    assert_laid_out(page, "/login")


@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_and_keeps_names_times_and_buttons_whole(site, open_desk, size):
    page = open_desk(size)
    sign_in(page, site.base, "admin")
    for path in PAGES:
        response = page.goto(site.base + path)
        assert response.status == 200, path
        assert_laid_out(page, f"{path} at {size}")

    page.goto(site.base + "/users")
    name_cell = page.locator("td", has_text=re.compile(f"^{re.escape(LONG_NAME)}$"))
    assert line_count(name_cell) == 1  # the username is not broken
    box = page.locator("main > .scroll")
    sideways = box.evaluate("b => b.scrollWidth > b.clientWidth")
    if size == "768x1024":
        assert sideways  # the table scrolls in its box rather than squeezing its columns
    page.goto(site.base + "/inbox/decided")
    assert line_count(page.locator("td.nowrap", has_text=LONG_NAME).first) == 1


@pytest.mark.parametrize("size", SIZES)
def test_the_one_time_password_page_fits(site, open_desk, size):
    page = open_desk(size)
    sign_in(page, site.base, "admin")
    page.goto(site.base + "/users")
    page.fill("#new-username", f"layout.{size.split('x')[0]}")
    page.click("button:has-text('创建账号')")
    page.wait_for_url(site.base + "/users/create")
    assert page.locator(".secret").is_visible()
    assert_laid_out(page, f"one-time password at {size}")
