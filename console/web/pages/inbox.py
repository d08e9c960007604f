"""HTML of the 待处理消息 (inbox) page: filters, one card per group, bulk decisions, pages.

No script: the filters are a GET form, the bulk form collects the cards' checkboxes through
their ``form="bulk"`` attribute and sticks to the bottom of the window, and after a decision
the reviewer comes back to the same page and filters with a confirmation (and 撤销) where
the decided card was (``#notice``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from console.teaching import decisions
from console.teaching.decisions import Decision
from console.teaching.inbox import PAGE_SIZE, InboxPage, Reason
from console.teaching.inbox_filter import CHANNELS
from console.teaching.targets import Targets
from console.web.inbox_query import InboxQuery
from console.web.pages.decided import describe
from console.web.pages.inbox_card import CHANNEL_LABELS, REASON_LABELS, SERVICE_LIST_ID, CardContext, group_card
from console.web.pages.layout import error_notice, esc, layout
from console.web.pages.targets import target_datalist, target_field, target_overview


@dataclass(frozen=True)
class Notice:
    """The confirmation shown after a decision (or an undo)."""

    decided: Sequence[Decision] = ()
    undoable: bool = False  # the reviewer's own, within decisions.UNDO_WINDOW
    skipped: int = 0  # groups of a bulk decision that were refused
    undone: int = 0
    at: int = 0  # where on the page the decided card was


@dataclass(frozen=True)
class InboxView:
    page: InboxPage
    query: InboxQuery
    days: int
    targets: Targets
    can_annotate: bool
    service_names: Mapping[str, str] | None = None  # for those who may file under services
    message: str | None = None
    notice: Notice | None = None
    service_filters: Sequence[tuple[str, str]] = field(default=())  # (intent, name) to filter by


def _options(selected: str, choices: Sequence[tuple[str, str]], empty: str) -> str:
    options = [f'<option value="">{esc(empty)}</option>']
    options += [f'<option value="{esc(v)}"{" selected" if v == selected else ""}>{esc(label)}</option>'
                for v, label in choices]
    return "".join(options)


def _day(day: date | None) -> str:
    return esc(day.isoformat()) if day else ""


def _filters(view: InboxView) -> str:
    query = view.query
    reasons = [(r.value, REASON_LABELS[r]) for r in Reason]
    channels = [(c, CHANNEL_LABELS[c]) for c in CHANNELS]
    clear = ' <a href="/inbox">清除筛选</a>' if query.filtered else ""
    return (
        '<form class="card filters" method="get" action="/inbox" role="search">'
        f'<p><label for="q">搜索</label><input id="q" name="q" maxlength="50" value="{esc(query.q)}" '
        'placeholder="消息中的字词"></p>'
        f'<p><label for="reason">原因</label><select id="reason" name="reason">'
        f'{_options(query.reason, reasons, "全部")}</select></p>'
        f'<p><label for="from">从</label><input id="from" name="from" type="date" value="{_day(query.date_from)}"></p>'
        f'<p><label for="to">到</label><input id="to" name="to" type="date" value="{_day(query.date_to)}"></p>'
        f'<p><label for="channel">渠道</label><select id="channel" name="channel">'
        f'{_options(query.channel, channels, "全部")}</select></p>'
        f'<p><label for="service">模型猜测的事项</label><select id="service" name="service">'
        f'{_options(query.service, view.service_filters, "全部")}</select></p>'
        f'<p><button type="submit">筛选</button></p>{clear}</form>'
    )


def _notice(view: InboxView, csrf: str) -> str:
    notice = view.notice
    if notice is None:
        return ""
    lines = []
    if notice.undone:
        lines.append(f"已撤销，{notice.undone} 组消息回到了待处理列表。")
    found = list(notice.decided)
    if len(found) == 1:
        action, target = describe(found[0], view.targets)
        lines.append(f"已处理“{found[0].text_normalized}”：{action}" + (f" → {target}" if target != "—" else "") + "。")
    elif found:
        action, target = describe(found[0], view.targets)
        texts = "、".join(f"“{d.text_normalized}”" for d in found[:5]) + ("等" if len(found) > 5 else "")
        lines.append(f"已处理 {len(found)} 组（{action}" + (f" → {target}" if target != "—" else "") + f"）：{texts}。")
    if notice.skipped:
        lines.append(f"{notice.skipped} 组没有处理：已经处理过，或已是训练样本、在留出测试集中。请逐条处理。")
    undo = ""
    if found and notice.undoable:
        minutes = int(decisions.UNDO_WINDOW.total_seconds() // 60)
        ids = "".join(f'<input type="hidden" name="decision" value="{esc(d.id)}">' for d in found)
        undo = (' <form method="post" action="/inbox/undo">'
                f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
                f'<input type="hidden" name="back" value="{esc(view.query.back)}">{ids}'
                f'<button class="secondary" type="submit">撤销</button></form>'
                f'<span class="meta"> {minutes} 分钟内可撤销，'
                '之后可在<a href="/inbox/decided">已处理</a>中撤回。</span>')
    if not lines:
        return ""
    return f'<div class="notice" id="notice" role="status">{esc(" ".join(lines))}{undo}</div>'


def _bulk(view: InboxView, csrf: str) -> str:
    return (
        '<form id="bulk" class="card inline" method="post" action="/inbox/bulk">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        f'<input type="hidden" name="back" value="{esc(view.query.back)}">'
        '<strong>勾选的消息：</strong><label for="bulk-target">归入意图</label>'
        + target_field("bulk-target", required=False) +
        '<button type="submit" name="action" value="assign">加入训练样本</button>'
        '<button class="secondary" type="submit" name="action" value="out_of_scope">不属于服务范围</button>'
        '<button class="secondary" type="submit" name="action" value="dismiss">忽略</button></form>'
    )


def _pager(view: InboxView) -> str:
    page = view.page
    if page.pages == 1:
        return ""
    links = []
    if page.number > 1:
        links.append(f'<a href="{esc(view.query.url(page=page.number - 1))}" rel="prev">上一页</a>')
    links.append(f"<span>第 {esc(page.number)} / {esc(page.pages)} 页</span>")
    if page.number < page.pages:
        links.append(f'<a href="{esc(view.query.url(page=page.number + 1))}" rel="next">下一页</a>')
    return f'<nav class="pager" aria-label="分页">{" · ".join(links)}</nav>'


def _service_list(service_names: Mapping[str, str]) -> str:
    options = "".join(f'<option value="{esc(name)}"></option>' for name in sorted(service_names.values()))
    return f'<datalist id="{SERVICE_LIST_ID}">{options}</datalist>'


def inbox_page(view: InboxView, user: Any, csrf: str, nav: Sequence[tuple[str, str]]) -> str:
    page = view.page
    ctx = CardContext(view.targets, csrf, view.query.back, view.can_annotate,
                      view.service_names if view.can_annotate else None)
    where = "符合筛选条件的" if view.query.filtered else ""
    intro = (f'<p class="meta">最近 {esc(view.days)} 天{where}共 {esc(page.total)} 组待处理消息，'
             f'按出现次数排序，每页 {esc(PAGE_SIZE)} 组。 <a href="/inbox/decided">已处理的消息 →</a></p>')
    notice = _notice(view, csrf)
    at = min(view.notice.at, len(page.groups)) if view.notice else 0
    cards = [group_card(i, g, ctx) for i, g in enumerate(page.groups)]
    if notice:
        cards.insert(at, notice)
    if not page.groups:
        empty = "没有符合筛选条件的消息。" if view.query.filtered else "暂时没有待处理的消息。"
        cards.append(f'<p class="card">{empty}</p>')
    extras = ""
    if view.can_annotate:
        extras = target_datalist(view.targets) + target_overview(view.targets)
        if ctx.service_names is not None:
            extras += _service_list(ctx.service_names)
        if page.groups:
            extras += _bulk(view, csrf)
    pager = _pager(view)
    body = error_notice(view.message) + intro + _filters(view) + pager + "".join(cards) + pager + extras
    return layout("待处理消息", body, user, csrf, nav)
