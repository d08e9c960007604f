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


# --- issue 20: one rule for what counts as an answer, at every step -------------------------

def test_exact_command_words_act_at_every_step_and_are_never_stored():
    c = Conversation()
    c.say("代办")
    reply = c.say("转人工")
    assert "12345" in reply and reply.endswith("我们继续：\n（第2步，共4步）代办人叫什么？")
    menu = c.say("你好")
    assert "您正在办理测试申请" in menu and "不办了" in menu and menu.endswith("代办人叫什么？")
    assert c.state["values"] == {"who": "agent"}
    for answer in ("张三", "30", "13812345678"):
        c.say(answer)
    assert "12345" in c.say("人工") and c.state["stage"] == "confirming"


def test_a_command_named_by_nlu_acts_even_when_the_words_are_not_exact():
    c = Conversation()
    c.say("1")
    reply = c.say("我要预约", Command.MENU)
    assert "您正在办理测试申请" in reply and reply.endswith("多大年纪？")
    assert "age" not in c.state["values"]


@pytest.mark.parametrize("question", ["社保卡怎么办", "办事大厅几点下班", "身份证要带吗？"])
def test_a_question_at_a_free_text_step_is_an_aside_never_an_answer(question):
    c = Conversation()
    c.say("代办")
    c.say(question)
    assert c.last.aside and c.state["values"] == {"who": "agent"}
    assert c.question().startswith("我们继续：") and c.question().endswith("代办人叫什么？")


def test_a_question_at_a_structured_step_is_an_aside_not_the_step_error():
    c = Conversation()
    c.say("1")
    reply = c.say("公积金怎么提取")
    assert c.last.aside and "请用数字说年龄" not in reply
    assert reply.endswith("多大年纪？")


def test_an_option_word_inside_a_question_is_not_a_pick():
    c = Conversation()
    c.say("代办怎么弄")
    assert c.last.aside and "who" not in c.state["values"]


def test_free_text_that_nlu_reads_as_something_else_is_not_taken():
    c = Conversation()
    c.say("代办")
    engine_outcome = engine.handle(FLOW, c.state, "社保卡补办", elsewhere=True)
    assert engine_outcome.aside and "agent" not in engine_outcome.state["values"]
    # Answers the step reads itself win over NLU.
    c.say("张三")
    assert engine.handle(FLOW, c.state, "30", elsewhere=True).state["values"]["age"] == 30


def test_trailing_punctuation_is_stripped_from_every_answer():
    c = Conversation()
    c.say("代办。")
    c.say("张三。")
    c.say("30！")
    c.say("13812345678。")
    assert c.state["values"] == {"who": "agent", "agent": "张三", "age": 30, "phone": "13812345678"}


def test_step_number_is_the_position_among_active_steps_after_a_correction():
    c = Conversation()
    for answer in ("1", "30", "13812345678"):
        c.say(answer)
    assert "（第2步，共3步）多大年纪" in c.say("年龄填错了")
    assert "请核对" in c.say("31")
    assert "（第3步，共3步）手机号" in c.say("电话不对")


def test_correction_names_the_most_specific_field():
    flow = Flow(name="f", title="测试", steps=(
        Step("applicant", "申请方式", "本人还是代办？", "", options=lambda v: (Option("代办", "agent"),),
             aliases=("代办",)),
        Step("agent_phone", "代办人电话", "代办人电话？", "", aliases=("代办人手机",)),
        Step("phone", "联系电话", "联系电话？", "", aliases=("电话", "手机")),
    ))
    state = engine.start(flow).state
    for answer in ("1", "139", "138"):
        state = engine.handle(flow, state, answer).state
    for said in ("代办人电话填错了", "代办人的手机号填错了"):
        changed = engine.handle(flow, state, said)
        assert changed.state["current"] == "agent_phone", said
        assert "（第2步，共3步）" in engine.question(flow, changed.state).text
    assert engine.handle(flow, state, "电话填错了").state["current"] == "phone"


def test_modify_at_the_summary_offers_the_flows_own_fields_as_buttons():
    c = Conversation()
    for answer in ("1", "30", "13812345678"):
        c.say(answer)
    reply = c.say("2")  # 修改
    assert "1. 申请方式\n2. 年龄\n3. 手机号\n4. 不用改了" in reply and "地址" not in reply
    assert [p for _, p in engine.question(FLOW, c.state).buttons] == ["1", "2", "3", "4"]
    assert "改一下年龄" in c.say("2")
    assert "请核对" in c.say("40")
    c.say("修改")
    assert "请核对" in c.say("4")  # nothing to change after all
    c.say("好")
    assert c.last.finished and c.state["values"]["age"] == 40


def test_plain_yes_words_confirm_the_summary():
    for yes in ("好", "好的", "可以", "没问题"):
        c = Conversation()
        for answer in ("1", "30", "13812345678"):
            c.say(answer)
        c.say(yes)
        assert c.last.finished, yes


def test_prefilled_answers_are_named_and_back_reaches_them():
    outcome = engine.start(FLOW, {"who": "self"})
    assert "申请方式：本人（刚才问的）" in outcome.messages[-1].text
    state = outcome.state
    assert engine.question(FLOW, state).text.startswith("（第2步，共3步）多大年纪")
    back = engine.handle(FLOW, state, "上一步", Command.BACK)
    assert "您之前填的是：本人" in engine.question(FLOW, back.state).text
    assert back.state["current"] == "who"


def test_answers_to_steps_that_no_longer_apply_are_dropped():
    c = Conversation()
    for answer in ("代办", "张三", "30", "13812345678"):
        c.say(answer)
    c.say("申请方式要改")
    summary = c.say("本人")
    assert "代办人" not in summary and "agent" not in c.state["values"]


def test_a_flow_that_starts_at_the_summary_does_not_name_its_answers_twice():
    outcome = engine.start(FLOW, {"who": "self", "age": 30, "phone": "13812345678"})
    assert outcome.state["stage"] == "confirming"
    assert "刚才问的" not in "\n".join(m.text for m in outcome.messages)
