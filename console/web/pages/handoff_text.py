"""The hand-off desk's words: channels, waits, delivery outcomes and refusals, in Chinese.

Shared by the desk's pages (handoff.py, handoff_chat.py) and their routes; no HTML here.
"""
from __future__ import annotations

from bot.handoff.errors import (
    AlreadyTaken,
    EmptyMessage,
    InvalidAgent,
    NoteRequired,
    NotHolder,
    RequestNotFound,
)
from bot.handoff.service import MAX_NOTE_CHARS, MAX_TEXT_CHARS
from bot.handoff.statuses import Direction, HandoffStatus
from bot.handoff.views import MessageView
from console import timefmt
from console.handoff.desk import NotAnAgent
from console.web.pages.inbox_card import CHANNEL_LABELS

STATUS_LABELS = {HandoffStatus.QUEUED.value: "排队中", HandoffStatus.CLAIMED.value: "接待中",
                 HandoffStatus.CLOSED.value: "已结束", HandoffStatus.CANCELLED.value: "居民已取消"}
AUTHOR_LABELS = {Direction.RESIDENT.value: "居民", Direction.SYSTEM.value: "助手（自动）"}

#: Why a channel could not deliver a message, by the code the delivery code stores
#: (``<channel>:<code>``; WeChat's are its customer-service API's errcode).
DELIVERY_ERRORS = {
    "wechat:45015": "超过微信48小时回复期限（居民48小时内没有发消息）",
    "wechat:45047": "超过微信客服消息条数限制（居民每发一条消息，最多可回复5条）",
    "wechat:43004": "居民已取消关注公众号",
    "wechat:40003": "微信用户标识无效",
    "wechat:45002": "消息太长",
    "wechat:48001": "公众号没有客服消息接口权限",
    "wechat:40001": "公众号接口凭证无效",
    "wechat:42001": "公众号接口凭证已过期",
}

REFUSALS: dict[type[Exception], str] = {
    AlreadyTaken: "这位居民已由其他同事接入，或已取消排队。请接入队列中的其他居民。",
    NotHolder: "这个会话现在不在您名下（可能已转给其他同事、已结束或已退回队列），不能再回复、转接或结束。",
    RequestNotFound: "没有找到这个会话，可能已被清除。",
    NoteRequired: f"结束会话前请填写处理说明（1–{MAX_NOTE_CHARS} 字）。",
    EmptyMessage: "请填写回复内容。",
    InvalidAgent: "不能转给自己，请选择其他同事。",
    NotAnAgent: "请选择一位在岗的坐席同事（已停用或没有人工服务权限的账号不能接收转接）。",
}
TOO_LONG = f"回复最多 {MAX_TEXT_CHARS} 字，请删减后再发送。"


def refusal(error: Exception) -> str:
    """The polite sentence for a refused desk action."""
    for kind, text in REFUSALS.items():
        if isinstance(error, kind):
            return text
    return "操作没有完成，请刷新页面后重试。"


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def waited(seconds: float) -> str:
    """A wait as staff say it: 不到1分钟, 12分钟, 1小时5分钟."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "不到1分钟"
    if minutes < 60:
        return f"{minutes}分钟"
    hours, rest = divmod(minutes, 60)
    return f"{hours}小时{rest}分钟" if rest else f"{hours}小时"


def author(message: MessageView) -> str:
    if message.direction == Direction.AGENT.value:
        return f"坐席 {message.author or ''}".strip()
    return AUTHOR_LABELS.get(message.direction, message.direction)


def delivery(message: MessageView) -> tuple[str, str] | None:
    """(css class, words) for a message to the resident; None for the resident's own."""
    if message.direction == Direction.RESIDENT.value:
        return None
    if message.delivery_error:
        code = message.delivery_error
        reason = DELIVERY_ERRORS.get(code, f"渠道返回错误（{code}）")
        return "bad", f"未送达：{reason}"
    if message.delivered_at is not None:
        return "ok", f"已送达 {timefmt.to_local(message.delivered_at).strftime('%H:%M:%S')}"
    return "wait", "发送中"
