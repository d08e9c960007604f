"""Questions about another city's or province's government matters (bot/nlu/elsewhere.py)."""
from __future__ import annotations

import pytest

from bot.nlu.elsewhere import place_elsewhere

DISTRICTS = ("镜湖区", "镜湖", "湾沚区", "芜湖县", "无为市", "无为")


@pytest.mark.parametrize(("message", "place"), [
    ("南京的社保卡在哪里补办", "南京"),
    ("我在上海交的社保 上海那边怎么查缴费记录", "上海"),
    ("合肥市的公积金怎么在网上提取", "合肥市"),
    ("浙里办实名认证一直失败", "浙里办"),
    ("广东省的居住证么样办", "广东省"),
])
def test_a_place_outside_wuhu_is_found(message, place):
    assert place_elsewhere(message, DISTRICTS) == place


@pytest.mark.parametrize("message", [
    "社保卡怎么办",
    "北京东路的社保中心几点开门",  # a Wuhu street
    "黄山路上的派出所在哪",
    "苏州交的公积金能在芜湖买房用吗",  # names Wuhu too
    "外地医保住院能报吗",
    "从合肥调到这边工作社保怎么转",  # moving between places: Wuhu handles it
    "户口从南京迁回来要什么材料",
    "我在上海上班 户口在芜湖县 身份证过期了",  # an old name of a Wuhu district
    "想吃湖南菜",
])
def test_wuhu_streets_transfers_and_home_are_not_elsewhere(message):
    assert place_elsewhere(message, DISTRICTS) is None
