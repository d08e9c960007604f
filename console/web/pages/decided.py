"""HTML of the 已处理 page: who decided what about which inbox message, and 撤回.

Also how a decision is described in Chinese (:func:`describe`), which the inbox's
confirmation after a decision shares.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from console.teaching import decisions
from console.teaching.decisions import Decision
from console.teaching.targets import Targets
from console.timefmt import format_time
from console.web.pages.layout import error_notice, esc, layout

ACTION_LABELS = {"assign": "加入训练样本", "out_of_scope": "不属于服务范围", "dismiss": "忽略",
                 decisions.SERVICE: "作为服务事项的例句"}
#: Decisions listed per page.
PAGE_SIZE = 50


def _local(at: datetime) -> str:
    """A naive UTC time as staff read it (local time, console/timefmt.py)."""
    return format_time(at)


def describe(decision: Decision, targets: Targets) -> tuple[str, str]:
    """(what was done, where the message went) in Chinese."""
    action = ACTION_LABELS.get(decision.action, "其他处理")
    if decision.action == "assign":
        return action, targets.label_of(decision.intent)
    if decision.action == decisions.SERVICE:
        return action, targets.service_label(decision.intent or "")
    if decision.action == "out_of_scope":
        return action, targets.label_of("out_of_scope")
    return action, "—"


def _row(decision: Decision, targets: Targets, csrf: str, number: int, can_revert: bool) -> str:
    action, target = describe(decision, targets)
    cell = ""
    if can_revert:
        cell = ('<form method="post" action="/inbox/revert">'
                f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
                f'<input type="hidden" name="decision" value="{esc(decision.id)}">'
                f'<input type="hidden" name="page" value="{esc(number)}">'
                '<button class="secondary" type="submit">撤回</button></form>')
    return (f'<tr id="d{esc(decision.id)}"><td class="text">{esc(decision.text_normalized)}</td>'
            f'<td class="nowrap">{esc(action)}</td><td>{esc(target)}</td>'
            f'<td class="nowrap">{esc(decision.username)}</td>'
            f'<td class="nowrap">{esc(_local(decision.at))}</td><td class="actions">{cell}</td></tr>')


def _pager(number: int, pages: int) -> str:
    if pages <= 1:
        return ""
    links = []
    if number > 1:
        links.append(f'<a href="/inbox/decided?page={number - 1}" rel="prev">上一页</a>')
    links.append(f"<span>第 {esc(number)} / {esc(pages)} 页</span>")
    if number < pages:
        links.append(f'<a href="/inbox/decided?page={number + 1}" rel="next">下一页</a>')
    return f'<nav class="pager" aria-label="分页">{" · ".join(links)}</nav>'


def decided_page(found: Sequence[Decision], total: int, number: int, targets: Targets, user: Any,
                 csrf: str, nav: Sequence[tuple[str, str]], can_revert: bool, can_revert_services: bool,
                 message: str | None = None, reverted: int = 0) -> str:
    pages = max(1, -(-total // PAGE_SIZE))
    intro = ('<p class="meta"><a href="/inbox">← 返回待处理消息</a> · 最新在前，时间为北京时间。'
             '撤回：样本从训练数据中去掉（下次训练生效），消息回到待处理列表。</p>')
    notice = ""
    if reverted:
        notice = (f'<p class="notice" id="notice" role="status">已撤回 {esc(reverted)} 条处理，'
                  '消息已回到待处理列表。</p>')
    if found:
        rows = "".join(_row(d, targets, csrf, number, can_revert and (
            d.action != decisions.SERVICE or can_revert_services)) for d in found)
        body = ('<div class="scroll"><table><thead><tr><th scope="col">消息</th><th scope="col">处理</th>'
                '<th scope="col">归入</th><th scope="col">处理人</th><th scope="col">时间</th>'
                f'<th scope="col" class="actions">操作</th></tr></thead><tbody>{rows}</tbody></table></div>')
    else:
        body = '<p class="card">还没有处理过的消息。</p>'
    pager = _pager(number, pages)
    return layout("已处理的消息", error_notice(message) + notice + intro + pager + body + pager, user, csrf, nav)
