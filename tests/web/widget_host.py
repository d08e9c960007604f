"""A host site with the web widget, as a resident's browser sees it (playwright).

The demo host page (/chat/demo/) is opened on 127.0.0.1 and loads the widget from localhost,
so the chat's iframe is cross-site, as on a real government site. Two browsers:

- ``storage=True``: a Chromium profile whose cookie setting allows third-party storage (the
  default of Chrome's normal windows; Firefox and Safari partition it per site, which keeps
  it just as well across the pages of one site);
- ``storage=False``: Playwright's fresh context, which behaves like an incognito window:
  third-party storage is blocked, and the widget must start a new conversation gracefully.

Whether the panel was open lives in a hidden frame of the assistant's origin
(web/public/widget-state.js); ``spy_on_state`` lets a test wait until the loader has heard it.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, BrowserType, Frame, FrameLocator, Page, expect

from bot.config import PROJECT_ROOT
from tests.web.chat_page import AXE, TIMEOUT
from tests.web.conftest import CHROMIUM_ARGS, _collect_errors

SIZES = {"375x812": {"width": 375, "height": 812}, "1366x900": {"width": 1366, "height": 900}}
PHONE = "375x812"
#: Chromium's cookie controls: 0 allows third-party cookies and storage (outside incognito).
ALLOW_THIRD_PARTY = {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}


def context_options(size: str) -> dict[str, Any]:
    options: dict[str, Any] = {"viewport": SIZES[size], "locale": "zh-CN"}
    if size == PHONE:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    return options


@contextmanager
def profile_with_storage(chromium: BrowserType, size: str, **extra: Any) -> Iterator[BrowserContext]:
    """A persistent Chromium profile that keeps third-party storage (a normal window)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Default").mkdir()
        (Path(folder) / "Default" / "Preferences").write_text(json.dumps(ALLOW_THIRD_PARTY), encoding="utf-8")
        context = chromium.launch_persistent_context(
            folder, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS, **context_options(size),
            **extra)
        try:
            yield context
        finally:
            context.close()


def chromium_path() -> str:
    import shutil

    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture()
def open_host(browser):
    """Factory: a fresh page of the given size whose console errors are collected; with
    ``storage=False`` third-party storage is blocked (see the module's docstring)."""
    if not (PROJECT_ROOT / "web" / "dist" / "widget.js").exists():
        pytest.fail("the chat page and widget are not built: `make web` builds them")
    contexts = ExitStack()

    def make(size: str, storage: bool = True, **extra: Any) -> Page:
        if storage:
            context = contexts.enter_context(profile_with_storage(browser.browser_type, size, **extra))
        else:
            context = browser.new_context(**context_options(size), **extra)
            contexts.callback(context.close)
        page = context.pages[0] if context.pages else context.new_page()
        page.bring_to_front()  # a persistent profile's first tab need not be the focused one
        _collect_errors(page)  # page.errors: the console's errors, as the chat page's tests collect them
        return page

    yield make
    contexts.close()


def demo_url(base: str, page: str = "") -> str:
    return f"{base}/chat/demo/{page}"


def launcher(page: Page):
    return page.get_by_role("button", name="在线咨询")


def panel(page: Page):
    return page.get_by_role("dialog", name="芜湖政务服务助手")


def chat(page: Page) -> FrameLocator:
    return page.frame_locator("wuhu-gov-assistant iframe.frame")


def bots(page: Page):
    return chat(page).locator('[data-role="bot"]')


def open_widget(page: Page) -> FrameLocator:
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(bots(page).first).to_be_visible(timeout=TIMEOUT)
    return chat(page)


def ask(page: Page, text: str) -> None:
    frame = chat(page)
    frame.get_by_label("输入您想办的事").fill(text)
    frame.get_by_role("button", name="发送", exact=True).click()


def widget_focus(page: Page) -> str | None:
    """The class of the focused element inside the widget's shadow root, if any."""
    return page.evaluate("() => { const el = document.querySelector('wuhu-gov-assistant');"
                         " const active = el && el.shadowRoot.activeElement;"
                         " return active ? (active.className || active.tagName.toLowerCase()) : null; }")


def chat_focus(page: Page) -> str | None:
    """The id, or role, of the focused element inside the chat's iframe."""
    return chat(page).locator("body").evaluate(
        "() => { const a = document.activeElement; return a ? (a.id || a.getAttribute('role') || a.tagName) : null; }")


#: Waits until every message posted to this window before it has been handled (same-source order).
SETTLED = """() => { window.__settled = new Promise(done => { const on = e => { if (e.data === 'settled') {
  removeEventListener('message', on); done(true); } }; addEventListener('message', on);
  setTimeout(() => done(false), 10000); }); }"""

#: On the host page: what the state frame said, in order (the loader's listener, added later,
#: handles each message right after this one); emptied when the page is left.
STATE_SPY = """if (window === window.top) {
  window.__wuhuStates = [];
  addEventListener('message', e => { const d = e.data;
    if (d && typeof d === 'object' && d.wuhu === 'state') window.__wuhuStates.push(d.type); });
  addEventListener('pageshow', e => { window.__wuhuRestored = e.persisted; });
  addEventListener('pagehide', () => { window.__wuhuStates = []; });
}"""


def spy_on_state(page: Page) -> None:
    """Record the state frame's answers on every page this page's context opens from now on."""
    page.context.add_init_script(STATE_SPY)


def state_heard(page: Page) -> list[str]:
    """The state frame's answers on this page, once there is one (the loader has acted on it)."""
    page.wait_for_function("() => window.__wuhuStates && window.__wuhuStates.length > 0", timeout=TIMEOUT)
    return page.evaluate("window.__wuhuStates")


def state_frame(page: Page) -> Frame:
    """The widget's hidden state frame (web/public/widget-state.html)."""
    for frame in page.frames:
        if "/chat/widget-state.html" in frame.url:
            return frame
    raise AssertionError(f"no state frame in {[f.url for f in page.frames]}")


def axe_violations(page: Page, *frames: Frame) -> list:
    """axe-core's violations on the host page and, injected into each, the given frames."""
    for target in (page, *frames):
        target.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def chat_frame(page: Page) -> Frame:
    """The chat's iframe as a frame (to run script in it)."""
    for frame in page.frames:
        if "/chat/?embed=1" in frame.url:
            return frame
    raise AssertionError(f"no chat frame in {[f.url for f in page.frames]}")


@contextmanager
def other_site(html: str, address: str = "127.0.0.2") -> Iterator[str]:
    """A page served for real on another loopback address (its own origin, not in the embedded
    default's allow-list). Real, not a Playwright route: Chromium lets only a page it knows to be
    on this machine load scripts from localhost (Private Network Access)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = html.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer((address, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def first_user_event(tracker_db: Path, conversation: str) -> dict[str, Any]:
    """The conversation's first user event as the tracker store keeps it (text, metadata…)."""
    import sqlite3

    with sqlite3.connect(tracker_db) as db:
        row = db.execute("select data from events where sender_id = ? and type_name = 'user' order by id limit 1",
                         (conversation,)).fetchone()
    assert row is not None, f"no user event of {conversation}"
    return json.loads(row[0])
