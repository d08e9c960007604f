"""The web chat in a real browser (Debian chromium + playwright) at phone size."""
from __future__ import annotations

import random
import shutil

import pytest
import yaml
from playwright.sync_api import expect

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from bot.stack import running_stack
from tests.support.proxy import CuttableProxy
from tests.support.servers import all_channels, trained_model
from tests.web.chat_page import SCREENSHOTS, TIMEOUT, axe_violations, bots, open_chat, options, say, wait_for_bot_text

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", ["375x812", "360x640"])
def test_page_loads_with_the_welcome_menu_and_no_console_errors(stack, open_phone, size):
    page = open_chat(open_phone(size), stack.rasa_url)
    expect(options(page).first).to_have_text("1. 社会保障卡申领")
    composer = page.get_by_label("输入您想办的事").bounding_box()
    send = page.get_by_role("button", name="发送", exact=True).bounding_box()
    height = page.viewport_size["height"]
    assert composer["y"] > height * 0.75 and send["y"] + send["height"] <= height  # thumb zone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    assert page.errors == []


def test_service_question_gets_a_card_naming_the_service(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    say(page, "社保卡怎么办理")
    card = page.locator(".ServiceCard").last
    expect(card).to_contain_text("社会保障卡申领", timeout=TIMEOUT)
    expect(card).to_contain_text("以窗口最新要求为准")
    checkbox = card.get_by_role("checkbox").first
    checkbox.check()
    expect(checkbox).to_be_checked()
    wait_for_bot_text(page, "哪个区县")


def test_tapping_a_numbered_button_continues(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    options(page).first.click()  # 1. 社会保障卡申领
    expect(page.locator(".ServiceCard").last).to_contain_text("社会保障卡申领", timeout=TIMEOUT)
    expect(options(page)).to_have_count(7, timeout=TIMEOUT)  # the district question
    options(page).nth(1).click()  # 2. 弋江区
    wait_for_bot_text(page, "弋江区")
    expect(page.locator('[data-role="user"]').last).to_contain_text("2. 弋江区")


def test_a_whole_appointment_booked_by_tapping(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    page.get_by_role("button", name="预约办事").click()
    for _ in range(3):  # service, district, date: the first offered
        expect(options(page).first).to_be_visible(timeout=TIMEOUT)
        count = options(page).count()
        options(page).first.click()
        expect(options(page)).not_to_have_count(count, timeout=TIMEOUT)
    expect(options(page).last).to_be_visible(timeout=TIMEOUT)
    options(page).last.click()  # the last time slot
    wait_for_bot_text(page, "姓名")
    say(page, "张伟")
    wait_for_bot_text(page, "手机")
    phone = f"138{random.randrange(10**8):08d}"  # one booking per phone and service: a phone of its own
    say(page, phone)
    expect(options(page).first).to_be_visible(timeout=TIMEOUT)
    options(page).first.click()  # 1. 确认
    wait_for_bot_text(page, "预约成功")
    assert phone not in bots(page).last.inner_text()


def test_elder_mode_raises_text_and_button_size_and_is_remembered(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    bubble = page.locator('[data-role="bot"] .Bubble').first
    button = options(page).first
    font_before = float(bubble.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
    height_before = button.bounding_box()["height"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-normal.png"))

    page.get_by_role("button", name="长辈模式").click()
    expect(page.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")
    bubble = page.locator('[data-role="bot"] .Bubble').last
    font_after = float(bubble.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))
    height_after = options(page).first.bounding_box()["height"]
    assert font_after >= 22 and font_after > font_before
    assert height_after >= 48 and height_after > height_before
    for element in page.locator(".OptionBtn:not([disabled]), .QuickReplies button, .ChatFooter button").all():
        assert element.bounding_box()["height"] >= 48
    page.screenshot(path=str(SCREENSHOTS / "chat-elder.png"))

    page.reload()
    expect(bots(page).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")


def test_reload_keeps_the_history(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    say(page, "身份证过期了怎么换")
    expect(page.locator(".ServiceCard").last).to_contain_text("居民身份证", timeout=TIMEOUT)
    before = bots(page).count()
    page.reload()
    expect(page.locator(".ServiceCard").last).to_contain_text("居民身份证", timeout=TIMEOUT)
    expect(page.locator('[data-role="user"]').filter(has_text="身份证过期了怎么换")).to_have_count(1)
    expect(bots(page)).to_have_count(before)


def test_dropped_and_restored_connection_loses_nothing(stack, open_phone):
    proxy = CuttableProxy(int(stack.rasa_url.rsplit(":", 1)[1]))
    try:
        page = open_chat(open_phone(), proxy.url)
        proxy.cut()
        expect(page.get_by_role("status")).to_contain_text("网络连接已断开", timeout=TIMEOUT)
        say(page, "社保卡丢了怎么补办")  # typed while offline: queued
        page.wait_for_timeout(1500)
        proxy.restore()
        expect(page.get_by_role("status")).not_to_contain_text("网络连接已断开", timeout=TIMEOUT)
        expect(page.locator(".ServiceCard").last).to_contain_text("社会保障卡挂失补换", timeout=TIMEOUT)

        say(page, "公积金租房提取要带什么")
        proxy.cut()  # right after sending: the reply is produced while the page is offline
        page.wait_for_timeout(1500)
        proxy.restore()
        expect(page.locator(".ServiceCard").last).to_contain_text("住房公积金租房提取", timeout=TIMEOUT)
        page.wait_for_timeout(1000)
        for question in ("社保卡丢了怎么补办", "公积金租房提取要带什么"):
            expect(page.locator('[data-role="user"]').filter(has_text=question)).to_have_count(1)
        cards = [c.inner_text().split("\n")[0] for c in page.locator(".ServiceCard").all()]
        assert len(cards) == len(set(cards)) == 2, cards
    finally:
        proxy.close()


def test_the_page_keeps_a_signed_token_never_a_raw_conversation_id(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    stored = page.evaluate("() => ({token: localStorage.getItem('wuhu.session_token'),"
                           " legacy: localStorage.getItem('wuhu.session_id')})")
    assert stored["legacy"] is None
    assert stored["token"].startswith("w1.") and stored["token"].count(".") == 2


def test_clearing_the_records_asks_once_then_starts_afresh(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    say(page, "身份证过期了怎么换")
    expect(page.locator(".ServiceCard").last).to_contain_text("居民身份证", timeout=TIMEOUT)
    token = page.evaluate("() => localStorage.getItem('wuhu.session_token')")
    page.get_by_role("button", name="清除记录").click()
    wait_for_bot_text(page, "确定要清除本机的聊天记录吗")
    expect(page.locator(".ServiceCard")).to_have_count(1)  # only asked: nothing erased yet
    options(page).first.click()  # 1. 确定清除
    expect(page.locator(".ServiceCard")).to_have_count(0, timeout=TIMEOUT)
    expect(bots(page).first).to_contain_text("芜湖市政务服务助手", timeout=TIMEOUT)  # a fresh welcome
    expect(page.locator('[data-role="user"]').filter(has_text="身份证过期了怎么换")).to_have_count(0)
    assert page.evaluate("() => localStorage.getItem('wuhu.session_token')") not in (None, token)
    page.reload()
    expect(bots(page).first).to_contain_text("芜湖市政务服务助手", timeout=TIMEOUT)
    expect(page.locator(".ServiceCard")).to_have_count(0)
    assert page.errors == []


@pytest.mark.parametrize("elder", [False, True])
def test_accessibility_checker_finds_nothing(stack, open_phone, elder):
    page = open_chat(open_phone(), stack.rasa_url)
    if elder:
        page.get_by_role("button", name="长辈模式").click()
    say(page, "社保卡怎么办理")
    wait_for_bot_text(page, "哪个区县")
    assert axe_violations(page) == []


def test_keyboard_only_use(stack, open_phone):
    page = open_chat(open_phone(), stack.rasa_url)
    page.get_by_label("输入您想办的事").focus()
    page.keyboard.type("身份证过期了怎么换")
    page.keyboard.press("Enter")
    expect(page.locator(".ServiceCard").last).to_contain_text("居民身份证", timeout=TIMEOUT)
    expect(options(page)).to_have_count(7, timeout=TIMEOUT)
    button = options(page).first
    button.focus()
    page.keyboard.press("Enter")
    wait_for_bot_text(page, "镜湖区")


# -- markup in the catalogue stays text ---------------------------------------------------
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def hostile_catalogue_stack(tmp_path_factory):
    """A catalogue export whose texts contain markup: the page must show it, not run it."""
    tmp = tmp_path_factory.mktemp("xss")
    catalogue = tmp / "catalogue"
    shutil.copytree(PROJECT_ROOT / "data" / "catalogue", catalogue)
    path = catalogue / "services" / "social_security.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    service = next(s for s in data["services"] if s["id"] == "sbk-apply")
    service["summary"] += XSS
    service["materials"][0]["name"] += XSS
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp / 'app.db'}"
    load_catalogue(session_factory(url), catalogue)
    with running_stack(tmp / "stack", trained_model(), url, credentials=all_channels("http://127.0.0.1:9")) as running:
        yield running


def test_markup_in_bot_messages_stays_inert(hostile_catalogue_stack, open_phone):
    page = open_chat(open_phone(), hostile_catalogue_stack.rasa_url)
    say(page, "社保卡怎么办理")
    card = page.locator(".ServiceCard").last
    expect(card).to_contain_text("<script>window.__xss=2</script>", timeout=TIMEOUT)
    card.get_by_text("查看全文").click()
    expect(card).to_contain_text('<img src=x onerror="window.__xss=1">')
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator('.MessageList img[src="x"], .MessageList script').count() == 0
