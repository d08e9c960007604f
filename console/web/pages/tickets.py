"""HTML of 留言工单: messages residents left for a callback, open ones first by deadline.

Callback numbers are masked; "显示完整号码" is a POST (audited by the route) whose response
alone shows that one number, so neither a reload nor the history shows it again. Everything
a resident wrote is escaped, so markup in a message is shown as text.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.handoff.tickets import TicketView
from console import timefmt
from console.auth.accounts import StaffAccount
from console.web.pages.layout import error_notice, esc, layout

CHANNEL_LABELS = {"webchat": "网页", "wechat": "微信", "rest": "接口", "other": "其他"}
REASON_LABELS = {"closed": "下班时间留言", "no_agent": "排队无人接听"}
WEEKDAYS = "一二三四五六日"
NOTE_CHARS = 200


def _day(day: date) -> str:
    return f"{day:%Y-%m-%d}（周{WEEKDAYS[day.weekday()]}）"


def _hidden(csrf: str, ticket_id: int) -> str:
    return (f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            f'<input type="hidden" name="id" value="{esc(ticket_id)}">')


def _phone(ticket: TicketView, csrf: str, revealed: Mapping[int, str]) -> str:
    if ticket.id in revealed:
        return f'<span class="secret">{esc(revealed[ticket.id])}</span><br><span class="meta">已记入操作记录</span>'
    return (f'<span class="nowrap">{esc(ticket.phone)}</span>'
            f'<form class="inline" method="post" action="/handoff/tickets/reveal">{_hidden(csrf, ticket.id)}'
            '<button class="secondary" type="submit">显示完整号码</button></form>')


def _source(ticket: TicketView, services: Mapping[str, str]) -> str:
    parts = [CHANNEL_LABELS.get(ticket.channel, ticket.channel), REASON_LABELS.get(ticket.reason, ticket.reason)]
    if ticket.district:
        parts.append(ticket.district)
    if ticket.service_id:
        parts.append(services.get(ticket.service_id, ticket.service_id))
    return "<br>".join(f'<span class="nowrap">{esc(p)}</span>' for p in parts)


def _open_row(ticket: TicketView, today: date, csrf: str, revealed: Mapping[int, str],
              services: Mapping[str, str]) -> str:
    late = ticket.overdue(today)
    due = esc(_day(ticket.due_on)) + ("<br><strong>已超期</strong>" if late else "")
    close = (f'<form method="post" action="/handoff/tickets/close">{_hidden(csrf, ticket.id)}'
             f'<label for="note-{esc(ticket.id)}">处理说明</label>'
             f'<textarea id="note-{esc(ticket.id)}" name="note" rows="2" maxlength="{NOTE_CHARS}" required '
             'placeholder="例如：已回电，已告知所需材料"></textarea>'
             '<button type="submit">办结</button></form>')
    row = '<tr class="worse">' if late else "<tr>"
    return (f'{row}<td class="nowrap">{esc(ticket.number)}<br>'
            f'<span class="meta">{esc(timefmt.format_time(ticket.created_at))} 留言</span></td>'
            f'<td class="nowrap">{due}</td>'
            f'<td>{_phone(ticket, csrf, revealed)}</td><td>{_source(ticket, services)}</td>'
            f'<td class="text">{esc(ticket.message)}</td><td class="text">{close}</td></tr>')


def _done_row(ticket: TicketView, csrf: str, revealed: Mapping[int, str]) -> str:
    return (f'<tr><td class="nowrap">{esc(ticket.number)}</td>'
            f'<td class="nowrap">{esc(timefmt.format_time(ticket.created_at))}</td>'
            f'<td class="nowrap">{esc(timefmt.format_time(ticket.closed_at))}</td>'
            f'<td class="nowrap">{esc(ticket.handled_by or "")}</td><td class="text">{esc(ticket.note or "")}</td>'
            f'<td>{_phone(ticket, csrf, revealed)}</td><td class="text">{esc(ticket.message)}</td></tr>')


def tickets_page(tickets: Sequence[TicketView], today: date, user: StaffAccount, csrf: str,
                 nav: Sequence[tuple[str, str]], services: Mapping[str, str], *,
                 revealed: Mapping[int, str] | None = None, message: str | None = None,
                 notice: str | None = None) -> str:
    revealed = revealed or {}
    waiting = [t for t in tickets if t.status == "open"]
    done = [t for t in tickets if t.status != "open"]
    late = sum(1 for t in waiting if t.overdue(today))
    zone = esc(timefmt.zone_label())
    body = error_notice(message) + (f'<p class="notice" role="status">{esc(notice)}</p>' if notice else "")
    body += (f'<p class="meta">居民在人工服务时间以外、或排队无人接听时留下的回电请求。待处理 {len(waiting)} 条，'
             f'其中已超期 {late} 条；期限按法定工作日计算，时间为{zone}。回电号码默认隐藏中间几位，'
             '点“显示完整号码”会记入操作记录。</p>')
    if waiting:
        body += ('<h2>待处理（按期限排序）</h2><div class="scroll"><table><thead><tr><th scope="col">留言编号</th>'
                 '<th scope="col">回电期限</th><th scope="col">回电号码</th>'
                 '<th scope="col">来源</th><th scope="col">留言内容</th><th scope="col">办结</th></tr></thead><tbody>'
                 + "".join(_open_row(t, today, csrf, revealed, services) for t in waiting)
                 + "</tbody></table></div>")
    else:
        body += '<p class="card">目前没有待处理的留言。</p>'
    if done:
        body += ('<h2>最近办结</h2><div class="scroll"><table><thead><tr><th scope="col">留言编号</th>'
                 '<th scope="col">留言时间</th><th scope="col">办结时间</th><th scope="col">处理人</th>'
                 '<th scope="col">处理说明</th><th scope="col">回电号码</th><th scope="col">留言内容</th></tr></thead>'
                 f'<tbody>{"".join(_done_row(t, csrf, revealed) for t in done)}</tbody></table></div>')
    return layout("留言工单", body, user, csrf, nav)
