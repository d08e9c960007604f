"""Whether the latest message changed the remembered district, and how to say so.

Rasa fills the ``district`` slot from any district the message names (domain.yml,
``from_entity``) before an action runs, whatever the intent: "我搬到无为了" replaced the
remembered 镜湖区 silently. Actions compare the slot with its value before the message
and confirm a change in words ("好的，记住了，您在无为市").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions.runtime import catalogue, run_blocking
from bot import replies
from bot.catalogue.repository import DistrictView

SLOT = "district"
#: Events after which Rasa has no slot values any more.
_RESETS = ("restart", "reset_slots")


@dataclass(frozen=True)
class DistrictChange:
    before: DistrictView | None  # None: no district was remembered
    now: DistrictView

    def text(self) -> str:
        if self.before is None:
            return replies.DISTRICT_REMEMBERED.format(district=self.now.name)
        return replies.DISTRICT_CHANGED.format(district=self.now.name, before=self.before.name)


def value_before_latest_message(tracker: Tracker) -> Any | None:
    """The slot's value before the latest user message (the slot already holds the new one)."""
    events = tracker.events or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=len(events))
    value = None
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") == SLOT:
            value = event.get("value")
        elif event.get("event") in _RESETS:
            value = None
    return value


async def district_change(tracker: Tracker) -> DistrictChange | None:
    """The change when the latest message named a district other than the remembered one."""
    entities = tracker.latest_message.get("entities") or []
    now_value = tracker.get_slot(SLOT)
    if not now_value or not any(e.get("entity") == SLOT for e in entities):
        return None
    repo = catalogue()
    now = await run_blocking(repo.find_district, str(now_value))
    if now is None:
        return None
    before_value = value_before_latest_message(tracker)
    before = await run_blocking(repo.find_district, str(before_value)) if before_value else None
    if before is not None and before.id == now.id:
        return None
    return DistrictChange(before, now)
