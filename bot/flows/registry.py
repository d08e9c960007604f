"""Which flows exist: one register call per flow, looked up by the name a flow's state carries.

In the spirit of wechatpy's message types (``messages.py`` registers each type,
``parser.py`` looks it up): each flow module declares its :class:`FlowDefinition` once
(how to build it, what confirming it does), and the context (bot/flows/context.py) and
the submission (bot/flows/submission.py) ask this registry instead of naming flows. A
name nobody registered raises :class:`UnknownFlow`, a LookupError the callers turn into
a polite reply (actions/guided_form.py); it never reaches a resident as a crash.

To add a flow: write its module with a ``DEFINITION`` and register it below. An
application is a ``FORM`` (bot/flows/form.py) added to FORMS in bot/applications/kinds.py,
which says what it stores; it is registered from there.
"""
from __future__ import annotations

from collections.abc import Iterator

from bot.applications.kinds import FORMS
from bot.flows import application_flow, appointment, cancel_booking, leave_message, progress_lookup, rating_reason
from bot.flows.definition import FlowDefinition, UnknownFlow


class FlowRegistry:
    """Flow definitions by name."""

    def __init__(self) -> None:
        self._flows: dict[str, FlowDefinition] = {}

    def register(self, definition: FlowDefinition) -> FlowDefinition:
        if definition.name in self._flows:
            raise ValueError(f"flow {definition.name!r} is registered twice")
        self._flows[definition.name] = definition
        return definition

    def get(self, name: str) -> FlowDefinition:
        """The definition registered as `name`; UnknownFlow (a LookupError) if there is none."""
        try:
            return self._flows[name]
        except KeyError:
            raise UnknownFlow(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._flows

    def __iter__(self) -> Iterator[FlowDefinition]:
        return iter(self._flows.values())

    def is_application(self, name: str | None) -> bool:
        """Whether `name` is a service residents can apply for in the chat (offered after its answer)."""
        definition = self._flows.get(name) if name else None
        return definition is not None and definition.application


def _every_flow() -> FlowRegistry:
    registry = FlowRegistry()
    for form in FORMS:  # 高龄津贴申领, 社保卡挂失补换
        registry.register(application_flow.definition(form))
    registry.register(appointment.DEFINITION)
    registry.register(progress_lookup.DEFINITION)
    for definition in cancel_booking.DEFINITIONS:  # own bookings, or by number
        registry.register(definition)
    registry.register(leave_message.DEFINITION)  # 留言 for the hand-off desk
    registry.register(rating_reason.DEFINITION)  # why a rating was poor (好差评)
    return registry


FLOWS = _every_flow()
