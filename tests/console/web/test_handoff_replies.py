"""常用回复 over real HTTP: add, edit, delete, each audited (masked); refusals keep what was typed."""
from __future__ import annotations

from console.auth import audit
from console.auth.audit_text import describe
from console.handoff import canned
from tests.support.console_web import get, post, visible_text
from tests.support.handoff_desk import agent


def newest(db, action: str):
    return next(e for e in audit.recent(db, 100) if e.action == action)


def test_agents_add_edit_and_delete_the_shared_replies(desk):
    base, db = desk.base, desk.db
    seat, colleague = agent(base, db, "canned.a"), agent(base, db, "canned.b")
    added = post(seat.http, base + "/handoff/replies/save",
                 {"title": "回电", "text": "稍后工作人员会致电 13812345678 与您联系。", "csrf": seat.csrf})
    assert added.status_code == 303 and added.headers["Location"] == "/handoff/replies?done=add"
    (reply,) = [r for r in canned.list_replies(db) if r.title == "回电"]
    assert reply.updated_by == "canned.a"
    page = get(colleague.http, base + "/handoff/replies").text  # shared: the colleague sees it
    assert 'name="title" required maxlength="40" value="回电"' in page
    assert "稍后工作人员会致电" in visible_text(page)
    entry = newest(db, "handoff_canned_add")
    assert entry.username == "canned.a" and "13812345678" not in str(entry.detail)
    assert describe(entry.action, entry.detail) == (
        f"常用回复编号：{reply.id}；标题：回电；消息：稍后工作人员会致电 138****5678 与您联系。")

    edited = post(colleague.http, base + "/handoff/replies/save",
                  {"id": str(reply.id), "title": "回电通知", "text": reply.text, "csrf": colleague.csrf})
    assert edited.status_code == 303
    assert canned.get_reply(db, reply.id).title == "回电通知"
    entry = newest(db, "handoff_canned_edit")
    assert entry.detail["previous_title"] == "回电" and "previous_text" not in entry.detail

    kept = post(seat.http, base + "/handoff/replies/delete", {"id": str(reply.id), "csrf": seat.csrf})
    assert kept.status_code == 400 and "请勾选“确认删除”" in kept.text and canned.get_reply(db, reply.id)
    gone = post(seat.http, base + "/handoff/replies/delete", {"id": str(reply.id), "confirm": "yes", "csrf": seat.csrf})
    assert gone.status_code == 303 and canned.get_reply(db, reply.id) is None
    assert "已删除常用回复" in get(seat.http, base + gone.headers["Location"]).text
    assert newest(db, "handoff_canned_delete").detail["title"] == "回电通知"


def test_a_refused_save_shows_why_and_keeps_what_was_typed(desk):
    base, db = desk.base, desk.db
    seat = agent(base, db, "canned.c")
    first = post(seat.http, base + "/handoff/replies/save", {"title": "重名", "text": "第一条", "csrf": seat.csrf})
    assert first.status_code == 303
    before = len(audit.recent(db, 1000))
    again = post(seat.http, base + "/handoff/replies/save",
                 {"title": "重名", "text": "<b>第二条</b>", "csrf": seat.csrf})
    assert again.status_code == 400 and "已有标题为“重名”的常用回复" in again.text
    assert "&lt;b&gt;第二条&lt;/b&gt;</textarea>" in again.text and "<b>第二条" not in again.text
    long = post(seat.http, base + "/handoff/replies/save",
                {"title": "长", "text": "字" * (canned.MAX_REPLY_CHARS + 1), "csrf": seat.csrf})
    assert long.status_code == 400 and "最多 2000 个字" in long.text
    assert len(audit.recent(db, 1000)) == before  # nothing refused is logged
    assert [r.text for r in canned.list_replies(db) if r.title == "重名"] == ["第一条"]
