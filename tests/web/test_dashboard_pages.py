"""服务分析 and the public 好差评 page in a real browser: the CSP refuses nothing, the charts are
drawn, nothing scrolls sideways (a wide table scrolls in its own box), the public page reads on a phone."""
from __future__ import annotations

import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from channels.public_results.channel import PublicResultsInput
from tests.support.analytics import load_fixture
from tests.support.console_browser import page_errors, page_overflows, sign_in
from tests.support.console_web import served_console
from tests.support.server_thread import ServerThread, free_port
from tests.web.conftest import PHONES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOV_DATA_KEY_FILE", str(root / "keys" / "data.key"))
        patch.setenv("GOV_DIGEST_KEY_FILE", str(root / "keys" / "digest.key"))
        with served_console(root) as served:
            load_fixture(served.db)
            app = Sanic(f"public_{free_port()}")
            register([PublicResultsInput(f"sqlite:///{root / 'console.db'}")], app, "/webhooks/")
            public = ServerThread(app, free_port())
            public.start()
            try:
                yield served, f"http://127.0.0.1:{public.port}"
            finally:
                public.stop()


@pytest.mark.parametrize("size", ["1366x768", "768x1024"])
def test_the_dashboard_draws_its_charts_within_the_page(site, open_desk, size):
    served, _ = site
    page = open_desk(size)
    sign_in(page, served.base, "reviewer")
    page.goto(served.base + "/dashboard?from=2026-11-30&to=2026-12-13&grain=day")
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for index in range(4):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 250 and box["height"] > 100
    assert page.locator("svg.chart rect[fill='#1f4e8c']").count() >= 3  # the three days' conversation bars
    assert page.locator(".figure").first.inner_text().split() == ["会话数", "3"]
    assert not page_overflows(page), "the page scrolls sideways"
    assert not page_errors(page), page.errors
    page.click("text=查看趋势数据")
    assert page.locator("details table").is_visible()


def test_the_public_page_on_a_phone(site, browser):
    _, public = site
    context = browser.new_context(viewport=PHONES["360x640"], device_scale_factor=2, is_mobile=True, locale="zh-CN")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(public + "/evaluation/")
        assert page.locator("h1").inner_text() == "好差评结果公开"
        assert not page_overflows(page) and errors == []
        assert page.locator("nav.tabs a[aria-current=page]").inner_text() == "近30天"
        page.click("text=本年度")
        assert page.locator("nav.tabs a[aria-current=page]").inner_text() == "本年度"
        # Large enough to read and to tap on a phone.
        assert float(page.locator("body").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
        assert page.locator("nav.tabs a").first.bounding_box()["height"] >= 40
    finally:
        context.close()
