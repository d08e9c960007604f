"""Answer parsers shared by the flows: names, ID numbers, phones, addresses.

Each raises :class:`bot.flows.engine.StepError` with a specific, friendly message, so the
resident hears exactly what to fix and the same question again. Names and addresses are
free text (:func:`bot.flows.engine.free_text`): the engine keeps commands and questions
away from them; these parsers also refuse what is plainly not a name or an address.
The engine has already stripped trailing punctuation ("张桂兰。").
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.flows.engine import StepError, free_text
from bot.personal.masking import mask_id, mask_phone
from bot.validators.id_number import InvalidIdNumber, parse_id_number
from bot.validators.phone import InvalidPhone, parse_phone

_NAME = re.compile(r"^[\u4e00-\u9fff]{2,6}$|^[\u4e00-\u9fff]{1,10}·[\u4e00-\u9fff]{1,10}$")
_NAME_PREFIX = re.compile(r"^(?:我的名字叫|我的名字是|名字叫|名字是|姓名是|姓名|名字|我叫|我是|他叫|她叫|老人叫|叫)")
#: Words and characters no name has: commands, greetings, services, question words.
_NOT_A_NAME = re.compile(r"人工|菜单|你好|您好|预约|申请|办理|帮助|谢谢|再见|取消|不办|返回|上一步|重新|"
                         r"社保|医保|公积金|身份证|户口|护照|大厅|窗口|电话|手机|地址|补办|知道|不是|没有|"
                         r"[吗呢吧啊呀嘛么怎啥哪谁的了你您们我请问办]")
NAME_HELP = "请只输入姓名，用汉字，比如“王秀英”。"


@free_text()
def parse_name(text: str, _values: dict[str, Any]) -> str:
    """A Chinese name, also said as "我叫李明"; minority names with "·" are kept whole."""
    name = re.sub(r"\s+", "", text).replace("•", "·").replace(".", "·")
    name = _NAME_PREFIX.sub("", name)
    if _NOT_A_NAME.search(name):
        raise StepError("这一步要填的是姓名。" + NAME_HELP + "要问别的事，可以填完再问。")
    if not _NAME.match(name):
        raise StepError(NAME_HELP)
    return name


def parse_id(text: str, _values: dict[str, Any], *, today: date) -> str:
    try:
        return parse_id_number(text, today=today).value
    except InvalidIdNumber as err:
        raise StepError(err.message) from err


def parse_contact_phone(text: str, _values: dict[str, Any]) -> str:
    try:
        return parse_phone(text).value
    except InvalidPhone as err:
        raise StepError(err.message) from err


_ADDRESS_PREFIX = re.compile(r"^(?:我的地址是|我的地址|收件地址是|收件地址|收卡地址是|收卡地址|地址是|地址|"
                             r"我家住在|我家住|我家在|我住在|我住|住在)")
#: A real address names at least one place word (街道, 社区, 路, 号, 村 …).
_ADDRESS_WORD = re.compile(r"省|市|区|县|镇|乡|村|街|路|道|巷|弄|号|社区|小区|栋|幢|单元|室|楼|组|苑|园|庄|里|"
                           r"大厦|公寓|花园|新村|家园|湾|港|岛|桥|广场|中心")
_MARKUP = re.compile(r"[<>{}\[\]\\|`$=]|https?:|script", re.IGNORECASE)
ADDRESS_EXAMPLE = "比如“赭山街道赭山社区”"


def is_address(text: str) -> bool:
    """Whether the text names a place (the engine trusts it even when NLU reads it as a service)."""
    return bool(_ADDRESS_WORD.search(text)) and not _MARKUP.search(text)


@free_text(well_formed=is_address)
def parse_address(text: str, _values: dict[str, Any]) -> str:
    """A postal or residence address in Chinese, also said as "地址是…" or "我家住在…"."""
    address = _ADDRESS_PREFIX.sub("", re.sub(r"\s+", " ", text).strip()).strip()
    if _MARKUP.search(address):
        raise StepError("地址里不能有网页代码或特殊符号。请用中文说一个真实的地址，" + ADDRESS_EXAMPLE + "。")
    if not re.search(r"[\u4e00-\u9fff]", address):
        raise StepError("请用中文说地址，" + ADDRESS_EXAMPLE + "。")
    if len(address) < 4:
        raise StepError("地址太短了，请说到街道（乡镇）和社区（村），" + ADDRESS_EXAMPLE + "。")
    if len(address) > 100:
        raise StepError("地址太长了，请说到街道（乡镇）、社区（村）和门牌号就可以。")
    if not _ADDRESS_WORD.search(address):
        raise StepError("这好像不是地址。请说到街道（乡镇）和社区（村），" + ADDRESS_EXAMPLE + "。")
    return address


def show_id(value: str) -> str:
    return mask_id(value)


def show_phone(value: str) -> str:
    return mask_phone(value)
