"""Rasa messages → one WeChat text; splitting at WeChat's byte limit."""
from __future__ import annotations

from bot import choices
from channels.wechat.render import CHOOSE_HINT, MAX_TEXT_BYTES, render, split_text


def test_our_numbered_buttons_are_not_repeated_and_get_no_payload_memory():
    labels = ["镜湖区", "弋江区"]
    text = "请问您在哪个区县？回复数字，我告诉您最近的办理大厅：\n" + choices.numbered(labels)
    out = render([{"text": text, "buttons": choices.buttons(labels)}])
    assert out.text == text  # lines and the hint were already there
    assert out.choices == {}


def test_foreign_buttons_become_numbered_lines_with_a_hint_and_are_remembered():
    out = render([{"text": "要现在办理吗？", "buttons": [{"title": "好的", "payload": "/affirm"},
                                                   {"title": "不用了", "payload": "/deny"}]}])
    assert out.text == f"要现在办理吗？\n1. 好的\n2. 不用了\n{CHOOSE_HINT}"
    assert out.choices == {"1": "/affirm", "2": "/deny"}


def test_messages_of_a_turn_are_joined_and_the_last_buttons_count():
    out = render([{"text": "第一条", "buttons": [{"title": "甲", "payload": "/a"}]},
                  {"text": "第二条"}, {"text": "", "image": "https://example.com/map.png"},
                  {"text": "请选择", "buttons": [{"title": "乙", "payload": "/b"}]}])
    assert out.text.startswith("第一条\n1. 甲")
    assert "第二条" in out.text and "图片：https://example.com/map.png" in out.text
    assert out.choices == {"1": "/b"}


def test_empty_turn_renders_nothing():
    assert render([]).text == ""
    assert render([{"text": "  "}]).text == ""


def test_short_text_is_one_chunk():
    assert split_text("你好\n世界") == ["你好\n世界"]
    assert split_text("") == []


def test_long_text_splits_at_line_ends_within_the_byte_limit():
    lines = [f"第{i}行：" + "材料说明" * 20 for i in range(40)]
    text = "\n".join(lines)
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(c.encode("utf-8")) <= MAX_TEXT_BYTES for c in chunks)
    assert "\n".join(chunks) == text  # nothing lost, nothing reordered, cut only at line ends


def test_one_overlong_line_is_cut_between_characters():
    line = "办" * 1500  # 4500 bytes, no line breaks
    chunks = split_text(line)
    assert [len(c.encode("utf-8")) <= MAX_TEXT_BYTES for c in chunks] == [True] * len(chunks)
    assert "".join(chunks) == line


def test_emoji_are_never_split_in_half():
    line = "😀" * 1000  # 4 bytes each
    chunks = split_text(line, max_bytes=10)
    assert all(c == "😀😀" for c in chunks)
