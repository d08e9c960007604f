"""Fixed resident-facing texts that depend on data (menus, input problems)."""
from __future__ import annotations

from bot.text import MAX_MESSAGE_CHARS, InputProblem

#: The greeting menu: common services, by catalogue id, in menu order.
MENU_SERVICE_IDS = (
    "sbk-apply",
    "hf-rent",
    "medins-remote",
    "idcard",
    "newborn-hukou",
    "elderly-allowance",
    "pension-cert",
    "property-reg",
)

WELCOME = ("您好！我是芜湖市政务服务助手，可以告诉您办事要带什么、去哪里办、网上怎么办。\n"
           "直接说您想办的事就行，比如“社保卡丢了怎么办”。\n"
           "常办业务，回复数字查看：")

ASK_DISTRICT = "请问您在哪个区县？回复数字，我告诉您最近的办理大厅："

CLARIFY = "我不太确定您想办的是哪一项，请回复数字选择："
CLARIFY_TAIL = "都不是的话，请换个说法告诉我。"

NOT_UNDERSTOOD = ("抱歉，我没太明白您想办什么事。请用一句话说说，比如“孩子刚出生怎么上户口”，"
                  "或者发“菜单”看常办业务；也可以拨打12345政务服务便民热线。")

NO_PENDING_CHOICE = "请问您想办什么事？直接告诉我就行，或者发“菜单”看常办业务。"

OUT_OF_RANGE = "没有这个选项，请回复 1 到 {n} 之间的数字。"

# A message that names a district other than the remembered one says so (issue 20, item 12).
DISTRICT_REMEMBERED = "好的，记住了，您在{district}。"
DISTRICT_CHANGED = "好的，记住了，您在{district}（原来是{before}），办理地点按{district}告诉您。"

SERVICE_UNAVAILABLE = "抱歉，系统有点忙，请稍后再试，或拨打12345政务服务便民热线咨询。"

_INPUT_PROBLEMS = {
    InputProblem.EMPTY: "您好像还没有输入内容。请告诉我您想办的事，比如“办社保卡”。",
    InputProblem.NO_WORDS: "我看不懂表情和符号哦。请用文字告诉我您想办的事，比如“公积金怎么提取”。",
    InputProblem.NOT_CHINESE: ("目前我只能用中文为您服务，请用中文提问。"
                               "（Sorry, I can only answer in Chinese. For help in English, call 12345.）"),
    InputProblem.TOO_LONG: f"您的消息太长了（超过{MAX_MESSAGE_CHARS}字），请用一两句话说说想办的事。",
}


def input_problem_reply(problem: InputProblem) -> str:
    return _INPUT_PROBLEMS.get(problem, NOT_UNDERSTOOD)

# Guided applications and appointments.
FLOWS_AVAILABLE = ("在对话里可以直接办：1. 高龄津贴申领 2. 社会保障卡挂失补换，也可以说“预约”约时间去大厅。"
                   "请先说说您要办哪一项，比如“申请高龄津贴”。")
ANYTHING_ELSE = "好的。还有什么要办的，直接告诉我。"
ONLINE_APPLICATION_HINT = "这项业务可以在对话里直接申请：回复“办理”，我一步一步帮您填。"
NO_ACTIVE_FLOW = "现在没有正在填写的申请。可以说“申请高龄津贴”“社保卡补办”，或者“预约”约时间去大厅。"
SERVICE_UNAVAILABLE_IN_FLOW = "抱歉，系统有点忙，刚才这句没处理好，请再说一次。填过的内容都还在。"
FLOW_EXPIRED = "刚才填的申请已经过期（超过一天没有继续），为保护您的信息已经清除。需要的话请重新开始。"
FLOW_UNKNOWN = ("抱歉，刚才填的这项业务现在不能在对话里接着办了，为保护您的信息，填过的内容已经清除。"
                "可以说“申请高龄津贴”“社保卡补办”或者“预约”重新开始，也可以拨打12345政务服务便民热线。")


def elsewhere_reply(place: str) -> str:
    """A question about another city's or province's government matters (names no service)."""
    return (f"您问的是{place}的事项吧？我只能解答芜湖市的政务服务，{place}的事项请咨询当地的政务服务中心，"
            "或拨打当地的12345政务服务便民热线。如果是在芜湖办理，请告诉我，我再帮您查。")
