import pytest

from bot.config import PROJECT_ROOT
from bot.homophones import HomophoneCorrector

CORRECTOR = HomophoneCorrector.from_jieba_dicts(PROJECT_ROOT / "data" / "dict")


@pytest.mark.parametrize("typo, fixed", [
    ("社报卡怎么办", "社保卡怎么办"),
    ("公级金提取", "公积金提取"),
    ("护造到期", "护照到期"),      # zh/z merged
    ("架照换证", "驾照换证"),
    ("违张罚单", "违章罚单"),
    ("个题户", "个体户"),
    ("户口签移", "户口迁移"),
    ("准升证", "准生证"),
    ("不动产登纪", "不动产登记"),
])
def test_homophone_typos_are_corrected_in_place(typo, fixed):
    corrected = CORRECTOR.correct(typo)
    assert corrected == fixed
    assert len(corrected) == len(typo)


@pytest.mark.parametrize("text", [
    "一包烟",                 # sounds like 医保 but shares no character
    "无为失业保险金",          # 为失 must not become 为市
    "在外面租房公积金",        # 租房 is a real word
    "无房职工租房提取",        # 工租房 is not 公租房
    "社保卡丢了",
    "住房公积金",
    "",
])
def test_correct_text_is_left_alone(text):
    assert CORRECTOR.correct(text) == text
