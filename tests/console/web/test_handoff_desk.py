"""人工服务 over real HTTP: the agent's start page, the queue (masked, markup inert), claims
(one winner, a polite refusal for the other), and 我的会话 with its unread marker.

Role checks and forged CSRF tokens for every desk route are in test_permissions.py's tables.
"""
from __future__ import annotations

import re

from bot.handoff import service
from console.auth import accounts, audit
from console.web.app import CSP, LIVE_CSP
from tests.support.console_web import get, login, post, visible_text
from tests.support.handoff_desk import agent, queued, row
from tests.support.race import race

MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
NUMBERS = "我的电话13812345678，身份证340202199001011234"


def test_an_agent_starts_at_the_desk_and_sees_nothing_else(desk):
    base, db = desk.base, desk.db
    _, signed_in = login(base, "agent")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/handoff"
    seat = agent(base, db, "agent")
    assert get(seat.http, base + "/").headers["Location"] == "/handoff"
    page = get(seat.http, base + "/handoff").text
    links = re.findall(r'<a href="([^"]+)">', page.split("</header>")[0])
    assert links == ["/handoff", "/handoff/tickets", "/followups", "/password"]
    assert "agent（坐席）" in page
    for path in ("/inbox", "/faq", "/models", "/users", "/audit"):
        assert get(seat.http, base + path).status_code == 403
    reviewer, admin = agent(base, db, "reviewer"), agent(base, db, "admin")
    assert 'href="/handoff"' not in get(reviewer.http, base + "/inbox").text
    assert '<a href="/handoff">人工服务</a>' in get(admin.http, base + "/inbox").text


def test_only_the_desk_pages_admit_the_one_same_origin_script(desk):
    base = desk.base
    seat = agent(base, desk.db, "agent")
    page = get(seat.http, base + "/handoff")
    assert page.headers["Content-Security-Policy"] == LIVE_CSP
    assert LIVE_CSP == CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';")
    assert "'unsafe-inline'" not in LIVE_CSP and "'unsafe-eval'" not in LIVE_CSP
    assert re.findall(r"<script[^>]*>", page.text) == ['<script src="/static/seat.js" defer>']
    assert "</script>" in page.text and not re.search(r"<script[^>]*>[^<]", page.text)  # nothing inline
    assert not re.search(r"\son[a-z]+=", page.text)  # no inline handlers
    for path in ("/password", "/login"):
        assert get(seat.http, base + path).headers["Content-Security-Policy"] == CSP
    script = get(seat.http, base + "/static/seat.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert "EventSource" in script.text and "eval(" not in script.text and "Function(" not in script.text


def test_the_queue_shows_who_waits_and_what_they_said_masked_and_inert(desk):
    base, db = desk.base, desk.db
    rid = queued(db, "wechat:desk-queue", channel="wechat", district="镜湖区", service_id="sbk-apply",
                 flow_step="社会保障卡申领 · 第2步（共5步）", says=[MARKUP, NUMBERS])
    seat = agent(base, db, "agent")
    for path in ("/handoff", "/handoff/queue"):
        page = get(seat.http, base + path).text
        text = visible_text(page)
        assert "微信公众号" in text and "镜湖区" in text and "社会保障卡申领" in text and "第2步（共5步）" in text
        assert "不到1分钟" in text
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
        assert "<img" not in page and "alert(2)</script>" not in page
        assert "138****5678" in page and "13812345678" not in page and "340202199001011234" not in page
        assert f'name="request" value="{rid}"' in page and "接入" in text


def test_two_agents_claiming_at_once_get_one_resident_and_one_polite_refusal(desk):
    base, db = desk.base, desk.db
    rid = queued(db, "web:desk-race", says=["有人吗"])
    seats = [agent(base, db, name) for name in ("race.a", "race.b")]
    made, _, errors = race(2, lambda i: post(seats[i].http, base + "/handoff/claim",
                                             {"request": str(rid), "csrf": seats[i].csrf}), Exception)
    assert errors == []
    statuses = sorted(r.status_code for r in made)
    assert statuses == [303, 409]
    won = next(r for r in made if r.status_code == 303)
    lost = next(r for r in made if r.status_code == 409)
    assert won.headers["Location"] == f"/handoff/{rid}#reply"
    assert "这位居民已由其他同事接入" in lost.text and "排队中" in lost.text  # the desk again, not an error page
    holder = row(db, rid).agent
    assert row(db, rid).status == "claimed" and holder in ("race.a", "race.b")
    claims = [e for e in audit.recent(db, 200) if e.action == "handoff_claim" and e.detail["request"] == rid]
    assert [e.username for e in claims] == [holder]
    other = next(s for s in seats if s.name != holder)
    assert f"/handoff/{rid}\"" not in get(other.http, base + "/handoff/mine").text
    assert f'href="/handoff/{rid}"' in get(next(s for s in seats if s.name == holder).http, base + "/handoff/mine").text
    assert f'name="request" value="{rid}"' not in get(other.http, base + "/handoff/queue").text


def test_my_conversations_mark_a_resident_who_wrote_after_my_last_reply(desk):
    base, db = desk.base, desk.db
    rid = queued(db, "web:desk-unread")
    seat = agent(base, db, "unread.a")
    assert post(seat.http, base + "/handoff/claim", {"request": str(rid), "csrf": seat.csrf}).status_code == 303

    def mine() -> str:
        part = get(seat.http, base + "/handoff/mine").text
        return part[part.index(f'href="/handoff/{rid}"'):].split("</tr>")[0]

    assert "已回复" in mine()  # nothing said yet: nobody waits
    service.record_resident_message(db, request_id=rid, text="请问要带什么材料")
    assert "新消息" in mine() and "请问要带什么材料" in mine()
    assert post(seat.http, base + "/handoff/reply", {"request": str(rid), "text": "身份证原件。",
                                                     "csrf": seat.csrf}).status_code == 303
    assert "新消息" not in mine() and "已回复" in mine()
    service.record_resident_message(db, request_id=rid, text="好的，谢谢")
    assert "新消息" in mine()


def test_an_admin_makes_an_agent_account_on_the_users_page(desk):
    base, db = desk.base, desk.db
    admin = agent(base, db, "admin")
    form = get(admin.http, base + "/users").text
    assert '<option value="agent">坐席</option>' in form and "坐席：接待转人工的居民（人工服务），办理差评回访" in form
    made = post(admin.http, base + "/users/create", {"username": "new.zuoxi", "role": "agent", "csrf": admin.csrf})
    assert made.status_code == 200 and "已创建账号 new.zuoxi（坐席）" in made.text
    assert accounts.get_user(db, "new.zuoxi").role.value == "agent"
