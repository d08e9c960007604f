"""HTML for the staff console. Every value goes through html.escape (`_e`); no scripts.

Pages are plain server-rendered forms, Simplified Chinese, with a small inline style that
reads well on a laptop and a tablet. The CSP allows inline styles only.
"""
from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode
from typing import Any, Iterable, Optional, Sequence

from console.auth.audit import AuditRecord
from console.teaching.inbox import InboxGroup, Reason

REASON_LABELS = {
    Reason.FALLBACK: "未识别（兜底）",
    Reason.LOW_CONFIDENCE: "置信度低",
    Reason.CLARIFIED: "需要澄清",
    Reason.HANDOFF: "之后转人工",
}
ROLE_LABELS = {"reviewer": "审核员", "trainer": "训练员", "admin": "管理员"}

FORBIDDEN_MESSAGE = "您没有权限执行此操作"
CSRF_MESSAGE = "请求校验失败（页面可能已过期），请刷新页面后重试。"

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2129;font-size:16px;line-height:1.5}
header{background:#1f4e8c;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.8rem;align-items:center}
header a,header button{color:#fff}
header nav{display:flex;gap:1rem;flex:1;flex-wrap:wrap}
main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:1rem;margin-bottom:1rem}
.phrase{font-size:1.15rem;font-weight:600;word-break:break-all}
.meta{color:#4e5969;font-size:.9rem}
.turns{list-style:none;padding:0;margin:.5rem 0;font-size:.9rem}
.turns li{padding:.15rem .4rem;border-left:3px solid #c9cdd4;margin:.2rem 0;word-break:break-all}
.turns li.user{border-color:#1f4e8c}
.turns li.this{background:#fff7e8}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.4rem 0}
label{font-weight:500}
input,select,button{font:inherit;padding:.45rem .6rem;border:1px solid #c9cdd4;border-radius:6px;min-height:2.5rem}
button{background:#1f4e8c;color:#fff;border-color:#1f4e8c;cursor:pointer}
button.secondary{background:#fff;color:#1f4e8c}
header button{background:transparent;border-color:#fff;min-height:auto;padding:.2rem .6rem}
.error{background:#ffece8;border:1px solid #f53f3f;color:#a1151e;padding:.6rem 1rem;border-radius:6px}
table{width:100%;border-collapse:collapse;background:#fff;font-size:.9rem}
th,td{border:1px solid #dde1e6;padding:.4rem;text-align:left;vertical-align:top;word-break:break-all}
h2{font-size:1.15rem;margin:0 0 .6rem}
pre{white-space:pre-wrap;word-break:break-all;font-size:.8rem;max-height:20rem;overflow:auto}
progress{width:100%;height:1.2rem}
tr.worse td{background:#ffece8}
.login{max-width:360px;margin:3rem auto}
.login label{display:block;margin-top:.8rem}
.login input{width:100%}
.login button{margin-top:1rem;width:100%}
@media (max-width:600px){main{padding:.5rem}select{max-width:100%}}
"""


def _e(value: Any) -> str:
    """Escape anything for HTML text and attribute values."""
    return escape("" if value is None else str(value), quote=True)


def layout(title: str, body: str, user: Optional[Any] = None, csrf: Optional[str] = None,
           nav: Sequence[tuple[str, str]] = (), head: str = "") -> str:
    """The page frame; `head` is trusted markup for <head> (e.g. a meta refresh)."""
    header = ""
    if user is not None:
        links = "".join(f'<a href="{_e(href)}">{_e(label)}</a>' for href, label in nav)
        role = ROLE_LABELS.get(str(getattr(user.role, "value", user.role)), user.role)
        header = (
            f'<header><nav>{links}</nav>'
            f'<span>{_e(user.username)}（{_e(role)}）</span>'
            f'<form method="post" action="/logout">'
            f'<input type="hidden" name="csrf" value="{_e(csrf)}">'
            f'<button type="submit">退出登录</button></form></header>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(title)} - 芜湖政务助手管理台</title>{head}<style>{_CSS}</style></head>'
        f'<body>{header}<main><h1>{_e(title)}</h1>{body}</main></body></html>'
    )


def _error(message: Optional[str]) -> str:
    return f'<p class="error" role="alert">{_e(message)}</p>' if message else ""


def login_page(form_token: str, message: Optional[str] = None, username: str = "") -> str:
    body = (
        f'<div class="login card">{_error(message)}'
        '<form method="post" action="/login">'
        f'<input type="hidden" name="form_token" value="{_e(form_token)}">'
        '<label for="username">用户名</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{_e(username)}">'
        '<label for="password">密码</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">登录</button></form></div>'
    )
    return layout("登录", body)


def message_page(title: str, message: str, user: Optional[Any] = None, csrf: Optional[str] = None,
                 nav: Sequence[tuple[str, str]] = ()) -> str:
    body = f'<div class="card"><p>{_e(message)}</p><p><a href="/inbox">返回待处理消息</a></p></div>'
    return layout(title, body, user, csrf, nav)


def _turns(group: InboxGroup) -> str:
    if not group.examples:
        return ""
    item = group.examples[0]
    lines = [("user" if t.role == "user" else "bot", t.text, "") for t in item.before]
    lines.append(("user", item.text, " this"))
    lines += [("user" if t.role == "user" else "bot", t.text, "") for t in item.after]
    shown = "".join(
        f'<li class="{_e(kind + extra)}">{"居民" if kind == "user" else "助手"}：{_e(text)}</li>'
        for kind, text, extra in lines
    )
    return f'<details><summary>对话上下文</summary><ul class="turns">{shown}</ul></details>'


def _group_card(index: int, group: InboxGroup, intents: Sequence[str], csrf: str,
                can_annotate: bool) -> str:
    reasons = "、".join(_e(REASON_LABELS.get(r, r)) for r in sorted(group.reasons, key=str))
    if group.predicted_intent:
        confidence = (f"{group.mean_confidence:.2f}" if group.mean_confidence is not None else "—")
        predicted = f"{_e(group.predicted_intent)}（置信度 {_e(confidence)}）"
    else:
        predicted = "无"
    picked = "、".join(f"{_e(s)} ×{_e(n)}" for s, n in group.picked_services.most_common()) or "无"
    parts = [
        f'<section class="card" aria-labelledby="g{index}">',
        f'<p class="phrase" id="g{index}">{_e(group.text)}</p>',
        f'<p class="meta">出现 {_e(group.count)} 次 · 原因：{reasons} · '
        f'模型猜测：{predicted} · 居民选择：{picked}</p>',
    ]
    typed = [v for v, _ in group.variants.most_common() if v != group.text]
    if typed:
        parts.append('<p class="meta">原文：' + " / ".join(f"“{_e(v)}”" for v in typed[:3]) + "</p>")
    parts.append(_turns(group))
    if can_annotate:
        options = "".join(
            f'<option value="{_e(i)}"{" selected" if i == group.predicted_intent else ""}>{_e(i)}</option>'
            for i in intents
        )
        hidden = (f'<input type="hidden" name="text" value="{_e(group.text)}">'
                  f'<input type="hidden" name="csrf" value="{_e(csrf)}">')
        parts.append(
            f'<form class="inline" method="post" action="/inbox/decide">{hidden}'
            f'<label for="intent{index}">归入意图</label>'
            f'<select id="intent{index}" name="intent">{options}</select>'
            '<button type="submit" name="action" value="assign">加入训练样本</button></form>'
            f'<form class="inline" method="post" action="/inbox/decide">{hidden}'
            '<button class="secondary" type="submit" name="action" value="out_of_scope">不属于服务范围</button>'
            '<button class="secondary" type="submit" name="action" value="dismiss">忽略</button></form>'
            f'<p class="meta">不是已有的业务？<a href="/faq?{_e(urlencode({"text": group.text}))}">'
            '作为新的常见问题（写上回答）</a></p>'
        )
    parts.append("</section>")
    return "".join(parts)


def inbox_page(groups: Sequence[InboxGroup], intents: Sequence[str], user: Any, csrf: str,
               can_annotate: bool, nav: Sequence[tuple[str, str]], message: Optional[str] = None) -> str:
    if groups:
        cards = "".join(_group_card(i, g, intents, csrf, can_annotate) for i, g in enumerate(groups))
        intro = f'<p class="meta">共 {_e(len(groups))} 组待处理消息，按出现次数排序。</p>'
    else:
        cards, intro = "", '<p class="card">暂时没有待处理的消息。</p>'
    return layout("待处理消息", _error(message) + intro + cards, user, csrf, nav)


def _detail(detail: Any) -> str:
    if detail is None:
        return ""
    if isinstance(detail, str):
        return detail
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def audit_page(records: Iterable[AuditRecord], user: Any, csrf: str,
               nav: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><td>{_e(r.at.strftime('%Y-%m-%d %H:%M:%S'))}</td><td>{_e(r.username)}</td>"
        f"<td>{_e(r.action)}</td><td>{_e(_detail(r.detail))}</td><td>{_e(r.ip or '')}</td></tr>"
        for r in records
    )
    body = (
        '<p class="meta">最近的操作记录（UTC 时间，最新在前）。</p>'
        '<table><thead><tr><th scope="col">时间</th><th scope="col">用户</th><th scope="col">操作</th>'
        f'<th scope="col">详情</th><th scope="col">来源地址</th></tr></thead><tbody>{rows}</tbody></table>'
    )
    return layout("操作记录", body, user, csrf, nav)
