import pytest

from bot.personal.masking import (
    mask_address, mask_bank_card, mask_id, mask_name, mask_personal_data, mask_phone,
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
    ("6222021234567890", "6222 **** **** 7890"),
    ("6222 0212 3456 7890", "6222 **** **** 7890"),
    ("6222021234567890123", "6222 **** **** **** 0123"),
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
    ("卡号6222 0212 3456 7890", "卡号6222 **** **** 7890"),
    ("卡号6222021234567890123", "卡号6222 **** **** **** 0123"),
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
    "took 0.5123456789s",
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
