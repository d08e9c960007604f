"""The flow registry: every flow once by name, and a polite end for a name nobody registered."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.applications.kinds import FORMS, KINDS
from bot.flows import appointment, cancel_booking, leave_message, progress_lookup, rating_reason
from bot.flows.context import FlowContext
from bot.flows.definition import FlowDefinition, SubmitResult, UnknownFlow
from bot.flows.registry import FLOWS, FlowRegistry
from bot.flows.submission import submit
from bot.replies import FLOW_UNKNOWN


def test_every_flow_is_registered_once_by_the_name_its_state_carries():
    assert [d.name for d in FLOWS] == ["elderly-allowance", "sbk-replace", appointment.FLOW_NAME,
                                      progress_lookup.FLOW_NAME, *cancel_booking.FLOW_NAMES, leave_message.FLOW_NAME,
                                      rating_reason.FLOW_NAME]
    assert {form.kind for form in FORMS} == set(KINDS)


@pytest.mark.parametrize("name, applies", [("elderly-allowance", True), ("sbk-replace", True),
                                           ("appointment", False), ("progress_lookup", False), ("leave_message", False),
                                           ("idcard", False), ("", False), (None, False)])
def test_which_services_can_be_applied_for_in_the_chat(name, applies):
    assert FLOWS.is_application(name) is applies


def test_an_unknown_name_is_a_lookup_error_that_names_it():
    with pytest.raises(UnknownFlow) as raised:
        FLOWS.get("passport")
    assert isinstance(raised.value, LookupError) and raised.value.name == "passport"
    assert "passport" not in FLOWS


def test_a_flow_cannot_be_registered_twice():
    registry = FlowRegistry()
    definition = FlowDefinition("x", build=lambda ctx, sender: None, submit=lambda ctx, state, sender: None)
    registry.register(definition)
    with pytest.raises(ValueError):
        registry.register(definition)


@pytest.fixture()
def ctx(catalogue_db_url):
    from bot.db import session_factory

    return FlowContext(today=date(2026, 12, 1), sessions=session_factory(catalogue_db_url), districts=(),
                       services=(), hall_types={})


def test_the_context_builds_by_name_and_refuses_an_unknown_one(ctx):
    assert ctx.build("elderly-allowance").title == "高龄津贴申请"
    with pytest.raises(UnknownFlow):
        ctx.build("passport")


def test_confirming_an_unknown_flow_stores_nothing_and_says_so_kindly(ctx, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.flows.submission"):
        result = submit(ctx, {"flow": "passport", "values": {"phone": "13812345678"}, "instance": "1"}, "s")
    assert result == SubmitResult(FLOW_UNKNOWN)
    assert "passport" in caplog.text
