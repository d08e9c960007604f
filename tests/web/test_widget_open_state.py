"""The widget's panel follows the resident from page to page of a site, in Chromium: open on one
page, open on the next with the conversation; closed, closed. A hidden frame of the assistant's
origin remembers it (web/public/widget-state.js). Where third-party storage is blocked, or the
frame answers too late, the launcher shows closed as before; forged messages change nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.web.chat_page import TIMEOUT
from tests.web.widget_host import (
    PHONE,
    SETTLED,
    SIZES,
    ask,
    axe_violations,
    bots,
    chat,
    chat_frame,
    demo_url,
    launcher,
    open_host,
    open_widget,
    panel,
    spy_on_state,
    state_frame,
    state_heard,
    widget_focus,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
__all__ = ["open_host"]  # the fixture, imported for pytest

QUESTION = "社保卡丢了怎么补办"
STATE_KEY = "wuhu.widget.open"  # web/public/widget-state.js
STATE_WAIT_MS = 3000  # web/public/widget.js: an answer later than this is not acted on
ADS = "http://ads.example"
#: Posts a message into the widget's state frame, as the host page can (the shadow root is open).
TO_STATE = ("([message, origin]) => document.querySelector('wuhu-gov-assistant').shadowRoot"
            ".querySelector('iframe[hidden]').contentWindow.postMessage(message, origin)")
#: Keeps, in a frame, every message it receives from now on.
RECORD = "() => { window.__told = []; addEventListener('message', e => window.__told.push(e.data)); }"


def chat_origin(base: str) -> str:
    return base.replace("127.0.0.1", "localhost")


def follow(page: Page, link: str, url: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=link).click()
    page.wait_for_url(url)


def close_panel(page: Page) -> None:
    page.get_by_role("button", name="关闭芜湖政务服务助手").click()
    expect(panel(page)).to_be_hidden()


def silent_state_frame(page: Page) -> None:
    """The state frame at its genuine address (the assistant's origin, the loader's frame) but
    saying nothing by itself: the test speaks for it. The page's clock stands still, so the loader
    waits for an answer as long as the test needs, and moves only when the test moves it."""
    page.route("**/chat/widget-state.html", lambda route: route.fulfill(
        content_type="text/html; charset=utf-8", body="<!doctype html><title>state</title>"))
    page.clock.install()
    page.clock.pause_at(datetime.now() + timedelta(minutes=1))


@pytest.mark.parametrize("size", SIZES)
def test_an_open_panel_is_open_on_the_next_page_and_a_closed_one_stays_closed(stack, open_host, size):
    page = open_host(size)
    spy_on_state(page)
    page.goto(demo_url(stack.rasa_url))
    assert state_heard(page) == ["closed"]  # a first visit
    frame = open_widget(page)
    ask(page, QUESTION)
    expect(frame.locator(".ServiceCard").last).to_contain_text("社会保障卡挂失补换", timeout=TIMEOUT)

    if size == PHONE:  # the full-screen chat covers the page's links: the address bar, or Back
        page.goto(demo_url(stack.rasa_url, "shebao.html"))
    else:
        follow(page, "社会保障", "**/chat/demo/shebao.html")
    assert state_heard(page) == ["open"]
    expect(panel(page)).to_be_visible()
    expect(launcher(page)).to_be_hidden()
    expect(chat(page).locator('[data-role="user"]').filter(has_text=QUESTION)).to_have_count(1, timeout=TIMEOUT)
    if size == PHONE:  # full screen and modal: the focus goes into the chat, as when the launcher opens it
        expect(panel(page)).to_have_attribute("aria-modal", "true")
        expect(chat(page).locator('[role="log"]')).to_be_focused(timeout=TIMEOUT)
    else:  # beside the page: the focus stays with the page the resident came to read
        assert page.evaluate("document.activeElement === document.body")
        assert widget_focus(page) is None

    close_panel(page)
    page.go_back()
    assert page.url == demo_url(stack.rasa_url)
    assert state_heard(page) == ["closed"]
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_visible()
    assert page.errors == []


def test_a_page_shown_again_from_the_back_forward_cache_follows_the_panel(stack, open_host):
    """Browsers keep recent pages whole (the back/forward cache; Playwright turns it off, not here):
    such a page runs no script again, so the loader asks the state frame when it is shown."""
    page = open_host("1366x900", ignore_default_args=["--disable-back-forward-cache"])
    spy_on_state(page)
    page.goto(demo_url(stack.rasa_url))
    assert state_heard(page) == ["closed"]
    follow(page, "社会保障", "**/chat/demo/shebao.html")
    open_widget(page)

    page.go_back(wait_until="commit")  # a page from the cache loads nothing: no "load" to wait for
    assert state_heard(page) == ["open"]
    assert page.evaluate("window.__wuhuRestored") is True  # from the cache: the loader did not run again
    expect(panel(page)).to_be_visible()
    expect(bots(page).first).to_be_visible(timeout=TIMEOUT)
    assert widget_focus(page) is None
    close_panel(page)

    page.go_forward(wait_until="commit")  # shebao.html had the panel open when it was left
    assert state_heard(page) == ["closed"]
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_visible()
    # Chromium closes the chat's socket when its page enters the cache, and says so as an error.
    assert [e for e in page.errors if not e.endswith("failed: Page entered Back-Forward Cache.")] == [], page.errors


def test_where_third_party_storage_is_blocked_the_next_page_shows_the_launcher(stack, open_host):
    page = open_host("1366x900", storage=False)  # like an incognito window
    spy_on_state(page)
    page.goto(demo_url(stack.rasa_url))
    assert state_heard(page) == ["closed"]
    blocked = "() => { try { return String(localStorage.length); } catch (e) { return e.name; } }"
    assert state_frame(page).evaluate(blocked) == "SecurityError"  # the frame may keep nothing here
    open_widget(page)
    expect(chat(page).get_by_role("note").filter(has_text="本窗口不能保存对话")).to_be_visible()

    follow(page, "社会保障", "**/chat/demo/shebao.html")
    assert state_heard(page) == ["closed"]
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_visible()
    assert page.errors == []


def test_the_state_frame_keeps_only_an_expiry_and_ignores_forged_messages(stack, open_host):
    page = open_host("1366x900")
    spy_on_state(page)
    page.goto(demo_url(stack.rasa_url))
    assert state_heard(page) == ["closed"]
    open_widget(page)
    state = state_frame(page)
    kept = state.evaluate(f"localStorage.getItem('{STATE_KEY}')")
    assert kept is not None and kept.isdigit()  # a time, nothing else
    left_ms = state.evaluate(f"Number(localStorage.getItem('{STATE_KEY}')) - Date.now()")
    assert 29 * 60_000 < left_ms <= 30 * 60_000
    origin = chat_origin(stack.rasa_url)

    # "closed" from the frame's own window (not its parent), then from its parent in shapes it does not know.
    state.evaluate(SETTLED)
    state.evaluate("() => { window.postMessage({wuhu: 'widget', v: 1, type: 'closed'}, '*');"
                   " window.postMessage('settled', '*'); }")
    assert state.evaluate("window.__settled")
    state.evaluate(SETTLED)
    for forged in ({"wuhu": "widget", "v": 1, "type": "closed", "also": 1},
                   {"wuhu": "widget", "v": 2, "type": "closed"}, '{"wuhu": "widget", "v": 1, "type": "closed"}',
                   {"wuhu": "assistant", "v": 1, "type": "closed"}, {"wuhu": "widget", "v": 1, "type": "clear"}):
        page.evaluate(TO_STATE, [forged, origin])
    page.evaluate(TO_STATE, ["settled", origin])
    assert state.evaluate("window.__settled")
    assert state.evaluate(f"localStorage.getItem('{STATE_KEY}')") == kept

    # The genuine message works: the checks above are what stopped the forged ones.
    page.evaluate(TO_STATE, [{"wuhu": "widget", "v": 1, "type": "closed"}, origin])
    state.wait_for_function(f"localStorage.getItem('{STATE_KEY}') === null", timeout=TIMEOUT)
    expect(panel(page)).to_be_visible()  # the state frame only remembers: the panel is the loader's


def test_forged_answers_do_not_open_the_panel(stack, open_host):
    page = open_host("1366x900", storage=False, bypass_csp=True)  # the demo's CSP would refuse the ad frame
    silent_state_frame(page)
    page.route(f"{ADS}/**", lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=(
        "<!doctype html><title>广告</title><script>"
        "parent.postMessage({wuhu: 'state', v: 1, type: 'open'}, '*');"
        "parent.postMessage('settled', '*');</script>")))
    page.goto(demo_url(stack.rasa_url))
    expect(launcher(page)).to_be_visible()
    fake: Frame = state_frame(page)

    # The answer's shape from the host page itself, and from another site's frame on it.
    page.evaluate(SETTLED)
    page.evaluate("() => { window.postMessage({wuhu: 'state', v: 1, type: 'open'}, '*');"
                  " window.postMessage('settled', '*'); }")
    assert page.evaluate("window.__settled")
    page.evaluate(SETTLED)
    page.evaluate(f"() => {{ const ad = document.createElement('iframe'); ad.title = '广告';"
                  f" ad.src = '{ADS}/ad.html'; document.querySelector('main').appendChild(ad); }}")
    assert page.evaluate("window.__settled")
    # From the state frame's own window, in shapes the loader does not know.
    page.evaluate(SETTLED)
    fake.evaluate("() => { const say = m => parent.postMessage(m, '*');"
                  " say({wuhu: 'state', v: 1, type: 'open', also: 1}); say({wuhu: 'state', v: 2, type: 'open'});"
                  " say(JSON.stringify({wuhu: 'state', v: 1, type: 'open'}));"
                  " say({wuhu: 'assistant', v: 1, type: 'open'}); say({wuhu: 'state', v: 1, type: 'opened'});"
                  " say('settled'); }")
    assert page.evaluate("window.__settled")
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_visible()

    # The genuine answer works, and the loader renews the state's expiry.
    fake.evaluate(RECORD)
    fake.evaluate("() => parent.postMessage({wuhu: 'state', v: 1, type: 'open'}, '*')")
    expect(panel(page)).to_be_visible()
    fake.wait_for_function("window.__told.length > 0", timeout=TIMEOUT)
    assert fake.evaluate("window.__told") == [{"wuhu": "widget", "v": 1, "type": "open"}]


def test_an_answer_later_than_the_wait_leaves_the_launcher_closed(stack, open_host):
    page = open_host("1366x900", storage=False)
    silent_state_frame(page)
    page.goto(demo_url(stack.rasa_url))
    expect(launcher(page)).to_be_visible()
    fake = state_frame(page)
    fake.evaluate(RECORD)
    page.clock.fast_forward(STATE_WAIT_MS + 1000)

    fake.evaluate("() => parent.postMessage({wuhu: 'state', v: 1, type: 'open'}, '*')")
    fake.wait_for_function("window.__told.length > 0", timeout=TIMEOUT)
    assert fake.evaluate("window.__told") == [{"wuhu": "widget", "v": 1, "type": "closed"}]  # what is, is kept
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_axe_finds_nothing_with_the_panel_reopened_on_the_next_page(stack, open_host, size):
    page = open_host(size, bypass_csp=True)  # the demo's CSP would refuse axe itself
    spy_on_state(page)
    page.goto(demo_url(stack.rasa_url))
    open_widget(page)
    page.goto(demo_url(stack.rasa_url, "shebao.html"))
    assert state_heard(page) == ["open"]
    expect(bots(page).first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(500)  # the history settles (fonts, elder layout), as in test_widget_safety.py
    assert axe_violations(page, chat_frame(page)) == []
