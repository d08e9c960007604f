"""Taking a decision about an inbox message back: the 撤销 right after it, and 撤回 from 已处理.

A reviewer who picked the wrong intent, or dismissed the wrong group, must be able to
correct it without a shell: the example is taken out of data/nlu again (a surgical edit,
training_data.remove_example) or out of the service's example questions, the decision row
goes, so the phrasing is back in the inbox, and one ``inbox_revert`` audit entry records it.
As for deciding, the data file is edited first, the records after, in one transaction.

Undo (``undo=True``) is the confirmation's button: only the one who decided, only within
decisions.UNDO_WINDOW. Revert from the 已处理 list has no time limit.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import sessionmaker

from console.auth import audit
from console.auth.audit import Actor
from console.catalogue import actions as catalogue_actions
from console.teaching import decisions
from console.teaching.decisions import Decision
from console.teaching.service import TrainingFiles
from console.teaching.training_data import OUT_OF_SCOPE_INTENT, remove_example


class RevertRefused(ValueError):
    """The decision cannot be taken back (gone, too late, someone else's); message in Chinese."""


def _check(found: Decision | None, actor: Actor, *, undo: bool, may_edit_services: bool,
           now: datetime | None) -> Decision:
    if found is None:
        raise RevertRefused("这条处理记录已经撤回或不存在，请刷新页面。")
    if undo and not found.undoable(actor.username, now):
        minutes = int(decisions.UNDO_WINDOW.total_seconds() // 60)
        raise RevertRefused(f"已超过 {minutes} 分钟，不能再撤销；可以到“已处理”中撤回。"
                            if found.username == actor.username else "只能撤销自己刚才的处理。")
    if found.action == decisions.SERVICE and not may_edit_services:
        raise RevertRefused("归入服务事项的处理只有训练员和管理员可以撤回。")
    return found


def revert_decisions(db: sessionmaker, files: TrainingFiles, actor: Actor, ids: Sequence[int], *,
                     undo: bool = False, may_edit_services: bool = False,
                     now: datetime | None = None) -> list[Decision]:
    """Take back the decisions ``ids`` (all are checked before any is touched); returns those
    taken back. Raises RevertRefused, or TrainingDataError when the data refuses the edit
    (the decisions before it in ``ids`` stay taken back)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise RevertRefused("没有选择要撤回的处理。")
    found = {d.id: d for d in decisions.decisions_by_id(db, wanted)}
    checked = [_check(found.get(i), actor, undo=undo, may_edit_services=may_edit_services, now=now)
               for i in wanted]
    return [d for d in checked if _revert(db, files, actor, d, undo)]


def _revert(db: sessionmaker, files: TrainingFiles, actor: Actor, decision: Decision, undo: bool) -> bool:
    detail = {"text": decision.text_normalized, "action": decision.action, "decided_by": decision.username,
              "undo": undo}
    if decision.intent:
        detail["service" if decision.action == decisions.SERVICE else "intent"] = decision.intent
    if decision.action == decisions.SERVICE:
        return catalogue_actions.take_back_example(db, actor, decision, detail)
    intent = OUT_OF_SCOPE_INTENT if decision.action == "out_of_scope" else decision.intent
    if intent and decision.action in ("assign", "out_of_scope"):
        detail["removed_from"] = getattr(remove_example(files.nlu_dir, intent, decision.text_normalized),
                                         "name", None)
    with db.begin() as session:
        if not decisions.delete_decision(session, decision.id):
            return False  # taken back meanwhile by someone else
        audit.write(session, actor.username, "inbox_revert", actor.detail(detail), actor.ip)
    return True
