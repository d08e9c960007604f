"""What a flow module declares for the registry: how to build the flow, and what confirming it does.

See bot/flows/registry.py for how definitions are looked up by name.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.flows.engine import Flow

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

State = dict[str, Any]


@dataclass(frozen=True)
class Rateable:
    """What a submission can be rated as (好差评): an application or a booking, by its receipt."""

    kind: str  # "application" or "booking" (bot/evaluation/invitations.py Context)
    service_id: str
    reference: str  # the receipt number as residents read it


@dataclass(frozen=True)
class SubmitResult:
    text: str
    reopened: State | None = None  # flow state to continue with (e.g. slot full)
    rateable: Rateable | None = None  # the resident is invited to rate it (actions/guided_form.py)


@dataclass(frozen=True)
class FlowDefinition:
    """One flow, by the name its state carries ("elderly-allowance", "appointment" ...)."""

    name: str
    # The flow for today's context; 查进度 and 取消预约 also need the conversation's sender id.
    build: Callable[[FlowContext, str], Flow]
    # Store what the confirmed flow collected (once: the state's instance is the
    # idempotency key) and say so; a limit the services enforce propagates.
    submit: Callable[[FlowContext, State, str], SubmitResult]
    application: bool = False  # an application residents can start after a service answer


class UnknownFlow(LookupError):
    """No flow is registered under this name (e.g. a draft saved before a flow was retired)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no flow registered as {name!r}")
        self.name = name
