"""Filters pick messages before grouping, so counts describe what the reviewer asked to see."""
from __future__ import annotations

from console.teaching.inbox import InboxItem, Reason
from console.teaching.inbox_filter import InboxFilter, select_groups


def item(text: str, ts: float, channel: str = "webchat", reasons: frozenset = frozenset({Reason.FALLBACK}),
         guess: str | None = "svc_hf_rent", sender: str = "s") -> InboxItem:
    return InboxItem(sender_id=sender, timestamp=ts, text=text, normalized=text, intent="nlu_fallback",
                     confidence=0.3, guess_intent=guess, guess_confidence=0.2, reasons=reasons, channel=channel)


ITEMS = [
    item("公积金怎么取", 100.0, "webchat"), item("公积金怎么取", 200.0, "wechat", sender="t"),
    item("公积金怎么取", 300.0, "wechat", sender="u"),
    item("社保卡丢了", 150.0, "rest", frozenset({Reason.HANDOFF}), "svc_sbk_replace"),
    item("阿巴阿巴", 250.0, "webchat", frozenset({Reason.ACKNOWLEDGED}), "affirm"),
]


def texts(wanted: InboxFilter, decided: set[str] = frozenset()) -> list[tuple[str, int]]:
    return [(g.text, g.count) for g in select_groups(ITEMS, wanted, decided)]


def test_no_filter_groups_everything():
    assert texts(InboxFilter()) == [("公积金怎么取", 3), ("阿巴阿巴", 1), ("社保卡丢了", 1)]


def test_each_filter_and_their_combination():
    assert texts(InboxFilter(channel="wechat")) == [("公积金怎么取", 2)]
    assert texts(InboxFilter(reason=Reason.HANDOFF)) == [("社保卡丢了", 1)]
    assert texts(InboxFilter(since=150.0, until=300.0)) == [("阿巴阿巴", 1), ("公积金怎么取", 1), ("社保卡丢了", 1)]
    assert texts(InboxFilter(service="svc_sbk_replace")) == [("社保卡丢了", 1)]
    assert texts(InboxFilter(text="公积金")) == [("公积金怎么取", 3)]
    assert texts(InboxFilter(text="公積金 ")) == [("公积金怎么取", 3)]  # searched normalized too
    assert texts(InboxFilter(text="公积金", channel="webchat", since=50.0, until=150.0)) == [("公积金怎么取", 1)]
    assert texts(InboxFilter(text="医保")) == []


def test_decided_phrasings_are_left_out():
    assert texts(InboxFilter(), {"公积金怎么取"}) == [("阿巴阿巴", 1), ("社保卡丢了", 1)]
