"""The audit log's CSV export: Excel-ready, Chinese, local time, and no raw personal data."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from console.auth.audit import AuditFilter, matching, record
from console.auth.audit_export import BOM, to_csv
from console.tables import AuditEntry

PHONE, ID_NUMBER, CARD = "13812345678", "340202199001011234", "6222021234567890123"
AT = datetime(2026, 3, 1, 16, 30, 5)  # UTC: 2026-03-02 00:30:05 in Wuhu


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode("utf-8"))  # Excel reads a CSV without the BOM as GBK
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:])))


def test_the_export_is_excel_ready_and_in_chinese(console_db):
    record(console_db, "alice", "inbox_decide", {"text": "社保卡", "action": "dismiss"}, ip="10.0.0.7", now=AT)
    record(console_db, "cli", "user.add", {"username": "li.si", "role": "trainer"}, now=AT)
    data = to_csv(matching(console_db))
    assert b"\r\n" in data
    header, *rows = _rows(data)
    assert header == ["时间（北京时间）", "人员", "操作", "操作代码", "详情", "来源地址"]
    assert rows[1] == ["2026-03-02 00:30:05", "alice", "处理待处理消息", "inbox_decide", "消息：社保卡；处理方式：忽略",
                       "10.0.0.7"]
    assert rows[0][:5] == ["2026-03-02 00:30:05", "命令行", "创建账号", "user.add", "账号：li.si；角色：训练员"]


def test_no_raw_id_phone_or_card_even_in_an_entry_written_unmasked(console_db):
    # An entry as an older version (or a careless writer) might have left it: raw numbers.
    with console_db.begin() as session:
        session.add(AuditEntry(at=AT, username="alice", action="inbox_decide", ip="10.0.0.7",
                               detail={"text": f"我的身份证 {ID_NUMBER} 电话 {PHONE} 卡号 {CARD}"}))
        session.add(AuditEntry(at=AT, username="bob", action="faq_add", detail=f"· 联系人：王秀兰\n电话{PHONE}"))
    record(console_db, "carol", "faq_example", {"text": f"回电 {PHONE}"}, now=AT)  # masked on the way in
    text = to_csv(matching(console_db)).decode("utf-8")
    for raw in (PHONE, ID_NUMBER, CARD, "王秀兰"):
        assert raw not in text
    assert "340202********1234" in text and "138****5678" in text and "0123" in text


def test_cells_excel_would_run_are_neutralised(console_db):
    record(console_db, "alice", "faq_add", {"answer": "=HYPERLINK(\"http://evil\")"}, now=AT)
    record(console_db, "alice", "faq_add", "-2+3", now=AT)
    rows = _rows(to_csv(matching(console_db, AuditFilter(username="alice"))))[1:]
    details = sorted(row[4] for row in rows)
    assert details == ["'-2+3", "回答：=HYPERLINK(\"http://evil\")"]  # starts with 回答, so inert


def test_an_empty_export_still_has_its_header(console_db):
    header, *rows = _rows(to_csv([]))
    assert header[0].startswith("时间") and rows == []
