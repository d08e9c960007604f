"""What residents read about rating (Chinese, short), and the numbered choice of an invitation.

The invitation is one message with the five national levels as numbered buttons (web chat:
large buttons in elder mode; WeChat: numbered lines, channels/wechat/render.py), and the
pending choice the actions read the answer against (actions/choices.py ``pending_choice``).
"""
from __future__ import annotations

from typing import Any

from bot.evaluation.levels import OFFERED

RATING_KIND = "rating"
INVITE = "您对这次{what}满意吗？请点选或回复数字（不想评价可以不回复，或说“不评了”）："
THANKS = "感谢您的评价！还有别的事，随时问我。"
DECLINED = "好的，不评价了。还有别的事，随时问我。"
NOT_INVITED = "感谢您的反馈！办完事情后我会请您评价；有问题可以直接问我。"
REASON_INTRO = "抱歉没能让您满意。请告诉我们主要是哪方面的问题，我们会核实改进。"
REASON_QUESTION = "主要是哪方面的问题？"
REASON_HELP = "选一个最接近的；选“其他”可以直接说说。"
DETAIL_QUESTION = "请简单说说哪里不满意（一两句话就行）。"
DETAIL_HELP = "比如“窗口说的材料和这里说的不一样”。"
REASON_DONE = ("谢谢您的反馈，已经记下了。{department}会在{days}个工作日内（{due}前）核实处理，"
               "必要时会联系您回访。需要工作人员现在帮您，请回复“转人工”。")


def what_was_rated(title: str | None, kind: str) -> str:
    """"“社会保障卡申领”的答复", "申请", "预约", "人工服务"."""
    if kind == "handoff":
        return "人工服务"
    if kind in ("application", "booking"):
        return f"“{title}”的{'申请' if kind == 'application' else '预约'}办理" if title else "办理"
    return f"关于“{title}”的答复" if title else "答复"


def invitation(what: str) -> tuple[str, list[dict[str, str]], dict[str, Any]]:
    """(text, buttons, pending_choice) of an invitation to rate `what`."""
    buttons = [{"title": f"{level.choice_number}. {level.label}", "payload": str(level.choice_number)}
               for level in OFFERED]
    pending = {"kind": RATING_KIND, "options": [str(int(level)) for level in OFFERED],
               "labels": [level.label for level in OFFERED]}
    return INVITE.format(what=what), buttons, pending


def invitation_text(what: str) -> str:
    """The invitation as one text with numbered lines, for a message that carries no buttons (hand-back)."""
    text, buttons, _ = invitation(what)
    return text + "\n" + "\n".join(b["title"] for b in buttons)
