"""HTML of one 差评回访: the rating, where the follow-up stands, its trail, the next steps, 申诉.

Each allowed next step is a form of its own carrying the state the page showed (``seen``):
if someone moved the follow-up meanwhile, the move is refused and this page comes back
with the latest state and a message. The 回访 forms ask whether the resident was reached
and satisfied (both required, as is every note). Typed text that comes back after a
refusal is shown masked, like everything else here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.evaluation.appeals import AppealStatus
from bot.evaluation.followups import NEXT, FollowUpStatus
from bot.evaluation.views import AppealView, FollowUpView, StepView
from bot.personal.masking import mask_personal_data
from console import timefmt
from console.web.pages.followup_parts import appeal_line, deadline, rating_table, status_label, yes_no
from console.web.pages.layout import error_notice, esc, layout

S = FollowUpStatus
#: Each step's heading and what its note is called.
STEPS: dict[tuple[FollowUpStatus, FollowUpStatus], tuple[str, str]] = {
    (S.VERIFYING, S.RECTIFYING): ("核实属实，开始整改（改为“整改中”）", "核实情况和整改措施"),
    (S.VERIFYING, S.REVISITED): ("核实后无需整改，直接回访（改为“已回访”）", "回访说明（请写明为何无需整改）"),
    (S.RECTIFYING, S.REVISITED): ("整改完成，回访居民（改为“已回访”）", "回访说明"),
    (S.REVISITED, S.CLOSED): ("办结（改为“办结”）", "办结说明"),
}
ORDER = list(FollowUpStatus)


@dataclass(frozen=True)
class Typed:
    """What the member of staff had typed into the form that was refused."""

    form: str = ""  # the target state's value, or "appeal"
    note: str = ""
    reached: str = ""
    satisfied: str = ""


#: Nothing typed: a page opened, not a refused form.
UNTYPED = Typed()


@dataclass(frozen=True)
class FollowUpPage:
    view: FollowUpView
    steps: Sequence[StepView]
    appeals: Sequence[AppealView]
    service_names: dict[str, str]
    today: date
    #: The viewer may approve or refuse appeals (a link to 申诉复核 is shown).
    can_decide: bool


def _hidden(csrf: str, **values: str) -> str:
    fields = {"csrf": csrf, **values}
    return "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in fields.items())


def _status_table(view: FollowUpView, today: date) -> str:
    rows = [("状态", esc(status_label(view.status))), ("负责部门", esc(view.department)),
            ("办理期限", deadline(view, today)),
            ("是否联系到居民", esc(yes_no(view.revisit_reached))),
            ("居民是否满意", esc(yes_no(view.revisit_satisfied))),
            ("办结时间", esc(timefmt.format_time(view.closed_at)))]
    body = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<div class="scroll"><table><tbody>{body}</tbody></table></div>'


def _trail(steps: Sequence[StepView]) -> str:
    def change(step: StepView) -> str:
        if step.from_status is None:
            return f"创建（{status_label(step.to_status)}）"
        return f"{status_label(step.from_status)} → {status_label(step.to_status)}"

    rows = "".join(f'<tr><td class="nowrap">{esc(timefmt.format_time(s.at))}</td><td class="nowrap">{esc(s.actor)}</td>'
                   f'<td class="nowrap">{esc(change(s))}</td><td class="text">{esc(s.note or "")}</td></tr>'
                   for s in steps)
    return ('<div class="scroll"><table><thead><tr><th scope="col">时间</th><th scope="col">人员</th>'
            f'<th scope="col">变更</th><th scope="col">说明</th></tr></thead><tbody>{rows}</tbody></table></div>')


def _yes_no(name: str, label: str, typed: str, key: str) -> str:
    """A required 是/否 choice (a select: no answer until one is picked)."""
    options = "".join(f'<option value="{v}"{" selected" if typed == v else ""}>{text}</option>'
                      for v, text in (("", "请选择"), ("yes", "是"), ("no", "否")))
    return (f'<label class="nowrap" for="{key}-{name}">{esc(label)}</label> '
            f'<select id="{key}-{name}" name="{name}" required>{options}</select>')


def _step_form(view: FollowUpView, to: FollowUpStatus, csrf: str, typed: Typed) -> str:
    seen = FollowUpStatus(view.status)
    title, note_label = STEPS[(seen, to)]
    mine = typed if typed.form == to.value else UNTYPED
    key = f"to-{to.value}"
    revisit = ""
    if to is S.REVISITED:
        revisit = (f'<p>{_yes_no("reached", "是否联系到居民", mine.reached, key)} '
                   f'{_yes_no("satisfied", "居民是否满意", mine.satisfied, key)}</p>')
    return (f'<section class="card" aria-labelledby="{key}"><h3 id="{key}">{esc(title)}</h3>'
            f'<form method="post" action="/followups/{esc(view.id)}/advance">'
            f'{_hidden(csrf, seen=seen.value, to=to.value)}{revisit}'
            f'<label for="{key}-note">{esc(note_label)}</label>'
            f'<textarea id="{key}-note" name="note" rows="3" maxlength="500" required>'
            f'{esc(mask_personal_data(mine.note))}</textarea>'
            '<p><button type="submit">提交</button></p></form></section>')


def _next_steps(view: FollowUpView, csrf: str, typed: Typed) -> str:
    allowed = sorted(NEXT[FollowUpStatus(view.status)], key=ORDER.index)
    if not allowed:
        return '<p class="card">这条差评回访已办结。</p>'
    return '<h2>下一步</h2>' + "".join(_step_form(view, to, csrf, typed) for to in allowed)


def _may_appeal(page: FollowUpPage) -> bool:
    """No appeal waits for a decision and the rating still counts."""
    pending = any(a.status == AppealStatus.PENDING.value for a in page.appeals)
    return not pending and not page.view.rating.set_aside


def _appeals(page: FollowUpPage, csrf: str, typed: Typed) -> str:
    view = page.view
    parts = "".join(appeal_line(a) for a in page.appeals)
    if view.rating.set_aside:
        action = '<p class="meta">该评价已通过申诉撤销。</p>'
    elif not _may_appeal(page):
        action = '<p class="meta">已提交申诉，等待管理员复核。</p>'
        if page.can_decide:
            action += '<p><a href="/appeals">去申诉复核</a></p>'
    else:
        reason = mask_personal_data(typed.note) if typed.form == "appeal" else ""
        action = (f'<form method="post" action="/followups/{esc(view.id)}/appeal">{_hidden(csrf)}'
                  '<label for="appeal-reason">申诉理由（评价属误评或恶意评价时，可申请撤销；由管理员复核）</label>'
                  '<textarea id="appeal-reason" name="reason" rows="3" maxlength="500" required>'
                  f'{esc(reason)}</textarea>'
                  '<p><button class="secondary" type="submit">提交申诉</button></p></form>')
    return f'<section class="card" aria-labelledby="appeals"><h2 id="appeals">申诉</h2>{parts}{action}</section>'


def followup_page(page: FollowUpPage, user: Any, csrf: str, nav: Sequence[tuple[str, str]],
                  message: str | None = None, notice: str | None = None, typed: Typed = UNTYPED) -> str:
    view = page.view
    done = f'<p class="notice" role="status">{esc(notice)}</p>' if notice else ""
    offered = {to.value for to in NEXT[FollowUpStatus(view.status)]} | ({"appeal"} if _may_appeal(page) else set())
    if typed.note.strip() and typed.form not in offered:  # their form is gone (a stale page): keep the text
        done += ('<div class="card"><p class="meta">您刚才填写的内容（未保存）：</p>'
                 f'<p class="answer">{esc(mask_personal_data(typed.note))}</p></div>')
    body = (error_notice(message) + done
            + '<p><a href="/followups">返回差评回访列表</a></p>'
            + f'<section class="card" aria-labelledby="rating"><h2 id="rating">评价</h2>'
              f'{rating_table(view.rating, page.service_names)}</section>'
            + f'<section class="card" aria-labelledby="state"><h2 id="state">办理情况</h2>'
              f'{_status_table(view, page.today)}<h3>办理记录（{esc(timefmt.zone_label())}）</h3>'
              f'{_trail(page.steps)}</section>'
            + _next_steps(view, csrf, typed) + _appeals(page, csrf, typed))
    return layout(f"差评回访 #{view.id}", body, user, csrf, nav)
