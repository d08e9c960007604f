"""HTML of 服务分析 (the dashboard): filters, the period's figures, a trend chart per figure family,
a table per service, department, district and channel, where guided flows are left, and what
every figure means. Charts are inline SVG (charts.py); the numbers are in tables beside them.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.analytics.definitions import DASHBOARD as DEFINITIONS
from bot.analytics.report import DIMENSIONS, Counts
from console import timefmt
from console.web.dashboard_query import DIMENSION_LABELS, GRAIN_LABELS, RANGES, Dashboard
from console.web.dashboard_tables import Table, dimension_table, drop_off_table, overview_rows, trend_table
from console.web.pages.charts import COLOURS, Series, bar_chart, line_chart
from console.web.pages.layout import error_notice, esc, layout
from console.web.pages.numbers import LEVEL_COLUMNS, axis_label, rate, response_time

TITLE = "服务分析"


def _options(values: Sequence[tuple[str, str]], chosen: str, everything: str | None = None) -> str:
    listed = [("", everything), *values] if everything else list(values)
    return "".join(f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(label)}</option>'
                   for v, label in listed)


def _filters(d: Dashboard) -> str:
    q, c = d.query, d.choices
    ranges = [(str(n), f"近{n}天") for n in RANGES] + [("", "自定义日期")]
    grains = [(g, f"按{label}") for g, label in GRAIN_LABELS.items()]
    return (
        f'<form class="filters" method="get" action="/dashboard" role="search" aria-label="筛选">'
        f'<label>时间范围<select name="days">{_options(ranges, str(q.days or ""))}</select></label>'
        f'<label>开始日期<input type="date" name="from" value="{esc(q.start or "")}"></label>'
        f'<label>结束日期<input type="date" name="to" value="{esc(q.end or "")}"></label>'
        f'<label>粒度<select name="grain">{_options(grains, q.grain)}</select></label>'
        f'<label>服务事项<select name="service">{_options(c.services, q.service, "全部事项")}</select></label>'
        f'<label>部门<select name="department">{_options([(x, x) for x in c.departments], q.department, "全部部门")}'
        '</select></label>'
        f'<label>区县<select name="district">{_options([(x, x) for x in c.districts], q.district, "全部区县")}'
        '</select></label>'
        f'<label>渠道<select name="channel">{_options(c.channels, q.channel, "全部渠道")}</select></label>'
        + (f'<input type="hidden" name="by" value="{esc(q.by)}">' if q.by != "service" else "")
        + '<button type="submit">统计</button><a href="/dashboard">清除筛选</a></form>'
        '<p class="meta">填写了开始或结束日期时按日期统计，否则按所选的近7天或近30天。</p>'
    )


def _figures(d: Dashboard) -> str:
    cells = "".join(f'<div class="figure"><span>{esc(name)}</span><strong>{esc(value)}</strong></div>'
                    for name, value in overview_rows(d))
    return f'<section class="figures" aria-label="总览">{cells}</section>'


def _table(table: Table, caption: str = "") -> str:
    header, rows = table
    if not rows:
        return '<p class="meta">所选时间内没有数据。</p>'
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "".join("<tr>" + f'<th scope="row">{esc(r[0])}</th>' + "".join(f"<td>{esc(v)}</td>" for v in r[1:])
                   + "</tr>" for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="scroll"><table class="numbers">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


def _charts(d: Dashboard) -> str:
    grain, firsts = d.query.grain, d.periods
    xs = [axis_label(first, grain) for first in firsts]
    counts = [d.series.get(first, Counts()) for first in firsts]
    conversations = bar_chart("会话数", xs, [Series("会话数", [c.conversations for c in counts], COLOURS[0])],
                              fmt=lambda v: f"{v:.0f}")
    rates = line_chart("解决率、兜底率、转人工率、流程完成率", xs, [
        Series("解决率", [c.resolution_rate for c in counts], COLOURS[0]),
        Series("兜底率", [c.fallback_rate for c in counts], COLOURS[2]),
        Series("转人工率", [c.handoff_rate for c in counts], COLOURS[4]),
        Series("流程完成率", [c.completion_rate for c in counts], COLOURS[1])],
        fmt=lambda v: f"{v * 100:.0f}%", top=1.0)
    ratings = bar_chart("评价（按等级）", xs, [
        Series(label, [d.ratings.get(first, {}).get(level, 0) for first in firsts], colour)
        for (level, label), colour in zip(LEVEL_COLUMNS, COLOURS, strict=True)], fmt=lambda v: f"{v:.0f}")
    medians = line_chart("响应时间中位数（毫秒）", xs, [
        Series("响应时间中位数", [d.medians.get(first) for first in firsts], COLOURS[0])], fmt=lambda v: f"{v:.0f}")
    cards = [("会话数", conversations), ("解决率、兜底率、转人工率、流程完成率", rates), ("评价", ratings),
             ("响应时间中位数", medians)]
    charts = "".join(f'<figure class="card chart"><figcaption>{esc(name)}</figcaption>{svg}</figure>'
                     for name, svg in cards)
    return (f'<section aria-label="趋势"><h2>趋势（按{esc(GRAIN_LABELS[grain])}）</h2>'
            f'<div class="charts">{charts}</div>'
            f'<details><summary>查看趋势数据</summary>{_table(trend_table(d))}</details></section>')


def _dimension(d: Dashboard) -> str:
    """The chosen dimension's table, and links to the others (the CSV has all four)."""
    chosen = d.query.by
    tabs = " · ".join(f'<a href="{esc(d.query.url("/dashboard", by=dim))}#by"'
                      f'{" aria-current=page" if dim == chosen else ""}>按{esc(DIMENSION_LABELS[dim])}</a>'
                      for dim in DIMENSIONS)
    return (f'<section class="card" id="by"><h2>按{esc(DIMENSION_LABELS[chosen])}</h2>'
            f'<nav class="tabs" aria-label="分组">{tabs}</nav>'
            f'{_table(dimension_table(d.tables[chosen], chosen))}</section>')


def _drop_off(d: Dashboard) -> str:
    return (f'<section class="card" aria-label="流程流失"><h2>办理流程在哪一步流失</h2>'
            f'<p class="meta">流程完成率 {esc(rate(d.overview.counts.completion_rate))}'
            f'（开始 {d.overview.counts.flows_started}，提交 {d.overview.counts.flows_submitted}）。</p>'
            f'{_table(drop_off_table(d))}</section>')


def _definitions() -> str:
    items = "".join(f"<dt>{esc(name)}</dt><dd>{esc(text)}</dd>" for name, text in DEFINITIONS)
    return f'<section class="card" id="definitions"><h2>指标说明</h2><dl class="definitions">{items}</dl></section>'


def dashboard_page(d: Dashboard, user: Any, csrf: str, nav: Sequence[tuple[str, str]],
                   message: str | None = None) -> str:
    f = d.filters
    export = d.query.url("/dashboard.csv")
    intro = (f'<p class="meta">统计时间：{esc(f.start)} 至 {esc(f.end)}（{esc(timefmt.zone_label())}）· '
             f'响应时间中位数 {esc(response_time(d.overview.median_response_ms))} · '
             f'<a href="{esc(export)}">导出为 CSV</a>（只含统计数字，不含任何个人信息）· '
             '<a href="#definitions">指标说明</a></p>')
    body = (error_notice(message) + _filters(d) + intro + _figures(d) + _charts(d) + _dimension(d)
            + _drop_off(d) + _definitions())
    return layout(TITLE, body, user, csrf, nav)
