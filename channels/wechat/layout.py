"""How one turn's reply is laid out over WeChat messages of at most 2,048 bytes.

Only the passive reply (the HTTP answer) is certain to arrive; later parts go through the
customer-service API, which can fail. So the passive reply always carries what the
resident must answer: the short messages that end the turn (回复“办理”, the district list,
"我们继续：…"). A long service text before them is shortened there, marked
"（未完，后续内容稍后发送）", and its rest follows as numbered parts ("（续上条 2/3）").
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from channels.wechat import texts
from channels.wechat.render import MAX_TEXT_BYTES, split_text

#: The closing messages kept whole in the passive reply may use up to this much of it.
TAIL_MAX_BYTES = 1024
#: Room kept in each later part for its "（续上条 12/13）" heading.
HEADING_RESERVE_BYTES = 40


@dataclass(frozen=True)
class ReplyPlan:
    """The passive reply and the parts that follow it, in the order the resident reads them."""

    passive: str
    followups: tuple[str, ...] = ()

    @property
    def parts(self) -> list[str]:
        """Everything, for a reply that goes wholly through the customer-service API."""
        return [p for p in (self.passive, *self.followups) if p]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _join(blocks: Sequence[str]) -> str:
    return "\n\n".join(blocks)


def _closing_blocks(blocks: Sequence[str], budget: int) -> int:
    """Index where the closing messages start: the longest run at the end within ``budget``,
    never including the first message (that one is the text being shortened)."""
    start = len(blocks)
    while start > 1 and _size(_join(blocks[start - 1:])) <= budget:
        start -= 1
    return start


def plan_reply(blocks: Sequence[str], notice: str | None = None,
               max_bytes: int = MAX_TEXT_BYTES) -> ReplyPlan:
    """Lay out one turn. ``notice`` (a short channel message) always stays in the passive reply."""
    blocks = [b.strip() for b in blocks if b and b.strip()]
    extra = [notice] if notice else []
    whole = _join(blocks + extra)
    if _size(whole) <= max_bytes:
        return ReplyPlan(whole)

    start = _closing_blocks(blocks, TAIL_MAX_BYTES - (_size(notice) + 2 if notice else 0))
    body, tail = _join(blocks[:start]), _join(blocks[start:] + extra)
    suffix = "\n" + texts.TRUNCATED + ("\n\n" + tail if tail else "")
    head_budget = max_bytes - _size(suffix)
    head = split_text(body, head_budget)[0] if head_budget > 0 else ""
    rest = body[len(head):].lstrip("\n")
    chunks = split_text(rest, max_bytes - HEADING_RESERVE_BYTES)
    total = len(chunks) + 1
    followups = tuple(texts.CONTINUED.format(part=number, total=total) + "\n" + chunk
                      for number, chunk in enumerate(chunks, start=2))
    return ReplyPlan((head + suffix).strip("\n"), followups)


def plan_resend(parts: Sequence[str], max_bytes: int = MAX_TEXT_BYTES) -> ReplyPlan:
    """The parts that did not arrive last time, as they were, under a "补发" heading."""
    first, *others = parts
    headed = texts.RESENT + "\n" + first
    return ReplyPlan(headed if _size(headed) <= max_bytes else first, tuple(others))
