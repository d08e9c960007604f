"""Validation errors of a service in words staff read (Chinese), for the console's forms.

The rules are ServiceIn's (bot/catalogue/schema.py), the same the loader applies to the
YAML files; only the wording differs: a file's author reads ``aliases: ensure this value
has at least 1 items``, a member of staff reads ``别名：至少要有 1 条``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

FIELD_LABELS = {
    "id": "编号", "name": "名称", "department": "主管部门", "aliases": "别名", "examples": "例句",
    "summary": "简介", "eligibility": "办理条件", "materials": "申请材料", "steps": "办理步骤",
    "time_limit": "办理时限", "fee": "收费", "needs_hall": "是否需要到大厅", "hall_type": "大厅类型",
    "hall_note": "地点提示", "online": "网上办理渠道", "faqs": "常见问题", "related": "相关事项",
    "source": "来源", "updated": "更新日期",
    # inside list items
    "note": "备注", "required": "是否必需", "channel": "渠道", "how": "办法", "q": "问题", "a": "回答",
}
#: Errors listed at most; one form rarely has more, and the rest show after the first fixes.
MAX_SHOWN = 5


def field_label(loc: Sequence[Any]) -> str:
    """("materials", 2, "name") → 申请材料第3项的名称."""
    label = ""
    for part in loc:
        if isinstance(part, int):
            label += f"第{part + 1}项"
        elif part != "__root__":
            name = FIELD_LABELS.get(str(part), str(part))
            label += f"的{name}" if label else name
    return label or "内容"


def _reason(error: Mapping[str, Any]) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    limit = ctx.get("limit_value")
    reasons = {
        "value_error.missing": "必须填写",
        "value_error.any_str.min_length": "不能为空",
        "value_error.any_str.max_length": f"最多 {limit} 个字",
        "value_error.list.min_items": f"至少要有 {limit} 条",
        "value_error.list.max_items": f"最多 {limit} 条",
        "value_error.str.regex": "只能用小写英文字母、数字和连字符，以字母开头",
        "type_error.bool": "只能是“是”或“否”",
        "value_error.extra": "不是事项的字段",
        "type_error.none.not_allowed": "必须填写",
    }
    if kind in reasons:
        return reasons[kind]
    if kind.startswith(("value_error.date", "type_error.date")):
        return "应是日期"
    return str(error.get("msg", "不符合要求"))  # our own validators already speak Chinese


def describe(error: ValidationError) -> str:
    """Every reason (at most MAX_SHOWN) as 「字段：原因」, joined with 「；」."""
    found = [f"{field_label(e['loc'])}：{_reason(e)}" for e in error.errors()]
    shown = "；".join(dict.fromkeys(found[:MAX_SHOWN]))
    more = len(found) - MAX_SHOWN
    return shown + (f"；另有 {more} 处问题" if more > 0 else "") + "。"
