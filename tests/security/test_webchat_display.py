"""The label shown as a resident's bubble is masked before it is cut to length."""
from channels.webchat.channel import DISPLAY_CHARS, _shown

ID_NUMBER = "340202195001011233"


def test_a_number_across_the_cut_is_masked_not_half_shown() -> None:
    text = "甲" * (DISPLAY_CHARS - 10) + ID_NUMBER  # the cut falls inside the number
    shown = _shown(text)
    assert len(shown) == DISPLAY_CHARS
    assert "3402021950" not in shown  # the head a cut-then-mask would leave in clear


def test_short_text_is_only_masked() -> None:
    assert _shown(f"身份证{ID_NUMBER}") != f"身份证{ID_NUMBER}"
    assert _shown("社保卡补办") == "社保卡补办"
