import pytest

from bot.text import MAX_MESSAGE_CHARS, InputProblem, classify_input, normalize


@pytest.mark.parametrize("raw, expected", [
    ("社會保障卡  怎麼 辦理？？？", "社会保障卡怎么办理?"),
    ("１２３ 公积金！！", "123公积金"),
    ("我在 镜湖区 ， 想办 ID 卡", "我在镜湖区,想办ID卡"),
    ("\x00\x07社保卡\u200b", "社保卡"),
    ("嗯。。。那个，就是，社保卡", "嗯,那个,就是,社保卡"),
    ("社保卡😀怎么办~~", "社保卡怎么办"),
    ("  hello   world  ", "hello world"),
    ("", ""),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["社會保障卡  怎麼 辦理？？？", "嗯。。那个,社保卡!!", "Ａbc 公积金", "？社保"])
def test_normalize_is_idempotent(raw):
    once = normalize(raw)
    assert normalize(once) == once


@pytest.mark.parametrize("raw, problem", [
    (None, InputProblem.EMPTY),
    ("", InputProblem.EMPTY),
    ("   \n\t ", InputProblem.EMPTY),
    ("😀😀👍", InputProblem.NO_WORDS),
    ("？？！！。。", InputProblem.NO_WORDS),
    ("\x01\x02\x03", InputProblem.EMPTY),
    ("how do I renew my ID card", InputProblem.NOT_CHINESE),
    ("社" * (MAX_MESSAGE_CHARS + 1), InputProblem.TOO_LONG),
    ("社保卡怎么办", InputProblem.OK),
    ("1", InputProblem.OK),
    ("办ID卡", InputProblem.OK),
])
def test_classify_input(raw, problem):
    assert classify_input(raw) is problem
