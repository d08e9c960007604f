"""Numbered choices: offering them when unsure, and resolving the resident's pick."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import GuardedAction, catalogue, run_blocking, service_id_from_intent
from actions.service_answer import answer_service, resolve_district, show_hall
from bot import choices, replies

#: A service is offered when its confidence reaches this floor and this share of the best.
MIN_CHOICE_CONFIDENCE = 0.05
MIN_SHARE_OF_BEST = 0.4
MAX_CHOICES = 3


def candidate_services(ranking: List[Dict[str, Any]]) -> List[str]:
    """Up to three plausible service ids from an intent ranking, most likely first.

    DIET spreads confidence over ~50 intents, so a vague "公积金" gives each housing-fund
    service under 0.1: the rule is relative to the best service, with a small floor.
    """
    scored = [(service_id_from_intent(item.get("name")), item.get("confidence") or 0.0)
              for item in ranking]
    scored = sorted(((sid, c) for sid, c in scored if sid), key=lambda sc: -sc[1])
    if not scored:
        return []
    best = scored[0][1]
    return [sid for sid, c in scored[:MAX_CHOICES]
            if c >= MIN_CHOICE_CONFIDENCE and c >= MIN_SHARE_OF_BEST * best]


async def offer_services(dispatcher: CollectingDispatcher, service_ids: List[str],
                         prompt: str, tail: str = "") -> List[EventType]:
    names = await run_blocking(catalogue().service_names, service_ids)
    service_ids = [s for s in service_ids if s in names]
    labels = [names[s] for s in service_ids]
    text = prompt + "\n" + choices.numbered(labels) + (f"\n{tail}" if tail else "")
    dispatcher.utter_message(text=text, buttons=choices.buttons(labels))
    return [SlotSet("pending_choice", {"kind": "service", "options": service_ids, "labels": labels})]


class ActionClarify(GuardedAction):
    """nlu_fallback: offer the likeliest services as numbered choices, or ask again."""

    def name(self) -> str:
        return "action_clarify"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        candidates = candidate_services(tracker.latest_message.get("intent_ranking") or [])
        if not candidates:
            dispatcher.utter_message(text=replies.NOT_UNDERSTOOD)
            return [SlotSet("pending_choice", None)]
        return await offer_services(dispatcher, candidates, replies.CLARIFY, replies.CLARIFY_TAIL)


class ActionResolveChoice(GuardedAction):
    """choose_number: the resident picked an option of the last numbered question."""

    def name(self) -> str:
        return "action_resolve_choice"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        pending = tracker.get_slot("pending_choice") or {}
        options = list(pending.get("options") or [])
        if not options:
            dispatcher.utter_message(text=replies.NO_PENDING_CHOICE)
            return []
        index = choices.pick_option(tracker.latest_message.get("text") or "", pending.get("labels") or options)
        if index is None:
            dispatcher.utter_message(text=replies.OUT_OF_RANGE.format(n=len(options)))
            return []
        picked = options[index]
        if pending.get("kind") == "district":
            return await _use_district(dispatcher, tracker, picked)
        return await answer_service(dispatcher, tracker, picked)


async def _use_district(dispatcher: CollectingDispatcher, tracker: Tracker,
                        district_id: str) -> List[EventType]:
    districts = {d.id: d for d in await run_blocking(catalogue().districts)}
    district = districts[district_id]
    events: List[EventType] = [SlotSet("district", district.name), SlotSet("pending_choice", None)]
    service_id = tracker.get_slot("current_service")
    if service_id:
        await show_hall(dispatcher, service_id, district)
    else:
        dispatcher.utter_message(text=f"好的，记住了，您在{district.name}。" + replies.NO_PENDING_CHOICE)
    return events


class ActionInformDistrict(GuardedAction):
    """inform_district: remember the district and show the hall for the current service."""

    def name(self) -> str:
        return "action_inform_district"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        district = await resolve_district(tracker)
        if district is None:
            dispatcher.utter_message(text="抱歉，没听出是哪个区县。" + replies.ASK_DISTRICT)
            return []
        return await _use_district(dispatcher, tracker, district.id)
