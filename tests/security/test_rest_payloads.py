"""Typed text is text on REST too: "/restart" mid-flow is answered and loses nothing."""
from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from channels.rest.endpoint import conversation_id
from tests.support.ids import id_number

pytestmark = pytest.mark.e2e
ELDER_ID = id_number("19400315")


@pytest.fixture()
def sender() -> str:
    return f"payload-{uuid.uuid4().hex[:10]}"


def test_restart_mid_flow_is_answered_and_the_application_goes_on(stack, sender):
    stack.say(sender, "高龄津贴怎么申请")
    stack.say(sender, "办理")
    stack.say(sender, "1")
    stack.say(sender, "王秀英")
    reply = stack.say(sender, "/restart")
    assert reply and "身份证" in reply[-1]["text"]  # answered: still asking for the ID number
    assert "哪个区县" in stack.text(sender, ELDER_ID)
    stack.say(sender, "1")
    stack.say(sender, "赭山街道赭山社区")
    summary = stack.text(sender, "13812345678")
    assert "请核对" in summary and "王秀英" in summary  # the answers before "/restart" are all there


def test_a_typed_payload_sets_no_slot(stack, sender):
    stack.say(sender, '/greet{"district":"火星区"}')
    assert "哪个区县" in stack.text(sender, "社保卡怎么办理")
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute("select data from events where sender_id = ? and type_name = 'slot'",
                          (conversation_id(sender),)).fetchall()
    assert [e for e in (json.loads(d) for (d,) in rows) if e.get("name") == "district"] == []


def test_a_typed_intent_payload_is_not_obeyed(stack, sender):
    text = stack.text(sender, "/svc_sbk_apply")
    assert "【社会保障卡申领】" not in text and text  # understood as the words typed, and answered
