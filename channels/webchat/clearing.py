"""清除记录: a resident erases this web conversation (shared family phones).

The channel asks once before erasing; the dialog lives in the channel, not in the
assistant, because the page must also forget its token and cached messages. Erasing
removes the conversation's tracker events and flow drafts; submitted applications and
bookings stay (they are records of the office, found again with the receipt number).
"""
from __future__ import annotations

import re

CONFIRM = ("确定要清除本机的聊天记录吗？清除后，这台手机上的对话记录和没填完的申请都会删除，不能恢复；"
           "已经提交的申请和预约不受影响。")
CONFIRM_BUTTONS = [{"title": "1. 确定清除", "payload": "确定清除"},
                   {"title": "2. 不清除", "payload": "不清除"}]
DECLINED = "好的，聊天记录没有清除，我们继续。"
FAILED = "抱歉，清除没有成功，请稍后再试，或拨打12345。"

_ASK = {"清除记录", "清除聊天记录", "清空记录", "清空聊天记录", "删除记录", "删除聊天记录", "清除对话"}
_YES = {"确定清除", "确定", "确认", "1", "是", "是的", "清除", "好", "好的", "对"}
_NO = {"不清除", "2", "不", "不用", "不用了", "取消", "算了", "不要", "否"}
_NUMBERED = re.compile(r"^[12](?=\D)")
_NOISE = re.compile(r"[\s，。！？,.!?、:：;；\"'“”‘’（）()]+")


def _plain(text: str) -> str:
    return _NOISE.sub("", text)


def asks_to_clear(text: str) -> bool:
    return _plain(text) in _ASK


def answer(text: str) -> bool | None:
    """True to erase, False to keep, None for anything else (then the dialog is dropped)."""
    plain = _NUMBERED.sub("", _plain(text))  # "1. 确定清除" typed out in full
    if plain in _YES:
        return True
    if plain in _NO:
        return False
    return None
