"""The hand-off desk in a real browser, as an agent works: a resident appears on the open queue
page without a reload, the agent claims, the resident's words and the agent's replies appear
live, a canned reply and a service's answer fill the reply box from the desk's one script,
and the conversation is closed. The CSP refuses nothing (no console error) and a resident's
markup stays text. Status codes, refusals and audit are the HTTP tests' (tests/console/web).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bot.handoff import service
from console.auth.audit import Actor
from console.handoff import canned
from tests.support.console_browser import page_errors, sign_in
from tests.support.handoff_desk import desk_console, queued

pytestmark = pytest.mark.browser

#: Generous: the stream polls every 0.25 s; this only bounds a broken page.
LIVE_MS = 5000
XSS = '<img src=x onerror="window.__xss=1">请帮我看看'
#: True once the script has fetched a part: the stream said "ready", so what follows is a change event.
STREAM_READY = ("part => performance.getEntriesByType('resource')"
                ".some(e => e.initiatorType === 'fetch' && e.name.endsWith(part))")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with desk_console(tmp_path_factory.mktemp("handoff_browser")) as served:
        canned.add_reply(served.db, Actor("admin"), "稍等", "请稍等，我帮您查一下。")
        yield served


def test_an_agent_sees_a_resident_arrive_claims_answers_and_closes(site, open_desk):
    page = open_desk("1366x768")
    sign_in(page, site.base, "agent", landing="/handoff")
    expect(page.locator("#queue")).to_contain_text("目前没有居民排队")
    page.wait_for_function(STREAM_READY, arg="/handoff/queue")

    rid = queued(site.db, "web:browser-resident", district="镜湖区", service_id="sbk-apply", says=[XSS])
    row = page.locator("#queue tr", has_text="请帮我看看")
    expect(row).to_be_visible(timeout=LIVE_MS)  # no reload: the event stream and the script
    expect(row).to_contain_text(XSS)  # the markup as text
    assert page.evaluate("window.__xss") is None and page.locator("#queue img").count() == 0

    row.locator("button", has_text="接入").click()
    page.wait_for_url(re.compile(rf".*/handoff/{rid}#reply$"))
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("由您接待")

    service.record_resident_message(site.db, request_id=rid, text="电话是13812345678")
    expect(transcript).to_contain_text("电话是138****5678", timeout=LIVE_MS)

    page.click("ul.canned a:has-text('稍等')")
    expect(page.locator("#reply-text")).to_have_value("请稍等，我帮您查一下。")
    assert "canned=" not in page.url  # filled by the script, not by following the link
    page.fill("#answer-service", "社会保障卡申领")
    page.click("button:has-text('插入服务答复')")
    expect(page.locator("#answer-status")).to_have_text("已插入，发送前可以修改。")
    filled = page.locator("#reply-text").input_value()
    assert filled.startswith("请稍等，我帮您查一下。\n【社会保障卡申领】") and "镜湖区政务服务中心" in filled

    page.fill("#reply-text", "您好，身份证原件即可。")
    page.click("form[action='/handoff/reply'] button")
    expect(transcript.locator("li.agent")).to_contain_text("您好，身份证原件即可。")
    expect(transcript.locator("li.agent")).to_contain_text("发送中")

    page.fill("#close-note", "已告知所需材料")
    page.click("button:has-text('结束并交还助手')")
    page.wait_for_url(re.compile(r".*/handoff\?done=closed"))
    expect(page.locator("p.notice")).to_contain_text(f"会话 #{rid} 已结束")
    assert page_errors(page) == []


def test_a_transfer_made_elsewhere_reloads_the_open_conversation(site, open_desk):
    page = open_desk("1366x768")
    sign_in(page, site.base, "agent", landing="/handoff")
    rid = queued(site.db, "web:browser-transfer")
    service.claim(site.db, request_id=rid, agent="agent")
    page.goto(f"{site.base}/handoff/{rid}")
    expect(page.locator("#reply-text")).to_be_visible()
    page.wait_for_function(STREAM_READY, arg=f"/handoff/{rid}/messages")
    service.transfer(site.db, request_id=rid, agent="agent", to_agent="admin")  # e.g. from another tab
    expect(page.locator("#transcript")).to_contain_text("由 admin 接待", timeout=LIVE_MS)
    expect(page.locator("#reply-text")).to_have_count(0)  # the page reloaded without the holder's forms
    assert page_errors(page) == []
