"""HTML of 修改密码: every member of staff changes their own password here, and an account on
a one-time password (new, or reset by an admin) must, before any other page opens."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console.auth.passwords import MIN_LENGTH
from console.web.pages.layout import error_notice, esc, layout

FIRST_LOGIN = "您正在使用管理员给的一次性密码。请先设置自己的密码，之后才能使用其他功能。"
DONE = "密码已修改。您在其他设备上的登录已全部结束。"


def password_page(user: Any, csrf: str, nav: Sequence[tuple[str, str]], message: str | None = None,
                  done: bool = False) -> str:
    first = f'<p class="notice" role="status">{esc(FIRST_LOGIN)}</p>' if user.must_change_password else ""
    ok = f'<p class="notice" role="status">{esc(DONE)}</p>' if done else ""
    form = (
        '<form class="login card" method="post" action="/password">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        f'<input type="text" name="username" value="{esc(user.username)}" autocomplete="username" hidden>'
        '<label for="current">当前密码</label>'
        '<input id="current" name="current" type="password" autocomplete="current-password" required>'
        '<label for="new">新密码</label>'
        f'<input id="new" name="new" type="password" autocomplete="new-password" required minlength="{MIN_LENGTH}"'
        ' aria-describedby="new-hint">'
        f'<span class="meta" id="new-hint">至少 {MIN_LENGTH} 个字符，不能全是数字，不能与用户名相同。</span>'
        '<label for="again">再次输入新密码</label>'
        '<input id="again" name="again" type="password" autocomplete="new-password" required>'
        '<button type="submit">修改密码</button></form>'
    )
    return layout("修改密码", error_notice(message) + first + ok + form, user, csrf, nav)
