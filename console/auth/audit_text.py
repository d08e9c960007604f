"""The audit log in words an admin reads: each action code and each detail in Chinese.

Codes stay what the code writes (``model_activate``, ``user.add``: stable, filterable);
this module is the one place that names them, for the 操作记录 page and its CSV export.
tests/console/auth/test_audit_text.py finds every code the console passes to the audit
writer and fails if one has no label here. A code from an older version without a label
is shown as 其他操作 with the code, never dropped.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.catalogue.messages import FIELD_LABELS as SERVICE_FIELD_LABELS
from bot.evaluation.followups import FollowUpStatus
from bot.personal.masking import mask_labelled_lines, mask_personal_data
from console.auth.audit import SYSTEM_USER, UNKNOWN_USER
from console.auth.roles import role_label

ACTION_LABELS: dict[str, str] = {
    # signing in
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "login_locked": "登录被锁定（失败次数过多）",
    "password_change": "修改本人密码",
    # accounts (the CLI's codes, which the 账号管理 page uses too)
    "user.add": "创建账号",
    "user.role": "修改账号角色",
    "user.disable": "停用账号",
    "user.enable": "启用账号",
    "user.reset": "重置密码（一次性密码）",
    "user.passwd": "设置账号密码（命令行）",
    "user.department": "设置账号所属部门",
    # teaching
    "inbox_decide": "处理待处理消息",
    "inbox_revert": "撤回待处理消息的处理",
    "faq_add": "新增常见问题",
    "faq_example": "为常见问题添加问法",
    # services
    "service_create": "新增服务事项",
    "service_update": "修改服务事项",
    "service_delete": "删除服务事项",
    "service_example": "为服务事项添加例句",
    "service_example_remove": "撤回服务事项的例句",
    # models
    "model_retrain": "开始训练模型",
    "model_retrain_cancel": "取消训练",
    "model_evaluate": "评估模型",
    "model_activate": "上线模型",
    "model_rollback": "回滚模型",
    "model_take_back": "回滚后撤回例句",
    # 差评回访 and 申诉
    "followup_advance": "办理差评回访",
    "appeal_request": "提交差评申诉",
    "appeal_approve": "申诉复核：通过",
    "appeal_refuse": "申诉复核：不通过",
    # the log itself
    "audit_export": "导出操作记录",
    # the hand-off desk (人工服务)
    "handoff_claim": "接入转人工的居民",
    "handoff_reply": "回复居民（人工服务）",
    "handoff_transfer": "转接会话",
    "handoff_close": "结束人工服务并交还助手",
    "handoff_release_logout": "退出登录，未回复的居民退回队列",
    "handoff_release_idle": "坐席闲置，未回复的居民退回队列",
    "handoff_canned_add": "新增常用回复",
    "handoff_canned_edit": "修改常用回复",
    "handoff_canned_delete": "删除常用回复",
    # 留言工单 (转人工 out of hours)
    "handoff_ticket_reveal": "查看留言的完整回电号码",
    "handoff_ticket_close": "办结留言",
    "dashboard_export": "导出服务分析",
}

USER_LABELS = {"cli": "命令行", UNKNOWN_USER: "（不存在的账号）", SYSTEM_USER: "系统（自动）"}

#: Detail keys, in the order they are shown; keys not listed follow, in their own order.
DETAIL_LABELS: dict[str, str] = {
    "username": "账号", "attempted": "尝试登录的账号", "role": "角色", "previous_role": "原角色",
    "request": "会话编号", "canned": "常用回复编号", "agent": "坐席", "title": "标题", "previous_title": "原标题",
    "text": "消息", "action": "处理方式", "intent": "意图",
    "key": "问题标识", "examples": "问法", "answer": "回答",
    "service": "事项编号", "name": "事项名称", "example": "例句", "from_inbox": "来自待处理消息",
    "changed": "改动",
    "model": "模型", "previous": "原线上模型", "rolled_back_to": "回滚到", "mode": "训练方式", "reason": "原因",
    "filters": "筛选条件", "count": "条数",
    "previous_text": "原内容", "channel": "渠道", "to_agent": "转给",
    "handed_back": "已交还助手", "requests": "退回队列的会话", "idle_minutes": "闲置分钟数",
    "department": "部门", "previous_department": "原部门",
    "followup": "差评回访编号", "appeal": "申诉编号", "rating": "评价编号", "requested_by": "申诉人",
    "from_status": "原状态", "to_status": "新状态", "reached": "联系到居民", "satisfied": "居民满意", "note": "说明",
    "os_user": "系统账号",
    "ticket": "留言编号",
}
_ORDER = {key: index for index, key in enumerate(DETAIL_LABELS)}

#: Values that are codes, by the key they appear under.
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "reason": {"wrong_password": "密码错误", "unknown_user": "账号不存在", "disabled": "账号已停用",
               "locked": "失败次数过多，暂时锁定"},
    "action": {"assign": "归入意图", "out_of_scope": "不属于服务范围", "dismiss": "忽略",
               "service": "归入服务事项"},
    "mode": {"finetune": "微调", "full": "完整训练", "external": "命令行训练"},
    "channel": {"webchat": "网页聊天", "wechat": "微信公众号", "rest": "接口"},
    "from_status": {status.value: status.label for status in FollowUpStatus},
    "to_status": {status.value: status.label for status in FollowUpStatus},
}
_ROLE_KEYS = ("role", "previous", "previous_role")
MAX_VALUE_CHARS = 300


def action_label(code: str) -> str:
    """The Chinese name of an action code; 其他操作（code） for one this version does not know."""
    return ACTION_LABELS.get(code, f"其他操作（{code}）")


def user_label(username: str) -> str:
    """命令行 for the CLI, （不存在的账号） for failed logins under no account, else the username."""
    return USER_LABELS.get(username, username)


def _clip(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def _value(value: Any, key: str = "", limit: int | None = MAX_VALUE_CHARS) -> str:
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if key in _VALUE_LABELS:
            return _VALUE_LABELS[key].get(value, value)
        return _clip(value, limit)
    if isinstance(value, Mapping):
        return "，".join(f"{SERVICE_FIELD_LABELS.get(str(k), str(k))}：{_value(v, str(k), limit)}"
                        for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return _clip("、".join(_value(v, key, limit) for v in value), limit) or "无"
    return str(value)


def _changes(changed: Mapping[str, Any], limit: int | None) -> str:
    """A service edit's {field: {before, after}} as 名称：“旧” → “新”."""
    parts = []
    for field, change in changed.items():
        label = SERVICE_FIELD_LABELS.get(field, field)
        if isinstance(change, Mapping) and set(change) <= {"before", "after"}:
            before, after = change.get("before"), change.get("after")
            if before is None:
                parts.append(f"{label}：{_value(after, field, limit)}")
            elif after is None:
                parts.append(f"{label}：删除“{_value(before, field, limit)}”")
            else:
                parts.append(f"{label}：“{_value(before, field, limit)}” → “{_value(after, field, limit)}”")
        else:
            parts.append(f"{label}：{_value(change, field, limit)}")
    return "；".join(parts)


def _item(key: str, value: Any, action: str, limit: int | None) -> str:
    if key == "changed" and isinstance(value, Mapping):
        return f"{DETAIL_LABELS['changed']}：{_changes(value, limit) or '无'}"
    if action == "user.role" and key == "previous":
        return f"{DETAIL_LABELS['previous_role']}：{role_label(value)}"
    if key in _ROLE_KEYS and action.startswith("user."):
        return f"{DETAIL_LABELS.get(key, key)}：{role_label(value)}"
    return f"{DETAIL_LABELS.get(key, key)}：{_value(value, key, limit)}"


def describe(action: str, detail: Any, limit: int | None = MAX_VALUE_CHARS) -> str:
    """`detail` as one line of Chinese (``账号：li.si；角色：训练员``); '' when there is none.

    `limit` cuts each long value (an FAQ answer, a service's steps) for the page; the
    export passes None to keep them whole. Masked again (audit.py masks on the way in):
    an entry an older version wrote unmasked still shows no ID, phone or card number.
    """
    if detail is None or detail == {} or detail == []:
        return ""
    if not isinstance(detail, Mapping):
        text = _value(detail, limit=limit)
    else:
        keys = sorted(detail, key=lambda k: (_ORDER.get(str(k), len(_ORDER)), str(k)))
        text = "；".join(_item(str(k), detail[k], action, limit) for k in keys)
    return mask_personal_data(mask_labelled_lines(text))
