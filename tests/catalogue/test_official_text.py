"""The export's free text → catalogue values: list splitting, ids, time limits, fees, hall types."""
from __future__ import annotations

import pytest

from bot.catalogue.official.text import fee, hall_type, is_optional, service_id, split_items, time_limit


@pytest.mark.parametrize("cell, items", [
    ("1.身份证2.户口簿3.照片", ["身份证", "户口簿", "照片"]),
    ("1、身份证；2、户口簿；", ["身份证", "户口簿"]),
    ("（1）身份证\n（2）户口簿（如有）", ["身份证", "户口簿（如有）"]),
    ("①身份证②照片", ["身份证", "照片"]),
    ("一、取号 二、审核 三、发证", ["取号", "审核", "发证"]),
    ("申请人须满足：1.年满18周岁；2.本市户籍", ["申请人须满足", "年满18周岁", "本市户籍"]),
    ("居民身份证原件；\r\n近期2寸照片。", ["居民身份证原件", "近期2寸照片"]),
    ("1、身份证 2、有效期1.5年的证明 3、照片", ["身份证", "有效期1.5年的证明", "照片"]),
    # not lists: a number that does not count up, or comes after other text, or a decimal
    ("需提供第2、3页材料", ["需提供第2、3页材料"]),
    ("有效期1.5年", ["有效期1.5年"]),
    ("1.身份证（附件3）", ["身份证（附件3）"]),
    ("", []),
    ("；\n  ", []),
])
def test_split_items(cell, items):
    assert split_items(cell) == items


def test_service_id_is_a_stable_ascii_slug_within_the_schema():
    assert service_id("000113001000") == "sx-000113001000"
    assert service_id("ＡＢ 12/3") == "sx-ab-12-3"  # full width, case and punctuation folded
    long_code = "11340200MB1234567X4000113001000-0001-0002"
    slug = service_id(long_code)
    assert slug is not None and len(slug) == 40 and slug.startswith("sx-11340200mb1234567x40")
    assert service_id(long_code) == slug
    assert service_id(long_code + "9") != slug
    assert service_id("许可事项") is None


@pytest.mark.parametrize("promised, legal, text", [
    ("5", "20", "承诺5个工作日（法定20个工作日）"),
    ("5（工作日）", "", "承诺5个工作日"),
    ("", "20个工作日", "法定20个工作日"),
    ("0", "20", "即办（法定20个工作日）"),
    ("即办", "", "即办"),
    ("3个月", "", "承诺3个月"),
    ("", "", ""),
])
def test_time_limit_promised_first_legal_in_brackets(promised, legal, text):
    assert time_limit(promised, legal) == text


@pytest.mark.parametrize("cell, shown", [("无", "不收费"), ("免费。", "不收费"), ("0", "不收费"),
                                         ("工本费20元", "工本费20元")])
def test_fee(cell, shown):
    assert fee(cell) == shown


@pytest.mark.parametrize("department, name, kind", [
    ("市住房公积金管理中心", "提取", "housing_fund"),
    ("国家税务总局芜湖市税务局", "发票", "tax"),
    ("市公安局", "普通护照签发", "exit_entry"),
    ("市公安局交通管理支队", "补领", "traffic"),
    ("市自然资源和规划局", "不动产登记", "real_estate"),
    ("市民政局", "结婚登记", "government_center"),
])
def test_hall_type_from_department_then_name(department, name, kind):
    assert hall_type(department, name) == kind


def test_optional_materials():
    assert is_optional("委托书（如有）") and not is_optional("居民身份证")
