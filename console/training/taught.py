"""What staff taught between two moments, read back from the audit log.

Every teaching action writes one audit entry with the phrasing in its detail (teaching/
service.py): ``inbox_decide`` (an inbox message assigned to an intent or taught as out of
scope), ``faq_add`` (a new FAQ with its phrasings) and ``faq_example`` (one more phrasing
of an FAQ). Taking a phrasing back writes ``inbox_revert`` (one decision) or
``model_take_back`` (the examples a rolled-back model had added). The log is the one
record that has all of them with their time, so it answers both "what does this model
know that the one before it did not" (names.py) and "which phrasings should the candidate
now understand" (the evaluation card).

A phrasing taken back inside the same window cancels its addition; one taken back that was
added earlier counts as taken back.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from console.tables import AuditEntry

#: An inbox message assigned to an intent (or taught as out of scope).
EXAMPLE = "example"
#: A phrasing of a new FAQ.
NEW_FAQ = "new_faq"
#: A phrasing added to an existing FAQ (from the FAQ page, or an inbox message assigned to one).
FAQ_EXAMPLE = "faq_example"

ADDING = ("inbox_decide", "faq_add", "faq_example")
TAKING_BACK = ("inbox_revert", "model_take_back")
#: Inbox decisions that write an example into data/nlu (``dismiss`` and ``service`` do not).
EXAMPLE_ACTIONS = {"assign": None, "out_of_scope": "out_of_scope"}
FAQ_PREFIX = "faq/"


@dataclass(frozen=True)
class Taught:
    """One phrasing added to the training data."""

    text: str  # normalized, as written into data/nlu
    intent: str  # what it was taught as: an intent, out_of_scope, or faq/<key>
    kind: str  # EXAMPLE, NEW_FAQ or FAQ_EXAMPLE
    username: str
    at: datetime  # naive UTC
    source: str = "inbox_decide"  # the audit action that added it

    @property
    def from_inbox(self) -> bool:
        """An inbox decision added it: taking it back returns the message to the inbox."""
        return self.source == "inbox_decide"


@dataclass(frozen=True)
class ChangeCounts:
    """What a model learned beyond the one before it, as staff read it in its name."""

    examples: int = 0
    new_faqs: int = 0
    faq_examples: int = 0
    taken_back: int = 0

    def label(self) -> str:
        """``+12 例句 · 2 个新常见问题 · 3 个常见问题问法``; 没有新教的内容 when nothing changed."""
        parts = []
        if self.examples:
            parts.append(f"+{self.examples} 例句")
        if self.new_faqs:
            parts.append(f"{self.new_faqs} 个新常见问题")
        if self.faq_examples:
            parts.append(f"{self.faq_examples} 个常见问题问法")
        if self.taken_back:
            parts.append(f"撤回 {self.taken_back} 条例句")
        return " · ".join(parts) or "没有新教的内容"


@dataclass(frozen=True)
class Teaching:
    """The phrasings taught in a window, and those taken back that were added before it."""

    taught: tuple[Taught, ...]
    taken_back: frozenset[str]
    new_faqs: tuple[str, ...]  # keys

    def counts(self) -> ChangeCounts:
        kinds = [t.kind for t in self.taught]
        return ChangeCounts(examples=kinds.count(EXAMPLE), new_faqs=len(self.new_faqs),
                            faq_examples=kinds.count(FAQ_EXAMPLE), taken_back=len(self.taken_back))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _added(action: str, detail: Mapping[str, Any], username: str, at: datetime) -> list[Taught]:
    """The phrasings one audit entry added (none for a dismissal or a service example)."""
    if action == "inbox_decide":
        kind_action = str(detail.get("action") or "")
        if kind_action not in EXAMPLE_ACTIONS:
            return []
        intent = EXAMPLE_ACTIONS[kind_action] or _text(detail.get("intent"))
        text = _text(detail.get("text"))
        if not text or not intent:
            return []
        if intent.startswith(FAQ_PREFIX):
            return [Taught(text, intent, FAQ_EXAMPLE, username, at)]
        return [Taught(text, intent, EXAMPLE, username, at)]
    key = _text(detail.get("key"))
    if not key:
        return []
    if action == "faq_add":
        examples = detail.get("examples")
        texts = [_text(e) for e in examples] if isinstance(examples, list) else []
        return [Taught(t, FAQ_PREFIX + key, NEW_FAQ, username, at, action) for t in texts if t]
    text = _text(detail.get("text"))
    return [Taught(text, FAQ_PREFIX + key, FAQ_EXAMPLE, username, at, action)] if text else []


def _removed(action: str, detail: Mapping[str, Any]) -> list[str]:
    """The phrasings one take-back entry removed from the data."""
    if action == "inbox_revert":
        if detail.get("action") in EXAMPLE_ACTIONS and _text(detail.get("text")):
            return [_text(detail.get("text"))]
        return []
    examples = detail.get("examples")
    return [_text(e) for e in examples if _text(e)] if isinstance(examples, list) else []


def summarize(entries: Iterable[tuple[str, Any, str, datetime]]) -> Teaching:
    """The net teaching of (action, detail, username, at) entries, oldest first."""
    taught: dict[str, Taught] = {}
    new_faqs: dict[str, None] = {}
    taken_back: set[str] = set()
    for action, detail, username, at in entries:
        if not isinstance(detail, Mapping):
            continue
        if action in ADDING:
            for item in _added(action, detail, username, at):
                taught.setdefault(item.text, item)
                taken_back.discard(item.text)  # taught again after a take-back
            if action == "faq_add" and _text(detail.get("key")):
                new_faqs[_text(detail.get("key"))] = None
        elif action in TAKING_BACK:
            for text in _removed(action, detail):
                if taught.pop(text, None) is None:
                    taken_back.add(text)
    keys = tuple(k for k in new_faqs if any(t.intent == FAQ_PREFIX + k for t in taught.values()))
    return Teaching(tuple(taught.values()), frozenset(taken_back), keys)


def read_entries(db: sessionmaker, since: datetime | None,
                 until: datetime | None) -> list[tuple[str, Any, str, datetime]]:
    """The teaching and take-back entries in [since, until), oldest first (naive UTC bounds)."""
    query = select(AuditEntry.action, AuditEntry.detail, AuditEntry.username, AuditEntry.at).where(
        AuditEntry.action.in_(ADDING + TAKING_BACK))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    with db() as session:
        rows = session.execute(query.order_by(AuditEntry.at, AuditEntry.id)).all()
    return [(r.action, r.detail, r.username, r.at) for r in rows]


def taught_between(db: sessionmaker, since: datetime | None, until: datetime | None) -> Teaching:
    """What staff taught in [since, until): None for an open end."""
    if since is not None and until is not None and until <= since:
        return Teaching((), frozenset(), ())
    return summarize(read_entries(db, since, until))
