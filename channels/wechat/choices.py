"""Which payload a number picks: the numbered choices of each resident's last reply.

WeChat shows no buttons, so render.py numbers them and the resident answers "2". Our own
buttons already carry the number as payload; for the others (the 办理 button after the
district list, a menu-like "/intent" button) the endpoint remembers number → payload per
openid until the next reply replaces or drops it.

One process keeps them in memory (:class:`MemoryChoices`, bounded). In a cluster the
resident's "2" may reach another node than the list did, so they live in Redis
(redis_choices.py, chosen by channels/shared_state.py).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Protocol

#: Residents whose choices one process remembers; the oldest are forgotten first.
MAX_REMEMBERED = 10_000


class ChoiceStore(Protocol):
    async def remember(self, openid: str, choices: Mapping[str, str]) -> None:
        """The choices of the reply just sent (number → payload); empty: forget the old ones."""

    async def payload(self, openid: str, number: str) -> str | None:
        """The payload behind ``number`` in the resident's last reply, if any."""


class MemoryChoices:
    """In-process choices, as the endpoint always kept them: no expiry, at most ``max_entries``."""

    def __init__(self, max_entries: int = MAX_REMEMBERED) -> None:
        self._max_entries = max_entries
        self._choices: OrderedDict[str, dict[str, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._choices)

    async def remember(self, openid: str, choices: Mapping[str, str]) -> None:
        if not choices:
            self._choices.pop(openid, None)
            return
        self._choices[openid] = dict(choices)
        self._choices.move_to_end(openid)
        while len(self._choices) > self._max_entries:
            self._choices.popitem(last=False)

    async def payload(self, openid: str, number: str) -> str | None:
        return self._choices.get(openid, {}).get(number)
