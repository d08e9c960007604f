"""The chat page as a resident sees it: open it, type, read the bot, tap options (playwright)."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from bot.config import PROJECT_ROOT

AXE = PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
TIMEOUT = 30_000


def chat_url(base: str) -> str:
    return f"{base}/chat/"


def bots(page: Page):
    return page.locator('[data-role="bot"]')


def options(page: Page):
    """The buttons of the latest question (older ones are disabled)."""
    return page.locator(".OptionBtn:not([disabled])")


def open_chat(page: Page, base: str) -> Page:
    page.goto(chat_url(base))
    expect(bots(page).first).to_contain_text("芜湖市政务服务助手", timeout=TIMEOUT)
    return page


def say(page: Page, text: str) -> None:
    page.get_by_label("输入您想办的事").fill(text)
    page.get_by_role("button", name="发送", exact=True).click()


def wait_for_bot_text(page: Page, text: str) -> None:
    expect(bots(page).filter(has_text=text).last).to_be_visible(timeout=TIMEOUT)


def axe_violations(page: Page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
