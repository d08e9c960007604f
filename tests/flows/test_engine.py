"""The step-by-step engine, on a small flow with a choice, a conditional and a checked field."""
from __future__ import annotations

import pytest

from bot.flows import engine
from bot.flows.engine import Command, Flow, FlowRefused, Option, Step, StepError


def parse_age(text: str, _values) -> int:
    if not text.strip().isdigit():
        raise StepError("请用数字说年龄，比如“82”。")
    return int(text)


def too_young(values) -> None:
    if values.get("age", 99) < 18:
        raise FlowRefused("未满18岁不能办理。")


FLOW = Flow(
    name="toy", title="测试申请",
    steps=(
        Step("who", "申请方式", "本人还是代办？", "代办要留代办人姓名。",
             options=lambda v: (Option("本人", "self"), Option("代办", "agent")),
             display=lambda v: {"self": "本人", "agent": "代办"}[v]),
        Step("agent", "代办人", "代办人叫什么？", "代办人姓名。", when=lambda v: v.get("who") == "agent"),
        Step("age", "年龄", "多大年纪？", "用来核对资格。", parse=parse_age),
        Step("phone", "手机号", "手机号是多少？", "联系用。", display=lambda v: v[:3] + "****", aliases=("电话",)),
    ),
    check=too_young,
)


class Conversation:
    """Drives the engine like the form does: notes, then the current question."""

    def __init__(self) -> None:
        outcome = engine.start(FLOW)
        self.state = outcome.state
        self.last: engine.Outcome = outcome

    def say(self, text: str, command: Command | None = None) -> str:
        self.last = engine.handle(FLOW, self.state, text, command)
        self.state = self.last.state
        notes = [m.text for m in self.last.messages]
        if not (self.last.finished or self.last.cancelled):
            notes.append(engine.question(FLOW, self.state).text)
        return "\n".join(notes)

    def question(self) -> str:
        return engine.question(FLOW, self.state).text


def test_one_question_per_message_with_numbered_choices():
    c = Conversation()
    assert c.question() == "（第1步，共3步）本人还是代办？\n1. 本人\n2. 代办"
    assert "多大年纪" in c.say("1")
    assert "手机号" in c.say("30")
    summary = c.say("13812345678")
    assert "· 申请方式：本人" in summary and "· 手机号：138****" in summary
    assert "13812345678" not in summary
    c.say("1")
    assert c.last.finished and c.state["values"] == {"who": "self", "age": 30, "phone": "13812345678"}


def test_choice_by_text_and_conditional_step():
    c = Conversation()
    assert "代办人叫什么" in c.say("代办")
    assert "（第3步，共4步）多大年纪" in c.say("张三")


def test_invalid_answer_explains_and_asks_the_same_question():
    c = Conversation()
    c.say("1")
    reply = c.say("八十")
    assert reply.startswith("请用数字说年龄")
    assert reply.endswith("多大年纪？")


def test_back_shows_the_earlier_answer_and_asks_it_again():
    c = Conversation()
    c.say("1")
    c.say("30")
    reply = c.say("上一步", Command.BACK)
    assert "您之前填的是：30" in reply and reply.endswith("多大年纪？")
    assert "age" not in c.state["values"]


def test_back_at_the_first_step():
    assert "已经是第一步了" in Conversation().say("返回", Command.BACK)


def test_restart_clears_everything():
    c = Conversation()
    c.say("1")
    c.say("30")
    assert "从头重新填" in c.say("重新填", Command.RESTART)
    assert c.state["values"] == {}


def test_cancel_asks_once_then_stores_nothing():
    c = Conversation()
    c.say("1")
    assert "确定不办了吗" in c.say("不办了", Command.CANCEL)
    reply = c.say("1")
    assert c.last.cancelled and "没有保存" in reply


def test_cancel_then_continue_resumes_the_same_question():
    c = Conversation()
    c.say("1")
    c.say("不办了", Command.CANCEL)
    reply = c.say("2")
    assert "我们继续" in reply and reply.endswith("多大年纪？")
    assert not c.last.cancelled


def test_repeat_and_help():
    c = Conversation()
    c.say("1")
    assert c.say("再说一遍", Command.REPEAT).endswith("多大年纪？")
    help_reply = c.say("帮助", Command.HELP)
    assert "用来核对资格" in help_reply and "上一步" in help_reply


def test_correct_one_field_at_the_summary_without_starting_over():
    c = Conversation()
    for answer in ("1", "30", "13812345678"):
        c.say(answer)
    assert "改一下手机号" in c.say("手机号填错了")
    summary = c.say("13900001111")
    assert "请核对" in summary and "· 年龄：30" in summary and "139****" in summary
    c.say("确认", Command.AFFIRM)
    assert c.last.finished and c.state["values"]["phone"] == "13900001111"


def test_refusal_ends_the_flow_with_the_explanation():
    c = Conversation()
    c.say("1")
    reply = c.say("16")
    assert c.last.cancelled and "未满18岁" in reply


def test_reopen_asks_one_answer_again():
    c = Conversation()
    for answer in ("1", "30", "13812345678"):
        c.say(answer)
    state = engine.reopen(c.state, "phone", "这个号码不能用，")
    assert state["current"] == "phone" and "phone" not in state["values"]
    assert engine.question(FLOW, state).text.startswith("这个号码不能用，")


@pytest.mark.parametrize("state_key", ["values", "asked"])
def test_handle_does_not_mutate_the_input_state(state_key):
    c = Conversation()
    before = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
              for k, v in c.state.items()}
    engine.handle(FLOW, c.state, "1")
    assert c.state[state_key] == before[state_key]


def test_accepts_tells_an_answer_from_a_question_without_changing_state():
    c = Conversation()
    assert engine.accepts(FLOW, c.state, "1") and engine.accepts(FLOW, c.state, "代办")
    assert not engine.accepts(FLOW, c.state, "社保卡怎么办")
    c.say("1")
    assert engine.accepts(FLOW, c.state, "30") and not engine.accepts(FLOW, c.state, "多大都行")
    assert "age" not in c.state["values"]
