"""The console's inbox: messages the assistant was unsure about, grouped for review.

Operators improve the NLU by turning real residents' phrasings into training examples
(training_data.py, service.py). The raw material is the tracker store: Rasa writes every
event of every conversation into the SQL table ``events`` (rasa/core/tracker_store.py,
``SQLTrackerStore``), with personal data already masked (bot/tracker_store.py); it is
masked again for display (:func:`bot.event_masking.mask_events`), so events written
before masking covered every spelling of a number never reach a page unmasked.

A user message lands in the inbox when the assistant was unsure or the resident was not
helped:

* ``fallback``: the FallbackClassifier predicted ``nlu_fallback``;
* ``low_confidence``: the best real intent scored below the threshold;
* ``clarified``: the next action was ``action_clarify`` (numbered choices were offered);
  the resident's pick, if any, is recorded so the operator sees what was meant;
* ``handoff``: the resident's next request was ``human_handoff``;
* ``not_understood``: the reply was a "please say it again" (utter_ask_rephrase or
  action_ask_rephrase, utter_default, replies.NOT_UNDERSTOOD: action_clarify with nothing to offer);
* ``out_of_scope``: the service search judged the message out of scope (parse data
  ``service_search.out_of_scope``; the resident got the out-of-scope reply);
* ``acknowledged``: the reply was a generic acknowledgement (utter_thank, utter_goodbye,
  replies.ANYTHING_ELSE) to a phrasing that is not training data of any intent: nonsense
  such as "阿巴阿巴嗯嗯" is otherwise answered politely and never seen by staff.

Never in the inbox: answers given inside a guided flow (the ``guided_form`` loop was
active: a name, a street, "本人" are answers the flow understood, not misunderstood
questions), button payloads, and emoji or punctuation only. The conversation kept around
a message replaces what was said in a flow by a placeholder; pages hide every number and
name in it (console/teaching/redaction.py).

The database read (:func:`read_uncertain`; the console's pages use inbox_store.py, which keeps
conversations between views) is kept apart from the pure functions (:func:`find_uncertain`,
:func:`group_items`) so the logic is testable with plain dicts; inbox_filter.py picks what a
reviewer asked to see.
"""
from __future__ import annotations

import enum
import itertools
import json
import logging
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from bot import replies
from bot.event_masking import mask_events
from bot.nlu.service_decision import SEARCH_KEY
from bot.text import normalize
from console.teaching import redaction

logger = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
HANDOFF_INTENT = "human_handoff"
CHOOSE_NUMBER_INTENT = "choose_number"
CLARIFY_ACTION = "action_clarify"
LISTEN_ACTION = "action_listen"
SERVICE_SLOT = "current_service"
CHOICE_SLOT = "pending_choice"
#: The form every guided flow runs in (domain.yml ``forms``, bot/flows).
FLOW_LOOP = "guided_form"
#: Replies that ask the resident to say it again: nothing was understood.
REPHRASE_ACTIONS = frozenset({"utter_ask_rephrase", "utter_default", "action_default_fallback",
                              "action_ask_rephrase"})
REPHRASE_TEXTS = frozenset({replies.NOT_UNDERSTOOD})
#: Replies that acknowledge whatever was said.
ACKNOWLEDGE_ACTIONS = frozenset({"utter_thank", "utter_goodbye", "action_thank", "action_goodbye"})
ACKNOWLEDGE_TEXTS = frozenset({replies.ANYTHING_ELSE})
#: Conversation ids of the channels that do not say so in the event (channels/*/).
_CHANNEL_PREFIXES = (("wechat:", "wechat"), ("web:", "webchat"), ("rest:", "rest"))
#: Turns of conversation shown before and after an example.
CONTEXT_TURNS = 3
#: Examples kept per group.
MAX_EXAMPLES = 3
#: Events that start a new conversation: a pick or hand-off never reaches across them.
_SESSION_BREAKS = {"session_started", "restart"}

# Lightweight table description: the schema is Rasa's, we only read it.
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


class Reason(str, enum.Enum):
    """Why a message is in the inbox."""

    FALLBACK = "fallback"
    LOW_CONFIDENCE = "low_confidence"
    CLARIFIED = "clarified"
    HANDOFF = "handoff"
    NOT_UNDERSTOOD = "not_understood"
    OUT_OF_SCOPE = "out_of_scope"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Turn:
    """One line of conversation shown as context ("user" or "bot")."""

    role: str
    text: str
    timestamp: float


@dataclass(frozen=True)
class Choice:
    """What the resident answered to the numbered choices of ``action_clarify``."""

    text: str
    intent: str | None
    service: str | None  # the service id the answer led to (slot current_service)
    offered: tuple[str, ...] = ()  # the service ids that were offered, best first


@dataclass(frozen=True)
class InboxItem:
    """One uncertain user message with its reasons and surrounding conversation."""

    sender_id: str
    timestamp: float
    text: str  # as stored (masked)
    normalized: str  # what NLU saw and what a training example would be
    intent: str | None  # the pipeline's prediction (may be nlu_fallback)
    confidence: float | None
    guess_intent: str | None  # best real intent of the ranking (never nlu_fallback)
    guess_confidence: float | None
    reasons: frozenset[Reason]
    choice: Choice | None = None
    before: tuple[Turn, ...] = ()
    after: tuple[Turn, ...] = ()
    channel: str = "other"  # webchat | wechat | rest | other


@dataclass
class InboxGroup:
    """Messages with the same normalized text: one decision for the operator."""

    text: str
    count: int
    reasons: set[Reason]
    predicted_intent: str | None
    mean_confidence: float | None
    picked_services: Counter
    examples: list[InboxItem]  # most recent first, at most MAX_EXAMPLES
    last_seen: float
    residents: int = 0  # distinct sender ids
    variants: Counter = field(default_factory=Counter)  # the texts as typed
    first_seen: float = 0.0
    channels: Counter = field(default_factory=Counter)


# --------------------------------------------------------------------------- pure helpers

def decode_row(row: Mapping[str, Any]) -> dict | None:
    """An event dict (Rasa's ``as_dict()``) from an ``events`` row, or None if unreadable.

    ``data`` may be JSON text (as stored) or an already decoded dict (tests).
    """
    data = row.get("data")
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError:
            logger.warning("skipping event %s: data is not JSON", row.get("id"))
            return None
    if not isinstance(data, dict):
        return None
    event = dict(data)
    event.setdefault("event", row.get("type_name"))
    if event.get("timestamp") is None:
        event["timestamp"] = row.get("timestamp")
    return event


def conversations(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, list[dict]]]:
    """(sender_id, events) per conversation; rows must be ordered by sender_id, id."""
    for sender_id, group in itertools.groupby(rows, key=lambda r: r.get("sender_id")):
        events = [e for e in (decode_row(r) for r in group) if e is not None]
        yield str(sender_id), events


def _is_payload(text: str) -> bool:
    """Button payloads ("/intent{...}") are not phrasings to learn from."""
    return text.lstrip().startswith("/")


def _intent_of(event: Mapping[str, Any]) -> tuple[str | None, float | None]:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    return intent.get("name"), _float(intent.get("confidence"))


def _best_guess(event: Mapping[str, Any]) -> tuple[str | None, float | None]:
    """The best real intent: FallbackClassifier puts nlu_fallback on top of the ranking."""
    parse = event.get("parse_data") or {}
    for entry in parse.get("intent_ranking") or []:
        if entry.get("name") and entry.get("name") != FALLBACK_INTENT:
            return entry["name"], _float(entry.get("confidence"))
    name, confidence = _intent_of(event)
    if name == FALLBACK_INTENT:
        return None, None
    return name, confidence


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _in_flow(events: Sequence[Mapping[str, Any]]) -> set[int]:
    """Indexes of the events that happened while the guided flow's loop was active."""
    inside: set[int] = set()
    active = False
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "active_loop":
            active = event.get("name") == FLOW_LOOP
        elif kind in _SESSION_BREAKS:
            active = False
        elif active:
            inside.add(index)
    return inside


def _turns(events: Sequence[Mapping[str, Any]], in_flow: set[int]) -> tuple[list[Turn], dict[int, int]]:
    """The visible conversation and, for each event index, its position in it.

    What was said inside a guided flow is replaced by a placeholder (redaction.py); the
    rest is masked the house way, and hidden further by redaction.for_reviewers when a
    page shows it (only a page's few examples: the inbox holds thousands).
    """
    turns: list[Turn] = []
    position: dict[int, int] = {}
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = event.get("text") or ""
        if kind == "bot" and not text:
            continue  # cards/buttons only: nothing to read
        position[index] = len(turns)
        shown = redaction.FLOW_TURN if index in in_flow else text
        turns.append(Turn(kind, shown, float(event.get("timestamp") or 0.0)))
    return turns, position


def channel_of(sender_id: str, event: Mapping[str, Any]) -> str:
    """The channel a message came in by: the event's ``input_channel``, else the id's prefix."""
    named = str(event.get("input_channel") or "")
    if named in ("webchat", "wechat", "rest"):
        return named
    for prefix, channel in _CHANNEL_PREFIXES:
        if sender_id.startswith(prefix):
            return channel
    return "other"


def _replies(segment: Iterable[Mapping[str, Any]]) -> tuple[set[str], set[str]]:
    """(names of the actions run, texts of the bot messages) of a segment."""
    actions: set[str] = set()
    texts: set[str] = set()
    for event in segment:
        if event.get("event") == "action" and event.get("name"):
            actions.add(str(event["name"]))
        elif event.get("event") == "bot" and event.get("text"):
            texts.add(str(event["text"]))
    return actions, texts


def _judged_out_of_scope(event: Mapping[str, Any]) -> bool:
    found = (event.get("parse_data") or {}).get(SEARCH_KEY)
    return isinstance(found, dict) and bool(found.get("out_of_scope"))


def _segment(events: Sequence[Mapping[str, Any]], start: int) -> list[Mapping[str, Any]]:
    """Events after ``start`` up to (not including) the next user message."""
    out = []
    for event in events[start + 1:]:
        if event.get("event") == "user":
            break
        out.append(event)
    return out


def _next_user(events: Sequence[Mapping[str, Any]], start: int) -> int | None:
    """Index of the next user message in the same session, or None."""
    for index in range(start + 1, len(events)):
        kind = events[index].get("event")
        if kind in _SESSION_BREAKS:
            return None
        if kind == "user":
            return index
    return None


def _first_action(segment: Iterable[Mapping[str, Any]]) -> str | None:
    for event in segment:
        if event.get("event") == "action" and event.get("name") != LISTEN_ACTION:
            return event.get("name")
    return None


def _slot_value(segment: Iterable[Mapping[str, Any]], slot: str) -> Any:
    """The last value the segment sets for ``slot`` (None if not set)."""
    value = None
    for event in segment:
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
    return value


def _choice_after(events: Sequence[Mapping[str, Any]], index: int) -> Choice | None:
    """What the resident picked after the clarify that followed message ``index``.

    A pick is a ``choose_number`` answer, or naming one of the offered services; an
    unrelated next question is no pick (None).
    """
    pending = _slot_value(_segment(events, index), CHOICE_SLOT)
    offered = tuple(pending.get("options") or ()) if isinstance(pending, dict) else ()
    answer = _next_user(events, index)
    if answer is None:
        return None
    intent, _ = _intent_of(events[answer])
    service = _slot_value(_segment(events, answer), SERVICE_SLOT)
    service = service if isinstance(service, str) and service else None
    if intent == CHOOSE_NUMBER_INTENT or (service is not None and service in offered):
        return Choice(events[answer].get("text") or "", intent, service, offered)
    return None


def _before_handoff(events: Sequence[Mapping[str, Any]]) -> set[int]:
    """Indexes of the messages a resident sent just before asking for a person."""
    marked: set[int] = set()
    for index, event in enumerate(events):
        if event.get("event") != "user" or _intent_of(event)[0] != HANDOFF_INTENT:
            continue
        for back in range(index - 1, -1, -1):
            previous = events[back]
            kind = previous.get("event")
            if kind in _SESSION_BREAKS:
                break
            if kind != "user":
                continue
            text = previous.get("text") or ""
            if _is_payload(text) or _intent_of(previous)[0] == HANDOFF_INTENT:
                continue  # "转人工" twice: look further back for the real request
            marked.add(back)
            break
    return marked


def find_uncertain(sender_id: str, events: Sequence[Mapping[str, Any]],
                   threshold: float = 0.5, since: float | None = None,
                   known: Collection[str] | None = None) -> list[InboxItem]:
    """The inbox items of one conversation (events as Rasa's ``as_dict()``, in order).

    ``known``: the normalized training examples; an acknowledgement of one of them is
    right, of anything else is listed (``acknowledged``). None: acknowledgements are not judged.
    """
    in_flow = _in_flow(events)
    turns, position = _turns(events, in_flow)
    handoff = _before_handoff(events)
    items: list[InboxItem] = []
    for index, event in enumerate(events):
        if event.get("event") != "user" or index in in_flow:
            continue
        text = event.get("text") or ""
        timestamp = float(event.get("timestamp") or 0.0)
        if _is_payload(text) or (since is not None and timestamp < since):
            continue
        normalized = normalize(text)
        if not normalized:
            continue  # emoji or punctuation only: nothing an example could hold
        intent, confidence = _intent_of(event)
        guess, guess_confidence = _best_guess(event)
        reasons = _reasons(events, index, intent, confidence, guess_confidence, threshold,
                           None if known is None else normalized in known)
        if index in handoff:
            reasons.add(Reason.HANDOFF)
        if not reasons:
            continue
        choice = _choice_after(events, index) if Reason.CLARIFIED in reasons else None
        at = position[index]
        items.append(InboxItem(
            sender_id=sender_id, timestamp=timestamp, text=text, normalized=normalized,
            intent=intent, confidence=confidence, guess_intent=guess,
            guess_confidence=guess_confidence, reasons=frozenset(reasons), choice=choice,
            before=tuple(turns[max(0, at - CONTEXT_TURNS):at]),
            after=tuple(turns[at + 1:at + 1 + CONTEXT_TURNS]),
            channel=channel_of(sender_id, event),
        ))
    return items


def _reasons(events: Sequence[Mapping[str, Any]], index: int, intent: str | None,
             confidence: float | None, guess_confidence: float | None, threshold: float,
             known: bool | None) -> set[Reason]:
    """Why the message at ``index`` needs a look, from its parse and the reply it got."""
    event = events[index]
    segment = _segment(events, index)
    actions, texts = _replies(segment)
    reasons: set[Reason] = set()
    if intent == FALLBACK_INTENT:
        reasons.add(Reason.FALLBACK)
    if guess_confidence is not None and guess_confidence < threshold:
        reasons.add(Reason.LOW_CONFIDENCE)
    if _judged_out_of_scope(event):
        reasons.add(Reason.OUT_OF_SCOPE)
    rephrase = bool(actions & REPHRASE_ACTIONS or texts & REPHRASE_TEXTS)
    if rephrase:
        reasons.add(Reason.NOT_UNDERSTOOD)
    elif _first_action(segment) == CLARIFY_ACTION and Reason.OUT_OF_SCOPE not in reasons:
        reasons.add(Reason.CLARIFIED)  # numbered choices were offered
    command = confidence is not None and confidence >= 1.0  # bot/nlu/commands.py: exact
    acknowledged = bool(actions & ACKNOWLEDGE_ACTIONS or texts & ACKNOWLEDGE_TEXTS)
    if acknowledged and known is False and not command:
        reasons.add(Reason.ACKNOWLEDGED)
    return reasons


def judge_acknowledgements(items: Iterable[InboxItem], known: Collection[str]) -> list[InboxItem]:
    """``items`` found with ``known=frozenset()`` as if found with ``known``: an acknowledged
    phrasing that is training data is right after all (inbox_store.py keeps items across
    edits of the data, so it judges them afresh on every read)."""
    judged = []
    for item in items:
        if Reason.ACKNOWLEDGED in item.reasons and item.normalized in known:
            rest = item.reasons - {Reason.ACKNOWLEDGED}
            if not rest:
                continue
            item = replace(item, reasons=rest)
        judged.append(item)
    return judged


def group_items(items: Iterable[InboxItem]) -> list[InboxGroup]:
    """Groups by normalized text, most frequent first, then most recent."""
    by_text: dict[str, list[InboxItem]] = {}
    for item in items:
        by_text.setdefault(item.normalized, []).append(item)
    groups = [_group(text, members) for text, members in by_text.items()]
    groups.sort(key=lambda g: (-g.count, -g.last_seen, g.text))
    return groups


def _group(text: str, members: list[InboxItem]) -> InboxGroup:
    members = sorted(members, key=lambda i: -i.timestamp)
    guesses = Counter(i.guess_intent for i in members if i.guess_intent)
    predicted = None
    mean = None
    if guesses:
        # Ties (a retrained model changed its mind) go to the most recent prediction.
        top = max(guesses.values())
        predicted = next(i.guess_intent for i in members if i.guess_intent and guesses[i.guess_intent] == top)
        scores = [i.guess_confidence for i in members
                  if i.guess_intent == predicted and i.guess_confidence is not None]
        mean = sum(scores) / len(scores) if scores else None
    return InboxGroup(
        text=text,
        count=len(members),
        reasons=set().union(*(i.reasons for i in members)),
        predicted_intent=predicted,
        mean_confidence=mean,
        picked_services=Counter(i.choice.service for i in members if i.choice and i.choice.service),
        examples=members[:MAX_EXAMPLES],
        last_seen=members[0].timestamp,
        residents=len({i.sender_id for i in members}),
        variants=Counter(i.text for i in members),
        first_seen=members[-1].timestamp,
        channels=Counter(i.channel for i in members),
    )


# --------------------------------------------------------------------------- database

def _rows(connection: sa.engine.Connection, since: float | None) -> Iterator[dict]:
    columns = [EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp,
               EVENTS.c.intent_name, EVENTS.c.action_name, EVENTS.c.data]
    statement = sa.select(*columns).order_by(EVENTS.c.sender_id, EVENTS.c.id)
    if since is not None:
        # Whole conversations of residents who wrote since then: context and picks
        # need the events around each message, even older ones.
        recent = (sa.select(EVENTS.c.sender_id)
                  .where(EVENTS.c.type_name == "user", EVENTS.c.timestamp >= since)
                  .distinct())
        statement = statement.where(EVENTS.c.sender_id.in_(recent))
    for row in connection.execute(statement):
        yield dict(row._mapping)


def read_uncertain(tracker_db_url: str, since: float | None = None,
                   threshold: float = 0.5, known: Collection[str] | None = None) -> list[InboxItem]:
    """Uncertain user messages in the tracker store (URL like ``sqlite:////path/tracker.db``).

    ``since`` (Unix seconds) limits the messages, not their context; ``known`` are the
    normalized training examples (see :func:`find_uncertain`). Ordered by conversation and
    time; see :func:`group_items` for the inbox view.
    """
    engine = sa.create_engine(tracker_db_url, future=True, hide_parameters=True)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return []  # no conversation yet: Rasa creates the table on first use
            items: list[InboxItem] = []
            for sender_id, events in conversations(_rows(connection, since)):
                items.extend(find_uncertain(sender_id, mask_events(events), threshold, since, known))
            return items
    finally:
        engine.dispose()


def read_inbox(tracker_db_url: str, since: float | None = None,
               threshold: float = 0.5, known: Collection[str] | None = None) -> list[InboxGroup]:
    """The grouped inbox, as the console shows it."""
    return group_items(read_uncertain(tracker_db_url, since, threshold, known))


# --------------------------------------------------------------------------- pages

#: Days of conversations the inbox reads (CONSOLE_INBOX_DAYS): a bound on the work per
#: page view, however long the tracker store grows; older messages are left to retention.
WINDOW_DAYS = 90
#: Groups shown on one page.
PAGE_SIZE = 20


@dataclass(frozen=True)
class InboxPage:
    """One page of the grouped inbox."""

    groups: list[InboxGroup]
    number: int  # 1-based, within 1..pages
    pages: int
    total: int  # groups on all pages


def page_of(groups: Sequence[InboxGroup], number: int, size: int = PAGE_SIZE) -> InboxPage:
    """Page ``number`` of ``groups``; a number out of range gives the nearest page."""
    pages = max(1, -(-len(groups) // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return InboxPage(list(groups[start:start + size]), number, pages, len(groups))
