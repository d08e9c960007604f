"""Submitting applications, moving them on, and reading progress (real SQLite file)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from bot import receipts as receipt_module
from bot.applications import service
from bot.applications.errors import (
    ApplicationNotFound,
    InvalidApplication,
    InvalidTransition,
    ReasonRequired,
    UnknownKind,
    UnknownStatus,
)
from bot.applications.models import Application, ApplicationStatusChange
from bot.applications.service import advance_status, applications_for_sender, find_application, submit_application
from bot.personal import masking
from bot.receipts import IdempotencyConflict
from tests.support.applications import (
    CARD_ID,
    ELDER_ID,
    ELDER_PHONE,
    elderly_fields,
    submit_card,
    submit_elderly,
)
from tests.support.schema import refuse_inserts


def counts(sessions):
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(Application)),
                s.scalar(select(func.count()).select_from(ApplicationStatusChange)))


# --- submission ---------------------------------------------------------------------------

def test_submit_stores_application_and_first_history_row(sessions):
    receipt = submit_elderly(sessions)
    assert receipt.is_new and receipt.status == "受理" and receipt.kind_name == "高龄津贴申领"
    assert receipt.display == receipt_module.format_receipt(receipt.receipt_no)
    with sessions() as s:
        app = s.execute(select(Application)).scalar_one()
        assert app.receipt_no == receipt.receipt_no
        assert app.fields == elderly_fields()
        assert (app.id_last4, app.phone_last4) == ("1239", "5678")
        assert [(h.status, h.actor, h.reason) for h in app.history] == [("受理", "系统", None)]


def test_submission_is_one_transaction(sessions, db_url):
    """If the history row cannot be written, the application is not kept either."""
    with sessions.begin() as s:
        refuse_inserts(s, "application_status_history", "history refused")
    with pytest.raises(Exception, match="history refused"):
        submit_elderly(sessions)
    assert counts(sessions) == (0, 0)


def test_same_key_twice_returns_same_receipt_and_writes_nothing(sessions):
    first = submit_elderly(sessions)
    second = submit_elderly(sessions)
    assert second.receipt_no == first.receipt_no and not second.is_new
    assert counts(sessions) == (1, 1)


def test_same_key_from_another_sender_is_refused(sessions):
    submit_elderly(sessions)
    with pytest.raises(IdempotencyConflict):
        submit_elderly(sessions, sender="mallory")
    assert counts(sessions) == (1, 1)


def test_concurrent_submissions_with_one_key_create_one_application(sessions):
    n = 8
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            results.append(submit_elderly(sessions))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({r.receipt_no for r in results}) == 1
    assert sum(r.is_new for r in results) == 1
    assert counts(sessions) == (1, 1)


def test_receipt_number_collision_draws_another(sessions, monkeypatch):
    taken = submit_elderly(sessions).receipt_no
    draws = iter([taken, taken, "1000000007" if receipt_module.is_valid_receipt("1000000007")
                  else receipt_module.new_receipt_no()])
    monkeypatch.setattr(service, "new_receipt_no", lambda: next(draws))
    second = submit_card(sessions)
    assert second.is_new and second.receipt_no != taken
    assert counts(sessions) == (2, 2)


@pytest.mark.parametrize("change, error", [
    (dict(kind="passport"), UnknownKind),
    (dict(fields=elderly_fields(hobby="chess")), InvalidApplication),
    (dict(fields={k: v for k, v in elderly_fields().items() if k != "street"}), InvalidApplication),
    (dict(fields=elderly_fields(elder_id="340202195506124567")), InvalidApplication),
    (dict(id_number="12345"), InvalidApplication),
    (dict(phone="12"), InvalidApplication),
    (dict(idempotency_key=""), InvalidApplication),
])
def test_bad_submissions_are_refused_and_store_nothing(sessions, change, error):
    args = dict(kind="elderly-allowance", sender_id="alice", fields=elderly_fields(),
                id_number=ELDER_ID, phone=ELDER_PHONE, idempotency_key="k")
    args.update(change)
    with pytest.raises(error):
        submit_application(sessions, **args)
    assert counts(sessions) == (0, 0)


def test_id_and_phone_are_added_to_the_fields_when_the_form_left_them_out(sessions):
    fields = elderly_fields()
    del fields["elder_id"], fields["phone"]
    submit_application(sessions, kind="elderly-allowance", sender_id="alice", fields=fields,
                       id_number="340202 19400101 1239", phone="138-1234-5678", idempotency_key="k")
    with sessions() as s:
        stored = s.execute(select(Application.fields)).scalar_one()
    assert stored["elder_id"] == ELDER_ID and stored["phone"] == "138-1234-5678"


# --- statuses -----------------------------------------------------------------------------

def test_happy_path_through_the_statuses(sessions):
    number = submit_elderly(sessions).receipt_no
    view = advance_status(sessions, receipt_no=number, status="审核中", actor="张科员")
    assert view.status == "审核中"
    view = advance_status(sessions, receipt_no=number, status="办结", actor="张科员", reason="已发放")
    assert view.status == "办结"
    assert [(h.status, h.actor, h.reason) for h in view.history] == [
        ("受理", "系统", None), ("审核中", "张科员", None), ("办结", "张科员", "已发放")]
    assert view.updated_at >= view.created_at


def test_returned_needs_a_reason_and_shows_it(sessions):
    number = submit_elderly(sessions).receipt_no
    advance_status(sessions, receipt_no=number, status="审核中", actor="张科员")
    with pytest.raises(ReasonRequired):
        advance_status(sessions, receipt_no=number, status="退回", actor="张科员")
    with pytest.raises(ReasonRequired):
        advance_status(sessions, receipt_no=number, status="退回", actor="张科员", reason="  ")
    view = advance_status(sessions, receipt_no=number, status="returned", actor="张科员",
                          reason="请补充户口本复印件")
    assert view.status == "退回" and view.latest_reason == "请补充户口本复印件"


@pytest.mark.parametrize("path, bad", [
    ([], "办结"),              # 受理 cannot skip review
    ([], "退回"),
    ([], "受理"),
    (["审核中"], "审核中"),
    (["审核中", "办结"], "审核中"),  # 办结 is final
    (["审核中", "办结"], "退回"),
])
def test_disallowed_transitions_raise_and_change_nothing(sessions, path, bad):
    number = submit_elderly(sessions).receipt_no
    for status in path:
        advance_status(sessions, receipt_no=number, status=status, actor="张科员", reason="x")
    with pytest.raises(InvalidTransition):
        advance_status(sessions, receipt_no=number, status=bad, actor="张科员", reason="x")
    assert counts(sessions) == (1, 1 + len(path))


def test_unknown_receipt_or_status(sessions):
    number = submit_elderly(sessions).receipt_no
    other = receipt_module.new_receipt_no()
    with pytest.raises(ApplicationNotFound):
        advance_status(sessions, receipt_no=other, status="审核中", actor="张科员")
    with pytest.raises(UnknownStatus):
        advance_status(sessions, receipt_no=number, status="已完成", actor="张科员")


def test_racing_staff_cannot_both_move_the_same_application(sessions):
    number = submit_elderly(sessions).receipt_no
    advance_status(sessions, receipt_no=number, status="审核中", actor="甲")
    n = 6
    barrier = threading.Barrier(n)
    outcomes = []

    def worker(i):
        barrier.wait()
        try:
            status = "办结" if i % 2 else "退回"
            outcomes.append(advance_status(sessions, receipt_no=number, status=status, actor=f"员{i}",
                                           reason="r").status)
        except InvalidTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes).count("refused") == n - 1
    assert counts(sessions) == (1, 3)


# --- progress -----------------------------------------------------------------------------

def test_progress_lists_only_the_senders_own_applications(sessions):
    mine = submit_elderly(sessions, sender="alice", key="a1").receipt_no
    theirs = submit_card(sessions, sender="bob", key="b1").receipt_no
    assert [v.receipt_no for v in applications_for_sender(sessions, sender_id="alice")] == [mine]
    assert [v.receipt_no for v in applications_for_sender(sessions, sender_id="bob")] == [theirs]
    assert applications_for_sender(sessions, sender_id="carol") == []


def test_progress_reflects_staff_changes(sessions):
    number = submit_elderly(sessions).receipt_no
    advance_status(sessions, receipt_no=number, status="审核中", actor="张科员")
    (view,) = applications_for_sender(sessions, sender_id="alice")
    assert view.status == "审核中" and [h.status for h in view.history] == ["受理", "审核中"]


def test_find_by_receipt_needs_both_last4(sessions):
    receipt = submit_card(sessions)
    view = find_application(sessions, receipt_no=receipt.display, id_last4="002x", phone_last4="2233")
    assert view.receipt_no == receipt.receipt_no and view.kind_name == "社会保障卡挂失补换"
    for id4, phone4 in [("0021", "2233"), ("002X", "2234"), ("", ""), ("2233", "002X")]:
        with pytest.raises(ApplicationNotFound):
            find_application(sessions, receipt_no=receipt.receipt_no, id_last4=id4, phone_last4=phone4)


def test_someone_elses_receipt_with_my_own_digits_is_refused(sessions):
    mine = submit_elderly(sessions, sender="alice", key="a1")
    theirs = submit_card(sessions, sender="bob", key="b1")
    with pytest.raises(ApplicationNotFound):
        find_application(sessions, receipt_no=theirs.receipt_no, id_last4="1239", phone_last4="5678")
    with pytest.raises(ApplicationNotFound):
        find_application(sessions, receipt_no="1234567890", id_last4="1239", phone_last4="5678")
    assert find_application(sessions, receipt_no=mine.receipt_no, id_last4="1239",
                            phone_last4="5678").receipt_no == mine.receipt_no


def test_views_show_masked_personal_data_only(sessions):
    submit_elderly(sessions)
    submit_card(sessions)
    views = applications_for_sender(sessions, sender_id="alice") + applications_for_sender(
        sessions, sender_id="bob")
    shown = repr(views)
    for secret in (ELDER_ID, ELDER_PHONE, "13900001111", CARD_ID, "3112233", "李大山", "李小红",
                   "赭山社区"):
        assert secret not in shown
    elder, card = views
    assert (elder.applicant, elder.id_number, elder.phone) == ("李*山", "340202********1239", "138****5678")
    assert (card.applicant, card.id_number, card.phone) == ("王*", "110105********002X", "0553-***2233")
    details = dict(elder.details)
    assert details["申请方式"] == "子女或亲属代办" and details["所在区县"] == "镜湖区"
    assert details["代办人电话"] == "139****1111" and details["街道社区"] == "范罗山街道****"
    assert dict(card.details)["领卡大厅"] == "弋江区" and dict(card.details)["补换原因"] == "丢失（已挂失）"


@pytest.mark.parametrize("func, value, shown", [
    (masking.mask_id, "340202194001011239", "340202********1239"),
    (masking.mask_id, "11010519491231002x", "110105********002X"),
    (masking.mask_phone, "138 1234 5678", "138****5678"),
    (masking.mask_phone, "0553-3112233", "0553-***2233"),
    (masking.mask_name, "李大山", "李*山"),
    (masking.mask_name, "欧阳大明", "欧**明"),
    (masking.mask_address, "镜湖区范罗山街道赭山小区3栋2单元", "镜湖区范罗山街道****"),
    (masking.mask_address, "幸福小区5栋", "幸福****"),
])
def test_masking(func, value, shown):
    assert func(value) == shown
