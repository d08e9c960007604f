"""The inbox's address: whatever the URL or a form says, only valid filters come out, and the
way back after a decision is rebuilt from them (never an address copied from the request)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from console.teaching.inbox import Reason
from console.web.inbox_query import InboxQuery, ids_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_valid_values_are_kept_and_make_the_same_address_again():
    args = {"q": " 公积金 ", "reason": "handoff", "from": "2026-12-01", "to": "2026-12-02",
            "channel": "wechat", "service": "svc_hf_rent", "page": "3"}
    query = InboxQuery.parse(args.get)
    assert query == InboxQuery("公积金", "handoff", date(2026, 12, 1), date(2026, 12, 2), "wechat", "svc_hf_rent", 3)
    assert InboxQuery.from_back(query.back) == query
    assert query.url(page=1) == ("/inbox?q=%E5%85%AC%E7%A7%AF%E9%87%91&reason=handoff&from=2026-12-01"
                                 "&to=2026-12-02&channel=wechat&service=svc_hf_rent")
    assert query.url(anchor="notice", extra={"done": [4, 5], "at": [2]}).endswith(
        "&page=3&done=4&done=5&at=2#notice")


def test_anything_else_is_dropped():
    bad = {"reason": "<script>", "from": "2026-13-01", "to": "yesterday", "channel": "fax",
           "service": "https://evil.example/", "page": "-2", "q": "x" * 500}
    query = InboxQuery.parse(bad.get)
    assert query == InboxQuery(q="x" * 50)
    assert InboxQuery.from_back("//evil.example/?page=2") == InboxQuery()
    assert InboxQuery.from_back("") == InboxQuery() and InboxQuery().url() == "/inbox"


def test_days_are_local_days_and_never_before_the_window():
    query = InboxQuery(date_from=date(2026, 12, 1), date_to=date(2026, 12, 2), reason="acknowledged")
    start = datetime(2026, 12, 1, tzinfo=SHANGHAI).timestamp()  # 2026-11-30 16:00 UTC
    wanted = query.to_filter(window_start=start - 86400)
    assert wanted.since == start and wanted.until == datetime(2026, 12, 3, tzinfo=SHANGHAI).timestamp()
    assert wanted.reason is Reason.ACKNOWLEDGED
    assert query.to_filter(window_start=start + 3600).since == start + 3600
    assert InboxQuery().to_filter(window_start=5.0).since == 5.0 and InboxQuery().to_filter(5.0).until is None


def test_decision_ids():
    assert ids_of(["3", "3", "x", "-1", "12", "", "9" * 20]) == [3, 12]
    assert ids_of(None) == [] and len(ids_of([str(i) for i in range(500)])) == 100
