"""The teaching actions (console.teaching.service): data edit, decision and audit as one job.

Pages and CLI both call these; the route tests (tests/console/web) and the CLI tests check
the translation, these the workflow itself, on copies of data/nlu and a fresh database.
"""
from __future__ import annotations

import pytest

from console.auth import audit
from console.auth.audit import Actor
from console.teaching import decisions, service
from console.teaching.decisions import AlreadyDecided
from console.teaching.errors import DuplicateExampleError
from console.teaching.faq import list_faqs
from console.teaching.service import IncompleteDecision, TrainingFiles
from tests.support.nlu_edits import examples_of, snapshot

STAFF = Actor("wang.wu", "10.0.0.7")
CLI = Actor("cli", extra={"os_user": "ops"})
PHRASE = "社保卡可以寄到家里吗"
PARKING = ["大厅附近好停车吗", "去政务中心开车停哪里"]


@pytest.fixture()
def files(data) -> TrainingFiles:
    nlu, domain = data
    return TrainingFiles(nlu, domain)


def entries(db) -> list[tuple]:
    return [(r.username, r.action, r.detail, r.ip) for r in audit.recent(db)]


def test_assigning_a_message_edits_the_data_and_records_decision_and_audit(console_db, files):
    decision = service.decide_inbox_message(console_db, files, STAFF, PHRASE, "assign",
                                            "svc_sbk_apply")
    assert (decision.text_normalized, decision.action, decision.intent) == (PHRASE, "assign", "svc_sbk_apply")
    assert examples_of(files.nlu_dir / "social_security.yml", "svc_sbk_apply")[-1] == PHRASE
    assert decisions.decided_texts(console_db) == {PHRASE}
    assert entries(console_db) == [("wang.wu", "inbox_decide",
                                    {"text": PHRASE, "action": "assign", "intent": "svc_sbk_apply"},
                                    "10.0.0.7")]


@pytest.mark.parametrize("action, intent, message", [
    ("", "", "请选择处理方式。"), ("bogus", "", "请选择处理方式。"),
    ("assign", "", "请选择要归入的意图。"),
])
def test_an_incomplete_decision_changes_nothing(console_db, files, action, intent, message):
    before = snapshot(files.nlu_dir)
    with pytest.raises(IncompleteDecision, match=message):
        service.decide_inbox_message(console_db, files, STAFF, PHRASE, action, intent)
    with pytest.raises(IncompleteDecision, match="消息内容为空"):
        service.decide_inbox_message(console_db, files, STAFF, "？？", "dismiss")
    assert snapshot(files.nlu_dir) == before
    assert decisions.decided_texts(console_db) == set() and entries(console_db) == []


def test_a_decided_message_is_refused_before_the_data_is_touched(console_db, files):
    service.decide_inbox_message(console_db, files, STAFF, PHRASE, "dismiss")
    before = snapshot(files.nlu_dir)
    with pytest.raises(AlreadyDecided, match=f"“{PHRASE}”已经处理过了"):
        service.decide_inbox_message(console_db, files, STAFF, PHRASE, "assign", "svc_sbk_apply")
    assert snapshot(files.nlu_dir) == before
    assert [e[1] for e in entries(console_db)] == ["inbox_decide"]


def test_a_refused_phrasing_records_nothing(console_db, files):
    with pytest.raises(DuplicateExampleError):
        service.decide_inbox_message(console_db, files, STAFF, "你好", "out_of_scope")
    assert decisions.decided_texts(console_db) == set() and entries(console_db) == []


def test_decision_and_audit_entry_commit_together(console_db, files, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(audit, "write", broken)
    with pytest.raises(RuntimeError):
        service.decide_inbox_message(console_db, files, STAFF, PHRASE, "dismiss")
    assert decisions.decided_texts(console_db) == set()  # no decision without its audit entry


def test_a_faq_from_the_inbox_decides_the_message(console_db, files):
    added = service.add_faq(console_db, files, STAFF, "parking", PARKING, "请看大厅公告。",
                            from_inbox=PARKING[0])
    assert added.from_inbox and added.faq.key == "parking"
    assert list_faqs(files.nlu_dir)[-1].examples == PARKING
    decision = decisions.get_decision(console_db, PARKING[0])
    assert (decision.action, decision.intent, decision.username) == ("assign", "faq/parking", "wang.wu")
    assert entries(console_db) == [("wang.wu", "faq_add", {"key": "parking", "examples": PARKING,
                                                           "answer": "请看大厅公告。"}, "10.0.0.7")]


def test_a_faq_from_the_inbox_without_that_phrasing_leaves_it_in_the_inbox(console_db, files):
    added = service.add_faq(console_db, files, CLI, "parking", PARKING, "答", from_inbox="别的问题")
    assert not added.from_inbox and decisions.decided_texts(console_db) == set()
    assert entries(console_db)[0][:3] == ("cli", "faq_add", {"key": "parking", "examples": PARKING,
                                                              "answer": "答", "os_user": "ops"})


def test_a_faq_for_an_already_decided_message_is_still_added_and_audited(console_db, files):
    service.decide_inbox_message(console_db, files, STAFF, PARKING[0], "dismiss")
    added = service.add_faq(console_db, files, STAFF, "parking", PARKING, "答", from_inbox=PARKING[0])
    assert added.from_inbox
    assert decisions.get_decision(console_db, PARKING[0]).action == "dismiss"
    assert [e[1] for e in entries(console_db)] == ["faq_add", "inbox_decide"]


def test_a_new_faq_phrasing_is_audited(console_db, files):
    key = list_faqs(files.nlu_dir)[0].key
    updated = service.add_faq_example(console_db, files, CLI, key, "周末大厅开门吗")
    assert updated.examples[-1] == "周末大厅开门吗"
    assert entries(console_db)[0][:3] == ("cli", "faq_example",
                                          {"key": key, "text": "周末大厅开门吗", "os_user": "ops"})
