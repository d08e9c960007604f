"""HTML of 申诉复核 (admins): the appeals waiting for a decision, each beside the rating it is about.

Approving sets the rating aside (it leaves the published results) and closes its
follow-up as 办结; refusing changes nothing. Nobody decides an appeal they filed: the page
says so instead of showing the buttons (and the route refuses it anyway).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.evaluation.views import AppealView, FollowUpView
from bot.personal.masking import mask_personal_data
from console.web.pages.followup_parts import appeal_line, rating_table, status_label
from console.web.pages.layout import error_notice, esc, layout

#: At most this many pending appeals are shown (the oldest first).
SHOWN = 50


@dataclass(frozen=True)
class PendingAppeal:
    appeal: AppealView
    followup: FollowUpView | None


def _decision_form(appeal: AppealView, csrf: str, note: str) -> str:
    key = f"decide-{appeal.id}"
    return (f'<form method="post" action="/appeals/decide">'
            f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
            f'<input type="hidden" name="appeal" value="{esc(appeal.id)}">'
            f'<label for="{key}">复核意见</label>'
            f'<textarea id="{key}" name="note" rows="2" maxlength="500" required>{esc(mask_personal_data(note))}'
            '</textarea><p class="actions">'
            '<button type="submit" name="decision" value="approve">通过：撤销该评价并办结回访</button> '
            '<button class="secondary" type="submit" name="decision" value="refuse">不通过</button></p></form>')


def _card(entry: PendingAppeal, me: Any, csrf: str, typed: tuple[int, str] | None,
          names: dict[str, str]) -> str:
    appeal, followup = entry.appeal, entry.followup
    about = ""
    if followup is not None:
        about = (f'<p><a href="/followups/{esc(followup.id)}">差评回访 #{esc(followup.id)}</a> · '
                 f'{esc(followup.department)} · {esc(status_label(followup.status))}</p>'
                 + rating_table(followup.rating, names))
    if appeal.requested_by == me.username:
        action = '<p class="meta">这是您本人提交的申诉，需由其他管理员复核。</p>'
    else:
        note = typed[1] if typed and typed[0] == appeal.id else ""
        action = _decision_form(appeal, csrf, note)
    return (f'<section class="card" aria-label="申诉 #{esc(appeal.id)}">{appeal_line(appeal)}{about}'
            f'{action}</section>')


def appeals_page(entries: Sequence[PendingAppeal], names: dict[str, str], me: Any, csrf: str,
                 nav: Sequence[tuple[str, str]], message: str | None = None, notice: str | None = None,
                 typed: tuple[int, str] | None = None) -> str:
    """`typed`: (appeal id, note) of a refused decision, to put back in its form."""
    done = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    intro = ('<p class="meta">工作人员认为评价属误评或恶意评价时可提出申诉。通过：该评价撤销，不再计入评价结果，'
             f'对应的差评回访办结；不通过：评价和回访保持不变。最早提交的在前，最多显示 {SHOWN} 条。</p>')
    cards = "".join(_card(e, me, csrf, typed, names) for e in entries) or '<p class="card">没有待复核的申诉。</p>'
    return layout("申诉复核", error_notice(message) + done + intro + cards, me, csrf, nav)
