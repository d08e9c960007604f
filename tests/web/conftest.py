"""Debian's chromium driven by playwright, against the real servers: phone-sized pages for
the chat page, laptop- and tablet-sized ones for the staff console."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONES = {"375x812": {"width": 375, "height": 812}, "360x640": {"width": 360, "height": 640}}
#: The staff console's screens: a common office laptop and a tablet held upright.
DESKS = {"1366x768": {"width": 1366, "height": 768}, "768x1024": {"width": 768, "height": 1024}}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _collect_errors(page) -> None:
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))


@pytest.fixture()
def open_phone(browser):
    """Factory: a fresh phone-sized page (new storage) whose console errors are collected."""
    if not (PROJECT_ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the chat page is not built: `make web` builds it")
    contexts = []

    def make(size: str = "375x812"):
        context = browser.new_context(viewport=PHONES[size], device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        _collect_errors(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def open_desk(browser):
    """Factory: a fresh laptop- or tablet-sized page (new storage, so signed out) whose
    console errors are collected (a style the CSP refuses is one)."""
    contexts = []

    def make(size: str = "1366x768"):
        context = browser.new_context(viewport=DESKS[size], locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        _collect_errors(page)
        return page

    yield make
    for context in contexts:
        context.close()
