"""The inbox is read in pages of bounded size, and a page number from the URL is never trusted."""
from __future__ import annotations

from collections import Counter

from console.teaching.inbox import PAGE_SIZE, InboxGroup, Reason, page_of
from console.web.routes.inbox import page_number


def groups(n: int) -> list[InboxGroup]:
    return [InboxGroup(text=f"问题{i}", count=1, reasons={Reason.FALLBACK}, predicted_intent=None,
                       mean_confidence=None, picked_services=Counter(), examples=[], last_seen=0.0)
            for i in range(n)]


def test_pages_split_the_groups_in_order() -> None:
    all_groups = groups(2 * PAGE_SIZE + 5)
    pages = [page_of(all_groups, n) for n in (1, 2, 3)]
    assert [len(p.groups) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 5]
    assert [g for p in pages for g in p.groups] == all_groups
    assert {(p.pages, p.total) for p in pages} == {(3, 2 * PAGE_SIZE + 5)}


def test_a_page_out_of_range_is_the_nearest_one() -> None:
    all_groups = groups(PAGE_SIZE + 1)
    assert page_of(all_groups, 99).number == 2 and page_of(all_groups, 99).groups == all_groups[-1:]
    assert page_of(all_groups, 0).number == 1
    assert page_of([], 5).number == 1 and page_of([], 5).pages == 1 and page_of([], 5).groups == []


def test_page_numbers_from_the_url() -> None:
    assert page_number("3") == 3
    for bad in (None, "", "-1", "abc", "²", "1e9", "9999999", "2 "):
        assert page_number(bad) == 1, bad
