"""HTML of the 操作记录 (audit log) page, for admins: filters, one page of entries, the export link.

Everything is said in Chinese (console/auth/audit_text.py) in local time (console/timefmt.py);
times, names and addresses never wrap inside a word (the ``nowrap`` class in layout.py).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from console import timefmt
from console.auth.audit import AuditPage, AuditRecord
from console.auth.audit_text import ACTION_LABELS, action_label, describe, user_label
from console.web.pages.layout import error_notice, esc, layout


@dataclass(frozen=True)
class AuditQuery:
    """The filters as typed in the page's form (and carried in its links)."""

    user: str = ""
    action: str = ""
    first: date | None = None
    last: date | None = None

    def params(self, **extra: Any) -> dict[str, Any]:
        values: dict[str, Any] = {"user": self.user, "action": self.action,
                                  "from": self.first.isoformat() if self.first else "",
                                  "to": self.last.isoformat() if self.last else ""}
        values.update(extra)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def summary(self) -> str:
        """The filters in words, for the export's audit entry: 人员 alice，操作 登录失败，…"""
        parts = []
        if self.user:
            parts.append(f"人员 {user_label(self.user)}")
        if self.action:
            parts.append(f"操作 {action_label(self.action)}")
        if self.first or self.last:
            parts.append(f"日期 {self.first or '最早'} 至 {self.last or '今天'}")
        return "，".join(parts) or "全部"


def _options(values: Sequence[tuple[str, str]], chosen: str) -> str:
    return "".join(f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(label)}</option>'
                   for v, label in values)


def action_choices(in_use: Sequence[str]) -> list[tuple[str, str]]:
    """Every labelled action, then codes in the log this version has no label for."""
    known = list(ACTION_LABELS.items())
    return known + [(code, action_label(code)) for code in in_use if code not in ACTION_LABELS]


def _filters(query: AuditQuery, users: Sequence[str], actions: Sequence[str]) -> str:
    user_options = _options([("", "全部人员"), *((u, user_label(u)) for u in users)], query.user)
    action_options = _options([("", "全部操作"), *action_choices(actions)], query.action)
    return (
        '<form class="filters" method="get" action="/audit" role="search">'
        f'<label>人员<select name="user">{user_options}</select></label>'
        f'<label>操作<select name="action">{action_options}</select></label>'
        f'<label>开始日期<input type="date" name="from" value="{esc(query.first or "")}"></label>'
        f'<label>结束日期<input type="date" name="to" value="{esc(query.last or "")}"></label>'
        '<button type="submit">筛选</button><a href="/audit">清除筛选</a></form>'
    )


def _pager(query: AuditQuery, page: AuditPage) -> str:
    if page.pages <= 1:
        return ""

    def href(n: int) -> str:
        return "/audit?" + urlencode(query.params(page=n))

    links = []
    if page.number > 1:
        links.append(f'<a href="{esc(href(1))}">第一页</a>')
        links.append(f'<a href="{esc(href(page.number - 1))}" rel="prev">上一页</a>')
    links.append(f"<span>第 {esc(page.number)} / {esc(page.pages)} 页</span>")
    if page.number < page.pages:
        links.append(f'<a href="{esc(href(page.number + 1))}" rel="next">下一页</a>')
        links.append(f'<a href="{esc(href(page.pages))}">最后一页</a>')
    return f'<nav class="pager" aria-label="分页">{" · ".join(links)}</nav>'


def _row(r: AuditRecord) -> str:
    return (f'<tr><td class="nowrap">{esc(timefmt.format_time(r.at, seconds=True))}</td>'
            f'<td class="nowrap">{esc(user_label(r.username))}</td>'
            f'<td class="nowrap">{esc(action_label(r.action))}</td>'
            f'<td class="detail">{esc(describe(r.action, r.detail))}</td>'
            f'<td class="nowrap">{esc(r.ip or "")}</td></tr>')


def audit_page(page: AuditPage, query: AuditQuery, users: Sequence[str], actions: Sequence[str],
               user: Any, csrf: str, nav: Sequence[tuple[str, str]], message: str | None = None) -> str:
    intro = (f'<p class="meta">时间为{esc(timefmt.zone_label())}，最新在前。失败和被锁定的登录也记录在这里'
             '（来源地址只保留网段，不存在的账号名只保留前两个字符）。</p>')
    export = "/audit/export.csv" + (("?" + urlencode(query.params())) if query.params() else "")
    count = (f'<p class="meta">符合条件的记录共 {esc(page.total)} 条 · '
             f'<a href="{esc(export)}">导出为 CSV</a>（Excel 可直接打开；身份证号、手机号、银行卡号已脱敏）</p>')
    if page.records:
        table = ('<div class="scroll"><table><thead><tr><th scope="col">时间</th><th scope="col">人员</th>'
                 '<th scope="col">操作</th><th scope="col">详情</th><th scope="col">来源地址</th></tr></thead>'
                 f'<tbody>{"".join(_row(r) for r in page.records)}</tbody></table></div>')
    else:
        table = '<p class="card">没有符合条件的操作记录。</p>'
    pager = _pager(query, page)
    body = error_notice(message) + intro + _filters(query, users, actions) + count + pager + table + pager
    return layout("操作记录", body, user, csrf, nav)
