"""Answer parsers shared by the flows: names, ID numbers, phones, addresses.

Each raises :class:`bot.flows.engine.StepError` with a specific, friendly message, so the
resident hears exactly what to fix and the same question again.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict

from bot.flows.engine import StepError
from bot.personal.id_number import InvalidIdNumber, parse_id_number
from bot.personal.masking import mask_id, mask_phone
from bot.personal.phone import InvalidPhone, parse_phone

_NAME = re.compile(r"^[\u4e00-\u9fff]{2,6}$|^[\u4e00-\u9fff]{1,10}·[\u4e00-\u9fff]{1,10}$")


def parse_name(text: str, _values: Dict[str, Any]) -> str:
    name = re.sub(r"\s+", "", text).replace("•", "·").replace(".", "·")
    name = re.sub(r"^(我叫|我是|叫|姓名是?|名字是?)", "", name)
    if not _NAME.match(name):
        raise StepError("请只输入姓名，用汉字，比如“王秀英”。")
    return name


def parse_id(text: str, _values: Dict[str, Any], *, today: date) -> str:
    try:
        return parse_id_number(text, today=today).value
    except InvalidIdNumber as err:
        raise StepError(err.message) from err


def parse_contact_phone(text: str, _values: Dict[str, Any]) -> str:
    try:
        return parse_phone(text).value
    except InvalidPhone as err:
        raise StepError(err.message) from err


_QUESTION = re.compile(r"怎么|如何|什么|吗|呢|咋|么样|哪里|哪儿|多少|[?？]")


def parse_address(text: str, _values: Dict[str, Any]) -> str:
    address = re.sub(r"\s+", " ", text).strip()
    if _QUESTION.search(address):
        raise StepError("这一步请告诉我地址，比如“赭山街道赭山社区”。")
    if len(address) < 4 or not re.search(r"[\u4e00-\u9fff]", address):
        raise StepError("地址太短了，请说到街道（乡镇）和社区（村），比如“赭山街道赭山社区”。")
    if len(address) > 100:
        raise StepError("地址太长了，请说到街道（乡镇）、社区（村）和门牌号就可以。")
    return address


def show_id(value: str) -> str:
    return mask_id(value)


def show_phone(value: str) -> str:
    return mask_phone(value)
