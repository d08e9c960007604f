"""The frame of every console page, and the pages without a module of their own (login, messages).

Every value goes through html.escape (:func:`esc`); no scripts. Pages are plain
server-rendered forms, Simplified Chinese, with a small inline style that reads well on a
laptop and a tablet. The CSP allows inline styles only. One module per page beside this one.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from console.auth import roles

ROLE_LABELS = {role.value: label for role, label in roles.ROLE_LABELS.items()}

FORBIDDEN_MESSAGE = "您没有权限执行此操作"
CSRF_MESSAGE = "请求校验失败（页面可能已过期），请刷新页面后重试。"

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2129;
font-size:16px;line-height:1.5}
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
.nowrap{white-space:nowrap;word-break:keep-all}
td.detail{word-break:normal;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
.notice{background:#e8f7ee;border:1px solid #00a870;color:#0b5c3a;padding:.6rem 1rem;border-radius:6px}
.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.3rem;letter-spacing:.05em;
background:#fff7e8;border:1px dashed #c9a25c;padding:.3rem .7rem;border-radius:6px;white-space:nowrap}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.4rem 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.9rem}
td form.inline{margin:0 0 .3rem}
.filename{color:#86909c;font-size:.8rem;word-break:break-all}
.model-title{word-break:keep-all;overflow-wrap:anywhere}
th.actions,td.actions{white-space:nowrap;word-break:keep-all;width:1%}
td.actions form.inline{flex-wrap:nowrap}
.card.live{border-color:#00a870;border-width:2px}
tr.check-bad td{background:#ffece8}
h3{font-size:1rem;margin:1rem 0 .4rem}
input[type=checkbox]{min-height:auto}
@media (max-width:600px){main{padding:.5rem}select{max-width:100%}}
"""


def esc(value: Any) -> str:
    """Escape anything for HTML text and attribute values."""
    return escape("" if value is None else str(value), quote=True)


def layout(title: str, body: str, user: Any | None = None, csrf: str | None = None,
           nav: Sequence[tuple[str, str]] = (), head: str = "") -> str:
    """The page frame; `head` is trusted markup for <head> (e.g. a meta refresh)."""
    header = ""
    if user is not None:
        links = "".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in nav)
        role = ROLE_LABELS.get(str(getattr(user.role, "value", user.role)), user.role)
        header = (
            f'<header><nav>{links}</nav>'
            f'<span>{esc(user.username)}（{esc(role)}）</span>'
            f'<form method="post" action="/logout">'
            f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            f'<button type="submit">退出登录</button></form></header>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} - 芜湖政务助手管理台</title>{head}<style>{_CSS}</style></head>'
        f'<body>{header}<main><h1>{esc(title)}</h1>{body}</main></body></html>'
    )


def error_notice(message: str | None) -> str:
    """An alert box for `message`; nothing without one."""
    return f'<p class="error" role="alert">{esc(message)}</p>' if message else ""


def login_page(form_token: str, message: str | None = None, username: str = "") -> str:
    body = (
        f'<div class="login card">{error_notice(message)}'
        '<form method="post" action="/login">'
        f'<input type="hidden" name="form_token" value="{esc(form_token)}">'
        '<label for="username">用户名</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{esc(username)}">'
        '<label for="password">密码</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">登录</button></form></div>'
    )
    return layout("登录", body)


def message_page(title: str, message: str, user: Any | None = None, csrf: str | None = None,
                 nav: Sequence[tuple[str, str]] = ()) -> str:
    body = f'<div class="card"><p>{esc(message)}</p><p><a href="/inbox">返回待处理消息</a></p></div>'
    return layout(title, body, user, csrf, nav)
