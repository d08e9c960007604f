"""Answer a service question from the catalogue, in one message (一次告知)."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.district_memory import district_change
from actions.handoff_offer import offer_after_failure
from actions.runtime import GuardedAction, catalogue, run_blocking
from bot import choices, replies
from bot.catalogue.render import render_hall_answer, render_service_answer, service_card
from bot.catalogue.repository import DistrictView, ServiceNotFound
from bot.flows.registry import FLOWS
from bot.nlu.service_decision import ASK_SERVICE, service_of

logger = logging.getLogger(__name__)


async def resolve_district(tracker: Tracker) -> DistrictView | None:
    """The district the conversation knows, from the slot (any alias is accepted)."""
    value = tracker.get_slot("district")
    if not value:
        return None
    return await run_blocking(catalogue().find_district, str(value))


#: Tapping it sends "办理", which starts the service's guided flow (bot/nlu/commands.py).
START_BUTTON = {"title": "办理", "payload": "办理"}


def offer_flow(dispatcher: CollectingDispatcher) -> None:
    """"回复“办理”" always comes with a 办理 button, for residents who only tap."""
    dispatcher.utter_message(text=replies.ONLINE_APPLICATION_HINT, buttons=[START_BUTTON])


async def ask_district(dispatcher: CollectingDispatcher, *, with_flow: bool = False) -> dict[str, Any]:
    """Ask for the district with numbered choices; returns the pending-choice value.

    With a flow to offer, the 办理 hint and button join this message: only the latest
    message's buttons can be tapped in the web chat, and WeChat numbers them after the districts.
    """
    districts = await run_blocking(catalogue().districts)
    labels = [d.name for d in districts]
    text = replies.ASK_DISTRICT + "\n" + choices.numbered(labels)
    buttons = choices.buttons(labels)
    if with_flow:
        text += "\n" + replies.ONLINE_APPLICATION_HINT
        buttons.append(START_BUTTON)
    dispatcher.utter_message(text=text, buttons=buttons)
    return {"kind": "district", "options": [d.id for d in districts], "labels": labels}


async def answer_service(
    dispatcher: CollectingDispatcher, tracker: Tracker, service_id: str, in_flow: bool = False,
    found_by_search: bool = False,
) -> list[EventType]:
    """Send the full answer for a service; ask for the district when the hall matters.

    Inside a guided flow (``in_flow=True``) only the answer is sent: the flow's
    own question comes next. A service the search stage found (``found_by_search``) may have
    been removed since: that is no error, and the resident is asked to say it again.
    """
    repo = catalogue()
    try:
        service = await run_blocking(repo.get_service_or_raise, service_id)
    except ServiceNotFound:
        if found_by_search:  # removed since the search stage's index was built (a few seconds)
            logger.info("service %s was removed from the catalogue since it was found", service_id)
            dispatcher.utter_message(text=replies.NOT_UNDERSTOOD)
            return await offer_after_failure(dispatcher, tracker)
        logger.error("intent names a service missing from the catalogue: %s", service_id)
        dispatcher.utter_message(text=replies.SERVICE_UNAVAILABLE)
        return []
    district = await resolve_district(tracker)
    hall = None
    if district is not None:
        hall = await run_blocking(repo.hall_for, district.id, service.hall_type)
    related = await run_blocking(repo.service_names, list(service.related))
    related_names = [related[r] for r in service.related if r in related]
    change = None if in_flow else await district_change(tracker)
    if change is not None and change.before is not None:  # a first district shows in the answer
        dispatcher.utter_message(text=change.text())
    dispatcher.utter_message(text=render_service_answer(service, hall, related_names),
                             service_card=service_card(service, hall))
    if in_flow:
        return []
    events: list[EventType] = [SlotSet("current_service", service.id),
                               SlotSet("offered_flow", service.id if FLOWS.is_application(service.id) else None)]
    asks_district = service.needs_hall and district is None
    if FLOWS.is_application(service.id) and not asks_district:
        offer_flow(dispatcher)
    if district is not None:
        events.append(SlotSet("district", district.name))
    if asks_district:
        events.append(SlotSet("pending_choice",
                              await ask_district(dispatcher, with_flow=FLOWS.is_application(service.id))))
    else:
        events.append(SlotSet("pending_choice", None))
    return events


async def show_hall(
    dispatcher: CollectingDispatcher, service_id: str, district: DistrictView
) -> None:
    """The hall for the current service in a newly given district."""
    repo = catalogue()
    service = await run_blocking(repo.get_service_or_raise, service_id)
    hall = await run_blocking(repo.hall_for, district.id, service.hall_type)
    if hall is None:
        dispatcher.utter_message(text=replies.SERVICE_UNAVAILABLE)
        return
    dispatcher.utter_message(text=render_hall_answer(service, hall))
    if FLOWS.is_application(service_id):
        offer_flow(dispatcher)


class ActionAnswerService(GuardedAction):
    """svc_* intents (the service the intent names) and ask_service (the service the
    catalogue search found, bot/nlu/service_search.py)."""

    def name(self) -> str:
        return "action_answer_service"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        service_id = service_of(tracker.latest_message)
        if service_id is None:
            dispatcher.utter_message(text=replies.NOT_UNDERSTOOD)
            return await offer_after_failure(dispatcher, tracker)
        searched = (tracker.latest_message.get("intent") or {}).get("name") == ASK_SERVICE
        return await answer_service(dispatcher, tracker, service_id, found_by_search=searched)
