"""Numbered choices: offering them when unsure, and resolving the resident's pick."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.district_memory import DistrictChange, district_change
from actions.handoff import hand_off
from actions.handoff_offer import offer_after_failure
from actions.leave_message import start_leave_message
from actions.rating import answer_rating
from actions.runtime import GuardedAction, catalogue, run_blocking, service_id_from_intent
from actions.service_answer import answer_service, resolve_district, show_hall
from bot import choices, replies
from bot.families import Family, family_for_intent
from bot.nlu.service_decision import judged_out_of_scope, place_elsewhere_of, search_result
from bot.text import normalize

#: A reply this short (or a number) answers a pending numbered question whatever NLU thought
#: of it ("两", "二号", "选二" come as nlu_fallback): the same matcher as inside flows.
SHORT_REPLY_CHARS = 6
#: A service is offered when its confidence reaches this floor and this share of the best.
MIN_CHOICE_CONFIDENCE = 0.05
MIN_SHARE_OF_BEST = 0.4
MAX_CHOICES = 3
#: The one-option offers of a person (actions/handoff_offer.py) and of 留言 (actions/handoff.py).
OFFER_ALIASES = {"handoff": ("转人工", "人工", "找人工"), "leave_message": ("留言", "我要留言")}


def candidate_services(ranking: list[dict[str, Any]]) -> list[str]:
    """Up to three plausible service ids from an intent ranking, most likely first.

    DIET spreads confidence over ~50 intents, so a vague "公积金" gives each housing-fund
    service under 0.1: the rule is relative to the best service, with a small floor.
    """
    ranked = [(service_id_from_intent(item.get("name")), item.get("confidence") or 0.0)
              for item in ranking]
    scored = sorted(((sid, c) for sid, c in ranked if sid), key=lambda sc: -sc[1])
    if not scored:
        return []
    best = scored[0][1]
    return [sid for sid, c in scored[:MAX_CHOICES]
            if c >= MIN_CHOICE_CONFIDENCE and c >= MIN_SHARE_OF_BEST * best]


def offered_services(parse: dict[str, Any]) -> list[str]:
    """The "did you mean" choices for a parse: none when the search stage judged it out of
    scope, else DIET's likely services followed by services the search found that DIET
    cannot know (added after training), at most three."""
    if judged_out_of_scope(parse):
        return []
    offered = candidate_services(parse.get("intent_ranking") or [])
    extra = [s for s in search_result(parse).get("candidates") or [] if isinstance(s, str)]
    return list(dict.fromkeys(offered + extra))[:MAX_CHOICES]


async def offer_services(dispatcher: CollectingDispatcher, service_ids: list[str],
                         prompt: str, tail: str = "") -> list[EventType]:
    names = await run_blocking(catalogue().service_names, service_ids)
    service_ids = [s for s in service_ids if s in names]
    labels = [names[s] for s in service_ids]
    text = prompt + "\n" + choices.numbered(labels) + (f"\n{tail}" if tail else "")
    dispatcher.utter_message(text=text, buttons=choices.buttons(labels))
    return [SlotSet("pending_choice", {"kind": "service", "options": service_ids, "labels": labels})]


async def pending_pick(tracker: Tracker) -> int | None:
    """Index of the pending option the latest message picks, by number, name or alias."""
    pending = tracker.get_slot("pending_choice") or {}
    options = list(pending.get("options") or [])
    if not options:
        return None
    aliases = await _aliases(pending.get("kind"), options)
    return choices.pick_option(tracker.latest_message.get("text") or "", pending.get("labels") or options, aliases)


async def _aliases(kind: str | None, options: list[str]) -> list[list[str]]:
    """The catalogue's other names for the options (芜湖县 for 湾沚区, 社保卡 for 社会保障卡申领)."""
    if kind in OFFER_ALIASES:
        return [list(OFFER_ALIASES[kind])]
    if kind == "district":
        found = {d.id: d.aliases for d in await run_blocking(catalogue().districts)}
    else:
        found = {s.id: s.aliases for s in await run_blocking(catalogue().service_summaries)}
    return [list(found.get(option, ())) for option in options]


async def resolve_pick(dispatcher: CollectingDispatcher, tracker: Tracker, index: int) -> list[EventType]:
    pending = tracker.get_slot("pending_choice") or {}
    picked = list(pending.get("options") or [])[index]
    if pending.get("kind") == "handoff":  # 1. 转人工, offered after two failures
        events = await hand_off(dispatcher, tracker)
        if events is None:
            dispatcher.utter_message(response="utter_human_handoff")
            return [SlotSet("pending_choice", None)]
        return events
    if pending.get("kind") == "leave_message":  # 1. 留言, offered out of hours
        return await start_leave_message(dispatcher, tracker)
    if pending.get("kind") == "district":
        return await _use_district(dispatcher, tracker, picked)
    return await answer_service(dispatcher, tracker, picked)


class ActionClarify(GuardedAction):
    """nlu_fallback: offer the likeliest services as numbered choices, or ask again.

    A message the service search judged out of scope (bot/nlu/service_search.py) gets the
    out-of-scope reply, naming no service, unless it answers a pending numbered question.

    An ``ask_family_*`` intent (bot/families.py) offers its family's services instead.
    """

    def name(self) -> str:
        return "action_clarify"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        rated = await answer_rating(dispatcher, tracker)  # "很满意" may come as nlu_fallback
        if rated is not None:
            return rated
        text = tracker.latest_message.get("text") or ""
        if choices.parse_number(text) is not None or len(normalize(text)) <= SHORT_REPLY_CHARS:
            index = await pending_pick(tracker)  # a short reply to the last numbered question
            if index is not None:
                return await resolve_pick(dispatcher, tracker, index)
        change = await district_change(tracker)
        family = family_for_intent((tracker.latest_message.get("intent") or {}).get("name"))
        if family is not None:
            return await _offer_family(dispatcher, tracker, family, change)
        if change is not None:
            dispatcher.utter_message(text=change.text())
        if judged_out_of_scope(tracker.latest_message):
            place = place_elsewhere_of(tracker.latest_message)
            if place:
                dispatcher.utter_message(text=replies.elsewhere_reply(place))
            else:
                dispatcher.utter_message(response="utter_out_of_scope")
            return [SlotSet("pending_choice", None)]
        candidates = offered_services(tracker.latest_message)
        if not candidates:
            dispatcher.utter_message(text=replies.NOT_UNDERSTOOD)
            return await offer_after_failure(dispatcher, tracker) or [SlotSet("pending_choice", None)]
        return await offer_services(dispatcher, candidates, replies.CLARIFY, replies.CLARIFY_TAIL)


async def _offer_family(dispatcher: CollectingDispatcher, tracker: Tracker, family: Family,
                        change: DistrictChange | None) -> list[EventType]:
    """The family's services as numbered choices, after confirming a newly named district.

    "我搬到无为了" just after the district question answers that question instead.
    """
    pending = tracker.get_slot("pending_choice") or {}
    if change is not None and family.answers_district and pending.get("kind") == "district":
        return await _use_district(dispatcher, tracker, change.now.id)
    if change is not None:
        dispatcher.utter_message(text=change.text())
    return await offer_services(dispatcher, list(family.services), family.prompt, family.tail)


class ActionResolveChoice(GuardedAction):
    """choose_number: the resident picked an option of the last numbered question."""

    def name(self) -> str:
        return "action_resolve_choice"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        rated = await answer_rating(dispatcher, tracker)  # a rating's level, by number or words
        if rated is not None:
            return rated
        pending = tracker.get_slot("pending_choice") or {}
        options = list(pending.get("options") or [])
        if not options:
            dispatcher.utter_message(text=replies.NO_PENDING_CHOICE)
            return []
        index = await pending_pick(tracker)
        if index is None:
            dispatcher.utter_message(text=replies.OUT_OF_RANGE.format(n=len(options)))
            return []
        return await resolve_pick(dispatcher, tracker, index)


async def _use_district(dispatcher: CollectingDispatcher, tracker: Tracker,
                        district_id: str) -> list[EventType]:
    districts = {d.id: d for d in await run_blocking(catalogue().districts)}
    district = districts[district_id]
    events: list[EventType] = [SlotSet("district", district.name), SlotSet("pending_choice", None)]
    change = await district_change(tracker)
    # The change is told only when this district replaces a remembered one.
    replaced = change if change is not None and change.before is not None and change.now.id == district_id else None
    service_id = tracker.get_slot("current_service")
    if service_id:
        if replaced is not None:  # a first district shows in the hall's answer
            dispatcher.utter_message(text=replaced.text())
        await show_hall(dispatcher, service_id, district)
    else:
        remembered = replaced.text() if replaced is not None else f"好的，记住了，您在{district.name}。"
        dispatcher.utter_message(text=remembered + replies.NO_PENDING_CHOICE)
    return events


class ActionInformDistrict(GuardedAction):
    """inform_district: remember the district and show the hall for the current service."""

    def name(self) -> str:
        return "action_inform_district"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        district = await resolve_district(tracker)
        if district is None:
            dispatcher.utter_message(text="抱歉，没听出是哪个区县。" + replies.ASK_DISTRICT)
            return []
        return await _use_district(dispatcher, tracker, district.id)
