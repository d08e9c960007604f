"""The inbox with 2,000 groups, in a real browser: pages, filters, page weight and server time.

2,000 misunderstood conversations (four reasons, three channels, eight guessed services,
spread over 60 days) are written straight into the temporary tracker store the console
reads (tests/support/tracker_events.store_directly), so each is one group.

Why a timing bound here and not in a unit test: the guide forbids timed unit tests on a
noisy machine, and 2 shared cores are noisy. This is the browser tier, run on purpose, and
the bound is the issue's promise, 1 s per page, asserted on the *median* server time of
every page a reviewer opened (Navigation Timing: request sent to first byte, on loopback
all of it the console's work), after the first reading of the tracker store: that one
(masking and judging 2,000 conversations, then kept per conversation, inbox_store.py) is
measured and printed, not asserted. The figures measured on the development machine are
in README ("Staff console", inbox). The 200 KB bound on page weight is exact and asserted
for every page.
"""
from __future__ import annotations

import re
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot import replies
from console.teaching.inbox import PAGE_SIZE
from tests.support.console_browser import page_errors, server_ms, sign_in
from tests.support.console_web import served_console
from tests.support.tracker_events import act, bot, fallback, start, user

pytestmark = pytest.mark.browser

GROUPS = 2000
#: The two fallbacks every console_files tracker store already has.
BASE_GROUPS = 2
MAX_PAGE_BYTES = 200 * 1024
MAX_MEDIAN_MS = 1000
SHANGHAI = ZoneInfo("Asia/Shanghai")
TOPICS = ("社保卡", "公积金", "医保", "户口", "营业执照", "驾驶证", "护照", "低保", "居住证", "养老金")
SERVICES = ("svc_sbk_apply", "svc_hf_rent", "svc_medins_pay", "svc_hukou_move", "svc_company_reg",
            "svc_license_renew", "svc_passport", "svc_dibao")
CHANNELS = ("web:", "wechat:", "rest:")
DAYS = 60


def phrase(i: int) -> str:
    return f"第{i:04d}号：{TOPICS[i % len(TOPICS)]}那个事咋弄"


def conversation(i: int, now: float) -> list:
    """One resident, one misunderstood message; the reason cycles through four kinds."""
    t = now - 3600 - (i % DAYS) * 86400 - i
    text, guess = phrase(i), SERVICES[i % len(SERVICES)]
    kind = i % 4
    if kind == 0:  # the fallback, "please say it again"
        said = [fallback(text, t + 1, (guess, 0.2)), act("action_default_fallback", t + 2),
                bot("抱歉，我没有理解。", t + 2)]
    elif kind == 1:  # answered, but unsure
        said = [user(text, guess, 0.35, t + 1), act("action_answer_service", t + 2), bot("【……】", t + 2)]
    elif kind == 2:  # numbered choices offered
        said = [user(text, guess, 0.4, t + 1), act("action_clarify", t + 2), bot("您想办的是哪一项？", t + 2)]
    else:  # nonsense answered with a polite acknowledgement
        said = [user(text, "affirm", 0.93, t + 1), act("action_start_flow", t + 2), bot(replies.ANYTHING_ELSE, t + 2)]
    return [*start(t), *said, act("action_listen", t + 2)]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    now = time.time()
    conversations = {f"{CHANNELS[i % 3]}scale-{i:04d}": conversation(i, now) for i in range(GROUPS)}
    with served_console(tmp_path_factory.mktemp("inbox_scale"), conversations, inbox_days=90) as site:
        site.now = now
        yield site


def phrases(page) -> list[str]:
    return page.locator("p.phrase").all_inner_texts()


def numbers(page) -> list[int]:
    """The numbers of the generated phrasings on the page (as shown, normalized: "第0003号,户口…")."""
    return [int(found.group(1)) for text in phrases(page) if (found := re.match(r"第(\d{4})号", text))]


def total(page) -> int:
    return int(re.search(r"共 (\d+) 组待处理消息", page.inner_text("main p.meta >> nth=0")).group(1))


class Visits:
    """Every page opened, in order: (address, size in bytes, the server's milliseconds)."""

    def __init__(self, page) -> None:
        self.page = page
        self.seen: list[tuple[str, int, float]] = []

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200
        self.record(response)

    def record(self, response) -> None:
        self.seen.append((response.url.split("/inbox", 1)[1] or "/", len(response.body()), server_ms(self.page)))

    def submit(self, button) -> None:
        with self.page.expect_navigation() as navigation:
            button.click()
        self.record(navigation.value)


def test_two_thousand_groups_page_by_page_filtered_light_and_quick(crowded, open_desk):
    page = open_desk("1366x768")
    started = time.monotonic()
    # A trainer's inbox is the heaviest (each card also files under a service): the bound is for it.
    sign_in(page, crowded.base, "trainer")  # lands on /inbox: the first reading of the store
    first_read_s = time.monotonic() - started
    base = crowded.base + "/inbox"
    visits = Visits(page)

    visits.open(base)
    assert total(page) == GROUPS + BASE_GROUPS
    pages = -(-(GROUPS + BASE_GROUPS) // PAGE_SIZE)
    assert f"第 1 / {pages} 页" in page.inner_text("nav.pager >> nth=0")
    assert len(phrases(page)) == PAGE_SIZE
    seen = set(phrases(page))
    visits.submit(page.locator("a[rel=next]").first)
    assert "page=2" in page.url and len(phrases(page)) == PAGE_SIZE
    assert not seen & set(phrases(page))  # a page of its own
    visits.open(f"{base}?page={pages}")
    assert len(phrases(page)) == (GROUPS + BASE_GROUPS) - (pages - 1) * PAGE_SIZE
    assert f"第 {pages} / {pages} 页" in page.inner_text("nav.pager >> nth=0")

    # Filters, through the form as a reviewer sets them.
    visits.open(base)
    page.select_option("#reason", "acknowledged")
    visits.submit(page.locator("form.filters button[type=submit]"))
    assert total(page) == GROUPS // 4
    assert len(numbers(page)) == PAGE_SIZE and all(n % 4 == 3 for n in numbers(page))
    page.select_option("#channel", "wechat")
    visits.submit(page.locator("form.filters button[type=submit]"))
    expected = [i for i in range(GROUPS) if i % 4 == 3 and i % 3 == 1]
    assert total(page) == len(expected)
    assert numbers(page) and set(numbers(page)) <= set(expected)

    visits.open(base)
    page.select_option("#service", "svc_passport")
    page.fill("#q", "护照")
    visits.submit(page.locator("form.filters button[type=submit]"))
    passport = [i for i in range(GROUPS) if SERVICES[i % len(SERVICES)] == "svc_passport"
                and TOPICS[i % len(TOPICS)] == "护照" and i % 4 != 3]  # guessed, not the acknowledgement
    assert total(page) == len(passport) and len(passport) > 0
    assert page.input_value("#q") == "护照"  # the form keeps what was asked

    day = datetime.fromtimestamp(crowded.now - 3600 - 10 * 86400, SHANGHAI).date()
    visits.open(base)
    page.fill("#from", day.isoformat())
    page.fill("#to", day.isoformat())
    visits.submit(page.locator("form.filters button[type=submit]"))
    on_day = [i for i in range(GROUPS)
              if datetime.fromtimestamp(crowded.now - 3600 - (i % DAYS) * 86400 - i + 1, SHANGHAI).date() == day]
    assert total(page) == len(on_day) > 0

    visits.open(base + "?q=" + "0123")
    assert numbers(page) == [123] and len(phrases(page)) == 1

    print(f"\ninbox with {GROUPS + BASE_GROUPS} groups: first reading {first_read_s:.2f} s (sign-in to page)")
    for path, size, ms in visits.seen:
        print(f"  {path:60} {size / 1024:6.1f} KB {ms:7.1f} ms")
    sizes, times = [size for _, size, _ in visits.seen], [ms for _, _, ms in visits.seen]
    print(f"  median {statistics.median(times):.0f} ms, slowest {max(times):.0f} ms")
    assert max(sizes) < MAX_PAGE_BYTES, visits.seen
    assert statistics.median(times) < MAX_MEDIAN_MS, visits.seen
    assert not page_errors(page)


def test_a_decision_on_a_later_page_comes_back_to_that_page(crowded, open_desk):
    page = open_desk("1366x768")
    sign_in(page, crowded.base, "reviewer")
    page.goto(crowded.base + "/inbox?channel=rest&page=3")
    before = total(page)
    card = page.locator("section.card", has=page.locator("p.phrase")).nth(4)
    text = card.locator("p.phrase").inner_text()
    card.locator("button:has-text('忽略')").click()
    page.wait_for_url(re.compile(r".*/inbox\?channel=rest&page=3&done=\d+&at=4#notice$"))
    assert f"已处理“{text}”：忽略。" in page.inner_text("#notice")
    assert total(page) == before - 1 and text not in phrases(page)
    # The confirmation sits where the card was: after the four cards above it.
    notice_y = page.locator("#notice").bounding_box()["y"]
    above = page.locator("section.card", has=page.locator("p.phrase"))
    assert above.nth(3).bounding_box()["y"] < notice_y < above.nth(4).bounding_box()["y"]
    assert not page_errors(page)

