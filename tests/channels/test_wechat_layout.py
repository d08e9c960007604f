"""Laying a turn out over WeChat messages: what must be in the passive reply, and the marks."""
from __future__ import annotations

from channels.wechat import texts
from channels.wechat.layout import TAIL_MAX_BYTES, plan_reply, plan_resend
from channels.wechat.render import MAX_TEXT_BYTES

LONG = "\n".join(f"第{i}项：" + "材料说明" * 20 for i in range(40))
QUESTION = "请问您在哪个区县？回复数字：\n1. 镜湖区\n2. 弋江区"


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_a_reply_that_fits_is_one_passive_message_as_before():
    plan = plan_reply(["【社保卡】一、谁可以办", QUESTION])
    assert plan.passive == f"【社保卡】一、谁可以办\n\n{QUESTION}" and plan.followups == ()


def test_the_closing_question_stays_whole_and_the_long_text_is_shortened_with_a_mark():
    plan = plan_reply([LONG, "我们继续：", QUESTION])
    assert size(plan.passive) <= MAX_TEXT_BYTES
    assert plan.passive.endswith(f"{texts.TRUNCATED}\n\n我们继续：\n\n{QUESTION}")
    head = plan.passive.split("\n" + texts.TRUNCATED)[0]
    assert LONG.startswith(head) and head.endswith("材料说明")  # cut at a line end
    assert all(size(part) <= MAX_TEXT_BYTES for part in plan.followups)
    total = len(plan.followups) + 1
    assert [p.split("\n", 1)[0] for p in plan.followups] == [
        texts.CONTINUED.format(part=n, total=total) for n in range(2, total + 1)]
    assert "\n".join([head, *(p.split("\n", 1)[1] for p in plan.followups)]) == LONG


def test_a_closing_message_too_long_to_keep_whole_is_laid_out_in_order():
    long_question = "请选择：\n" + "\n".join(f"{i}. 选项" + "很长" * 30 for i in range(1, 20))
    assert size(long_question) > TAIL_MAX_BYTES
    plan = plan_reply(["前言", long_question])
    assert plan.passive.startswith("前言") and plan.passive.endswith(texts.TRUNCATED)
    assert "".join(plan.parts).count("19. 选项") == 1


def test_the_notice_is_kept_in_the_passive_reply_even_when_it_is_long():
    plan = plan_reply([LONG, QUESTION], notice=texts.MISSED_NOTICE)
    assert plan.passive.endswith(f"{QUESTION}\n\n{texts.MISSED_NOTICE}")
    assert plan_reply(["你好"], notice=texts.MISSED_NOTICE).passive == f"你好\n\n{texts.MISSED_NOTICE}"


def test_resent_parts_keep_their_headings_under_a_resend_line():
    plan = plan_resend(["（续上条 2/3）\n甲", "（续上条 3/3）\n乙"])
    assert plan.passive == f"{texts.RESENT}\n（续上条 2/3）\n甲" and plan.followups == ("（续上条 3/3）\n乙",)
    full = "办" * 682  # 2,046 bytes: no room for the line
    assert plan_resend([full]).passive == full


def test_every_part_is_within_the_limit_for_one_unbroken_line():
    plan = plan_reply(["办" * 3000, QUESTION])
    assert plan.passive.endswith(QUESTION)
    assert all(size(part) <= MAX_TEXT_BYTES for part in plan.parts)
    assert "".join(plan.parts).count("办") == 3000 + QUESTION.count("办")
