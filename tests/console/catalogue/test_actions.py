"""The audited catalogue actions (console/catalogue/actions.py): the change, its audit entry and,
from the inbox, the decision, in one transaction."""
from __future__ import annotations

import pytest

from bot.catalogue import editing
from bot.catalogue.editing import EditRefused
from bot.catalogue.loader import write_catalogue
from console.auth import audit
from console.auth.audit import Actor
from console.catalogue import actions
from console.teaching import decisions
from console.teaching.decisions import AlreadyDecided
from tests.catalogue.test_editing import DOG

STAFF = Actor("zhang.san", "10.0.0.8")
PHRASE = "社保卡在哪能弄到手"


@pytest.fixture()
def db(console_db, catalogue):
    """The console's database with the real catalogue in it, as in production."""
    with console_db.begin() as session:
        write_catalogue(session, catalogue)
    return console_db


def entries(db) -> list[tuple]:
    return [(r.username, r.action, r.detail, r.ip) for r in reversed(audit.recent(db))]


def test_create_update_and_delete_are_each_audited_with_what_changed(db):
    created = actions.save_service(db, STAFF, "", DOG)
    actions.save_service(db, STAFF, created.service_id, {"aliases": ["办狗证", "狗牌"]})
    actions.save_service(db, STAFF, created.service_id, {"aliases": ["办狗证", "狗牌"]})  # nothing changed
    actions.delete_service(db, STAFF, created.service_id)
    logged = entries(db)
    assert [(u, a, ip) for u, a, _, ip in logged] == [
        ("zhang.san", "service_create", "10.0.0.8"), ("zhang.san", "service_update", "10.0.0.8"),
        ("zhang.san", "service_delete", "10.0.0.8")]
    create, update, delete = (detail for _, _, detail, _ in logged)
    assert (create["service"], create["name"]) == ("cs-0001", "养犬登记")
    assert create["changed"]["aliases"] == {"before": None, "after": ["办狗证"]}
    assert update["changed"]["aliases"] == {"before": ["办狗证"], "after": ["办狗证", "狗牌"]}
    assert set(update["changed"]) <= {"aliases", "updated"}
    assert delete["changed"]["name"] == {"before": "养犬登记", "after": None}


def test_a_refused_edit_writes_no_audit_entry(db):
    with pytest.raises(EditRefused, match="名称“结婚登记”已被事项 marriage 使用"):
        actions.save_service(db, STAFF, "", {**DOG, "name": "结婚登记"})
    assert entries(db) == []


def test_an_inbox_message_becomes_an_example_question_audited_and_decided(db):
    change = actions.assign_to_service(db, STAFF, PHRASE, " 社会保障卡申领 ")
    assert (change.action, change.service_id) == ("add_example", "sbk-apply")
    assert editing.read_service(db, "sbk-apply")["examples"] == [PHRASE]
    decision = decisions.get_decision(db, PHRASE)
    assert (decision.action, decision.intent, decision.username) == ("service", "sbk-apply", "zhang.san")
    assert PHRASE in decisions.decided_texts(db)  # so it leaves the inbox
    assert entries(db) == [("zhang.san", "service_example",
                            {"service": "sbk-apply", "name": "社会保障卡申领", "example": PHRASE,
                             "from_inbox": True}, "10.0.0.8")]
    with pytest.raises(AlreadyDecided):
        actions.assign_to_service(db, STAFF, PHRASE, "社会保障卡挂失补换")
    assert editing.read_service(db, "sbk-replace")["examples"] == []


@pytest.mark.parametrize(("text", "name", "reason"), [
    (PHRASE, "", "请选择服务事项。"),
    (PHRASE, "社保卡", "没有名为“社保卡”的服务事项，请从列表中选择。"),
    ("？？", "社会保障卡申领", "消息内容为空。"),
    ("长" * 61, "社会保障卡申领", "例句最多 60 个字"),
])
def test_a_refused_assignment_changes_nothing(db, text, name, reason):
    with pytest.raises(EditRefused, match=reason):
        actions.assign_to_service(db, STAFF, text, name)
    assert editing.read_service(db, "sbk-apply")["examples"] == []
    assert decisions.decided_texts(db) == set() and entries(db) == []


def test_a_message_decided_meanwhile_leaves_the_example_unwritten(db, monkeypatch):
    """The decision is inserted in the edit's transaction: its conflict rolls the example back."""
    with db.begin() as session:
        decisions.add_decision(session, PHRASE, "dismiss", None, "li.si")
    monkeypatch.setattr(decisions, "get_decision", lambda *_: None)  # the early check missed it (a race)
    with pytest.raises(AlreadyDecided):
        actions.assign_to_service(db, STAFF, PHRASE, "社会保障卡申领")
    assert editing.read_service(db, "sbk-apply")["examples"] == [] and entries(db) == []
