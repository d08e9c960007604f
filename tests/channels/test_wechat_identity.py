"""WeChat conversations have their own namespace of Rasa sender ids."""
from __future__ import annotations

import pytest

from channels.wechat.identity import conversation_id, is_openid, masked, openid_of

OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"  # Tencent's sample openid


def test_conversation_id_is_prefixed_and_reversible():
    assert conversation_id(OPENID) == f"wechat:{OPENID}"
    assert openid_of(conversation_id(OPENID)) == OPENID


@pytest.mark.parametrize("sender_id", [OPENID, f"rest:{OPENID}", "wechat:", "wechat:a b", "wechat:x:y"])
def test_other_ids_are_not_wechat_conversations(sender_id):
    assert openid_of(sender_id) is None


@pytest.mark.parametrize("value", ["", "a b", "rest:abc", "o\n1", "x" * 65, "张三"])
def test_only_openid_shaped_values_are_accepted(value):
    assert not is_openid(value)
    with pytest.raises(ValueError):
        conversation_id(value)


def test_masked_keeps_a_prefix_only():
    assert masked(OPENID) == "oyOR…" and masked("") == "?"
