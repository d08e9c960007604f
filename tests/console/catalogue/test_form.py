"""The 服务事项 form's text (console/catalogue/form.py): one item per line, ｜ between two parts."""
from __future__ import annotations

import pytest

from bot.catalogue.schema import HALL_TYPES, ServiceIn
from console.catalogue.form import HALL_TYPE_LABELS, FormError, to_form, to_values

NAMES = {"结婚登记": "marriage", "生育登记": "birth-reg"}
FORM = {
    "name": " 养犬登记 ", "department": "市公安局", "aliases": "办狗证\r\n\r\n 狗证 \n",
    "examples": "宠物犬要上牌照吗\n", "summary": "为犬只办理登记。", "eligibility": "城区养犬居民",
    "materials": "犬只免疫证明\n户口簿（视情况）｜租房的带租赁合同\n照片|两张", "steps": "提交材料\n领取犬牌",
    "time_limit": "即办", "fee": "不收费", "needs_hall": "1", "hall_type": "government_center", "hall_note": "",
    "online": "皖事通｜搜索养犬登记", "faqs": "要带狗去吗？|不用。", "related": "结婚登记\nbirth-reg\n结婚登记",
}


def test_the_forms_text_becomes_the_values_a_service_is_validated_with():
    values = to_values(FORM, NAMES)
    assert values["name"] == "养犬登记" and values["aliases"] == ["办狗证", "狗证"]
    assert values["materials"] == [
        {"name": "犬只免疫证明", "note": None, "required": True},
        {"name": "户口簿", "note": "租房的带租赁合同", "required": False},
        {"name": "照片", "note": "两张", "required": True}]
    assert values["online"] == [{"channel": "皖事通", "how": "搜索养犬登记"}]
    assert values["faqs"] == [{"q": "要带狗去吗？", "a": "不用。"}]
    assert values["related"] == ["marriage", "birth-reg"]  # names or ids, each once
    assert values["needs_hall"] is True and values["hall_note"] is None
    assert ServiceIn.parse_obj({**values, "id": "cs-0001", "source": "测试", "updated": "2026-12-02"})
    assert to_values({**FORM, "needs_hall": ""}, NAMES)["needs_hall"] is False


def test_a_stored_service_reads_back_as_the_same_values():
    values = to_values(FORM, NAMES)
    form = to_form(values, {v: k for k, v in NAMES.items()})
    assert form["materials"] == "犬只免疫证明\n户口簿（视情况）｜租房的带租赁合同\n照片｜两张"
    assert form["related"] == "结婚登记\n生育登记"
    assert to_values(form, NAMES) == values


@pytest.mark.parametrize(("field", "text", "reason"), [
    ("online", "皖事通搜索养犬登记", "网上办理渠道第1行缺少“｜”，请写成“渠道｜办法”。"),
    ("faqs", "问｜答\n只有问题", "常见问题第2行缺少“｜”，请写成“问题｜回答”。"),
    ("related", "没有这个事项", "相关事项“没有这个事项”不存在，请填目录中事项的名称。"),
])
def test_lines_that_cannot_be_read_are_refused_with_the_line(field, text, reason):
    with pytest.raises(FormError) as refused:
        to_values({**FORM, field: text}, NAMES)
    assert str(refused.value) == reason


def test_every_hall_type_has_a_chinese_label():
    assert set(HALL_TYPE_LABELS) == set(HALL_TYPES)
