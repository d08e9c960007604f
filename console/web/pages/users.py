"""HTML of 账号管理 (admins): the accounts, the forms that change them, the one-time password.

The one-time password appears only in the response to the POST that made it (never on a
page reached by GET, so neither the history nor a reload shows it again); the console's
Cache-Control: no-store keeps it out of caches.
"""
from __future__ import annotations

from collections.abc import Sequence

from console import timefmt
from console.auth.accounts import StaffAccount
from console.auth.roles import Role, role_label
from console.web.pages.layout import error_notice, esc, layout

#: The notice after a change (the route redirects with ?done=<key>&user=<name>).
DONE_MESSAGES = {
    "role": "已修改账号 {user} 的角色，下一次操作起生效。",
    "disable": "已停用账号 {user}，其登录会话已全部结束。",
    "enable": "已启用账号 {user}。",
    "department": "已修改账号 {user} 的所属部门，下一次操作起生效。",
}
ROLE_HELP = ("审核员：处理待处理消息、常见问题、差评回访；训练员：另可训练、上线模型，编辑服务事项；"
             "管理员：另可查看操作记录、管理账号、接待转人工的居民、复核申诉；坐席：接待转人工的居民（人工服务），办理差评回访。")
DEPARTMENT_HELP = "设置了所属部门的账号只能查看和办理本部门的差评回访；未设置的（以及管理员）可办理全部部门的。"
ALL_DEPARTMENTS = "（全部部门）"


def _hidden(csrf: str, **values: str) -> str:
    fields = {"csrf": csrf, **values}
    return "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in fields.items())


def _role_options(chosen: Role | None) -> str:
    return "".join(f'<option value="{esc(r.value)}"{" selected" if r is chosen else ""}>{esc(role_label(r))}</option>'
                   for r in Role)


def _state(account: StaffAccount) -> str:
    """启用 or 停用 on one line; the note on a one-time password may wrap under it."""
    state = f'<span class="nowrap">{"启用" if account.active else "停用"}</span>'
    if account.active and account.must_change_password:
        state += '<span class="meta">（待修改一次性密码）</span>'
    return state


def _department_form(account: StaffAccount, csrf: str, departments: Sequence[str]) -> str:
    choices = [("", ALL_DEPARTMENTS), *((d, d) for d in departments)]
    if account.department and account.department not in departments:  # a department the catalogue dropped
        choices.append((account.department, account.department))
    options = "".join(f'<option value="{esc(v)}"{" selected" if v == (account.department or "") else ""}>'
                      f'{esc(label)}</option>' for v, label in choices)
    return (f'<form class="inline" method="post" action="/users/department">{_hidden(csrf, username=account.username)}'
            f'<label class="nowrap">部门 <select name="department" aria-label="{esc(account.username)} 的所属部门">'
            f'{options}</select></label><button class="secondary" type="submit">设置部门</button></form>')


def _actions(account: StaffAccount, me: StaffAccount, csrf: str, departments: Sequence[str]) -> str:
    name = account.username
    role_form = (f'<form class="inline" method="post" action="/users/role">{_hidden(csrf, username=name)}'
                 f'<label class="nowrap">角色 <select name="role" aria-label="{esc(name)} 的角色">'
                 f'{_role_options(account.role)}</select></label>'
                 '<button class="secondary" type="submit">修改角色</button></form>')
    switch = '<form class="inline" method="post" action="/users/active">'
    if account.active:
        switch += (f'{_hidden(csrf, username=name, active="0")}'
                   '<label class="nowrap"><input type="checkbox" name="confirm" value="yes" required> 确认停用</label>'
                   '<button class="secondary" type="submit">停用</button></form>')
    else:
        switch += (f'{_hidden(csrf, username=name, active="1")}'
                   '<button class="secondary" type="submit">启用</button></form>')
    if account.username == me.username:
        reset = '<a class="nowrap" href="/password">修改我的密码</a>'
    else:
        reset = (f'<form class="inline" method="post" action="/users/reset">{_hidden(csrf, username=name)}'
                 '<label class="nowrap"><input type="checkbox" name="confirm" value="yes" required> 确认重置</label>'
                 '<button class="secondary" type="submit">重置密码</button></form>')
    return role_form + _department_form(account, csrf, departments) + switch + reset


def _row(account: StaffAccount, me: StaffAccount, csrf: str, departments: Sequence[str]) -> str:
    mine = "（我）" if account.username == me.username else ""
    return (f'<tr><td class="nowrap">{esc(account.username)}{esc(mine)}</td>'
            f'<td class="nowrap">{esc(role_label(account.role))}</td><td>{_state(account)}</td>'
            f'<td class="nowrap">{esc(account.department or ALL_DEPARTMENTS)}</td>'
            f'<td class="nowrap">{esc(timefmt.format_time(account.last_login_at, empty="从未登录"))}</td>'
            f'<td class="nowrap">{esc(timefmt.format_time(account.created_at))}</td>'
            f'<td class="forms">{_actions(account, me, csrf, departments)}</td></tr>')


def _create_form(csrf: str, username: str, role: Role | None) -> str:
    return (
        '<section class="card" aria-labelledby="new-account"><h2 id="new-account">新建账号</h2>'
        f'<form class="inline" method="post" action="/users/create">{_hidden(csrf)}'
        '<label for="new-username">用户名</label>'
        f'<input id="new-username" name="username" required maxlength="32" autocomplete="off" value="{esc(username)}"'
        ' aria-describedby="username-hint">'
        '<label for="new-role">角色</label>'
        f'<select id="new-role" name="role">{_role_options(role or Role.REVIEWER)}</select>'
        '<button type="submit">创建账号</button></form>'
        '<p class="meta" id="username-hint">用户名以小写字母开头，3–32 个小写字母、数字或 _ . -，例如 zhang.san。'
        '系统会生成一次性初始密码，只显示一次；对方首次登录时必须改成自己的密码。</p></section>'
    )


def users_page(accounts: Sequence[StaffAccount], me: StaffAccount, csrf: str, nav: Sequence[tuple[str, str]],
               message: str | None = None, notice: str | None = None, username: str = "",
               role: Role | None = None, departments: Sequence[str] = ()) -> str:
    done = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    table = ('<div class="scroll"><table><thead><tr><th scope="col">用户名</th><th scope="col">角色</th>'
             '<th scope="col">状态</th><th scope="col">所属部门</th>'
             f'<th scope="col">最近登录（{esc(timefmt.zone_label())}）</th>'
             '<th scope="col">创建时间</th><th scope="col">操作</th></tr></thead>'
             f'<tbody>{"".join(_row(a, me, csrf, departments) for a in accounts)}</tbody></table></div>')
    intro = (f'<p class="meta">{esc(ROLE_HELP)} {esc(DEPARTMENT_HELP)} 停用账号或重置密码会立即结束其登录会话；'
             '至少要保留一个启用的管理员。每项操作都记入操作记录。</p>')
    body = (error_notice(message) + done + intro + _create_form(csrf, username, role)
            + f'<p class="meta">共 {esc(len(accounts))} 个账号。</p>' + table)
    return layout("账号管理", body, me, csrf, nav)


def one_time_password_page(account: StaffAccount, password: str, created: bool, me: StaffAccount, csrf: str,
                           nav: Sequence[tuple[str, str]]) -> str:
    what = (f"已创建账号 {account.username}（{role_label(account.role)}）。" if created
            else f"已重置账号 {account.username} 的密码，其登录会话已全部结束。")
    body = (
        f'<p class="notice" role="status">{esc(what)}</p>'
        '<section class="card" aria-labelledby="otp"><h2 id="otp">一次性密码</h2>'
        f'<p><span class="secret">{esc(password)}</span></p>'
        f'<p>请当面或通过安全渠道交给 {esc(account.username)} 本人。<strong>此密码只显示这一次</strong>，'
        '离开本页后无法再查看，只能重新重置。对方用它登录后必须立即改成自己的密码。</p>'
        '<p><a href="/users">返回账号管理</a></p></section>'
    )
    return layout("一次性密码", body, me, csrf, nav)


def done_notice(done: str, username: str) -> str | None:
    template = DONE_MESSAGES.get(done)
    return template.format(user=username) if template and username else None

