"""After a rollback, taking back what the newer model had added (console.training.take_back):
real teaching actions on a copy of data/nlu, fake model archives, no training."""
from __future__ import annotations

import shutil
import time

import pytest

from bot.config import PROJECT_ROOT
from console.auth.audit import Actor, recent
from console.teaching import decisions
from console.teaching.nlu_files import scan_nlu
from console.teaching.service import TrainingFiles, add_faq, add_faq_example, decide_inbox_message
from console.training import registry
from console.training.take_back import offer, take_back
from tests.support.training import fake_model

OLD, NEW = "20261201-old.tar.gz", "20261203-new.tar.gz"
ASSIGNED = "我的社保卡昨天在公交上弄丢了"
OUT_OF_SCOPE = "帮我查查明天去合肥的高铁"
FAQ_PHRASING = "大厅中午休息不休息呀"
TRAINER = Actor("zhao", "10.0.0.8")


@pytest.fixture()
def taught(console_db, tmp_path):
    """OLD, then a trainer's teaching, then NEW (each model's time is its training's start)."""
    nlu = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu)
    shutil.copyfile(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    files = TrainingFiles(nlu, tmp_path / "domain.yml")
    models = tmp_path / "models"
    models.mkdir()
    now = time.time()
    fake_model(models / OLD, mtime=now - 1000)
    reviewer = Actor("li.si")
    decide_inbox_message(console_db, files, reviewer, ASSIGNED, "assign", "svc_sbk_replace")
    decide_inbox_message(console_db, files, reviewer, OUT_OF_SCOPE, "out_of_scope")
    decide_inbox_message(console_db, files, reviewer, "阿巴阿巴嗯嗯", "dismiss")
    add_faq_example(console_db, files, reviewer, "office_hours", FAQ_PHRASING)
    add_faq(console_db, files, reviewer, "parking_lot", ["大厅有地方停车吗", "停车场在哪里"], "地下车库可停车。")
    fake_model(models / NEW, mtime=now + 1000)
    return files, registry.list_models(console_db, models)


def test_the_offer_lists_what_the_newer_model_added(console_db, taught):
    files, models = taught
    offered = offer(console_db, files, models, NEW, OLD)
    found = {i.taught.text: (i.taught.intent, i.decision_id is not None) for i in offered.items}
    assert found == {ASSIGNED: ("svc_sbk_replace", True), OUT_OF_SCOPE: ("out_of_scope", True),
                     FAQ_PHRASING: ("faq/office_hours", False)}
    assert offered.new_faqs == ("parking_lot",)  # listed, not taken back here
    assert offer(console_db, files, models, OLD, NEW).empty  # not a rollback: nothing to offer
    assert offer(console_db, files, models, NEW, "gone.tar.gz").empty


def test_taking_back_removes_the_examples_returns_messages_to_the_inbox_and_audits(console_db, taught):
    files, models = taught
    offered = offer(console_db, files, models, NEW, OLD)
    result = take_back(console_db, files, TRAINER, offered, {ASSIGNED, FAQ_PHRASING, "不在提供之列的句子"})
    assert sorted(result.taken_back) == sorted([ASSIGNED, FAQ_PHRASING]) and result.failed == []
    assert result.returned_to_inbox == 1

    index = scan_nlu(files.nlu_dir).examples
    assert ASSIGNED not in index and FAQ_PHRASING not in index
    assert index[OUT_OF_SCOPE].intent == "out_of_scope"  # not chosen: stays
    assert decisions.get_decision(console_db, ASSIGNED) is None  # back in the inbox
    assert decisions.get_decision(console_db, OUT_OF_SCOPE) is not None

    entries = recent(console_db, 10)
    summary = next(e for e in entries if e.action == "model_take_back")
    assert summary.username == "zhao" and summary.ip == "10.0.0.8"
    assert summary.detail["model"] == NEW and summary.detail["rolled_back_to"] == OLD
    assert sorted(summary.detail["examples"]) == sorted([ASSIGNED, FAQ_PHRASING]) and summary.detail["count"] == 2
    assert any(e.action == "inbox_revert" and e.detail["text"] == ASSIGNED for e in entries)

    again = offer(console_db, files, models, NEW, OLD)
    assert [i.taught.text for i in again.items] == [OUT_OF_SCOPE]


def test_nothing_chosen_changes_nothing(console_db, taught):
    files, models = taught
    before = len(recent(console_db, 100))
    result = take_back(console_db, files, TRAINER, offer(console_db, files, models, NEW, OLD), set())
    assert result.taken_back == [] and len(recent(console_db, 100)) == before
