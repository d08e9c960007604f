"""A step-by-step flow: one question per message, with the controls elderly users need.

The engine is pure Python so it can be tested without Rasa; the Rasa form
(`guided_form`) feeds it each message and sends what it returns. State is a plain,
JSON-serialisable dict kept in a slot.

Controls at any step: BACK (上一步), RESTART (重新填), CANCEL (不办了; asks once),
REPEAT (再说一遍), HELP (帮助). At the summary the resident confirms, or names a
field to change ("手机号填错了") without starting over.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from bot import choices as choice_text


class Command(str, enum.Enum):
    BACK = "back"
    RESTART = "restart"
    CANCEL = "cancel"
    REPEAT = "repeat"
    HELP = "help"
    AFFIRM = "affirm"
    DENY = "deny"


class StepError(ValueError):
    """An answer that does not fit the question; the message says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FlowRefused(Exception):
    """The flow cannot go on (e.g. applicant too young); the message explains kindly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Option:
    label: str
    value: str


#: Said once at the start of every flow: the two controls people need most.
CONTROLS_HINT = "每次只问一个问题；说“上一步”可以返回，说“不办了”可以取消。"


def option_label(options: Sequence[Option], value: Any) -> str:
    """The label of the option with this value (the value itself if none matches)."""
    return next((o.label for o in options if o.value == value), str(value))


Values = Dict[str, Any]
Parser = Callable[[str, Values], Any]
OptionsFor = Callable[[Values], Sequence[Option]]


@dataclass(frozen=True)
class Step:
    """One question. `parse` turns the answer into a value or raises StepError."""

    slot: str
    label: str  # the field's name in the summary, e.g. "手机号"
    question: str
    help: str
    parse: Optional[Parser] = None
    options: Optional[OptionsFor] = None  # numbered choices, computed from earlier answers;
    # with both options and parse, a reply that picks no option goes to parse
    display: Callable[[Any], str] = str  # how the value is shown back (masked for personal data)
    aliases: Tuple[str, ...] = ()  # words residents use to name the field at the summary
    when: Callable[[Values], bool] = lambda values: True


@dataclass(frozen=True)
class Message:
    text: str
    buttons: Tuple[Tuple[str, str], ...] = ()  # (title, payload)


@dataclass
class Outcome:
    """What to say before the next question (the question itself comes from :func:`question`)."""

    messages: List[Message]
    state: Dict[str, Any]
    finished: bool = False  # confirmed: the caller submits state["values"]
    cancelled: bool = False


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    steps: Tuple[Step, ...]
    intro: str = ""
    # Called after each answer with all values so far; may raise FlowRefused.
    check: Callable[[Values], None] = lambda values: None
    summary_note: str = ""

    def step(self, slot: str) -> Step:
        return next(s for s in self.steps if s.slot == slot)

    def active_steps(self, values: Values) -> List[Step]:
        return [s for s in self.steps if s.when(values)]


CONFIRM_OPTIONS = ("确认提交", "修改")
CANCEL_OPTIONS = ("确定不办了", "继续办理")


def new_state(flow: Flow) -> Dict[str, Any]:
    return {"flow": flow.name, "values": {}, "asked": [], "stage": "asking", "current": None}


def _options(step: Step, values: Values) -> List[Option]:
    return list(step.options(values)) if step.options else []


def question(flow: Flow, state: Dict[str, Any]) -> Message:
    """The question to ask now (with any lead-in the last answer left, e.g. "我们继续：")."""
    return _question(flow, state, state.get("prefix", ""))


def _question(flow: Flow, state: Dict[str, Any], prefix: str = "") -> Message:
    values = state["values"]
    if state["stage"] == "confirming":
        return _summary(flow, values, prefix)
    if state["stage"] == "confirm_cancel":
        return Message(prefix + "确定不办了吗？之前填的内容都不会保存。\n" + choice_text.numbered(CANCEL_OPTIONS),
                       tuple((f"{i}. {o}", str(i)) for i, o in enumerate(CANCEL_OPTIONS, 1)))
    step = flow.step(state["current"])
    opts = _options(step, values)
    n = len([s for s in flow.active_steps(values) if s.slot in values or s.slot == step.slot])
    total = len(flow.active_steps(values))
    text = f"{prefix}（第{n}步，共{total}步）{step.question}"
    if opts:
        text += "\n" + choice_text.numbered([o.label for o in opts])
    return Message(text, tuple((f"{i}. {o.label}", str(i)) for i, o in enumerate(opts, 1)))


def _summary(flow: Flow, values: Values, prefix: str = "") -> Message:
    lines = [f"{prefix}请核对您填写的{flow.title}信息："]
    for step in flow.active_steps(values):
        lines.append(f"· {step.label}：{step.display(values[step.slot])}")
    if flow.summary_note:
        lines.append(flow.summary_note)
    lines.append("没问题请回复 1 确认提交；哪项要改，直接说，比如“手机号填错了”。")
    lines.append(choice_text.numbered(CONFIRM_OPTIONS))
    return Message("\n".join(lines), tuple((f"{i}. {o}", str(i)) for i, o in enumerate(CONFIRM_OPTIONS, 1)))


def _advance(flow: Flow, state: Dict[str, Any]) -> None:
    """Move to the next unanswered step, or to the summary."""
    values = state["values"]
    for step in flow.active_steps(values):
        if step.slot not in values:
            state["current"], state["stage"] = step.slot, "asking"
            return
    state["current"], state["stage"] = None, "confirming"


def _ask(state: Dict[str, Any], prefix: str, notes: Optional[List[Message]] = None) -> Outcome:
    state["prefix"] = prefix
    return Outcome(list(notes or []), state)


def start(flow: Flow, prefill: Optional[Values] = None) -> Outcome:
    state = new_state(flow)
    state["values"].update(prefill or {})
    _advance(flow, state)
    intro = [Message(flow.intro)] if flow.intro else []
    return _ask(state, "", intro)


def reopen(state: Dict[str, Any], slot: str, prefix: str) -> Dict[str, Any]:
    """Ask one answered question again (e.g. the chosen time slot filled up meanwhile)."""
    values = {k: v for k, v in state["values"].items() if k != slot}
    asked = [s for s in state["asked"] if s != slot]
    return {**state, "values": values, "asked": asked, "current": slot, "stage": "asking", "prefix": prefix}


def _parse_answer(step: Step, text: str, values: Values) -> Any:
    opts = _options(step, values)
    if opts:
        index = choice_text.pick_option(text, [o.label for o in opts])
        if index is not None:
            return opts[index].value
        if step.parse is None:
            raise StepError(f"请回复 1 到 {len(opts)} 之间的数字，或者直接说选项的名字。")
    if step.parse is None:
        cleaned = text.strip()
        if not cleaned:
            raise StepError("这一项不能空着，请再说一下。")
        return cleaned
    return step.parse(text, values)


def _field_named(flow: Flow, text: str, values: Values) -> Optional[Step]:
    for step in flow.active_steps(values):
        if any(word in text for word in (step.label, *step.aliases)):
            return step
    return None


def accepts(flow: Flow, state: Dict[str, Any], text: str) -> bool:
    """Whether the text is a valid answer to the current question (nothing changes)."""
    if state.get("stage") != "asking" or not state.get("current"):
        return choice_text.pick_option(text, CONFIRM_OPTIONS) is not None
    try:
        _parse_answer(flow.step(state["current"]), text, dict(state["values"]))
    except (StepError, FlowRefused):
        return False
    return True


def handle(flow: Flow, state: Dict[str, Any], text: str, command: Optional[Command] = None) -> Outcome:
    """Apply one resident message to the flow and say what to send back."""
    state = {**state, "values": dict(state["values"]), "asked": list(state["asked"]), "prefix": ""}
    values = state["values"]

    if state["stage"] == "confirm_cancel":
        pick = choice_text.pick_option(text, CANCEL_OPTIONS)
        if command is Command.AFFIRM or pick == 0:
            return Outcome([Message(f"好的，{flow.title}已取消，没有保存任何信息。需要时随时再来找我。")],
                           state, cancelled=True)
        state["stage"] = state.pop("stage_before_cancel", "asking")
        return _ask(state, "好的，我们继续：")

    if command is Command.CANCEL:
        state["stage_before_cancel"] = state["stage"]
        state["stage"] = "confirm_cancel"
        return _ask(state, "")
    if command is Command.RESTART:
        fresh = new_state(flow)
        _advance(flow, fresh)
        return _ask(fresh, "好的，我们从头重新填。")
    if command is Command.REPEAT:
        return _ask(state, "")
    if command is Command.HELP:
        if state["stage"] == "confirming":
            tip = "这是最后一步：核对信息。确认无误回复 1 提交；要改哪项，直接说那一项的名字。"
        else:
            tip = flow.step(state["current"]).help
        tip += "\n随时可以说：“上一步”“重新填”“不办了”“再说一遍”。"
        return _ask(state, "", [Message(tip)])
    if command is Command.BACK:
        if not state["asked"]:
            return _ask(state, "已经是第一步了。")
        previous = state["asked"].pop()
        earlier = values.pop(previous, None)
        state["current"], state["stage"] = previous, "asking"
        step = flow.step(previous)
        shown = step.display(earlier) if earlier is not None else "（未填）"
        return _ask(state, f"好的，回到上一步。您之前填的是：{shown}\n")

    if state["stage"] == "confirming":
        pick = choice_text.pick_option(text, CONFIRM_OPTIONS)
        if command is Command.AFFIRM or pick == 0:
            return Outcome([], state, finished=True)
        target = _field_named(flow, text, values)
        if target is None:
            return Outcome([Message("请说说要改哪一项，比如“手机号”“地址”；没问题就回复 1 确认提交。")], state)
        values.pop(target.slot, None)
        if target.slot in state["asked"]:
            state["asked"].remove(target.slot)
        state["current"], state["stage"] = target.slot, "asking"
        return _ask(state, f"好的，我们改一下{target.label}。")

    step = flow.step(state["current"])
    try:
        values[step.slot] = _parse_answer(step, text, values)
        flow.check(values)
    except StepError as err:
        values.pop(step.slot, None)
        return _ask(state, "", [Message(err.message)])
    except FlowRefused as refusal:
        return Outcome([Message(refusal.message)], state, cancelled=True)
    state["asked"].append(step.slot)
    # After a correction at the summary this goes straight back to it (all else is filled).
    _advance(flow, state)
    return _ask(state, "")
