"""The staff console in a real browser (playwright pages): signing in, and what a person sees.

Shared by the console's browser tests (tests/web/test_console_*.py); the browser itself and
the laptop- and tablet-sized pages come from tests/web/conftest.py (``open_desk``).
"""
from __future__ import annotations

import re

from tests.support.console_web import PASSWORD

#: Lines of text an element's text nodes take: rectangles of one line share a top, give or
#: take half their height (a smaller font in the same line sits a little lower).
_LINES_JS = """element => {
  const tops = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) tops.push([r.top, r.height]);
  }
  tops.sort((a, b) => a[0] - b[0]);
  let lines = 0, current = -Infinity;
  for (const [top, height] of tops) if (top > current + height / 2) { lines += 1; current = top; }
  return lines;
}"""
#: What the server took for the page now shown: from sending the request to the first byte
#: of the answer (Navigation Timing), on loopback all of it the console's own work.
_SERVER_MS_JS = """() => {
  const [nav] = performance.getEntriesByType('navigation');
  return nav.responseStart - nav.requestStart;
}"""


def sign_in(page, base: str, username: str, password: str = PASSWORD, landing: str = "/inbox") -> None:
    """Sign in through the login form and wait for ``landing``."""
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(re.escape(base + landing) + r"([?#].*)?$"))


def sign_out(page) -> None:
    page.click("header button:has-text('退出登录')")
    page.wait_for_url(re.compile(r".*/login$"))


def page_overflows(page) -> bool:
    """True when the page itself scrolls sideways (a table scrolling inside its box is fine)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def line_count(locator) -> int:
    """Lines the text of the element ``locator`` points at is rendered on."""
    return locator.evaluate(_LINES_JS)


def broken_texts(page, selector: str) -> list[str]:
    """Texts of the visible elements matching ``selector`` that wrap onto more than one line."""
    found = page.locator(selector)
    broken = []
    for index in range(found.count()):
        element = found.nth(index)
        if element.is_visible() and line_count(element) > 1:
            broken.append(element.inner_text())
    return broken


def server_ms(page) -> float:
    """Milliseconds from request to first byte of the page now shown."""
    return float(page.evaluate(_SERVER_MS_JS))


def page_errors(page) -> list[str]:
    """The page's console errors (tests/web/conftest.py collects them: a style or script the
    CSP refuses is one) except chromium's note on an error status, which a refused login or
    a 403 page answers on purpose."""
    return [e for e in page.errors if not e.startswith("Failed to load resource: the server responded")]
