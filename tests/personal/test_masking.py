import pytest

from bot.personal.masking import (
    mask_address,
    mask_bank_card,
    mask_id,
    mask_labelled_lines,
    mask_name,
    mask_personal_data,
    mask_phone,
)


@pytest.mark.parametrize("value, shown", [
    ("340202194003151234", "340202********1234"),
    ("11010519491231002x", "110105********002X"),
    ("110105 19491231 002X", "110105********002X"),
    ("610104620927690", "610104*****7690"),  # old 15-digit number
    ("1234", "****"),
    ("", ""),
])
def test_mask_id(value, shown):
    assert mask_id(value) == shown


@pytest.mark.parametrize("value, shown", [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("05531234567", "0553-***4567"),
    ("055312345678", "0553-****5678"),
    ("0553-3112233", "0553-***2233"),
    ("01012345678", "010-****5678"),
    ("12345", "*2345"),
])
def test_mask_phone(value, shown):
    assert mask_phone(value) == shown


@pytest.mark.parametrize("value, shown", [
    ("6222021234567890", "**** **** **** 7890"),
    ("6222 0212 3456 7890", "**** **** **** 7890"),
    ("6222021234567890123", "**** **** **** **** 0123"),
])
def test_mask_bank_card(value, shown):
    assert mask_bank_card(value) == shown


@pytest.mark.parametrize("func, value, shown", [
    (mask_name, "李大山", "李*山"),
    (mask_name, "欧阳大明", "欧**明"),
    (mask_name, "王五", "王*"),
    (mask_name, "王", "*"),
    (mask_address, "镜湖区范罗山街道赭山小区3栋2单元", "镜湖区范罗山街道****"),
    (mask_address, "范罗山街道赭山社区", "范罗山街道****"),
    (mask_address, "安徽省芜湖市弋江区中南街道", "安徽省芜湖市弋江区中南街道****"),
    (mask_address, "幸福小区5栋", "幸福****"),
])
def test_mask_name_and_address(func, value, shown):
    assert func(value) == shown


@pytest.mark.parametrize("text, masked", [
    ("我的身份证是340202194003151234，麻烦查一下",
     "我的身份证是340202********1234，麻烦查一下"),
    ("身份证 110105 19491231 002x 谢谢", "身份证 110105********002X 谢谢"),
    ("手机13812345678", "手机138****5678"),
    ("电话 138 1234 5678。", "电话 138****5678。"),
    ("电话138-1234-5678", "电话138****5678"),
    ("电话１３８１２３４５６７８", "电话138****5678"),
    ("电话幺三八 一二三四 五六七八", "电话138****5678"),
    ("两个号码13812345678 13912345678", "两个号码138****5678 139****5678"),
    ("座机0553-1234567", "座机0553-***4567"),
    ("座机05531234567", "座机0553-***4567"),
    ("卡号6222 0212 3456 7890", "卡号**** **** **** 7890"),
    ("卡号6222021234567890123", "卡号**** **** **** **** 0123"),
    ("sender=13812345678 id=340202194003151234",
     "sender=138****5678 id=340202********1234"),
])
def test_mask_personal_data_in_free_text(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize("text", [
    "我今年八十二岁",
    "2026-01-15 10:23:45,123 INFO 处理完成",
    "受理编号 2611 2904 37，请保存",
    "补贴每月100元，第一二三项材料",
    "请拨打12345热线",
    "took 0.51s",
    '{"confidence": 0.9999998807907104, "timestamp": 1764609887.1226725, "x": 2.247556823131163e-06}',
    "工作时间 9:00-12:00，13:30-17:00",
    "2026-01-15 10:23:45,123 13:05:59.250000",
    "draft 5f3a13812345678901234abcdef12345",
    "已脱敏 340202********1234 138****5678 **** **** **** 7890",
    "",
])
def test_ordinary_numbers_are_left_alone(text):
    assert mask_personal_data(text) == text


def test_masking_twice_changes_nothing():
    text = "身份证340202194003151234 电话13812345678 卡6222021234567890 座机0553-1234567"
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once
    for secret in ("194003151", "1234567", "12345678", "02123456"):
        assert secret not in once


@pytest.mark.parametrize("text, masked", [
    # every separator the parsers skip joins the groups of a number
    ("身份证340202.19500101.1233", "身份证340202********1233"),
    ("电话138.1234.5678", "电话138****5678"),
    ("138,1234,5678", "138****5678"),
    ("138/1234/5678", "138****5678"),
    ("138_1234_5678", "138****5678"),
    ("１３８，１２３４，５６７８", "138****5678"),
    ("138．1234．5678", "138****5678"),
    ("138. 1234 -5678", "138****5678"),
    ("138:1234:5678", "138****5678"),
    ("（0553）1234567", "（0553-***4567"),
    ("⑬⑧①②③④⑤⑥⑦⑧", "138****5678"),  # circled digits read as digits too
    ("幺三八．一二三四．五六七八", "138****5678"),
    ("110105.19491231.002.x号", "110105********002X号"),
    ("幺幺零幺零五幺九四九幺二三幺零零二叉", "110105********002X"),
    ("老身份证610104620927690", "老身份证***********7690"),
    # a number right after a Chinese digit that belongs to a word
    ("第一13812345678", "第一138****5678"),
    ("电话13812345678，340202194003151234", "电话138****5678，340202********1234"),
])
def test_every_spelling_the_parsers_accept_is_masked(text, masked):
    assert mask_personal_data(text) == masked


def test_what_the_parsers_accept_is_what_the_masker_finds():
    from datetime import date

    from bot.validators.id_number import parse_id_number
    from bot.validators.phone import parse_phone

    for text in ("138!1234!5678", "138…1234…5678", "+86（138）1234—5678", "138 ‧ 1234 ‧ 5678"):
        assert parse_phone(text).value == "13812345678"
        assert mask_personal_data(text).endswith("138****5678")
    assert parse_id_number("340202〜19500101〜1233", today=date(2026, 1, 1)).value == "340202195001011233"
    assert mask_personal_data("340202〜19500101〜1233") == "340202********1233"


def test_eighteen_digits_that_are_no_id_are_masked_as_a_card():
    assert mask_personal_data("6222021234567890128") == "**** **** **** **** 0128"
    assert mask_personal_data("622202123456789012") == "**** **** **** **** 9012"  # a card (Luhn)
    assert mask_personal_data("340202194003150012") == "340202********0012"  # a birth date: an ID
    assert mask_personal_data("340202199001011234") == "340202********1234"  # mistyped, Luhn-valid: an ID


def test_landlines_can_be_left_for_the_assistants_own_messages():
    text = "大厅电话0553-3838888，您的手机13812345678"
    assert mask_personal_data(text, landlines=False) == "大厅电话0553-3838888，您的手机138****5678"


def test_summary_lines_with_names_and_addresses_are_masked():
    summary = ("请核对您填写的社会保障卡挂失补换信息：\n· 持卡人姓名：王秀英\n· 身份证号：340202********1234\n"
               "· 补换原因：丢失\n· 邮寄地址：镜湖区范罗山街道赭山小区3栋201\n· 联系电话：138****5678\n"
               "七、网上办\n· 皖事通APP：搜索“社保卡”")
    masked = mask_labelled_lines(summary)
    assert "· 持卡人姓名：王*英" in masked and "· 邮寄地址：镜湖区范罗山街道****" in masked
    assert "· 补换原因：丢失" in masked and "· 皖事通APP：搜索“社保卡”" in masked
    assert mask_labelled_lines(masked) == masked
