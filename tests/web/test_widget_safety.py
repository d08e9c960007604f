"""The web widget's safety on a host site, in Chromium: who may frame the chat, forged
messages, hostile host styles, blocked third-party storage, and axe-core on the host page."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.chat_page import TIMEOUT
from tests.web.widget_host import (
    PHONE,
    SETTLED,
    SIZES,
    ask,
    axe_violations,
    chat,
    chat_frame,
    demo_url,
    launcher,
    open_host,
    open_widget,
    other_site,
    panel,
)

pytestmark = pytest.mark.e2e
__all__ = ["open_host"]  # the fixture, imported for pytest

ADS = "http://ads.example"
GENUINE_CLOSE = "{wuhu: 'assistant', v: 1, type: 'close'}"


def chat_origin(base: str) -> str:
    return base.replace("127.0.0.1", "localhost")


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_nothing_on_the_host_page_with_the_launcher_and_the_open_chat(stack, open_host, size):
    page = open_host(size, storage=False, bypass_csp=True)  # the demo's CSP would refuse axe itself
    page.goto(demo_url(stack.rasa_url))
    expect(launcher(page)).to_be_visible()
    assert axe_violations(page) == []
    open_widget(page)
    page.wait_for_timeout(500)  # the first reply settles (fonts, elder layout)
    assert axe_violations(page, chat_frame(page)) == []


def refusals(page: Page, at_least: int) -> int:
    """How many frames the browser refused for frame-ancestors, once there are ``at_least`` (or time is up)."""
    for _ in range(int(TIMEOUT / 250)):
        if sum("frame-ancestors" in error for error in page.errors) >= at_least:
            break
        page.wait_for_timeout(250)
    return sum("frame-ancestors" in error for error in page.errors)


def test_a_site_outside_the_allow_list_cannot_show_the_chat(stack, open_host):
    html = ("<!doctype html><html lang=zh-CN><title>不在名单上的网站</title><h1>某网站</h1>"
            f"<script src='{chat_origin(stack.rasa_url)}/chat/widget.js' defer></script></html>")
    page = open_host("1366x900", storage=False)
    with other_site(html) as outside:  # http://127.0.0.2:<port>/: not in the embedded default's list
        page.goto(outside)
        assert refusals(page, 1) == 1  # the state frame, refused as it loads: it never speaks
        expect(launcher(page)).to_be_visible()
        expect(panel(page)).to_be_hidden()
        launcher(page).click()
        expect(panel(page)).to_be_visible()  # the loader runs anywhere; the chat page refuses the frame
        assert refusals(page, 2) == 2
    assert all("frame-ancestors" in error for error in page.errors), page.errors  # and nothing was posted
    assert all("/chat/?embed=1" not in frame.url for frame in page.frames)  # an error page, not the chat
    expect(chat(page).locator('[data-role="bot"]')).to_have_count(0)


def test_a_forged_post_message_is_ignored(stack, open_host):
    page = open_host("1366x900", storage=False, bypass_csp=True)  # the demo's CSP would refuse the ad frame
    page.route(f"{ADS}/**", lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=(
        "<!doctype html><title>广告</title><script>"
        f"parent.postMessage({GENUINE_CLOSE}, '*');"
        "parent.postMessage('settled', '*');</script>")))
    page.goto(demo_url(stack.rasa_url))
    open_widget(page)
    frame = chat_frame(page)
    to_chat = ("([message, origin]) => document.querySelector('wuhu-gov-assistant').shadowRoot"
               ".querySelector('iframe.frame').contentWindow.postMessage(message, origin)")
    origin = chat_origin(stack.rasa_url)

    # "close" as the chat would say it, from the host page itself and from another site's frame on it.
    page.evaluate(SETTLED)
    page.evaluate(f"() => {{ window.postMessage({GENUINE_CLOSE}, '*'); window.postMessage('settled', '*'); }}")
    assert page.evaluate("window.__settled")
    page.evaluate(SETTLED)
    page.evaluate(f"() => {{ const ad = document.createElement('iframe'); ad.title = '广告';"
                  f" ad.src = '{ADS}/ad.html'; document.querySelector('main').appendChild(ad); }}")
    assert page.evaluate("window.__settled")
    assert page.evaluate("window.frames.length") == 1  # the ad's: a frame in a shadow root cannot be addressed
    # From the chat's own frame, in shapes the loader does not know.
    page.evaluate(SETTLED)
    frame.evaluate("() => { parent.postMessage({wuhu: 'assistant', v: 1, type: 'close', also: 'x'}, '*');"
                   " parent.postMessage({wuhu: 'assistant', v: 2, type: 'close'}, '*');"
                   " parent.postMessage(JSON.stringify({wuhu: 'assistant', v: 1, type: 'close'}), '*');"
                   " parent.postMessage('settled', '*'); }")
    assert page.evaluate("window.__settled")
    expect(panel(page)).to_be_visible()

    # Into the chat: "opened" from the chat's own window (not its parent), and a wrong shape.
    frame.evaluate("document.activeElement && document.activeElement.blur()")
    frame.evaluate(SETTLED)
    frame.evaluate("() => { window.postMessage({wuhu: 'widget', v: 1, type: 'opened'}, '*');"
                   " window.postMessage('settled', '*'); }")
    assert frame.evaluate("window.__settled")
    frame.evaluate(SETTLED)
    page.evaluate(to_chat, [{"wuhu": "widget", "v": 1, "type": "opened", "also": 1}, origin])
    page.evaluate(to_chat, [{"wuhu": "widget", "v": 1, "type": "focus"}, origin])
    page.evaluate(to_chat, ["settled", origin])
    assert frame.evaluate("window.__settled")
    assert frame.evaluate("document.activeElement.id") != "wuhu-input"

    # The genuine messages work: the checks above are what stopped the forged ones.
    page.evaluate(to_chat, [{"wuhu": "widget", "v": 1, "type": "opened"}, origin])
    expect(chat(page).locator("#wuhu-input")).to_be_focused(timeout=TIMEOUT)
    frame.evaluate(f"() => parent.postMessage({GENUINE_CLOSE}, '*')")
    expect(panel(page)).to_be_hidden()


def test_host_styles_cannot_break_the_widget(stack, open_host):
    page = open_host("1366x900", storage=False, bypass_csp=True)
    page.goto(demo_url(stack.rasa_url))
    page.add_style_tag(content=(
        "* { font-size: 9px !important; color: #f0f !important; background: #ff0 !important; }"
        " button, iframe, div, [role=dialog] { display: none !important; }"
        " wuhu-gov-assistant { display: none !important; transform: scale(0.1) !important;"
        " opacity: 0 !important; position: absolute !important; }"))
    button = launcher(page)
    expect(button).to_be_visible()
    look = button.evaluate("b => { const s = getComputedStyle(b); return [s.fontSize, s.backgroundColor]; }")
    assert look == ["20px", "rgb(11, 74, 162)"]
    assert button.bounding_box()["height"] >= 56
    open_widget(page)
    expect(chat(page).locator(".ServiceCard").first).to_contain_text("住房公积金租房提取")


def test_blocked_third_party_storage_starts_a_new_conversation_gracefully(stack, open_host):
    page = open_host(PHONE, storage=False)  # like an incognito window: the frame may keep nothing
    page.goto(demo_url(stack.rasa_url))
    frame = open_widget(page)
    expect(frame.get_by_role("note").filter(has_text="本窗口不能保存对话")).to_be_visible()
    expect(frame.locator(".ServiceCard").first).to_contain_text("住房公积金租房提取")
    ask(page, "社保卡丢了怎么补办")
    expect(frame.locator(".ServiceCard").last).to_contain_text("社会保障卡挂失补换", timeout=TIMEOUT)

    page.get_by_role("button", name="关闭芜湖政务服务助手").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="社会保障").click()
    page.wait_for_url("**/chat/demo/shebao.html")
    frame = open_widget(page)
    expect(frame.locator('[data-role="bot"]').first).to_contain_text("芜湖市政务服务助手")  # a new welcome
    expect(frame.locator('[data-role="user"]').filter(has_text="社保卡丢了怎么补办")).to_have_count(0)
    assert page.errors == []
