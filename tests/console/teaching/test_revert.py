"""Taking decisions back (console.teaching.revert): undo within the window, revert from 已处理,
bulk decisions (service.decide_inbox_messages); data, decision and audit each time."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot.catalogue import editing
from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from console.auth import audit
from console.auth.audit import Actor
from console.catalogue import actions
from console.teaching import decisions, service
from console.teaching.errors import TrainingDataError
from console.teaching.revert import RevertRefused, revert_decisions
from console.teaching.service import IncompleteDecision, TrainingFiles
from tests.support.nlu_edits import examples_of, snapshot

STAFF = Actor("wang.wu", "10.0.0.7")
OTHER = Actor("li.si")
PHRASE = "社保卡可以寄到家里吗"


@pytest.fixture()
def files(data) -> TrainingFiles:
    nlu, domain = data
    return TrainingFiles(nlu, domain)


def newest(db) -> audit.AuditRecord:
    return audit.recent(db, 1)[0]


def test_undo_within_the_window_takes_the_example_out_and_restores_the_group(console_db, files):
    before = snapshot(files.nlu_dir)
    decision = service.decide_inbox_message(console_db, files, STAFF, PHRASE, "assign", "svc_sbk_apply")
    assert snapshot(files.nlu_dir) != before
    almost = decision.at + decisions.UNDO_WINDOW - timedelta(seconds=1)
    assert revert_decisions(console_db, files, STAFF, [decision.id], undo=True, now=almost) == [decision]
    assert snapshot(files.nlu_dir) == before
    assert decisions.decided_texts(console_db) == set()  # back in the inbox
    entry = newest(console_db)
    assert (entry.username, entry.action, entry.ip) == ("wang.wu", "inbox_revert", "10.0.0.7")
    assert entry.detail == {"text": PHRASE, "action": "assign", "intent": "svc_sbk_apply", "undo": True,
                            "decided_by": "wang.wu", "removed_from": "social_security.yml"}


def test_undo_after_the_window_or_of_someone_elses_decision_is_refused(console_db, files):
    decision = service.decide_inbox_message(console_db, files, STAFF, PHRASE, "assign", "svc_sbk_apply")
    after = snapshot(files.nlu_dir)
    late = decision.at + decisions.UNDO_WINDOW + timedelta(seconds=1)
    with pytest.raises(RevertRefused, match="已超过 10 分钟"):
        revert_decisions(console_db, files, STAFF, [decision.id], undo=True, now=late)
    with pytest.raises(RevertRefused, match="只能撤销自己"):
        revert_decisions(console_db, files, OTHER, [decision.id], undo=True, now=decision.at)
    assert snapshot(files.nlu_dir) == after
    assert decisions.decided_texts(console_db) == {PHRASE}
    assert newest(console_db).action == "inbox_decide"


def test_revert_from_the_list_has_no_time_limit_and_anyone_may(console_db, files):
    before = snapshot(files.nlu_dir)
    decision = service.decide_inbox_message(console_db, files, STAFF, PHRASE, "out_of_scope")
    assert PHRASE in examples_of(files.nlu_dir / "general.yml", "out_of_scope")
    revert_decisions(console_db, files, OTHER, [decision.id], now=decision.at + timedelta(days=30))
    assert snapshot(files.nlu_dir) == before
    assert decisions.decided_texts(console_db) == set()
    assert newest(console_db).detail["decided_by"] == "wang.wu" and newest(console_db).username == "li.si"
    with pytest.raises(RevertRefused, match="已经撤回或不存在"):  # twice: nothing left to take back
        revert_decisions(console_db, files, OTHER, [decision.id])


def test_a_dismissal_taken_back_touches_no_file(console_db, files):
    before = snapshot(files.nlu_dir)
    decision = service.decide_inbox_message(console_db, files, STAFF, PHRASE, "dismiss")
    revert_decisions(console_db, files, STAFF, [decision.id], undo=True)
    assert snapshot(files.nlu_dir) == before and decisions.decided_texts(console_db) == set()


def test_an_example_already_removed_by_hand_still_returns_the_group(console_db, files):
    decision = service.decide_inbox_message(console_db, files, STAFF, PHRASE, "assign", "svc_sbk_apply")
    path = files.nlu_dir / "social_security.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"    - {PHRASE}\n", ""), encoding="utf-8")
    revert_decisions(console_db, files, STAFF, [decision.id])
    assert decisions.decided_texts(console_db) == set()
    assert newest(console_db).detail["removed_from"] is None


def test_a_faq_left_with_one_phrasing_is_refused_and_nothing_changes(console_db, files):
    service.add_faq(console_db, files, STAFF, "parking", [PHRASE, "大厅能停车吗"], "能。", from_inbox=PHRASE)
    decision = decisions.get_decision(console_db, PHRASE)
    before = snapshot(files.nlu_dir)
    with pytest.raises(TrainingDataError, match="不足 2 条"):
        revert_decisions(console_db, files, STAFF, [decision.id])
    assert snapshot(files.nlu_dir) == before and decisions.decided_texts(console_db) == {PHRASE}


def test_a_service_example_is_taken_back_by_trainers_only(console_db, files):
    load_catalogue(console_db, PROJECT_ROOT / "data" / "catalogue")
    actions.assign_to_service(console_db, STAFF, PHRASE, "社会保障卡申领")
    decision = decisions.get_decision(console_db, PHRASE)
    with pytest.raises(RevertRefused, match="训练员和管理员"):
        revert_decisions(console_db, files, STAFF, [decision.id], undo=True)
    assert PHRASE in editing.read_service(console_db, "sbk-apply")["examples"]
    revert_decisions(console_db, files, STAFF, [decision.id], undo=True, may_edit_services=True)
    assert PHRASE not in editing.read_service(console_db, "sbk-apply")["examples"]
    assert decisions.decided_texts(console_db) == set()
    entry = newest(console_db)
    assert (entry.action, entry.detail["service"], entry.detail["name"]) == ("inbox_revert", "sbk-apply",
                                                                              "社会保障卡申领")


def test_bulk_dismiss_decides_each_and_reports_the_refused(console_db, files):
    service.decide_inbox_message(console_db, files, STAFF, "已经处理过的", "dismiss")
    outcome = service.decide_inbox_messages(console_db, files, STAFF, ["甲问题", "乙问题", "甲问题", "已经处理过的"],
                                            "dismiss")
    assert [d.text_normalized for d in outcome.decided] == ["甲问题", "乙问题"]
    assert [text for text, _ in outcome.refused] == ["已经处理过的"]
    assert decisions.decided_texts(console_db) == {"甲问题", "乙问题", "已经处理过的"}
    undone = revert_decisions(console_db, files, STAFF, [d.id for d in outcome.decided], undo=True)
    assert len(undone) == 2 and decisions.decided_texts(console_db) == {"已经处理过的"}


def test_bulk_assign_skips_a_phrasing_the_data_refuses(console_db, files):
    known = examples_of(files.nlu_dir / "social_security.yml", "svc_sbk_apply")[0]
    outcome = service.decide_inbox_messages(console_db, files, STAFF, [PHRASE, known], "assign", "svc_sbk_apply")
    assert [d.text_normalized for d in outcome.decided] == [PHRASE]
    assert outcome.refused[0][0] == known and "已经是意图" in outcome.refused[0][1]
    with pytest.raises(IncompleteDecision, match="请先勾选"):
        service.decide_inbox_messages(console_db, files, STAFF, [], "dismiss")
    with pytest.raises(IncompleteDecision, match="请选择要归入的意图"):
        service.decide_inbox_messages(console_db, files, STAFF, [PHRASE], "assign")
