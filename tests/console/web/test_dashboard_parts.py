"""The dashboard's parts without a server: its address (dashboard_query.py) and its charts (pages/charts.py)."""
from __future__ import annotations

import re
from datetime import date

from console.web.dashboard_query import DashboardQuery
from console.web.pages.charts import Series, bar_chart, line_chart

TODAY = date(2026, 12, 2)


def parse(**args: str) -> tuple[DashboardQuery, str | None]:
    return DashboardQuery.parse(args.get, TODAY)


def days(query: DashboardQuery) -> tuple[date, date]:
    filters = query.filters(TODAY)
    return filters.start, filters.end


def test_the_last_7_or_30_days_or_dates():
    assert days(parse()[0]) == (date(2026, 11, 3), TODAY)
    assert days(parse(days="7")[0]) == (date(2026, 11, 26), TODAY)
    assert parse(days="9")[0].days == 30  # only the offered ranges
    dates, message = parse(days="7", **{"from": "2026-11-01", "to": "2026-11-10"})
    assert days(dates) == (date(2026, 11, 1), date(2026, 11, 10)) and message is None
    swapped, message = parse(**{"from": "2026-11-10", "to": "2026-11-01"})
    assert days(swapped) == (date(2026, 11, 1), date(2026, 11, 10)) and "调换" in (message or "")


def test_a_bad_value_is_ignored_and_said_so():
    query, message = parse(grain="year", **{"from": "11/01/2026", "to": "2026-11-10"})
    assert query.grain == "day" and query.start is None and query.end == date(2026, 11, 10)
    assert message and "日期格式应为" in message
    assert days(query) == (date(2026, 10, 12), date(2026, 11, 10))  # 30 days up to the end
    odd, message = parse(by="conversation_id")
    assert odd.by == "service" and message == "没有这个分组方式，已按服务事项显示。"


def test_the_address_round_trips():
    query, _ = parse(grain="week", service="sbk-apply", channel="wechat", by="district", **{"from": "2026-11-01"})
    again, message = DashboardQuery.parse(dict(re.findall(r"([a-z]+)=([^&]+)", query.url("/dashboard"))).get, TODAY)
    assert again == query and message is None


def test_a_missing_value_leaves_a_gap_and_a_lone_point_is_a_dot():
    svg = line_chart("比率", ["a", "b", "c", "d"], [Series("解决率", [0.5, None, 0.25, 0.75], "#000")],
                     fmt=str, top=1.0)
    assert svg.count("<circle") == 1 and svg.count("<polyline") == 1  # a, then c-d
    assert "style=" not in svg and "<script" not in svg and "<title>比率</title>" in svg


def test_bars_stack_and_the_axis_counts_in_whole_numbers():
    svg = bar_chart("评价", ["a", "b"], [Series("满意", [1, 2], "#111"), Series("不满意", [0, 3], "#222")],
                    fmt=lambda v: f"{v:.0f}")
    assert svg.count('fill="#111"') == 3 and svg.count('fill="#222"') == 2  # bars and the legend's squares
    ticks = re.findall(r'text-anchor="end" font-size="12" fill="#4e5969">([^<]+)<', svg)
    assert ticks == ["0", "2", "4", "6", "8"]  # five at most, on whole numbers
    assert "没有数据" in bar_chart("评价", ["a"], [Series("满意", [0], "#111")], fmt=str)
