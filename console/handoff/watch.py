"""What the hand-off desk's live pages watch: one poll of the hand-off tables for all of them.

While at least one live page is open (GET /handoff/events), one task runs
bot/handoff/queue.change_rows every POLL_S (a single grouped query over the active
requests and the transcripts open on screen) and wakes every page's stream; each stream
compares what it shows (:func:`stamps`: the queue, the agent's own conversations, the
open transcript) with the previous poll and names what changed. Polling the database
rather than being told keeps every writer out of it: the assistant's action that queues
a resident, the channels' gate that stores their messages, the delivery code, other
console processes. With nobody watching, nothing polls.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import sessionmaker

from bot.handoff.queue import ChangeRow, change_rows
from bot.handoff.statuses import HandoffStatus

logger = logging.getLogger(__name__)

POLL_S = 0.25
#: After a failed poll: not four logged errors a second while the database is away.
FAILED_PAUSE_S = 2.0
QUEUED, CLAIMED = HandoffStatus.QUEUED.value, HandoffStatus.CLAIMED.value
#: The page parts a change refreshes, by the name of their event.
PARTS = ("queue", "mine", "transcript")


def stamps(rows: Mapping[int, ChangeRow], agent: str, open_id: int | None) -> dict[str, Any]:
    """What each part of `agent`'s page depends on; a part is stale when its stamp changes."""
    return {
        "queue": frozenset((r[0], r[5]) for r in rows.values() if r[1] == QUEUED),
        "mine": frozenset((r[0], r[3], r[4], r[5]) for r in rows.values() if r[1] == CLAIMED and r[2] == agent),
        "transcript": rows.get(open_id) if open_id is not None else None,
    }


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [part for part in PARTS if before.get(part) != after.get(part)]


class Watch:
    """The shared poll; a live page subscribes with the transcript it shows (if any)."""

    def __init__(self, db: sessionmaker, every: float = POLL_S) -> None:
        self._db, self._every = db, every
        self._waiting: dict[asyncio.Event, int | None] = {}
        self._task: asyncio.Task | None = None
        #: The latest poll, by request id; replaced whole, never changed in place.
        self.rows: dict[int, ChangeRow] = {}

    def subscribe(self, open_id: int | None) -> asyncio.Event:
        """An event set after every poll from now on (the first one included)."""
        woken = asyncio.Event()
        self._waiting[woken] = open_id
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return woken

    def unsubscribe(self, woken: asyncio.Event) -> None:
        self._waiting.pop(woken, None)

    @property
    def watchers(self) -> int:
        return len(self._waiting)

    async def _run(self) -> None:
        while self._waiting:
            opened = {i for i in self._waiting.values() if i is not None}
            pause = self._every
            try:
                rows = await asyncio.to_thread(change_rows, self._db, also=sorted(opened))
            except Exception:  # the database may be busy or restarting: try again, a little later
                logger.exception("hand-off change check failed")
                pause = max(self._every, FAILED_PAUSE_S)
            else:
                self.rows = {row[0]: row for row in rows}
                for woken in list(self._waiting):
                    woken.set()
            await asyncio.sleep(pause)

    async def stop(self) -> None:
        self._waiting.clear()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
