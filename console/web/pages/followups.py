"""HTML of 差评回访 (the follow-ups of poor ratings): counts per state, filters, one page of them.

A member of staff with a department sees only that department's (the route filters, this
page says so); overdue ones (still open after their deadline day) are marked 已超期.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from bot.evaluation.followups import FollowUpStatus, is_overdue
from bot.evaluation.queries import OVERDUE
from bot.evaluation.views import FollowUpView
from console import timefmt
from console.web.pages.followup_parts import deadline, reason_text, service_name, status_label
from console.web.pages.layout import error_notice, esc, layout

PAGE_SIZE = 20
#: The status filter's value for every follow-up not yet 办结.
OPEN = "open"
STATUS_CHOICES = [("", "全部状态"), (OPEN, "未办结"), *((s.value, s.label) for s in FollowUpStatus)]


@dataclass(frozen=True)
class FollowUpQuery:
    """The filters as the page's form and links carry them."""

    status: str = ""
    department: str = ""
    overdue: bool = False

    def params(self, **extra: Any) -> dict[str, Any]:
        values: dict[str, Any] = {"status": self.status, "department": self.department,
                                  "overdue": "1" if self.overdue else ""}
        values.update(extra)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def href(self, **extra: Any) -> str:
        params = self.params(**extra)
        return "/followups" + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class FollowUpListing:
    """What the route read: one page, the totals, the choices."""

    items: Sequence[FollowUpView]
    total: int
    number: int  # 1-based page
    pages: int
    counts: dict[str, int]
    today: date
    service_names: dict[str, str]
    #: The department the viewer is limited to; None: they see every department.
    scope: str | None
    departments: Sequence[str]


def _options(values: Sequence[tuple[str, str]], chosen: str) -> str:
    return "".join(f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(label)}</option>'
                   for v, label in values)


def _counts(query: FollowUpQuery, listing: FollowUpListing) -> str:
    """Each state's count, linking to it (within the chosen department), then 已超期."""
    base = FollowUpQuery(department=query.department)
    links = [f'<a class="nowrap" href="{esc(base.href(status=s.value))}">{esc(s.label)} '
             f'<strong>{esc(listing.counts.get(s.value, 0))}</strong></a>' for s in FollowUpStatus]
    links.append(f'<a class="nowrap" href="{esc(base.href(overdue="1"))}">已超期 '
                 f'<strong>{esc(listing.counts.get(OVERDUE, 0))}</strong></a>')
    return f'<p class="card" aria-label="各状态数量">{" · ".join(links)}</p>'


def _filters(query: FollowUpQuery, listing: FollowUpListing) -> str:
    department = ""
    if listing.scope is None:
        choices = [("", "全部部门"), *((d, d) for d in listing.departments)]
        department = f'<label>部门<select name="department">{_options(choices, query.department)}</select></label>'
    checked = " checked" if query.overdue else ""
    return ('<form class="filters" method="get" action="/followups" role="search">'
            f'<label>状态<select name="status">{_options(STATUS_CHOICES, query.status)}</select></label>'
            f'{department}'
            f'<label class="nowrap"><span>只看已超期</span><input type="checkbox" name="overdue" value="1"{checked}>'
            '</label><button type="submit">筛选</button><a href="/followups">清除筛选</a></form>')


def _pager(query: FollowUpQuery, listing: FollowUpListing) -> str:
    if listing.pages <= 1:
        return ""
    links = []
    if listing.number > 1:
        links.append(f'<a href="{esc(query.href(page=listing.number - 1))}" rel="prev">上一页</a>')
    links.append(f"<span>第 {esc(listing.number)} / {esc(listing.pages)} 页</span>")
    if listing.number < listing.pages:
        links.append(f'<a href="{esc(query.href(page=listing.number + 1))}" rel="next">下一页</a>')
    return f'<nav class="pager" aria-label="分页">{" · ".join(links)}</nav>'


def _row(view: FollowUpView, listing: FollowUpListing) -> str:
    late = ' class="worse"' if is_overdue(view, listing.today) else ""
    rating = view.rating
    return (f'<tr{late}><td class="nowrap"><a href="/followups/{esc(view.id)}">#{esc(view.id)} 查看</a></td>'
            f'<td class="nowrap">{esc(status_label(view.status))}</td>'
            f'<td class="nowrap">{deadline(view, listing.today)}</td>'
            f'<td class="nowrap">{esc(rating.level.label)}</td>'
            f'<td>{esc(service_name(rating, listing.service_names))}</td>'
            f'<td class="text">{esc(reason_text(rating))}</td>'
            f'<td>{esc(view.department)}</td>'
            f'<td class="nowrap">{esc(timefmt.format_time(view.created_at))}</td></tr>')


def followups_page(query: FollowUpQuery, listing: FollowUpListing, user: Any, csrf: str,
                   nav: Sequence[tuple[str, str]], message: str | None = None, notice: str | None = None) -> str:
    who = (f"您的账号属于{listing.scope}，这里只显示本部门的差评回访。" if listing.scope
           else "这里显示全部部门的差评回访。")
    intro = (f'<p class="meta">{esc(who)}每条“不满意”或“非常不满意”的评价都要核实、整改、回访居民后办结；'
             '办理期限按工作日计算（节假日和调休按国家安排），截止日当天办结不算超期。'
             f'时间为{esc(timefmt.zone_label())}。</p>')
    done = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    count = f'<p class="meta">符合条件的差评回访共 {esc(listing.total)} 条，每页 {PAGE_SIZE} 条。</p>'
    if listing.items:
        table = ('<div class="scroll"><table><thead><tr><th scope="col">编号</th><th scope="col">状态</th>'
                 '<th scope="col">办理期限</th><th scope="col">评价</th><th scope="col">服务事项</th>'
                 '<th scope="col">差评原因</th><th scope="col">负责部门</th><th scope="col">评价时间</th></tr></thead>'
                 f'<tbody>{"".join(_row(v, listing) for v in listing.items)}</tbody></table></div>')
    else:
        table = '<p class="card">没有符合条件的差评回访。</p>'
    pager = _pager(query, listing)
    body = (error_notice(message) + done + intro + _counts(query, listing) + _filters(query, listing) + count
            + pager + table + pager)
    return layout("差评回访", body, user, csrf, nav)
