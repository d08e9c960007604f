"""One hand-off conversation over real HTTP: only its holder replies, transfers and closes; the
transcript masked and inert with each reply's delivery; canned replies and a service's answer
fill the reply box; closing hands back through (a fake of) Rasa's HTTP API, or later.
"""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import update

from bot.handoff.models import HandoffMessage
from bot.handoff.texts import HANDED_BACK
from console.auth import audit
from console.auth.audit import Actor
from console.auth.audit_text import describe
from console.handoff import answers, canned
from tests.support.console_web import get, post, visible_text
from tests.support.handoff_desk import agent, queued, row
from tests.support.rasa_api import fake_rasa_api

MARKUP = "<b>粗体</b><script>alert(1)</script>"


def claimed_by(desk, name: str, conversation: str, **where) -> tuple[int, object]:
    rid = queued(desk.db, conversation, **where)
    seat = agent(desk.base, desk.db, name)
    assert post(seat.http, desk.base + "/handoff/claim", {"request": str(rid), "csrf": seat.csrf}).status_code == 303
    return rid, seat


def reply_box(page: str) -> str:
    return unescape(re.search(r'<textarea id="reply-text"[^>]*>\n(.*?)</textarea>', page, flags=re.S).group(1))


def entries(db, action: str, rid: int) -> list:
    return [e for e in audit.recent(db, 500) if e.action == action and e.detail.get("request") == rid]


def test_only_the_holder_may_reply_transfer_or_close(desk):
    base, db = desk.base, desk.db
    rid, holder = claimed_by(desk, "holder.a", "web:chat-holder")
    other = agent(base, db, "holder.b")
    page = get(other.http, f"{base}/handoff/{rid}").text
    assert "由 holder.a 接待，只有接待的坐席可以回复" in page and 'action="/handoff/reply"' not in page
    refused = post(other.http, base + "/handoff/reply", {"request": str(rid), "text": "我来回答", "csrf": other.csrf})
    assert refused.status_code == 409 and "现在不在您名下" in refused.text
    for path, form in (("/handoff/transfer", {"to": "admin"}), ("/handoff/close", {"note": "已解答"})):
        response = post(other.http, base + path, {"request": str(rid), "csrf": other.csrf, **form})
        assert response.status_code == 409 and "现在不在您名下" in response.text
    assert (row(db, rid).status, row(db, rid).agent) == ("claimed", "holder.a")
    assert "我来回答" not in get(holder.http, f"{base}/handoff/{rid}").text
    # A reply refused after the close is shown back to copy, never stored or sent.
    gone = post(holder.http, base + "/handoff/close", {"request": str(rid), "note": "已解答", "csrf": holder.csrf})
    assert gone.status_code == 303
    late = post(holder.http, base + "/handoff/reply", {"request": str(rid), "text": "还有一句", "csrf": holder.csrf})
    assert late.status_code == 409 and "现在不在您名下" in late.text
    assert "还有一句" not in late.text.split("对话记录")[1].split("</ol>")[0]
    assert '没有发出的内容</h2><div class="answer">还有一句</div>' in late.text


def test_the_transcript_is_masked_inert_and_says_what_reached_the_resident(desk):
    base, db = desk.base, desk.db
    rid, seat = claimed_by(desk, "chat.a", "wechat:chat-transcript", channel="wechat")
    from bot.handoff import service

    service.record_resident_message(db, request_id=rid, text=MARKUP + " 电话13812345678")
    for text in (f"收到 {MARKUP}", "请拨打 13912345678 联系窗口", "第三条"):
        sent = post(seat.http, base + "/handoff/reply", {"request": str(rid), "text": text, "csrf": seat.csrf})
        assert sent.status_code == 303 and sent.headers["Location"] == f"/handoff/{rid}#reply"
    with db.begin() as session:
        ids = sorted(session.execute(HandoffMessage.__table__.select()
                                     .where(HandoffMessage.request_id == rid,
                                            HandoffMessage.direction == "agent")).scalars())
        session.execute(update(HandoffMessage).where(HandoffMessage.id == ids[0])
                        .values(delivered_at=datetime(2026, 12, 3, 2, 0, 5)))
        session.execute(update(HandoffMessage).where(HandoffMessage.id == ids[1])
                        .values(delivered_at=datetime(2026, 12, 3, 2, 0, 6), delivery_error="wechat:45015"))
    for path in (f"/handoff/{rid}", f"/handoff/{rid}/messages"):
        page = get(seat.http, base + path).text
        assert "&lt;b&gt;粗体&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>粗体" not in page and "<script>alert" not in page
        assert "138****5678" in page and "13812345678" not in page and "13912345678" not in page
        text = visible_text(page)
        assert "已送达 10:00:05" in text  # local time (UTC+8)
        assert "未送达：超过微信48小时回复期限" in text and "发送中" in text
        assert "坐席 chat.a" in text and "居民" in text
    logged = entries(db, "handoff_reply", rid)
    assert len(logged) == 3 and all("13912345678" not in str(e.detail) for e in logged)
    assert any("139****5678" in describe(e.action, e.detail) for e in logged)


def test_transfer_goes_to_an_active_colleague_only(desk):
    base, db = desk.base, desk.db
    rid, seat = claimed_by(desk, "move.a", "web:chat-transfer")
    colleague = agent(base, db, "move.b")
    page = get(seat.http, f"{base}/handoff/{rid}").text
    options = re.findall(r'<option value="([^"]+)">', page.split('id="transfer-to"')[1].split("</select>")[0])
    assert "move.b" in options and "admin" in options and "move.a" not in options and "reviewer" not in options
    for to in ("reviewer", "nobody", "move.a"):
        refused = post(seat.http, base + "/handoff/transfer", {"request": str(rid), "to": to, "csrf": seat.csrf})
        assert refused.status_code == 400, to
    moved = post(seat.http, base + "/handoff/transfer", {"request": str(rid), "to": "move.b", "csrf": seat.csrf})
    assert moved.status_code == 303
    assert f"会话 #{rid} 已转给 move.b" in get(seat.http, base + moved.headers["Location"]).text
    assert row(db, rid).agent == "move.b"
    assert f'href="/handoff/{rid}"' in get(colleague.http, base + "/handoff/mine").text
    assert f'href="/handoff/{rid}"' not in get(seat.http, base + "/handoff/mine").text
    assert [e.detail["to_agent"] for e in entries(db, "handoff_transfer", rid)] == ["move.b"]


def test_closing_needs_a_note_and_hands_the_conversation_back(desk, monkeypatch):
    base, db = desk.base, desk.db
    rid, seat = claimed_by(desk, "close.a", "web:chat-close")
    with fake_rasa_api() as rasa:
        monkeypatch.setenv("RASA_URL", rasa.url)
        monkeypatch.setenv("RASA_TOKEN", rasa.token)
        empty = post(seat.http, base + "/handoff/close", {"request": str(rid), "note": "  ", "csrf": seat.csrf})
        assert empty.status_code == 400 and "请填写处理说明" in empty.text and row(db, rid).status == "claimed"
        note = "已告知补办材料，回电13812345678"
        done = post(seat.http, base + "/handoff/close", {"request": str(rid), "note": note, "csrf": seat.csrf})
        assert done.status_code == 303
        assert "已交还助手，居民会收到结束提示" in get(seat.http, base + done.headers["Location"]).text
        (path, _, events), = rasa.calls
    assert path == "/conversations/web:chat-close/tracker/events"
    assert events[1]["event"] == "bot" and events[1]["text"].startswith(HANDED_BACK)  # then the rating invitation
    closed = row(db, rid)
    assert closed.status == "closed" and closed.resumed_at is not None
    (entry,) = entries(db, "handoff_close", rid)
    assert entry.detail["handed_back"] is True and "13812345678" not in str(entry.detail)
    assert "说明：已告知补办材料，回电138****5678" in describe(entry.action, entry.detail)
    page = get(seat.http, f"{base}/handoff/{rid}").text
    assert "已结束" in page and 'action="/handoff/reply"' not in page and HANDED_BACK in page


def test_when_rasa_cannot_be_reached_the_close_says_the_hand_back_comes_later(desk, monkeypatch):
    base, db = desk.base, desk.db
    rid, seat = claimed_by(desk, "close.b", "web:chat-close-later")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RASA_TOKEN", "a-token-nobody-checks")
    done = post(seat.http, base + "/handoff/close", {"request": str(rid), "note": "已解答", "csrf": seat.csrf})
    assert done.status_code == 303
    assert "居民下次发消息时会自动交还助手" in get(seat.http, base + done.headers["Location"]).text
    assert row(db, rid).status == "closed" and row(db, rid).resumed_at is None
    assert entries(db, "handoff_close", rid)[0].detail["handed_back"] is False


def test_canned_replies_and_a_service_answer_fill_the_reply_box(desk):
    base, db = desk.base, desk.db
    rid, seat = claimed_by(desk, "fill.a", "web:chat-fill", district="镜湖区")
    hello = canned.add_reply(db, Actor("admin"), "问候语", '您好，"请稍等" <马上>回复')
    page = get(seat.http, f"{base}/handoff/{rid}").text
    assert reply_box(page) == ""
    assert 'data-insert="您好，&quot;请稍等&quot; &lt;马上&gt;回复"' in page  # the script inserts it as text
    assert f'href="/handoff/{rid}?canned={hello.id}#reply"' in page
    assert reply_box(get(seat.http, f"{base}/handoff/{rid}?canned={hello.id}").text) == hello.text

    expected = answers.service_answer(db, "社会保障卡申领", "镜湖区").text
    assert "镜湖区政务服务中心" in expected  # the resident's district's hall
    filled = get(seat.http, f"{base}/handoff/{rid}?service=社会保障卡申领")
    assert filled.status_code == 200 and reply_box(filled.text) == expected
    plain = get(seat.http, f"{base}/handoff/answer?request={rid}&service=社会保障卡申领")
    assert plain.headers["Content-Type"].startswith("text/plain") and plain.text == expected
    unknown = get(seat.http, f"{base}/handoff/answer?request={rid}&service=养龙登记")
    assert unknown.status_code == 404 and unknown.text == "没有名为“养龙登记”的服务事项，请从列表中选择。"
    assert "没有名为“养龙登记”的服务事项" in get(seat.http, f"{base}/handoff/{rid}?service=养龙登记").text


@pytest.mark.parametrize("path", ["/handoff/999999", "/handoff/999999/messages"])
def test_an_unknown_conversation_is_a_polite_404(desk, path):
    seat = agent(desk.base, desk.db, "agent")
    response = get(seat.http, desk.base + path)
    assert response.status_code == 404 and "没有找到这个会话" in response.text
