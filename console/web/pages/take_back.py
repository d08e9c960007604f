"""HTML of the confirmation after a rollback: the examples the rolled-back-from model had
added, each with a checkbox, to take back out of the training data (and into the inbox)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console import timefmt
from console.auth.audit_text import user_label
from console.teaching.targets import Targets
from console.training.names import ModelName
from console.training.phrasing_checks import intent_name
from console.training.take_back import TakeBackItem, TakeBackOffer
from console.web.pages.layout import error_notice, esc, layout
from console.web.pages.model_versions import model_title

TITLE = "回滚后撤回例句"


def _source(item: TakeBackItem) -> str:
    if item.decision_id is not None:
        return "待处理消息（撤回后回到待处理消息）"
    return "待处理消息" if item.taught.from_inbox else "常见问题页"


def _row(item: TakeBackItem, labels: Targets) -> str:
    text = item.taught.text
    return (f'<tr><td><label class="nowrap"><input type="checkbox" name="text" value="{esc(text)}" checked>'
            f" 撤回</label></td><td>{esc(text)}</td><td>{esc(intent_name(labels, item.taught.intent))}</td>"
            f"<td>{esc(_source(item))}</td><td class=\"nowrap\">{esc(user_label(item.taught.username))}</td>"
            f'<td class="nowrap">{esc(timefmt.format_time(item.taught.at))}</td></tr>')


def take_back_page(offered: TakeBackOffer, names: dict[str, ModelName], labels: Targets, *,
                   user: Any, csrf: str, nav: Sequence[tuple[str, str]], message: str | None = None) -> str:
    parts = [error_notice(message),
             f'<section class="card"><p>已回滚到：{model_title(names, offered.rolled_back_to, False)}</p>'
             f"<p>回滚前的模型：{model_title(names, offered.rolled_back_from)}</p>"
             "<p>下面的例句是在这两个模型的训练之间教的，现在还在训练数据里，下次训练会再学进去。"
             "撤回后它们会从训练数据中删除；来自待处理消息的，消息会回到待处理消息，可以重新处理。</p></section>"]
    if offered.items:
        rows = "".join(_row(item, labels) for item in offered.items)
        parts.append(
            '<section class="card"><form method="post" action="/models/take-back">'
            f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            f'<input type="hidden" name="from" value="{esc(offered.rolled_back_from)}">'
            f'<input type="hidden" name="to" value="{esc(offered.rolled_back_to)}">'
            '<div class="scroll"><table><thead><tr><th scope="col">选择</th><th scope="col">例句</th>'
            '<th scope="col">教成</th><th scope="col">来源</th><th scope="col">操作人</th>'
            f'<th scope="col">时间（{esc(timefmt.zone_label())}）</th></tr></thead><tbody>{rows}</tbody></table></div>'
            '<p><button type="submit">撤回选中的例句</button> <a href="/models">不撤回，返回训练与上线</a></p>'
            "</form></section>")
    else:
        parts.append('<section class="card"><p>这两个模型之间教的例句都已经不在训练数据里了，没有要撤回的。</p>'
                     '<p><a href="/models">返回训练与上线</a></p></section>')
    if offered.new_faqs:
        faqs = "、".join(labels.label_of(f"faq/{key}") for key in offered.new_faqs)
        parts.append(f'<section class="card"><p class="meta">这期间还新增了常见问题：{esc(faqs)}。'
                     '常见问题有工作人员写的回答，这里不删除；如需删除请到“常见问题”页处理。</p></section>')
    return layout(TITLE, "".join(parts), user, csrf, nav)
