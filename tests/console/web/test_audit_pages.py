"""操作记录 over real HTTP: Chinese, local time, failed logins, filters, pages, and the CSV export."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest

from console.auth import audit
from console.auth.audit_export import BOM
from console.tables import AuditEntry
from tests.support.console_web import get, logged_in, login

PHONE, ID_NUMBER = "13912345678", "340202199001011234"
T0 = datetime(2026, 3, 1, 16, 30)  # UTC; 2026-03-02 00:30 in Wuhu


@pytest.fixture(scope="module")
def seeded(console):
    """150 entries of "bulk.user" a minute apart from T0, and one written unmasked (an old version's)."""
    db = console["db"]
    for i in range(150):
        audit.record(db, "bulk.user", "faq_example" if i % 2 else "faq_add", {"key": f"k{i:03d}"},
                     ip="10.1.1.1", now=T0 + timedelta(minutes=i))
    with db.begin() as session:
        session.add(AuditEntry(at=T0 - timedelta(days=3), username="old.user", action="inbox_decide",
                               detail={"text": f"身份证 {ID_NUMBER} 手机 {PHONE}", "action": "dismiss"}))
    return console


def rows(page: str) -> list[str]:
    return re.findall(r"<tr><td class=\"nowrap\">.*?</tr>", page)


def test_entries_are_in_chinese_and_local_time(seeded):
    base = seeded["base"]
    page = get(logged_in(base, "admin"), base + "/audit?" + urlencode({"user": "bulk.user", "action": "faq_add"})).text
    first = rows(page)[-1]  # the oldest of the page: not T0, which is on a later page
    assert ('<td class="nowrap">bulk.user</td><td class="nowrap">新增常见问题</td>'
            '<td class="detail">问题标识：k') in first
    oldest = get(logged_in(base, "admin"), base + "/audit?" + urlencode(
        {"user": "bulk.user", "action": "faq_add", "page": 2})).text
    assert '<td class="nowrap">2026-03-02 00:30:00</td>' in rows(oldest)[-1]  # UTC 16:30 is the next day
    assert "时间为北京时间" in page and "UTC" not in page


def test_a_failed_login_is_on_the_page(seeded):
    base = seeded["base"]
    assert login(base, "reviewer", "not-the-password")[1].status_code == 401
    assert login(base, "ghost.user", "not-the-password")[1].status_code == 401
    page = get(logged_in(base, "admin"), base + "/audit?action=login_failed").text
    assert ('<td class="nowrap">reviewer</td><td class="nowrap">登录失败</td>'
            '<td class="detail">尝试登录的账号：reviewer；原因：密码错误</td><td class="nowrap">127.0.0.*</td>') in page
    assert "<td class=\"detail\">尝试登录的账号：gh***；原因：账号不存在</td>" in page
    assert "（不存在的账号）" in page and "ghost.user" not in page


def test_filters_and_pages_come_from_the_database(seeded):
    base = seeded["base"]
    admin = logged_in(base, "admin")
    query = {"user": "bulk.user", "from": "2026-03-02", "to": "2026-03-02"}
    page = get(admin, base + "/audit?" + urlencode(query)).text
    assert "符合条件的记录共 150 条" in page and "第 1 / 3 页" in page and len(rows(page)) == 50
    assert "k149" in page and "k099" not in page  # newest first
    next_link = re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
    assert next_link == "/audit?" + urlencode({**query, "page": 2})
    second = get(admin, base + next_link).text
    assert "第 2 / 3 页" in second and "k099" in second and "k149" not in second
    one_action = get(admin, base + "/audit?" + urlencode({**query, "action": "faq_example"})).text
    assert "符合条件的记录共 75 条" in one_action and '<td class="nowrap">新增常见问题</td>' not in one_action
    assert 'value="faq_example" selected' in one_action and 'value="bulk.user" selected' in one_action
    # The local day before holds none of them (they start at 00:30 on the 2nd, 16:30 UTC on the 1st).
    earlier = get(admin, base + "/audit?" + urlencode({"user": "bulk.user", "to": "2026-03-01"})).text
    assert "符合条件的记录共 0 条" in earlier and "没有符合条件的操作记录" in earlier
    bad = get(admin, base + "/audit?from=yesterday")
    assert bad.status_code == 400 and "日期格式应为" in bad.text


def test_the_export_is_filtered_excel_ready_and_masked(seeded):
    base, db = seeded["base"], seeded["db"]
    admin = logged_in(base, "admin")
    response = get(admin, base + "/audit/export.csv?" + urlencode({"user": "old.user"}))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="audit-\d{8}-\d{4}\.csv"', response.headers["Content-Disposition"])
    assert response.content.startswith(BOM.encode("utf-8"))
    text = response.content.decode("utf-8")
    assert ID_NUMBER not in text and PHONE not in text
    (header, row) = list(csv.reader(io.StringIO(text[1:])))
    assert row[:4] == ["2026-02-27 00:30:00", "old.user", "处理待处理消息", "inbox_decide"]
    assert row[4] == "消息：身份证 340202********1234 手机 139****5678；处理方式：忽略"
    everything = list(csv.reader(io.StringIO(get(admin, base + "/audit/export.csv").content.decode("utf-8")[1:])))
    assert len(everything) > 152  # header, 150 + 1 seeded, the logins of this module
    entry = audit.recent(db)[0]
    assert (entry.username, entry.action) == ("admin", "audit_export")
    assert entry.detail == {"filters": "全部", "count": len(everything) - 1}
    # The page shows the same masking.
    page = get(admin, base + "/audit?user=old.user").text
    assert ID_NUMBER not in page and "340202********1234" in page
