"""HTML of 人工服务 (/handoff): the agent's own conversations and the queue of waiting residents.

Each part is also served alone (/handoff/mine, /handoff/queue) so the desk's one script
(console/web/static/seat.js) can swap it in when the event stream says it changed: the
HTML, and so its escaping, stays here. Without the script the page is plain forms with
a 刷新 link. Residents' words are masked by bot/handoff/views.py and escaped by `esc`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.handoff.views import MessageView, QueueEntry
from console import timefmt
from console.web.pages.handoff_text import author, channel_label, waited
from console.web.pages.layout import error_notice, esc, layout

#: The desk's script, linked only by the hand-off pages (the CSP admits it on them alone).
SCRIPT_TAG = '<script src="/static/seat.js" defer></script>'
QUEUE_PATH, MINE_PATH = "/handoff/queue", "/handoff/mine"
#: The resident wrote after the agent's last reply.
UNREAD = '<span class="badge">新消息</span>'


def live_marker(events: str) -> str:
    """Where the script finds the event stream; an empty element, nothing to read."""
    return f'<div id="live" hidden data-events="{esc(events)}"></div>'


def part(part_id: str, source: str, inner: str, label: str) -> str:
    """A section the script refreshes from `source`."""
    return (f'<section class="card" id="{esc(part_id)}" data-src="{esc(source)}" aria-label="{esc(label)}" '
            f'aria-live="polite">{inner}</section>')


def _messages(messages: Sequence[MessageView]) -> str:
    if not messages:
        return '<span class="meta">（还没有留言）</span>'
    lines = "".join(f'<li class="{"user" if m.direction == "resident" else ""}">{esc(author(m))}：{esc(m.text)}</li>'
                    for m in messages)
    return f'<ul class="turns">{lines}</ul>'


def _what(entry: QueueEntry) -> str:
    request = entry.request
    service = esc(entry.service_name or "未识别")
    step = f'<br><span class="meta">{esc(request.flow_step)}</span>' if request.flow_step else ""
    return f"{service}{step}"


def _claim_form(request_id: int, csrf: str) -> str:
    return ('<form class="inline" method="post" action="/handoff/claim">'
            f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            f'<input type="hidden" name="request" value="{esc(request_id)}">'
            '<button type="submit">接入</button></form>')


def queue_part(entries: Sequence[QueueEntry], csrf: str) -> str:
    heading = f"<h2>排队中（{esc(len(entries))}）</h2>"
    if not entries:
        return heading + '<p class="meta">目前没有居民排队。</p>'
    rows = "".join(
        f'<tr><td class="nowrap">{esc(i)}</td><td class="nowrap">{esc(channel_label(e.request.channel))}</td>'
        f'<td class="nowrap">{esc(e.request.district or "未说明")}</td><td>{_what(e)}</td>'
        f'<td><span class="nowrap">{esc(waited(e.waited_s))}</span><br><span class="meta nowrap">'
        f'{esc(timefmt.to_local(e.request.created_at).strftime("%H:%M"))} 起</span></td>'
        f'<td class="text">{_messages(e.last_messages)}</td>'
        f'<td class="actions">{_claim_form(e.request.id, csrf)}'
        f'<a href="/handoff/{esc(e.request.id)}">查看</a></td></tr>'
        for i, e in enumerate(entries, start=1))
    return (heading + '<div class="scroll"><table><thead><tr><th scope="col">序号</th><th scope="col">渠道</th>'
            '<th scope="col">区县</th><th scope="col">办理事项 / 步骤</th><th scope="col">已等待</th>'
            '<th scope="col">最近消息</th><th scope="col" class="actions">操作</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def mine_part(entries: Sequence[tuple[QueueEntry, bool]]) -> str:
    heading = f"<h2>我的会话（{esc(len(entries))}）</h2>"
    if not entries:
        return heading + '<p class="meta">您现在没有接待中的居民。从下面的队列中点“接入”。</p>'
    rows = "".join(
        f'<tr><td class="nowrap"><a href="/handoff/{esc(e.request.id)}">会话 #{esc(e.request.id)}</a></td>'
        f'<td class="nowrap">{esc(channel_label(e.request.channel))}</td>'
        f'<td class="nowrap">{esc(e.request.district or "未说明")}</td><td>{_what(e)}</td>'
        f'<td class="nowrap">{UNREAD if unread else "已回复"}</td>'
        f'<td class="text">{_messages(e.last_messages[-1:])}</td>'
        f'<td class="actions"><a href="/handoff/{esc(e.request.id)}">打开</a></td></tr>'
        for e, unread in entries)
    return (heading + '<div class="scroll"><table><thead><tr><th scope="col">会话</th><th scope="col">渠道</th>'
            '<th scope="col">区县</th><th scope="col">办理事项 / 步骤</th><th scope="col">状态</th>'
            '<th scope="col">最新消息</th><th scope="col" class="actions">操作</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def desk_page(queue: Sequence[QueueEntry], mine: Sequence[tuple[QueueEntry, bool]], user: Any, csrf: str,
              nav: Sequence[tuple[str, str]], idle_minutes: int, notice: str | None = None,
              message: str | None = None) -> str:
    done = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    intro = ('<p class="meta">居民说“转人工”后在这里排队。接入后只有您能回复、转接或结束；结束时写一句处理说明，'
             f'会话就交还给助手。退出登录或 {esc(idle_minutes)} 分钟没有操作时，您还没回复的居民会自动回到队列。'
             ' <a href="/handoff">刷新</a> · <a href="/handoff/replies">常用回复</a></p>')
    body = (live_marker("/handoff/events") + error_notice(message) + done + intro
            + part("mine", MINE_PATH, mine_part(mine), "我的会话")
            + part("queue", QUEUE_PATH, queue_part(queue, csrf), "排队中"))
    return layout("人工服务", body, user, csrf, nav, head=SCRIPT_TAG)
