"""The frame of every console page, and the pages without a module of their own (login, messages).

Every value goes through html.escape (:func:`esc`); no scripts but the hand-off desk's one
same-origin file (console/web/static/seat.js, linked by its pages). Pages are plain
server-rendered forms, Simplified Chinese. This module holds the console's one stylesheet:
the CSP (console/web/app.py) admits exactly this ``<style>`` by its hash (:data:`STYLE_SOURCE`),
so no page can carry a style of its own or a ``style=`` attribute; a page needing a look
adds a class here. One module per page beside this one.

Layout rules (checked in a browser at 1366 and 768 px by tests/web/test_console_layout.py):
a table sits in a ``.scroll`` box and scrolls sideways inside it rather than squeezing its
columns; names, usernames, times, codes and buttons never wrap (``.nowrap``, ``.actions``,
``th``, ``button``; the small forms of a ``td.forms`` wrap between forms, never inside one);
only long unbroken tokens (filenames, details) may break anywhere (``overflow-wrap:anywhere``),
never a global ``word-break:break-all``; below 820 px forms stack (inputs take the row,
filters become a grid).
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from html import escape
from typing import Any

from console.auth import roles

ROLE_LABELS = {role.value: label for role, label in roles.ROLE_LABELS.items()}

#: The product's one name, as residents know it (bot/replies.py's welcome), and this console's.
PRODUCT_NAME = "芜湖市政务服务助手"
CONSOLE_TITLE = f"{PRODUCT_NAME} · 工作人员管理台"
#: The department the console serves. The repository names no owning department, so this
#: is a sample ("示例"); a deployment puts its own here.
DEPARTMENT = "芜湖市数据资源管理局（示例）"

FORBIDDEN_MESSAGE = "您没有权限执行此操作"
CSRF_MESSAGE = "请求校验失败（页面可能已过期），请刷新页面后重试。"

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f6f8;color:#1d2129;
font-size:16px;line-height:1.5}
header{background:#1f4e8c;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:center}
header a,header button{color:#fff}
header nav{display:flex;gap:.3rem 1rem;flex:1;flex-wrap:wrap}
header a,header span{white-space:nowrap}
main{max-width:1120px;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:1rem;margin-bottom:1rem}
.phrase{font-size:1.15rem;font-weight:600;overflow-wrap:anywhere}
.meta{color:#4e5969;font-size:.9rem}
.turns{list-style:none;padding:0;margin:.5rem 0;font-size:.9rem}
.turns li{padding:.15rem .4rem;border-left:3px solid #c9cdd4;margin:.2rem 0;overflow-wrap:anywhere}
.turns li.user{border-color:#1f4e8c}
.turns li.this{background:#fff7e8}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.4rem 0}
label{font-weight:500}
input,select,button,textarea{font:inherit;padding:.45rem .6rem;border:1px solid #c9cdd4;border-radius:6px;
min-height:2.5rem}
select{max-width:100%}
textarea,input.wide{width:100%}
input[list]{width:22rem;max-width:100%}
button{background:#1f4e8c;color:#fff;border-color:#1f4e8c;cursor:pointer;white-space:nowrap}
button.secondary{background:#fff;color:#1f4e8c}
header button{background:transparent;border-color:#fff;min-height:auto;padding:.2rem .6rem}
.error{background:#ffece8;border:1px solid #f53f3f;color:#a1151e;padding:.6rem 1rem;border-radius:6px}
table{width:100%;border-collapse:collapse;background:#fff;font-size:.9rem}
th,td{border:1px solid #dde1e6;padding:.4rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f7f8fa;white-space:nowrap}
h2{font-size:1.15rem;margin:0 0 .6rem}
h3{font-size:1rem;margin:.6rem 0 .2rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem;max-height:20rem;overflow:auto}
progress{width:100%;height:1.2rem}
tr.worse td{background:#ffece8}
.login{max-width:380px;margin:2.5rem auto}
.login h1{font-size:1.3rem;text-align:center;margin:0 0 .2rem;word-break:keep-all}
.login .dept{color:#4e5969;text-align:center;margin:0 0 1.2rem}
.login label{display:block;margin-top:.8rem}
.login input{width:100%}
.login button{margin-top:1rem;width:100%}
.nowrap{white-space:nowrap}
td.detail,td.text{min-width:12rem}
td.detail,.filename{overflow-wrap:anywhere}
th.actions,td.actions{white-space:nowrap;width:1%}
td.forms form.inline{display:inline-flex;flex-wrap:nowrap;margin:0 .8rem .4rem 0;vertical-align:middle}
.scroll{overflow-x:auto;max-width:100%}
main>.scroll{background:#fff;border:1px solid #dde1e6;border-radius:8px;margin-bottom:1rem}
main>.scroll>table{border-style:hidden}
.notice{background:#e8f7ee;border:1px solid #00a870;color:#0b5c3a;padding:.6rem 1rem;border-radius:6px;margin:0 0 1rem}
.notice form{display:inline}
.secret{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.3rem;letter-spacing:.05em;
background:#fff7e8;border:1px dashed #c9a25c;padding:.3rem .7rem;border-radius:6px;white-space:nowrap}
.answer{white-space:pre-wrap;background:#f7f8fa;border-radius:6px;padding:.5rem .7rem;margin:.4rem 0}
fieldset.plain{border:0;padding:0;margin:0;min-width:0}
.filters p{margin:0;display:flex;flex-direction:column;font-size:.9rem}
.pick{float:right;font-weight:400;white-space:nowrap;margin-left:.5rem}
#bulk{position:sticky;bottom:0;z-index:1;box-shadow:0 -2px 8px rgba(0,0,0,.08)}
ul.targets{columns:2 16rem;margin:.2rem 0 .8rem}
@media (max-width:820px){main{padding:.75rem}
main form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));align-items:end}
main form.filters input,main form.filters select{width:100%}
form.inline>input:not([type=checkbox]){flex:1 1 14rem;min-width:0}}
@media (max-width:600px){main>form.inline,.card>form.inline{flex-direction:column;align-items:stretch}}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.4rem 0 1rem}
form.filters label{display:flex;flex-direction:column;font-size:.9rem}
td form.inline{margin:0 0 .3rem}
.filename{color:#86909c;font-size:.8rem}
.model-title{word-break:keep-all;overflow-wrap:anywhere}
td.actions form.inline{flex-wrap:nowrap}
.card.live{border-color:#00a870;border-width:2px}
tr.check-bad td{background:#ffece8}
h3{font-size:1rem;margin:1rem 0 .4rem}
input[type=checkbox]{min-height:auto}
@media (max-width:600px){main{padding:.5rem}select{max-width:100%}}
ol.chat{list-style:none;padding:0;margin:.5rem 0}
ol.chat li{margin:.5rem 0;padding:.4rem .7rem;border-radius:8px;background:#f7f8fa;border-left:4px solid #c9cdd4}
ol.chat li.resident{border-color:#1f4e8c}
ol.chat li.agent{background:#eef7f2;border-color:#00a870}
.said{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0 0}
.badge{background:#f53f3f;color:#fff;border-radius:10px;padding:0 .5rem;font-size:.8rem;white-space:nowrap}
.sent-ok{color:#0b5c3a}.sent-bad{color:#a1151e;font-weight:600}.sent-wait{color:#86909c}
ul.canned{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.4rem}
ul.canned a{display:inline-block;border:1px solid #1f4e8c;border-radius:16px;padding:.1rem .7rem;text-decoration:none}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem;margin:0 0 1rem}
.figure{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:.5rem .7rem;display:flex;
flex-direction:column}
.figure span{color:#4e5969;font-size:.85rem}
.figure strong{font-size:1.3rem;white-space:nowrap}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(30rem,100%),1fr));gap:0 1rem}
figure.chart{margin:0 0 1rem}
figure.chart figcaption{font-weight:600;margin-bottom:.3rem}
svg.chart{display:block;width:100%;height:auto}
table.numbers td{text-align:right;white-space:nowrap}
table.numbers tbody th{background:#fff;font-weight:500}
dl.definitions dt{font-weight:600;margin-top:.5rem}
dl.definitions dd{margin:0 0 0 1rem}
details{margin:0 0 1rem}
nav.tabs{margin:0 0 .6rem}
nav.tabs a[aria-current=page]{font-weight:700;color:#1d2129;text-decoration:none}
"""


#: The CSP's ``style-src``: this stylesheet and nothing else (no other <style>, no style=).
STYLE_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii") + "'"


def esc(value: Any) -> str:
    """Escape anything for HTML text and attribute values."""
    return escape("" if value is None else str(value), quote=True)


def layout(title: str, body: str, user: Any | None = None, csrf: str | None = None,
           nav: Sequence[tuple[str, str]] = (), head: str = "", heading: bool = True) -> str:
    """The page frame; `head` is trusted markup for <head> (e.g. a meta refresh, never a style);
    `heading`: False when `body` brings its own <h1> (the login page)."""
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
    h1 = f"<h1>{esc(title)}</h1>" if heading else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} - {esc(CONSOLE_TITLE)}</title>{head}<style>{_CSS}</style></head>'
        f'<body>{header}<main>{h1}{body}</main></body></html>'
    )


def error_notice(message: str | None) -> str:
    """An alert box for `message`; nothing without one."""
    return f'<p class="error" role="alert">{esc(message)}</p>' if message else ""


def login_page(form_token: str, message: str | None = None, username: str = "") -> str:
    """The product and the department it serves, then the form."""
    body = (
        f'<div class="login"><h1>{esc(CONSOLE_TITLE)}</h1><p class="dept">{esc(DEPARTMENT)}</p>'
        f'<div class="card">{error_notice(message)}'
        '<form method="post" action="/login" aria-label="登录">'
        f'<input type="hidden" name="form_token" value="{esc(form_token)}">'
        '<label for="username">用户名</label>'
        f'<input id="username" name="username" autocomplete="username" required value="{esc(username)}">'
        '<label for="password">密码</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">登录</button></form></div></div>'
    )
    return layout("登录", body, heading=False)


def message_page(title: str, message: str, user: Any | None = None, csrf: str | None = None,
                 nav: Sequence[tuple[str, str]] = ()) -> str:
    body = f'<div class="card"><p>{esc(message)}</p><p><a href="/">返回首页</a></p></div>'
    return layout(title, body, user, csrf, nav)
