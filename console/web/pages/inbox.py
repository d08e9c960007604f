"""HTML of the 待处理消息 (inbox) page: one card per group, with the decision forms."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from console.teaching.inbox import PAGE_SIZE, InboxGroup, InboxPage, Reason
from console.web.pages.layout import error_notice, esc, layout

REASON_LABELS = {
    Reason.FALLBACK: "未识别（兜底）",
    Reason.LOW_CONFIDENCE: "置信度低",
    Reason.CLARIFIED: "需要澄清",
    Reason.HANDOFF: "之后转人工",
}

def _turns(group: InboxGroup) -> str:
    if not group.examples:
        return ""
    item = group.examples[0]
    lines = [("user" if t.role == "user" else "bot", t.text, "") for t in item.before]
    lines.append(("user", item.text, " this"))
    lines += [("user" if t.role == "user" else "bot", t.text, "") for t in item.after]
    shown = "".join(
        f'<li class="{esc(kind + extra)}">{"居民" if kind == "user" else "助手"}：{esc(text)}</li>'
        for kind, text, extra in lines
    )
    return f'<details><summary>对话上下文</summary><ul class="turns">{shown}</ul></details>'


#: The <datalist> of service names the "归入服务事项" inputs share (one per page, not per card).
SERVICE_LIST_ID = "service-names"


def suggested_service(group: InboxGroup, service_names: Mapping[str, str]) -> str:
    """The name to offer first: the service residents picked most, else the model's svc_ guess."""
    for service_id, _ in group.picked_services.most_common():
        if service_id in service_names:
            return service_names[service_id]
    guess = group.predicted_intent or ""
    if guess.startswith("svc_"):
        for service_id, name in service_names.items():
            if f"svc_{service_id.replace('-', '_')}" == guess:
                return name
    return ""


def _service_form(index: int, group: InboxGroup, hidden: str, service_names: Mapping[str, str]) -> str:
    return (
        f'<form class="inline" method="post" action="/inbox/service">{hidden}'
        f'<label for="service{index}">归入服务事项</label>'
        f'<input id="service{index}" name="service" list="{SERVICE_LIST_ID}" required maxlength="100" '
        f'placeholder="输入或选择事项名称" value="{esc(suggested_service(group, service_names))}">'
        '<button type="submit">作为该事项的例句</button></form>'
        '<p class="meta">作为例句后 10 秒内生效，居民这样问就能找到该事项，不需要重新训练。</p>'
    )


def _group_card(index: int, group: InboxGroup, intents: Sequence[str], csrf: str,
                can_annotate: bool, page_number: int, service_names: Mapping[str, str] | None = None) -> str:
    reasons = "、".join(esc(REASON_LABELS.get(r, r)) for r in sorted(group.reasons, key=str))
    if group.predicted_intent:
        confidence = (f"{group.mean_confidence:.2f}" if group.mean_confidence is not None else "—")
        predicted = f"{esc(group.predicted_intent)}（置信度 {esc(confidence)}）"
    else:
        predicted = "无"
    picked = "、".join(f"{esc(s)} ×{esc(n)}" for s, n in group.picked_services.most_common()) or "无"
    parts = [
        f'<section class="card" aria-labelledby="g{index}">',
        f'<p class="phrase" id="g{index}">{esc(group.text)}</p>',
        f'<p class="meta">出现 {esc(group.count)} 次 · 原因：{reasons} · '
        f'模型猜测：{predicted} · 居民选择：{picked}</p>',
    ]
    typed = [v for v, _ in group.variants.most_common() if v != group.text]
    if typed:
        parts.append('<p class="meta">原文：' + " / ".join(f"“{esc(v)}”" for v in typed[:3]) + "</p>")
    parts.append(_turns(group))
    if can_annotate:
        options = "".join(
            f'<option value="{esc(i)}"{" selected" if i == group.predicted_intent else ""}>{esc(i)}</option>'
            for i in intents
        )
        hidden = (f'<input type="hidden" name="text" value="{esc(group.text)}">'
                  f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
                  f'<input type="hidden" name="page" value="{esc(page_number)}">')
        parts.append(
            f'<form class="inline" method="post" action="/inbox/decide">{hidden}'
            f'<label for="intent{index}">归入意图</label>'
            f'<select id="intent{index}" name="intent">{options}</select>'
            '<button type="submit" name="action" value="assign">加入训练样本</button></form>'
            + (_service_form(index, group, hidden, service_names) if service_names is not None else "") +
            f'<form class="inline" method="post" action="/inbox/decide">{hidden}'
            '<button class="secondary" type="submit" name="action" value="out_of_scope">不属于服务范围</button>'
            '<button class="secondary" type="submit" name="action" value="dismiss">忽略</button></form>'
            f'<p class="meta">不是已有的业务？<a href="/faq?{esc(urlencode({"text": group.text}))}">'
            '作为新的常见问题（写上回答）</a></p>'
        )
    parts.append("</section>")
    return "".join(parts)


def _pager(page: InboxPage) -> str:
    if page.pages == 1:
        return ""
    links = []
    if page.number > 1:
        links.append(f'<a href="/inbox?page={page.number - 1}" rel="prev">上一页</a>')
    links.append(f"<span>第 {esc(page.number)} / {esc(page.pages)} 页</span>")
    if page.number < page.pages:
        links.append(f'<a href="/inbox?page={page.number + 1}" rel="next">下一页</a>')
    return f'<nav class="pager" aria-label="分页">{" · ".join(links)}</nav>'


def _service_list(service_names: Mapping[str, str]) -> str:
    options = "".join(f'<option value="{esc(name)}"></option>' for name in sorted(service_names.values()))
    return f'<datalist id="{SERVICE_LIST_ID}">{options}</datalist>'


def inbox_page(page: InboxPage, days: int, intents: Sequence[str], user: Any, csrf: str,
               can_annotate: bool, nav: Sequence[tuple[str, str]], message: str | None = None,
               service_names: Mapping[str, str] | None = None) -> str:
    """``service_names`` (id → name): given to those who may file a message under a service."""
    if page.groups:
        first = (page.number - 1) * PAGE_SIZE
        cards = "".join(_group_card(first + i, g, intents, csrf, can_annotate, page.number, service_names)
                        for i, g in enumerate(page.groups))
        if service_names is not None and can_annotate:
            cards += _service_list(service_names)
        intro = (f'<p class="meta">最近 {esc(days)} 天共 {esc(page.total)} 组待处理消息，'
                 f'按出现次数排序，每页 {esc(PAGE_SIZE)} 组。</p>')
    else:
        cards, intro = "", f'<p class="card">最近 {esc(days)} 天暂时没有待处理的消息。</p>'
    pager = _pager(page)
    return layout("待处理消息", error_notice(message) + intro + pager + cards + pager, user, csrf, nav)
