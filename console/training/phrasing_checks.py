"""Does the candidate understand what staff just taught? One row per taught phrasing.

The held-out accuracy says whether the candidate got worse; it cannot say whether the
messages that were misunderstood (and then taught) are now understood, since those are
training data. The evaluation subprocess parses them with the candidate (evaluate.py,
``Report.understood``); this module sets that against what each was taught as.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.teaching.targets import FAQ_GROUP, Targets
from console.training.evaluate import Report
from console.training.taught import FAQ_PREFIX, Taught, Teaching


@dataclass(frozen=True)
class PhrasingCheck:
    taught: Taught
    #: What the candidate understood; None when it was not parsed (taught after the evaluation).
    understood: str | None

    @property
    def ok(self) -> bool | None:
        return None if self.understood is None else self.understood == self.taught.intent


def check_phrasings(teaching: Teaching, report: Report | None) -> list[PhrasingCheck]:
    """The taught phrasings, the misunderstood first, then those not evaluated, then the rest."""
    found = report.understood if report is not None else {}
    checks = [PhrasingCheck(t, found.get(t.text)) for t in teaching.taught]
    order = {False: 0, None: 1, True: 2}
    return sorted(checks, key=lambda c: order[c.ok])


def intent_name(targets: Targets, intent: str | None) -> str:
    """An intent as the evaluation shows it: the inbox's Chinese label (targets.py), an FAQ's
    question marked as one, since a bare question reads like a phrasing."""
    label = targets.label_of(intent)
    if intent and intent.startswith(FAQ_PREFIX) and not label.startswith(FAQ_GROUP):
        return f"{FAQ_GROUP}：{label}"
    return label


def summary(checks: Sequence[PhrasingCheck]) -> str:
    """One line for staff: how many of the taught phrasings the candidate understands."""
    if not checks:
        return "自线上模型以来没有新教的例句。"
    evaluated = [c for c in checks if c.ok is not None]
    right = sum(1 for c in evaluated if c.ok)
    line = f"自线上模型以来新教了 {len(checks)} 句，新模型理解了其中 {right} 句"
    if len(evaluated) < len(checks):
        line += f"（另有 {len(checks) - len(evaluated)} 句评估时未检查）"
    wrong = len(evaluated) - right
    return line + (f"；{wrong} 句仍未理解。" if wrong else "。")
