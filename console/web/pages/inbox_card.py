"""One group of the inbox: the phrasing, why it is here, when and where, and the decision forms.

Everything staff read is Chinese: the model's guess and the residents' pick by the names of
their services, reasons and channels by label. The 归入意图 field is empty unless residents
picked a service (then that service); the model's guess is never filled in, for a message in
the inbox it is doubtful by definition. The conversation around it passes
redaction.for_reviewers: no numbers, names or flow answers.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from console.teaching.inbox import InboxGroup, Reason, Turn
from console.teaching.redaction import for_reviewers
from console.teaching.targets import Targets, suggested
from console.timefmt import format_epoch
from console.web.pages.layout import esc
from console.web.pages.targets import target_field

REASON_LABELS = {
    Reason.FALLBACK: "未识别（兜底）",
    Reason.LOW_CONFIDENCE: "置信度低",
    Reason.CLARIFIED: "给了选项让居民选",
    Reason.HANDOFF: "之后转人工",
    Reason.NOT_UNDERSTOOD: "回复了“没听懂，请换个说法”",
    Reason.OUT_OF_SCOPE: "判为与政务无关",
    Reason.ACKNOWLEDGED: "只回了客套话",
}
CHANNEL_LABELS = {"webchat": "网页聊天", "wechat": "微信公众号", "rest": "接口", "other": "其他"}
#: The <datalist> of service names the "归入服务事项" inputs share (one per page, not per card).
SERVICE_LIST_ID = "service-names"


def _local(timestamp: float) -> str:
    return format_epoch(timestamp)


@dataclass(frozen=True)
class CardContext:
    """What every card of a page shares."""

    targets: Targets
    csrf: str
    back: str  # the inbox address's query (inbox_query.InboxQuery.back)
    can_annotate: bool
    #: id → name of every service, for those who may file a message under one (else None).
    service_names: Mapping[str, str] | None = None


def suggested_service(group: InboxGroup, service_names: Mapping[str, str], targets: Targets) -> str:
    """The 归入服务事项 default: the service residents picked most, else the model's service guess."""
    for service_id, _ in group.picked_services.most_common():
        if service_id in service_names:
            return service_names[service_id]
    guess = targets.label_of(group.predicted_intent) if (group.predicted_intent or "").startswith("svc_") else ""
    return guess if guess in service_names.values() else ""


def _turn(turn: Turn, extra: str = "") -> str:
    who = "居民" if turn.role == "user" else "助手"
    return f'<li class="{esc(turn.role + extra)}">{who}：{esc(for_reviewers(turn.text))}</li>'


def _context(group: InboxGroup) -> str:
    if not group.examples:
        return ""
    item = group.examples[0]
    this = f'<li class="user this">居民：{esc(item.text)}</li>'
    shown = "".join(_turn(t) for t in item.before) + this + "".join(_turn(t) for t in item.after)
    return f'<details><summary>对话上下文</summary><ul class="turns">{shown}</ul></details>'


def _meta(group: InboxGroup, ctx: CardContext) -> str:
    targets = ctx.targets
    reasons = "、".join(REASON_LABELS.get(r, "其他") for r in sorted(group.reasons, key=lambda r: r.value))
    channels = "、".join(f"{CHANNEL_LABELS.get(c, '其他')} ×{n}" for c, n in group.channels.most_common())
    when = _local(group.last_seen)
    if group.count > 1 and group.first_seen and _local(group.first_seen) != when:
        when = f"{_local(group.first_seen)} 至 {when}"
    if group.predicted_intent:
        confidence = f"{group.mean_confidence:.2f}" if group.mean_confidence is not None else "—"
        guess = f"{targets.label_of(group.predicted_intent)}（置信度 {confidence}）"
    else:
        guess = "无"
    picked = "、".join(f"{targets.service_label(s)} ×{n}" for s, n in group.picked_services.most_common()) or "无"
    return (f'<p class="meta">出现 {esc(group.count)} 次 · {esc(group.residents)} 位居民 · 原因：{esc(reasons)}</p>'
            f'<p class="meta">时间：{esc(when)} · 渠道：{esc(channels or "其他")}</p>'
            f'<p class="meta">模型猜测：{esc(guess)} · 居民选择：{esc(picked)}</p>')


def _hidden(index: int, group: InboxGroup, ctx: CardContext) -> str:
    return (f'<input type="hidden" name="text" value="{esc(group.text)}">'
            f'<input type="hidden" name="csrf" value="{esc(ctx.csrf)}">'
            f'<input type="hidden" name="back" value="{esc(ctx.back)}">'
            f'<input type="hidden" name="at" value="{esc(index)}">')


def _forms(index: int, group: InboxGroup, ctx: CardContext) -> str:
    hidden = _hidden(index, group, ctx)
    default = suggested(ctx.targets, [s for s, _ in group.picked_services.most_common()])
    note = ('<p class="meta">已按居民的选择预填，请核对。</p>' if default is not None
            else '<p class="meta">模型没有把握，请自己选择；可输入关键词搜索。</p>')
    parts = [
        f'<form class="inline" method="post" action="/inbox/decide">{hidden}'
        f'<label for="t{index}">归入意图</label>'
        + target_field(f"t{index}", default.label if default else "") +
        '<button type="submit" name="action" value="assign">加入训练样本</button></form>' + note
    ]
    if ctx.service_names is not None:
        parts.append(
            f'<form class="inline" method="post" action="/inbox/service">{hidden}'
            f'<label for="service{index}">归入服务事项</label>'
            f'<input id="service{index}" name="service" list="{SERVICE_LIST_ID}" required maxlength="100" '
            f'placeholder="输入或选择事项名称" '
            f'value="{esc(suggested_service(group, ctx.service_names, ctx.targets))}">'
            '<button type="submit">作为该事项的例句</button></form>'
            '<p class="meta">作为例句后 10 秒内生效，居民这样问就能找到该事项，不需要重新训练。</p>')
    parts.append(
        f'<form class="inline" method="post" action="/inbox/decide">{hidden}'
        '<button class="secondary" type="submit" name="action" value="out_of_scope">不属于服务范围</button>'
        '<button class="secondary" type="submit" name="action" value="dismiss">忽略</button></form>'
        f'<p class="meta">不是已有的业务？<a href="/faq?{esc(urlencode({"text": group.text}))}">'
        '作为新的常见问题（写上回答）</a></p>')
    return "".join(parts)


def group_card(index: int, group: InboxGroup, ctx: CardContext) -> str:
    """The card of ``group``, ``index`` its place on the page (ids, and where the confirmation goes)."""
    pick = ""
    if ctx.can_annotate:
        pick = (f'<label class="pick"><input type="checkbox" form="bulk" name="text" '
                f'value="{esc(group.text)}"> 选中</label>')
    parts = [f'<section class="card" aria-labelledby="g{index}">', pick,
             f'<p class="phrase" id="g{index}">{esc(group.text)}</p>', _meta(group, ctx)]
    typed = [v for v, _ in group.variants.most_common() if v != group.text]
    if typed:
        parts.append('<p class="meta">原文：' + " / ".join(f"“{esc(v)}”" for v in typed[:3]) + "</p>")
    parts.append(_context(group))
    if ctx.can_annotate:
        parts.append(_forms(index, group, ctx))
    parts.append("</section>")
    return "".join(parts)
