"""Families of services that a generic question names as a whole.

"公积金怎么提取" is a question about every withdrawal service at once; "办证" about the
common certificates; "户口本丢了" about the household-register services. Guessing one of
them would be a confident wrong answer, and the ranking is too flat for action_clarify to
offer the right ones. So each family is its own intent, ``ask_family_<topic>``
(data/nlu/families.yml), routed to action_clarify, which offers the family's services as
numbered choices, in the order below. Service ids are those of data/catalogue/services.tsv.
"""
from __future__ import annotations

from dataclasses import dataclass

FAMILY_INTENT_PREFIX = "ask_family_"


@dataclass(frozen=True)
class Family:
    intent: str
    services: tuple[str, ...]  # at most three: residents answer by number
    prompt: str
    tail: str
    #: A district named with it ("我搬到无为了") also answers a pending district question.
    answers_district: bool = False


FAMILIES: tuple[Family, ...] = (
    Family(
        intent="ask_family_hf_withdraw",
        services=("hf-rent", "hf-buy", "hf-retire"),
        prompt="公积金提取分几种情况，请问您是哪一种？回复数字选择：",
        tail="其他情况（比如还贷、离职）请换个说法告诉我，也可以拨打12329住房公积金热线。",
    ),
    Family(
        intent="ask_family_certificate",
        services=("idcard", "residence-permit", "passport"),
        prompt="请问您要办哪种证？常办的有这几种，回复数字选择：",
        tail="都不是的话，请告诉我证件的名字，比如“驾驶证换证”“残疾人证”。",
    ),
    Family(
        intent="ask_family_hukou",
        services=("hukou-move", "newborn-hukou", "idcard"),
        prompt="户口（户籍）方面我能告诉您这几项，请回复数字选择：",
        tail="户口簿遗失补领、户口信息变更等请到户籍所在地派出所户籍窗口咨询，也可以拨打12345。",
    ),
    Family(
        intent="ask_family_moving",
        services=("hukou-move", "residence-permit"),
        prompt="搬家后常办的是这几项，需要的话回复数字：",
        tail="都不用的话，直接告诉我您想办的事就行。",
        answers_district=True,
    ),
)

_BY_INTENT = {family.intent: family for family in FAMILIES}


def family_for_intent(intent_name: str | None) -> Family | None:
    """The family an ``ask_family_*`` intent names; None for any other intent."""
    return _BY_INTENT.get(intent_name or "")
