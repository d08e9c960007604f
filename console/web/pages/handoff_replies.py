"""HTML of 常用回复 (/handoff/replies): the replies agents share, a form to add one, one to edit
or delete each. Plain forms; every value through `esc`."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console import timefmt
from console.handoff.canned import MAX_REPLY_CHARS, MAX_TITLE_CHARS, Canned
from console.web.pages.layout import error_notice, esc, layout

DONE_MESSAGES = {"add": "已新增常用回复。", "edit": "已保存常用回复。", "delete": "已删除常用回复。"}


def _hidden(csrf: str, reply_id: int | None = None) -> str:
    fields = f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
    if reply_id is not None:
        fields += f'<input type="hidden" name="id" value="{esc(reply_id)}">'
    return fields


def _fields(prefix: str, title: str, text: str) -> str:
    # A newline right after <textarea> is dropped by the browser, so the text keeps its own.
    return (f'<p><label for="{prefix}-title">标题</label><br>'
            f'<input id="{prefix}-title" name="title" required maxlength="{MAX_TITLE_CHARS}" value="{esc(title)}"></p>'
            f'<p><label for="{prefix}-text">回复内容</label><br>'
            f'<textarea id="{prefix}-text" name="text" rows="3" required maxlength="{MAX_REPLY_CHARS}">\n'
            f'{esc(text)}</textarea></p>')


def _card(reply: Canned, csrf: str, typed: tuple[int | None, str, str] | None) -> str:
    title, text = (typed[1], typed[2]) if typed and typed[0] == reply.id else (reply.title, reply.text)
    prefix = f"c{reply.id}"
    return (f'<section class="card" aria-label="{esc(reply.title)}">'
            f'<form method="post" action="/handoff/replies/save">{_hidden(csrf, reply.id)}'
            f'{_fields(prefix, title, text)}'
            '<button type="submit">保存</button></form>'
            f'<form class="inline" method="post" action="/handoff/replies/delete">{_hidden(csrf, reply.id)}'
            '<label class="nowrap"><input type="checkbox" name="confirm" value="yes" required> 确认删除</label>'
            '<button class="secondary" type="submit">删除</button></form>'
            f'<p class="meta">最近由 {esc(reply.updated_by)} 修改于 {esc(timefmt.format_time(reply.updated_at))}</p>'
            '</section>')


def replies_page(replies: Sequence[Canned], user: Any, csrf: str, nav: Sequence[tuple[str, str]],
                 message: str | None = None, notice: str | None = None,
                 typed: tuple[int | None, str, str] | None = None) -> str:
    """``typed``: (id or None for a new one, title, text) the person entered when a save was refused."""
    done = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    new_title, new_text = (typed[1], typed[2]) if typed and typed[0] is None else ("", "")
    intro = ('<p class="meta">所有坐席共用。在会话页点标题即可把内容放进回复框，发送前还可以修改。'
             '每次新增、修改、删除都记入操作记录。 <a href="/handoff">← 返回人工服务</a></p>')
    add = ('<section class="card" aria-labelledby="new-canned"><h2 id="new-canned">新增常用回复</h2>'
           f'<form method="post" action="/handoff/replies/save">{_hidden(csrf)}{_fields("new", new_title, new_text)}'
           '<button type="submit">新增</button></form></section>')
    cards = ("".join(_card(r, csrf, typed) for r in replies) if replies
             else '<p class="card">还没有常用回复。</p>')
    body = error_notice(message) + done + intro + add + f'<h2>全部常用回复（{esc(len(replies))}）</h2>' + cards
    return layout("常用回复", body, user, csrf, nav)
