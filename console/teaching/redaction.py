"""The conversation around an inbox message, as reviewers may see it: without personal data.

The tracker store already masks events the house way (bot/event_masking.py: ID
340202********1234, phone 138****5678, names 王*英 in a flow's summary). That is right for
a resident looking at their own data, not for a reviewer judging what a message meant:
the region and last digits of an ID, or a surname, tell them nothing they need. So the
context shows no part of a number and no value of a name or address line, and whatever
was said inside a guided flow is replaced by one placeholder (inbox.py); the message
itself stays as masked, since it is what a training example is made of.
"""
from __future__ import annotations

import re

from bot.personal.masking import label_kind, mask_personal_data

#: Shown instead of a turn said inside a guided flow (answers to its questions, its summary).
FLOW_TURN = "（办理表单中的对话，内容不显示）"
NUMBER = "〔号码已隐藏〕"
HIDDEN = "〔已隐藏〕"

#: A masked number in any of the house's shapes: digits or X around two or more stars.
_MASKED = re.compile(r"\+?[0-9Xx]*(?:[-\s]?[*＊]){2,}(?:[*＊\s-]*[0-9Xx])*")
#: A summary line "· 老人姓名：王*英" (bot/personal/masking.py, mask_labelled_lines).
_LABELLED = re.compile(r"^(?P<head>[ \t\u3000]*[·•・][ \t\u3000]*(?P<label>[^：:\n]{1,12})[：:][ \t\u3000]*)"
                       r"(?P<value>[^\n]*)$", re.MULTILINE)


def _hide_number(match: re.Match) -> str:
    text = match.group(0)
    core = text.strip()
    if "*" not in core and "＊" not in core:
        return text
    start = text.index(core[0])
    return text[:start] + NUMBER + text[start + len(core):]


def _hide_labelled(match: re.Match) -> str:
    if label_kind(match.group("label")) is None or not match.group("value").strip():
        return match.group(0)
    return match.group("head") + HIDDEN


def for_reviewers(text: str) -> str:
    """``text`` with every number (masked or not) and every name or address line hidden."""
    if not text:
        return text
    text = mask_personal_data(text)  # anything stored before masking covered it
    return _MASKED.sub(_hide_number, _LABELLED.sub(_hide_labelled, text))
