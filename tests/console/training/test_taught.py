"""What staff taught between two moments, read from the audit log (console.training.taught)."""
from __future__ import annotations

from datetime import datetime, timedelta

from console.auth.audit import record
from console.training.taught import EXAMPLE, FAQ_EXAMPLE, NEW_FAQ, ChangeCounts, taught_between

T0 = datetime(2026, 12, 1, 2, 0, 0)  # naive UTC, as the tables store it


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def teach(db) -> None:
    """A morning of teaching: three examples (one dismissal and one service example that add
    nothing to data/nlu), a new FAQ, an FAQ phrasing from the FAQ page and one from the inbox."""
    record(db, "li.si", "inbox_decide", {"text": "社保卡丢了咋办", "action": "assign", "intent": "svc_sbk_replace"},
           now=at(1))
    record(db, "li.si", "inbox_decide", {"text": "今天天气怎么样", "action": "out_of_scope"}, now=at(2))
    record(db, "li.si", "inbox_decide", {"text": "阿巴阿巴", "action": "dismiss"}, now=at(3))
    record(db, "li.si", "inbox_decide", {"text": "养狗要登记吗", "action": "service", "service": "dog"}, now=at(4))
    record(db, "wang.wu", "faq_add", {"key": "parking", "examples": ["大厅能停车吗", "停车场在哪"],
                                      "answer": "地下车库。"}, now=at(5))
    record(db, "wang.wu", "faq_example", {"key": "office_hours", "text": "周六上班吗"}, now=at(6))
    record(db, "li.si", "inbox_decide", {"text": "几点下班", "action": "assign", "intent": "faq/office_hours"},
           now=at(7))
    record(db, "li.si", "inbox_decide", {"text": "补办医保卡", "action": "assign", "intent": "svc_medins_pay"},
           now=at(8))
    record(db, "li.si", "login", None, now=at(9))  # not teaching


def test_every_teaching_action_is_read_with_what_it_was_taught_as(console_db):
    teach(console_db)
    teaching = taught_between(console_db, T0, at(60))
    found = {t.text: (t.intent, t.kind, t.username, t.from_inbox) for t in teaching.taught}
    assert found == {
        "社保卡丢了咋办": ("svc_sbk_replace", EXAMPLE, "li.si", True),
        "今天天气怎么样": ("out_of_scope", EXAMPLE, "li.si", True),
        "大厅能停车吗": ("faq/parking", NEW_FAQ, "wang.wu", False),
        "停车场在哪": ("faq/parking", NEW_FAQ, "wang.wu", False),
        "周六上班吗": ("faq/office_hours", FAQ_EXAMPLE, "wang.wu", False),
        "几点下班": ("faq/office_hours", FAQ_EXAMPLE, "li.si", True),
        "补办医保卡": ("svc_medins_pay", EXAMPLE, "li.si", True),
    }
    assert [t.text for t in teaching.taught][:2] == ["社保卡丢了咋办", "今天天气怎么样"]  # oldest first
    assert teaching.counts() == ChangeCounts(examples=3, new_faqs=1, faq_examples=2)
    assert teaching.counts().label() == "+3 例句 · 1 个新常见问题 · 2 个常见问题问法"


def test_the_window_is_half_open(console_db):
    teach(console_db)
    assert [t.text for t in taught_between(console_db, at(1), at(2)).taught] == ["社保卡丢了咋办"]
    assert [t.text for t in taught_between(console_db, at(7), None).taught] == ["几点下班", "补办医保卡"]
    assert taught_between(console_db, at(8), at(8)).taught == ()
    assert taught_between(console_db, at(9), at(1)).taught == ()  # an older model: nothing


def test_a_phrasing_taken_back_in_the_window_cancels_and_earlier_ones_count(console_db):
    teach(console_db)
    record(console_db, "li.si", "inbox_revert", {"text": "补办医保卡", "action": "assign",
                                                 "intent": "svc_medins_pay"}, now=at(10))
    record(console_db, "zhao", "model_take_back", {"model": "b.tar.gz", "rolled_back_to": "a.tar.gz",
                                                   "examples": ["社保卡丢了咋办"]}, now=at(11))
    whole = taught_between(console_db, T0, at(60))
    assert "补办医保卡" not in {t.text for t in whole.taught}
    assert "社保卡丢了咋办" not in {t.text for t in whole.taught}
    assert whole.counts() == ChangeCounts(examples=1, new_faqs=1, faq_examples=2)

    later = taught_between(console_db, at(9), at(60))  # the additions were before this window
    assert later.taught == ()
    assert later.taken_back == frozenset({"补办医保卡", "社保卡丢了咋办"})
    assert later.counts().label() == "撤回 2 条例句"


def test_a_dismissal_taken_back_takes_nothing_out_of_the_data(console_db):
    record(console_db, "li.si", "inbox_revert", {"text": "阿巴阿巴", "action": "dismiss"}, now=at(1))
    assert taught_between(console_db, T0, at(5)).counts() == ChangeCounts()
    assert ChangeCounts().label() == "没有新教的内容"


def test_entries_with_odd_details_are_skipped(console_db):
    record(console_db, "cli", "faq_add", "a text detail from an old version", now=at(1))
    record(console_db, "cli", "faq_example", {"key": "", "text": "无主的问法"}, now=at(2))
    record(console_db, "cli", "inbox_decide", {"action": "assign", "intent": "greet"}, now=at(3))
    assert taught_between(console_db, T0, at(5)).taught == ()
