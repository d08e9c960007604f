"""One open application (受理/审核中) of a kind per ID number (real SQLite file)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.applications.errors import OpenApplicationExists
from bot.applications.models import Application
from bot.applications.service import advance_status, submit_application
from bot.flows.context import FlowContext
from bot.flows.submission import submit
from tests.support.race import race

ELDER_ID = "340202194001011239"


def elderly(sessions, key, *, id_number=ELDER_ID, phone="13812345678", sender=None):
    fields = {"applicant": "self", "elder_name": "李大山", "elder_id": id_number, "district": "jinghu",
              "street": "范罗山街道赭山社区", "phone": phone}
    return submit_application(sessions, kind="elderly-allowance", sender_id=sender or key, fields=fields,
                              id_number=id_number, phone=phone, idempotency_key=key)


def card(sessions, key, *, id_number=ELDER_ID):
    fields = {"name": "李大山", "id_number": id_number, "reason": "lost", "delivery": "hall",
              "district": "jinghu", "phone": "13812345678"}
    return submit_application(sessions, kind="sbk-replace", sender_id=key, fields=fields,
                              id_number=id_number, phone="13812345678", idempotency_key=key)


def count(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Application))


def test_a_second_open_application_for_the_same_id_is_refused(sessions):
    elderly(sessions, "a")
    for key, written in [("b", ELDER_ID), ("c", "340202 19400101 1239")]:
        with pytest.raises(OpenApplicationExists) as refused:
            elderly(sessions, key, id_number=written, phone="13900001111")  # another conversation
        assert refused.value.kind_name == "高龄津贴申领"
    assert count(sessions) == 1


def test_still_refused_in_review_allowed_again_once_done_or_returned(sessions):
    first = elderly(sessions, "a")
    advance_status(sessions, receipt_no=first.receipt_no, status="审核中", actor="张科员")
    with pytest.raises(OpenApplicationExists):
        elderly(sessions, "b")
    advance_status(sessions, receipt_no=first.receipt_no, status="退回", actor="张科员", reason="缺材料")
    second = elderly(sessions, "c")
    assert second.is_new
    advance_status(sessions, receipt_no=second.receipt_no, status="审核中", actor="张科员")
    advance_status(sessions, receipt_no=second.receipt_no, status="办结", actor="张科员")
    assert elderly(sessions, "d").is_new
    assert count(sessions) == 3


def test_other_kinds_and_other_ids_are_not_affected(sessions):
    elderly(sessions, "a")
    assert card(sessions, "b").is_new  # same ID, another kind
    assert elderly(sessions, "c", id_number="11010519491231002X").is_new  # same kind, another ID
    assert count(sessions) == 3


def test_a_retry_with_the_same_key_returns_the_receipt(sessions):
    first = elderly(sessions, "a")
    again = elderly(sessions, "a")
    assert again.receipt_no == first.receipt_no and not again.is_new


def test_racing_submissions_for_one_id_store_one(sessions):
    n = 6
    made, refused, errors = race(n, lambda i: elderly(sessions, f"race{i}"), OpenApplicationExists)
    assert errors == [] and len(made) == 1 and len(refused) == n - 1
    assert count(sessions) == 1


def test_the_resident_gets_a_kind_explanation(sessions):
    """The flow's submission turns the refusal into a reply (bot/flows/submission.py)."""
    ctx = FlowContext(today=date(2026, 11, 30), sessions=sessions, districts=(), services=(), hall_types={})
    values = {"applicant": "self", "elder_name": "李大山", "elder_id": ELDER_ID, "district": "jinghu",
              "street": "范罗山街道赭山社区", "phone": "13812345678"}
    first = submit(ctx, {"flow": "elderly-allowance", "instance": "1", "values": values}, "alice")
    assert "提交成功" in first.text
    again = submit(ctx, {"flow": "elderly-allowance", "instance": "2", "values": values}, "bob")
    assert "已经有一件【高龄津贴申领】正在办理" in again.text and "查进度" in again.text
    assert ELDER_ID not in again.text and again.reopened is None
    assert count(sessions) == 1
