"""HTML of the form that adds or edits a service (服务事项), read-only for reviewers.

Same rules as layout.py: every value through `esc`, plain forms, no scripts. The text
formats (one item per line, ``｜`` between two parts) are console/catalogue/form.py's.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from bot.catalogue.schema import MAX_EXAMPLE_CHARS, MAX_EXAMPLES
from console.catalogue.form import HALL_TYPE_CHOICES
from console.web.pages.layout import error_notice, esc, layout
from console.web.pages.services import LIVE_NOTE, ORIGIN_LABELS

#: (field, label, rows, hint); rows 0 = a one-line input.
FIELDS: tuple[tuple[str, str, int, str], ...] = (
    ("name", "名称", 0, "官方事项名称，不能与其他事项重名。"),
    ("department", "主管部门", 0, ""),
    ("aliases", "别名", 4, "每行一个，1 到 8 个：居民口头的叫法，例如“补办社保卡”。"),
    ("examples", "例句", 6, f"每行一句，最多 {MAX_EXAMPLES} 句、每句最多 {MAX_EXAMPLE_CHARS} 字："
                          "居民会怎么问，用于查找事项。"),
    ("summary", "简介", 3, "一两句话说明这项业务是什么。"),
    ("eligibility", "办理条件", 4, "每行一条，1 到 8 条。"),
    ("materials", "申请材料", 6, "每行一项，1 到 15 项；要加备注写成“材料名称｜备注”；"
                             "只在部分情况下需要的，在名称后加“（视情况）”。"),
    ("steps", "办理步骤", 5, "每行一步，按顺序，1 到 10 步。"),
    ("time_limit", "办理时限", 0, "例如：承诺5个工作日（法定20个工作日）。"),
    ("fee", "收费", 0, "例如：不收费。"),
)
MORE_FIELDS: tuple[tuple[str, str, int, str], ...] = (
    ("hall_note", "地点提示", 0, "可不填：关于去哪里办的补充说明。"),
    ("online", "网上办理渠道", 3, "每行一个，写成“渠道｜办法”，1 到 6 个。"),
    ("faqs", "常见问题", 4, "每行一个，写成“问题｜回答”，1 到 6 个。"),
    ("related", "相关事项", 3, "可不填；每行一个目录中事项的名称。"),
)
_ORIGIN_NOTES = {
    "yaml": "此事项来自目录文件（data/catalogue）。在这里的修改立即生效，但下次重新加载目录时，"
            "除例句外都会被文件内容覆盖；要长期保留，请同时修改目录文件。",
    "imported": "此事项来自官方导入。在这里的修改立即生效，但下次导入时，除例句外都会被导入文件的内容覆盖。",
    "console": "此事项是在管理台新建的，重新加载目录或导入都不会改动它。",
}


def _field(key: str, label: str, rows: int, hint: str, form: Mapping[str, str]) -> str:
    hint_id = f"{key}-hint"
    described = f' aria-describedby="{hint_id}"' if hint else ""
    value = form.get(key, "")
    if rows:
        # A newline right after <textarea> is dropped by the browser, so typed text keeps its own.
        control = (f'<textarea id="{key}" name="{key}" rows="{rows}"{described}>\n'
                   f"{esc(value)}</textarea>")
    else:
        control = f'<input class="wide" id="{key}" name="{key}" value="{esc(value)}"{described}>'
    note = f'<br><span class="meta" id="{hint_id}">{esc(hint)}</span>' if hint else ""
    return f'<p><label for="{key}">{esc(label)}</label><br>{control}{note}</p>'


def _hall(form: Mapping[str, str]) -> str:
    options = "".join(
        f'<option value="{esc(value)}"{" selected" if form.get("hall_type") == value else ""}>{esc(label)}</option>'
        for value, label in HALL_TYPE_CHOICES)
    checked = " checked" if form.get("needs_hall") == "1" else ""
    return (f'<p><input type="checkbox" id="needs_hall" name="needs_hall" value="1"{checked}>'
            ' <label for="needs_hall">需要到大厅办理</label>（不勾选表示一般网上就能办）</p>'
            '<p><label for="hall_type">大厅类型</label><br>'
            f'<select id="hall_type" name="hall_type">{options}</select></p>')


def service_form_page(service_id: str, form: Mapping[str, str], origin: str | None, user: Any, csrf: str,
                      can_manage: bool, nav: Sequence[tuple[str, str]], message: str | None = None,
                      saved: bool = False) -> str:
    """``service_id``/``origin`` empty for a new service; ``form``: the text shown in the boxes."""
    title = "新增服务事项" if not service_id else f"服务事项：{form.get('name') or service_id}"
    parts = [error_notice(message)]
    if saved:
        parts.append(f'<p class="card" role="status">已保存。{LIVE_NOTE}</p>')
    if service_id:
        parts.append(f'<p class="meta">编号 <code>{esc(service_id)}</code> · 来源：'
                     f'{esc(ORIGIN_LABELS.get(origin or "", origin))}。{esc(_ORIGIN_NOTES.get(origin or "", ""))}</p>')
    else:
        parts.append('<p class="meta">新事项的编号自动生成（cs-0001 起）。' + LIVE_NOTE + '</p>')
    if not can_manage:
        parts.append('<p class="meta">只有训练员和管理员可以修改服务事项。</p>')
    fields = "".join(_field(*spec, form) for spec in FIELDS) + _hall(form) + "".join(
        _field(*spec, form) for spec in MORE_FIELDS)
    disabled = "" if can_manage else " disabled"
    parts.append(
        '<form method="post" action="/services/save" class="card">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        f'<input type="hidden" name="id" value="{esc(service_id)}">'
        f'<fieldset{disabled} class="plain"><legend class="meta">'
        f'{"事项内容" if can_manage else "事项内容（只读）"}</legend>{fields}</fieldset>'
        + ('<button type="submit">保存</button>' if can_manage else "") + "</form>")
    if can_manage and service_id:
        parts.append(f'<p><a href="{esc("/services/delete?" + urlencode({"id": service_id}))}">删除此事项</a></p>')
    parts.append('<p><a href="/services">返回服务事项列表</a></p>')
    return layout(title, "".join(parts), user, csrf, nav)
