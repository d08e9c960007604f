"""The web widget on a host site, in Chromium at phone and laptop size: the demo host page
(127.0.0.1) embeds the chat from localhost, so the chat's frame is cross-site as on a real
government site (tests/web/widget_host.py)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.webchat_client import conversation_of
from tests.web.chat_page import SCREENSHOTS, TIMEOUT
from tests.web.widget_host import (
    PHONE,
    SIZES,
    ask,
    chat,
    chat_focus,
    chat_frame,
    demo_url,
    first_user_event,
    launcher,
    open_host,
    open_widget,
    panel,
    widget_focus,
)

pytestmark = pytest.mark.e2e
__all__ = ["open_host"]  # the fixture, imported for pytest

QUESTION = "社保卡丢了怎么补办"


def font_px(locator) -> float:
    return float(locator.evaluate("e => getComputedStyle(e).fontSize").rstrip("px"))


@pytest.mark.parametrize("size", SIZES)
def test_the_widget_opens_on_the_pages_service_and_answers_a_question(stack, open_host, size):
    page = open_host(size)
    page.goto(demo_url(stack.rasa_url))
    button = launcher(page)
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["height"] >= 56 and box["width"] >= 56  # large enough for elderly fingers
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if size == PHONE:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "widget-phone-launcher.png"))

    frame = open_widget(page)
    assert chat_frame(page).url.startswith(stack.rasa_url.replace("127.0.0.1", "localhost") + "/chat/")
    expect(frame.locator(".ServiceCard").first).to_contain_text("住房公积金租房提取")  # the page's service, first
    expect(frame.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "true")  # on by default
    shown = panel(page).bounding_box()
    view = page.viewport_size
    if size == PHONE:
        assert shown == {"x": 0, "y": 0, "width": view["width"], "height": view["height"]}  # full screen
    else:
        assert 360 <= shown["width"] <= 420 and shown["height"] >= 600
        assert view["width"] - 40 <= shown["x"] + shown["width"] <= view["width"]  # a panel at the right

    if size == PHONE:
        page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
    ask(page, QUESTION)
    expect(frame.locator(".ServiceCard").last).to_contain_text("社会保障卡挂失补换", timeout=TIMEOUT)
    # The host page, origin and path, is the conversation's entry point (bot/analytics/facts.py).
    conversation = conversation_of(chat_frame(page).evaluate("localStorage.getItem('wuhu.session_token')"))
    opening = first_user_event(stack.tracker_db, conversation)
    assert (opening["text"], opening["metadata"]["entry"]) == ("/svc_hf_rent", demo_url(stack.rasa_url))
    # Nothing of the host's touched: no storage, no cookie, no style; one element added.
    assert page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie,"
                         " document.querySelectorAll('style').length, document.styleSheets.length,"
                         " document.body.lastElementChild.tagName]") == [0, 0, "", 0, 1, "WUHU-GOV-ASSISTANT"]
    assert page.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_elder_mode_switches_and_closing_and_reopening_keeps_the_history(stack, open_host, size):
    page = open_host(size)
    page.goto(demo_url(stack.rasa_url))
    frame = open_widget(page)
    toggle = frame.get_by_role("button", name="长辈模式")
    assert font_px(frame.locator('[data-role="bot"] .Bubble, [data-role="bot"] .ServiceCard').first) >= 22
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    ask(page, "身份证过期了怎么换")
    expect(frame.locator(".ServiceCard").last).to_contain_text("居民身份证", timeout=TIMEOUT)
    assert font_px(frame.locator('[data-role="bot"] .ServiceCard').last) < 22

    page.get_by_role("button", name="关闭芜湖政务服务助手").click()
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_visible()
    assert widget_focus(page) == "launcher"  # focus back where the resident started

    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(frame.locator('[data-role="user"]').filter(has_text="身份证过期了怎么换")).to_have_count(1)
    expect(frame.get_by_role("button", name="长辈模式")).to_have_attribute("aria-pressed", "false")


@pytest.mark.parametrize("size", SIZES)
def test_the_conversation_continues_on_another_page_of_the_site(stack, open_host, size):
    page = open_host(size)
    page.goto(demo_url(stack.rasa_url))
    frame = open_widget(page)
    ask(page, QUESTION)
    expect(frame.locator(".ServiceCard").last).to_contain_text("社会保障卡挂失补换", timeout=TIMEOUT)
    before = conversation_of(chat_frame(page).evaluate("localStorage.getItem('wuhu.session_token')"))

    page.get_by_role("button", name="关闭芜湖政务服务助手").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="社会保障").click()
    page.wait_for_url("**/chat/demo/shebao.html")
    frame = open_widget(page)
    expect(frame.locator('[data-role="user"]').filter(has_text=QUESTION)).to_have_count(1, timeout=TIMEOUT)
    after = conversation_of(chat_frame(page).evaluate("localStorage.getItem('wuhu.session_token')"))
    assert after == before
    said = chat_frame(page).evaluate("window.__wuhuChat.state().messages.filter(m => m.role === 'user')"
                                     ".map(m => m.text)")
    assert said == ["/svc_hf_rent", QUESTION]  # the first page's opening, once: the second page opened none
    assert page.errors == []


def test_keyboard_only_on_a_laptop(stack, open_host):
    page = open_host("1366x900")
    page.goto(demo_url(stack.rasa_url))
    expect(launcher(page)).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if widget_focus(page) == "launcher":
            break
    assert widget_focus(page) == "launcher", "Tab never reached the launcher"
    ring = page.evaluate("() => { const b = document.querySelector('wuhu-gov-assistant').shadowRoot"
                         ".querySelector('.launcher'); const s = getComputedStyle(b);"
                         " return [s.outlineStyle, parseFloat(s.outlineWidth), s.boxShadow]; }")
    assert ring[0] == "solid" and ring[1] >= 3 and "7px" in ring[2]  # a visible focus ring

    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    expect(chat(page).locator("#wuhu-input")).to_be_focused(timeout=TIMEOUT)  # straight to typing
    page.keyboard.type("社保卡怎么办理")
    page.keyboard.press("Enter")
    expect(chat(page).locator(".ServiceCard").last).to_contain_text("社会保障卡申领", timeout=TIMEOUT)
    expect(chat(page).locator("#wuhu-input")).to_be_focused()
    page.keyboard.press("Escape")  # pressed inside the chat's frame: the loader closes the panel
    expect(panel(page)).to_be_hidden()
    assert widget_focus(page) == "launcher"


def test_keyboard_focus_stays_in_the_full_screen_chat_on_a_phone(stack, open_host):
    page = open_host(PHONE)
    page.goto(demo_url(stack.rasa_url))
    open_widget(page)
    expect(panel(page)).to_have_attribute("aria-modal", "true")
    for step in range(30):  # through the chat and around again: never onto the page behind
        page.keyboard.press("Tab")
        # Leaving the chat's frame (another process) hands focus over asynchronously: no element
        # has it for a moment. Wait that out; focus that stays nowhere fails here too.
        page.wait_for_function("document.activeElement !== document.body", timeout=5000)
        assert page.evaluate("document.activeElement.tagName") == "WUHU-GOV-ASSISTANT", (step, chat_focus(page))
    page.get_by_role("button", name="关闭芜湖政务服务助手").focus()
    page.keyboard.press("Enter")
    expect(panel(page)).to_be_hidden()
    assert widget_focus(page) == "launcher"
    expect(page.locator("wuhu-gov-assistant .panel")).to_have_attribute("aria-modal", "false")
