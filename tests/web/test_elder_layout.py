"""Elder mode on a small phone: what someone who only taps can reach without scrolling."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.chat_page import TIMEOUT, bots, open_chat, options, say, wait_for_bot_text

pytestmark = pytest.mark.e2e


def in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def tap_first_option(page: Page) -> None:
    expect(options(page).first).to_be_visible(timeout=TIMEOUT)
    count = options(page).count()
    options(page).first.click()
    expect(options(page)).not_to_have_count(count, timeout=TIMEOUT)


def test_booking_summary_keeps_confirm_and_change_on_screen(stack, open_phone):
    page = open_chat(open_phone("360x640"), stack.rasa_url)
    page.get_by_role("button", name="长辈模式").click()
    page.get_by_role("button", name="预约办事").click()
    for _ in range(3):  # service, district, date: the first offered
        tap_first_option(page)
    options(page).last.click()  # a time slot
    wait_for_bot_text(page, "姓名")
    say(page, "张伟")
    wait_for_bot_text(page, "手机")
    say(page, "13812345678")
    wait_for_bot_text(page, "请核对")
    page.wait_for_timeout(300)  # the list settles (fonts, resize observer)

    summary = bots(page).last
    assert summary.bounding_box()["height"] > page.viewport_size["height"] * 0.5  # tall enough to matter
    top = summary.bounding_box()["y"]
    assert 0 <= top < page.viewport_size["height"] / 2  # read from its top ("请核对…" on screen)
    for name in ("1. 确认提交", "2. 修改"):
        assert in_view(page, page.get_by_role("button", name=name)), name

