"""The staff console's inbox shows residents' messages masked, whatever the spelling.

Conversations are written to a real SQLite tracker store: by the masking store, as Rasa
writes them, and by Rasa's plain SQL store (rows from before masking covered every
spelling, or written by a misconfigured server). The inbox (console/teaching/inbox.py) reads
the file and every text it would show is searched for the numbers, names and addresses.
"""
from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.logging_setup import uninstall_log_masking
from bot.tracker_store import MaskingSQLTrackerStore
from console.teaching.inbox import read_inbox

#: What residents typed, in spellings the parsers accept, and what must not be shown.
MESSAGES = {
    "我的身份证340202.19400315.0013查一下": ("19400315", "3402021940"),
    "电话138.1234.5678怎么没人打给我": ("1234", "13812345678"),
    "手机号１３８，１２３４，５６７８办不了": ("１２３４", "1234"),
    "幺三八．一二三四．五六七八是我的电话": ("一二三四", "1234"),
    "卡号6222_0212_3456_7890扣款不对": ("0212", "3456"),
    "身份证110105/19491231/002x": ("19491231",),
}
NAME_QUESTION = "（第4步，共8步）请告诉我老人的姓名。"


def fallback(text: str) -> UserUttered:
    intent = {"name": "nlu_fallback", "confidence": 0.3}
    ranking = [intent, {"name": "svc_sbk_apply", "confidence": 0.2}]
    return UserUttered(text, intent, [], {"text": text, "intent": intent, "intent_ranking": ranking, "entities": []})


def write(store, sender: str, *events) -> None:
    tracker = DialogueStateTracker(sender, [])
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))


@pytest.fixture()
def tracker_db(tmp_path):
    path = tmp_path / "tracker.db"
    masking = MaskingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    plain = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    yield path, masking, plain
    uninstall_log_masking()


@pytest.mark.parametrize("writer", ["masking", "plain"])
def test_the_inbox_shows_no_number_in_any_spelling(tracker_db, writer):
    path, masking, plain = tracker_db
    store = masking if writer == "masking" else plain
    for index, text in enumerate(MESSAGES):
        write(store, f"r{index}", BotUttered("您好，请问要办什么？"), fallback(text),
              ActionExecuted("action_default_fallback"), BotUttered(f"抱歉，“{text}”我没听懂。"))
    groups = read_inbox(f"sqlite:///{path}")
    assert len(groups) == len(MESSAGES)
    shown = "\n".join(
        "\n".join([group.text, *group.variants, *(item.text for item in group.examples),
                   *(turn.text for item in group.examples for turn in (*item.before, *item.after))])
        for group in groups)
    for secrets in MESSAGES.values():
        for secret in secrets:
            assert secret not in shown, (secret, shown)
    assert "138****5678" in shown and "340202********0013" in shown and "**** **** **** 7890" in shown


@pytest.mark.parametrize("writer", ["masking", "plain"])
def test_names_given_to_a_flow_question_are_shown_masked(tracker_db, writer):
    path, masking, plain = tracker_db
    store = masking if writer == "masking" else plain
    write(store, "n1", BotUttered(NAME_QUESTION), fallback("王秀英"), ActionExecuted("action_default_fallback"),
          BotUttered("请核对您填写的高龄津贴申请信息：\n· 老人姓名：王秀英\n· 街道社区：赭山街道赭山社区5栋"))
    groups = read_inbox(f"sqlite:///{path}")
    item = groups[0].examples[0]
    assert item.text == "王*英" and "王*英" in groups[0].variants
    after = "\n".join(turn.text for turn in item.after)
    assert "· 老人姓名：王*英" in after and "· 街道社区：赭山街道****" in after
    assert "秀英" not in after and "赭山社区" not in after
