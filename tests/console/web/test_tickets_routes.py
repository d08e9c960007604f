"""留言工单 over real HTTP: open tickets first with local deadlines, numbers masked until an audited
reveal, closing with a note; residents' markup shown as text. Roles and CSRF: test_permissions.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher

from bot.handoff import tickets
from console.auth import audit, passwords
from tests.support.console_web import SECRET, console_files, csrf_of, get, logged_in, post, visible_text
from tests.support.server_thread import ServerThread, free_port

PHONE, OTHER_PHONE = "13912345678", "05533112233"
MARKUP = "<script>alert(1)</script>社保卡补办了还没寄到"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    root = tmp_path_factory.mktemp("console_tickets")
    patch.setenv("GOV_DATA_KEY_FILE", str(root / "keys" / "data.key"))
    patch.setenv("GOV_DIGEST_KEY_FILE", str(root / "keys" / "digest.key"))
    nlu_dir, domain_path, db_url, db, tracker = console_files(root)
    now = datetime.now(timezone.utc)
    late = tickets.create_ticket(db, conversation_id="wechat:oLate", channel="wechat", phone=PHONE, message=MARKUP,
                                 reason="closed", days=1, district="镜湖区", service_id="sbk-replace",
                                 now=now - timedelta(days=14))
    fresh = tickets.create_ticket(db, conversation_id="web:fresh", channel="webchat", phone=OTHER_PHONE,
                                  message="请回电", reason="no_agent", days=2, now=now)

    from console.web.app import create_app
    server = ServerThread(create_app(db_url, tracker, nlu_dir, domain_path, SECRET, secure_cookies=False),
                          free_port())
    server.start()
    try:
        yield {"base": f"http://127.0.0.1:{server.port}", "db": db, "late": late, "fresh": fresh}
    finally:
        server.stop()
        patch.undo()


@pytest.fixture(scope="module")
def admin(desk):
    return logged_in(desk["base"], "admin")


def test_open_tickets_come_first_overdue_marked_with_numbers_masked_and_markup_inert(desk, admin):
    page = get(admin, desk["base"] + "/handoff/tickets")
    assert page.status_code == 200
    html = page.text
    late, fresh = desk["late"], desk["fresh"]
    assert html.index(late.number) < html.index(fresh.number)
    late_row = html[html.index(late.number):html.index(fresh.number)]
    assert '<tr class="worse">' in html[:html.index(late.number)] and "已超期" in late_row
    assert f"{late.due_on:%Y-%m-%d}" in late_row and "微信" in late_row and "下班时间留言" in late_row
    assert "镜湖区" in late_row and "社会保障卡挂失补换" in late_row
    assert "139****5678" in html and "0553-***2233" in html
    assert PHONE not in html and OTHER_PHONE not in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "待处理 2 条，其中已超期 1 条" in visible_text(html)


def test_the_full_number_shows_once_after_an_audit_entry(desk, admin):
    base, late = desk["base"], desk["late"]
    csrf = csrf_of(get(admin, base + "/handoff/tickets").text)
    shown = post(admin, base + "/handoff/tickets/reveal", {"id": str(late.id), "csrf": csrf})
    assert shown.status_code == 200 and PHONE in shown.text and OTHER_PHONE not in shown.text
    entry = audit.recent(desk["db"], 1)[0]
    assert (entry.username, entry.action, entry.detail) == ("admin", "handoff_ticket_reveal", {"ticket": late.number})
    assert PHONE not in get(admin, base + "/handoff/tickets").text  # not on a page reached by GET
    audit_page = get(admin, base + "/audit?action=handoff_ticket_reveal").text
    assert "查看留言的完整回电号码" in audit_page and f"留言编号：{late.number}" in audit_page


def test_closing_needs_a_note_is_audited_and_happens_once(desk, admin):
    base, fresh = desk["base"], desk["fresh"]
    csrf = csrf_of(get(admin, base + "/handoff/tickets").text)
    refused = post(admin, base + "/handoff/tickets/close", {"id": str(fresh.id), "note": "", "csrf": csrf})
    assert refused.status_code == 400 and "请填写处理说明" in refused.text
    closed = post(admin, base + "/handoff/tickets/close", {"id": str(fresh.id), "note": "已回电，已告知材料",
                                                           "csrf": csrf})
    assert closed.status_code == 303 and closed.headers["Location"].startswith("/handoff/tickets?closed=")
    page = get(admin, base + closed.headers["Location"]).text
    assert f"已办结留言 {fresh.number}。" in page
    done = page[page.index("最近办结"):]
    assert fresh.number in done and "已回电，已告知材料" in done and "admin" in done
    entry = audit.recent(desk["db"], 1)[0]
    assert (entry.action, entry.detail) == ("handoff_ticket_close", {"ticket": fresh.number})
    again = post(admin, base + "/handoff/tickets/close", {"id": str(fresh.id), "note": "再办一次", "csrf": csrf})
    assert again.status_code == 409 and "已经由其他同事办结" in again.text
    assert tickets.get_ticket(desk["db"], ticket_id=fresh.id).note == "已回电，已告知材料"
    assert tickets.count_open(desk["db"], today=date.today()) == (1, 1)
