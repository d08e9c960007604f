"""HTML of one hand-off conversation (/handoff/<id>): the transcript, and for its holder the reply,
canned replies, a service's answer, transfer and close.

The transcript part is also served alone (/handoff/<id>/messages) for the desk's script.
Canned replies and the service answer fill the reply box: with the script in place, where
the cursor is; without it, through a link or a GET form that reloads the page with the
box filled. Every value is escaped by `esc`; residents' text arrives masked.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.handoff.service import MAX_NOTE_CHARS, MAX_TEXT_CHARS
from bot.handoff.statuses import HandoffStatus
from bot.handoff.views import MessageView, Ticket
from console import timefmt
from console.handoff.canned import Canned
from console.handoff.desk import Colleague
from console.web.pages.handoff import SCRIPT_TAG, live_marker, part
from console.web.pages.handoff_text import STATUS_LABELS, author, channel_label, delivery
from console.web.pages.layout import error_notice, esc, layout

SERVICE_LIST_ID = "handoff-services"


@dataclass(frozen=True)
class Conversation:
    """What the page shows of one request."""

    ticket: Ticket
    service_name: str | None
    messages: Sequence[MessageView]
    me: str

    @property
    def mine(self) -> bool:
        request = self.ticket.request
        return request.status == HandoffStatus.CLAIMED.value and request.agent == self.me


@dataclass(frozen=True)
class Desk:
    """The holder's tools and what they typed."""

    canned: Sequence[Canned] = ()
    colleagues: Sequence[Colleague] = ()
    services: Sequence[str] = ()
    draft: str = ""
    note: str = ""
    typed_service: str = ""


def _state(chat: Conversation) -> str:
    request = chat.ticket.request
    facts = [channel_label(request.channel), request.district or "区县未说明", chat.service_name or "事项未识别"]
    if request.flow_step:
        facts.append(request.flow_step)
    facts.append(f"{timefmt.format_time(request.created_at)} 转人工")
    status = STATUS_LABELS.get(request.status, request.status)
    if request.status == HandoffStatus.QUEUED.value and chat.ticket.position:
        status += f"（第 {chat.ticket.position} 位）"
    elif request.status == HandoffStatus.CLAIMED.value:
        status += "（由您接待）" if chat.mine else f"（由 {request.agent} 接待，只有接待的坐席可以回复）"
    elif request.closed_at is not None:
        status += f"（{timefmt.format_time(request.closed_at)}）"
    note = f'<p>处理说明：{esc(request.note)}</p>' if request.note else ""
    return (f'<p id="state" data-holder="{"1" if chat.mine else "0"}" data-status="{esc(request.status)}">'
            f'<strong>{esc(status)}</strong><br><span class="meta">{esc(" · ".join(facts))}</span></p>{note}')


def _message(message: MessageView) -> str:
    sent = delivery(message)
    outcome = f' · <span class="sent-{esc(sent[0])}">{esc(sent[1])}</span>' if sent else ""
    return (f'<li class="{esc(message.direction)}"><span class="meta">{esc(author(message))} · '
            f'{esc(timefmt.format_time(message.at, seconds=True))}{outcome}</span>'
            f'<p class="said">{esc(message.text)}</p></li>')


def transcript_part(chat: Conversation) -> str:
    messages = ("".join(_message(m) for m in chat.messages) if chat.messages
                else '<li class="system"><span class="meta">居民还没有留言。</span></li>')
    return (f'{_state(chat)}<h2>对话记录（{esc(len(chat.messages))} 条，时间为{esc(timefmt.zone_label())}）</h2>'
            f'<ol class="chat">{messages}</ol>')


def _hidden(csrf: str, request_id: int) -> str:
    return (f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            f'<input type="hidden" name="request" value="{esc(request_id)}">')


def _reply_card(request_id: int, csrf: str, desk: Desk) -> str:
    here = f"/handoff/{request_id}"
    canned = "".join(f'<li><a href="{esc(here)}?{esc(urlencode({"canned": c.id}))}#reply" '
                     f'data-insert="{esc(c.text)}" title="{esc(c.text[:200])}">{esc(c.title)}</a></li>'
                     for c in desk.canned)
    canned_list = (f'<ul class="canned" aria-label="常用回复">{canned}</ul>' if canned
                   else '<p class="meta">还没有常用回复。</p>')
    options = "".join(f'<option value="{esc(name)}"></option>' for name in desk.services)
    # A newline right after <textarea> is dropped by the browser, so the draft keeps its own.
    return (
        '<section class="card" aria-labelledby="reply"><h2 id="reply">回复居民</h2>'
        f'<form method="post" action="/handoff/reply">{_hidden(csrf, request_id)}'
        f'<p><textarea id="reply-text" name="text" rows="6" maxlength="{MAX_TEXT_CHARS}" required '
        f'aria-label="回复内容">\n{esc(desk.draft)}</textarea></p>'
        '<button type="submit">发送</button></form>'
        f'<h3>常用回复 <a class="meta" href="/handoff/replies">管理</a></h3>{canned_list}'
        f'<h3>插入服务答复</h3><form class="inline" method="get" action="{esc(here)}" '
        f'data-answer="/handoff/answer?{esc(urlencode({"request": request_id}))}">'
        '<label for="answer-service">服务事项</label>'
        f'<input id="answer-service" name="service" list="{SERVICE_LIST_ID}" required '
        f'value="{esc(desk.typed_service)}" autocomplete="off">'
        '<button class="secondary" type="submit">插入服务答复</button>'
        '<span id="answer-status" class="meta" role="status"></span></form>'
        f'<datalist id="{SERVICE_LIST_ID}">{options}</datalist>'
        '<p class="meta">插入的是助手对这项服务的完整答复（含居民所在区县的办理大厅），发送前可以修改。</p></section>'
    )


def _transfer_card(request_id: int, csrf: str, colleagues: Sequence[Colleague]) -> str:
    if not colleagues:
        return ('<section class="card" aria-labelledby="transfer"><h2 id="transfer">转接</h2>'
                '<p class="meta">没有其他可以接收转接的坐席账号。</p></section>')
    options = "".join(f'<option value="{esc(c.username)}">{esc(c.username)}（{esc(c.role)}，'
                      f'{"在线" if c.online else "不在线"}）</option>' for c in colleagues)
    return ('<section class="card" aria-labelledby="transfer"><h2 id="transfer">转接</h2>'
            f'<form class="inline" method="post" action="/handoff/transfer">{_hidden(csrf, request_id)}'
            f'<label for="transfer-to">转给</label><select id="transfer-to" name="to">{options}</select>'
            '<button class="secondary" type="submit">转接</button></form>'
            '<p class="meta">转给不在线的同事时，居民会在闲置检查时回到队列。</p></section>')


def _close_card(request_id: int, csrf: str, note: str) -> str:
    return ('<section class="card" aria-labelledby="close"><h2 id="close">结束会话</h2>'
            f'<form method="post" action="/handoff/close">{_hidden(csrf, request_id)}'
            f'<p><label for="close-note">处理说明（必填，最多 {MAX_NOTE_CHARS} 字）</label><br>'
            f'<textarea id="close-note" name="note" rows="2" maxlength="{MAX_NOTE_CHARS}" required>\n'
            f'{esc(note)}</textarea></p>'
            '<button type="submit">结束并交还助手</button></form>'
            '<p class="meta">结束后居民会收到“本次人工服务已结束……”，之后由助手继续回答。</p></section>')


def _claim_card(request_id: int, csrf: str) -> str:
    return ('<section class="card"><form class="inline" method="post" action="/handoff/claim">'
            f'{_hidden(csrf, request_id)}<button type="submit">接入这位居民</button></form></section>')


def conversation_page(chat: Conversation, desk: Desk, user: Any, csrf: str, nav: Sequence[tuple[str, str]],
                      message: str | None = None) -> str:
    request_id = chat.ticket.request.id
    tools = ""
    if chat.mine:
        tools = (_reply_card(request_id, csrf, desk) + _transfer_card(request_id, csrf, desk.colleagues)
                 + _close_card(request_id, csrf, desk.note))
    elif chat.ticket.request.status == HandoffStatus.QUEUED.value:
        tools = _claim_card(request_id, csrf)
    if not chat.mine and (desk.draft or desk.note):  # a refused reply or close: what was typed, to copy
        tools += ('<section class="card" aria-labelledby="unsent"><h2 id="unsent">没有发出的内容</h2>'
                  f'<div class="answer">{esc(desk.draft or desk.note)}</div></section>')
    links = f'<p class="meta"><a href="/handoff">← 返回人工服务</a> · <a href="/handoff/{esc(request_id)}">刷新</a></p>'
    body = (live_marker(f"/handoff/events?{urlencode({'open': request_id})}") + links + error_notice(message)
            + part("transcript", f"/handoff/{request_id}/messages", transcript_part(chat), "对话记录") + tools)
    return layout(f"会话 #{request_id}", body, user, csrf, nav, head=SCRIPT_TAG)
