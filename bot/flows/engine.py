"""A step-by-step flow: one question per message, with the controls elderly users need.

The engine is pure Python so it can be tested without Rasa; the Rasa form
(`guided_form`) feeds it each message and sends what it returns. State is a plain,
JSON-serialisable dict that the form keeps as a draft in the database
(bot/flows/drafts.py), not in a slot: the `flow_state` slot holds only the draft's id, so
the answers (ID numbers, phones) stay out of the tracker store, and the draft keeps them
only until the flow is submitted or cancelled.

Controls at any step: BACK (上一步), RESTART (重新填), CANCEL (不办了; asks once),
REPEAT (再说一遍), HELP (帮助), HANDOFF (转人工: the outcome says so, and the caller queues the
conversation for staff with the draft kept; :func:`step_text` tells staff where the resident is)
and MENU (菜单, 你好: a flow is running, this is how to leave it). At the summary the resident
confirms, names a field to change ("手机号填错了") or taps 修改 and picks one from a numbered list.

One rule reads every message at every step (:func:`handle`):

1. A command acts as the command, whether the caller's NLU named it or the text is
   exactly a command word.
2. An answer the step can read is taken: a number, an option by its name or a meaning
   word ("丢了"), or what the step's parser reads (an ID, a phone, a date); an option
   word inside a question ("丢了怎么办") is not taken.
3. Free text (names, addresses) is taken only when it does not look like a question
   and, if NLU is confident the message means something else, only when the parser
   calls it well-formed.
4. Anything else that is a question, or that NLU reads as something else, is an
   *aside*: nothing is stored, the caller answers it and the same question comes
   again after "我们继续：". The rest gets the step's own explanation.
5. A step that asks for the resident's own words (``own_words``: a message to staff)
   takes any text its parser accepts, questions included; only exact command words act.

Trailing punctuation (voice input ends with "。") is stripped from every answer here.
"""
from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import choices as choice_text
from bot.text import normalize


class Command(str, enum.Enum):
    BACK = "back"
    RESTART = "restart"
    CANCEL = "cancel"
    REPEAT = "repeat"
    HELP = "help"
    AFFIRM = "affirm"
    DENY = "deny"
    HANDOFF = "handoff"  # 转人工: Outcome.handoff (the caller queues), else how to reach a person
    MENU = "menu"  # 菜单, 你好, starting something else: say a flow is running and how to leave


#: Exact words that are commands at every step even when no NLU named them (the NLU
#: does the same for these words before its classifier: bot/nlu/commands.py).
COMMAND_WORDS: dict[str, Command] = {
    **dict.fromkeys(("上一步", "返回", "返回上一步", "后退"), Command.BACK),
    **dict.fromkeys(("重新填", "重填", "重来", "从头开始"), Command.RESTART),
    **dict.fromkeys(("不办了", "取消", "退出"), Command.CANCEL),
    **dict.fromkeys(("再说一遍", "没听清", "重复"), Command.REPEAT),
    **dict.fromkeys(("帮助",), Command.HELP),
    **dict.fromkeys(("转人工", "人工", "人工服务", "找人工", "人工客服"), Command.HANDOFF),
    **dict.fromkeys(("菜单", "主菜单", "你好", "您好"), Command.MENU),
}


def command_in(text: str) -> Command | None:
    """The command a message is exactly (after normalisation), or None."""
    return COMMAND_WORDS.get(normalize(text).strip(" ,?"))


class StepError(ValueError):
    """An answer that does not fit the question; the message says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unrecognised(StepError):
    """A parser that reads before the options (Step.parse_first) found nothing it knows."""


class FlowRefused(Exception):
    """The flow cannot go on (e.g. applicant too young); the message explains kindly."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Option:
    label: str
    value: str
    aliases: tuple[str, ...] = ()  # meaning words and other names ("丢了"; 芜湖县 for 湾沚区)


#: Said once at the start of every flow: the two controls people need most.
CONTROLS_HINT = "每次只问一个问题；说“上一步”可以返回，说“不办了”可以取消。"
RESUME = "我们继续：\n"
HANDOFF_TEXT = ("需要人工帮助的话：拨打芜湖12345政务服务便民热线（24小时），"
                "或者工作时间到就近的政务服务中心咨询窗口。您填的内容都还在。")
MENU_TEXT = "您正在办理{title}，还没有办完。要先办别的事，请说“不办了”退出；想接着办，请回答下面的问题。"
ASIDE_TEXT = "这个问题我在这里答不上来，可以办完再问我，或者拨打12345政务服务便民热线。"


def option_label(options: Sequence[Option], value: Any) -> str:
    """The label of the option with this value (the value itself if none matches)."""
    return next((o.label for o in options if o.value == value), str(value))


Values = dict[str, Any]
Parser = Callable[[str, Values], Any]
OptionsFor = Callable[[Values], Sequence[Option]]


@dataclass(frozen=True)
class Step:
    """One question. `parse` turns the answer into a value or raises StepError."""

    slot: str
    label: str  # the field's name in the summary, e.g. "手机号"
    question: str
    help: str
    parse: Parser | None = None
    options: OptionsFor | None = None  # numbered choices, computed from earlier answers;
    # with both options and parse, a reply that picks no option goes to parse
    display: Callable[[Any], str] = str  # how the value is shown back (masked for personal data)
    aliases: tuple[str, ...] = ()  # words residents use to name the field at the summary
    when: Callable[[Values], bool] = lambda values: True
    parse_first: bool = False  # parse reads before the options ("3号" is a date, not option 3);
    # it raises Unrecognised for replies it does not know, which then go to the options
    describe: Callable[[Values], str] | None = None  # the summary's text when it needs other
    # answers (the hall of a district depends on the service)
    own_words: bool = False  # the answer is the resident's own words (a message to staff):
    # anything but an exact command word is taken, questions included, whatever NLU read


def free_text(well_formed: Callable[[str], bool] | None = None) -> Callable[[Parser], Parser]:
    """Mark a parser that takes words rather than a number or a pick (names, addresses).

    At such a step questions are never stored, and when NLU is confident the message
    means something else only text that `well_formed` vouches for is taken.
    """
    def mark(parser: Parser) -> Parser:
        parser.free_text = True  # type: ignore[attr-defined]
        parser.well_formed = well_formed  # type: ignore[attr-defined]
        return parser
    return mark


def _unwrap(parser: Any) -> Any:
    while isinstance(parser, functools.partial):
        parser = parser.func
    return parser


def is_free_text(step: Step) -> bool:
    if step.options is not None:
        return False
    return step.parse is None or bool(getattr(_unwrap(step.parse), "free_text", False))


def _well_formed(step: Step, text: str) -> bool:
    check = getattr(_unwrap(step.parse), "well_formed", None) if step.parse else None
    return bool(check and check(text))


@dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)


@dataclass
class Outcome:
    """What to say before the next question (the question itself comes from :func:`question`)."""

    messages: list[Message]
    state: dict[str, Any]
    finished: bool = False  # confirmed: the caller submits state["values"]
    cancelled: bool = False
    # Not an answer but a question or another request: nothing was stored. `messages` say
    # so; a caller that can answer it (a service, a FAQ) sends its answer instead.
    aside: bool = False
    # 转人工: the resident asks for a person. `messages` say how to reach one and the question
    # comes again; a caller that can queue the conversation for staff does so instead.
    handoff: bool = False


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    steps: tuple[Step, ...]
    intro: str = ""
    # Called after each answer with all values so far; may raise FlowRefused.
    check: Callable[[Values], None] = lambda values: None
    summary_note: str = ""
    confirm: bool = True  # False: done once the last step is answered (a lookup has nothing to confirm)
    cancelled_text: str = ""  # said on 不办了 instead of "好的，<title>已取消…"
    queue_on_handoff: bool = True  # False: 转人工 only says how to reach a person (the 留言 flow itself)
    #: False: questions carry no "（第n步，共m步）" (a follow-up question or two, not a form; its
    #: count would also grow from 1 to 2 when an answer adds a step).
    show_progress: bool = True

    def step(self, slot: str) -> Step:
        return next(s for s in self.steps if s.slot == slot)

    def active_steps(self, values: Values) -> list[Step]:
        return [s for s in self.steps if s.when(values)]


CONFIRM_OPTIONS = ("确认提交", "修改")
CONFIRM_ALIASES = (("确认", "提交", "确定", "好", "好的", "行", "可以", "对", "对的", "是", "是的", "没问题",
                    "没错", "嗯", "嗯嗯"),
                   ("改", "要改", "改一下", "更改", "不对", "有错", "填错了"))
CANCEL_OPTIONS = ("确定不办了", "继续办理")
CANCEL_ALIASES = (("确定", "确认", "是", "是的", "对", "好", "好的", "嗯", "不办了", "不要了", "算了"),
                  ("继续", "接着办", "还要办", "要办", "不", "否", "不是", "不取消"))
KEEP_ALL = "不用改了（回到核对）"
_CHANGE_WORDS = re.compile(r"错|改|不对|换")
_TRAILING_PUNCT = re.compile(r"[\s。．.，,、；;！!？?～~…：:]+$")
_QUESTION = re.compile(r"怎么|怎样|如何|什么|为什么|为啥|吗|呢|咋|啥|么样|哪|几点|几时|多少|多久|能不能|"
                       r"可不可以|是不是|有没有|是否|[?？]")


def clean_answer(text: str) -> str:
    """The answer without surrounding spaces and trailing punctuation (voice input ends with "。")."""
    return _TRAILING_PUNCT.sub("", (text or "").strip()).strip()


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


def new_state(flow: Flow) -> dict[str, Any]:
    return {"flow": flow.name, "values": {}, "asked": [], "stage": "asking", "current": None}


def _options(step: Step, values: Values) -> list[Option]:
    return list(step.options(values)) if step.options else []


def _buttons(labels: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((f"{i}. {label}", str(i)) for i, label in enumerate(labels, 1))


def shown(step: Step, values: Values) -> str:
    """An answer as the resident sees it back (masked; the hall with its address)."""
    if step.describe is not None:
        return step.describe(values)
    return step.display(values[step.slot])


def position(flow: Flow, values: Values, slot: str) -> tuple[int, int]:
    """(n, total) for "第n步，共total步": the step's place among the steps that apply."""
    active = flow.active_steps(values)
    return next(i for i, s in enumerate(active, 1) if s.slot == slot), len(active)


def step_text(flow: Flow, state: dict[str, Any]) -> str:
    """Where the resident is, for staff: "高龄津贴申请 · 第3步（共8步）", "高龄津贴申请 · 核对信息"."""
    if state.get("stage") == "asking" and state.get("current"):
        n, total = position(flow, state["values"], state["current"])
        return f"{flow.title} · 第{n}步（共{total}步）"
    where = {"confirming": "核对信息", "choosing_field": "选择要改的项", "confirm_cancel": "确认是否不办了"}
    return f"{flow.title} · {where.get(state.get('stage') or '', '填写中')}"


def question(flow: Flow, state: dict[str, Any]) -> Message:
    """The question to ask now (with any lead-in the last answer left, e.g. "我们继续：")."""
    return _question(flow, state, state.get("prefix", ""))


def _question(flow: Flow, state: dict[str, Any], prefix: str = "") -> Message:
    values = state["values"]
    if state["stage"] == "confirming":
        return _summary(flow, values, prefix)
    if state["stage"] == "confirm_cancel":
        return Message(prefix + "确定不办了吗？之前填的内容都不会保存。\n" + choice_text.numbered(CANCEL_OPTIONS),
                       _buttons(CANCEL_OPTIONS))
    if state["stage"] == "choosing_field":
        labels = [s.label for s in flow.active_steps(values)] + [KEEP_ALL]
        return Message(prefix + "要改哪一项？回复数字，或者直接说那一项：\n" + choice_text.numbered(labels),
                       _buttons(labels))
    step = flow.step(state["current"])
    opts = _options(step, values)
    text = prefix + step.question
    if flow.show_progress:
        n, total = position(flow, values, step.slot)
        text = f"{prefix}（第{n}步，共{total}步）{step.question}"
    if opts:
        text += "\n" + choice_text.numbered([o.label for o in opts])
    return Message(text, _buttons([o.label for o in opts]))


def _summary(flow: Flow, values: Values, prefix: str = "") -> Message:
    steps = flow.active_steps(values)
    lines = [f"{prefix}请核对您填写的{flow.title}信息："]
    lines += [f"· {step.label}：{shown(step, values)}" for step in steps]
    if flow.summary_note:
        lines.append(flow.summary_note)
    lines.append(f"没问题请回复 1 确认提交；哪项要改，直接说，比如“{steps[-1].label}填错了”，或者回复 2 选一项来改。")
    lines.append(choice_text.numbered(CONFIRM_OPTIONS))
    return Message("\n".join(lines), _buttons(CONFIRM_OPTIONS))


def _advance(flow: Flow, state: dict[str, Any]) -> None:
    """Move to the next unanswered step, or to the summary; drop answers to steps that no longer apply."""
    values = state["values"]
    active = flow.active_steps(values)
    inactive = {s.slot for s in flow.steps} - {s.slot for s in active}
    for slot in inactive & set(values):
        del values[slot]
    state["asked"] = [s for s in state["asked"] if s not in inactive]
    for step in active:
        if step.slot not in values:
            state["current"], state["stage"] = step.slot, "asking"
            return
    state["current"], state["stage"] = None, "confirming"


def _ask(state: dict[str, Any], prefix: str, notes: list[Message] | None = None) -> Outcome:
    state["prefix"] = prefix
    return Outcome(list(notes or []), state)


def _aside(state: dict[str, Any]) -> Outcome:
    state["prefix"] = RESUME
    return Outcome([Message(ASIDE_TEXT)], state, aside=True)


def start(flow: Flow, prefill: Values | None = None) -> Outcome:
    """Begin the flow; answers already given in the conversation (prefill) are named, and 上一步 reaches them."""
    state = new_state(flow)
    state["values"].update(prefill or {})
    state["asked"] = [s.slot for s in flow.steps if s.slot in state["values"]]
    _advance(flow, state)
    values = state["values"]
    # Named unless the flow starts at the summary, which lists them anyway.
    taken = [f"{s.label}：{shown(s, values)}（刚才问的）" for s in flow.active_steps(values)
             if s.slot in values and state["stage"] != "confirming"]
    intro = "\n".join(part for part in (flow.intro, *taken) if part)
    if taken:
        intro += "\n要换的话，说“上一步”。"
    return _ask(state, "", [Message(intro)] if intro else [])


def reopen(state: dict[str, Any], slot: str, prefix: str) -> dict[str, Any]:
    """Ask one answered question again (e.g. the chosen time slot filled up meanwhile)."""
    values = {k: v for k, v in state["values"].items() if k != slot}
    asked = [s for s in state["asked"] if s != slot]
    return {**state, "values": values, "asked": asked, "current": slot, "stage": "asking", "prefix": prefix}


class _Aside(Exception):
    """The message is not an answer to the step (rule 4 of the module docstring)."""


def _read(step: Step, raw: str, values: Values, elsewhere: bool) -> Any:
    """The step's value for a message (rules 2-4), or StepError / _Aside."""
    if step.own_words:
        said = (raw or "").strip()
        return step.parse(said, values) if step.parse is not None else said
    text = clean_answer(raw)
    question = looks_like_question(raw)
    if is_free_text(step):
        if question or (elsewhere and not _well_formed(step, text)):
            raise _Aside()
        if step.parse is not None:
            return step.parse(text, values)
        if not text:
            raise StepError("这一项不能空着，请再说一下。")
        return text
    unrecognised: Unrecognised | None = None
    if step.parse is not None and step.parse_first:
        try:
            return step.parse(text, values)
        except Unrecognised as err:
            unrecognised = err
    opts = _options(step, values)
    if opts and (not question or choice_text.parse_number(text) is not None):
        index = choice_text.pick_option(text, [o.label for o in opts], [o.aliases for o in opts])
        if index is not None:
            return opts[index].value
    if step.parse is None or unrecognised is not None:
        if question or elsewhere:
            raise _Aside()
        raise unrecognised or StepError(f"请回复 1 到 {len(opts)} 之间的数字，或者直接说选项的名字。")
    try:
        return step.parse(text, values)
    except StepError:
        if question or elsewhere:
            raise _Aside() from None
        raise


def _field_named(flow: Flow, text: str, values: Values) -> Step | None:
    """The field a correction names; the longest label or alias wins ("代办人电话" over "电话")."""
    clean = normalize(text).replace("的", "")
    best: Step | None = None
    best_len = 0
    for step in flow.active_steps(values):
        for word in (step.label, *step.aliases):
            word = word.replace("的", "")
            if word and word in clean and len(word) > best_len:
                best, best_len = step, len(word)
    return best


def accepts(flow: Flow, state: dict[str, Any], text: str) -> bool:
    """Whether the text is a valid answer to the current question (nothing changes)."""
    if state.get("stage") != "asking" or not state.get("current"):
        return choice_text.pick_option(text, CONFIRM_OPTIONS, CONFIRM_ALIASES) is not None
    try:
        _read(flow.step(state["current"]), text, dict(state["values"]), elsewhere=False)
    except (StepError, FlowRefused, _Aside):
        return False
    return True


def _change(flow: Flow, state: dict[str, Any], target: Step) -> Outcome:
    state["values"].pop(target.slot, None)
    if target.slot in state["asked"]:
        state["asked"].remove(target.slot)
    state["current"], state["stage"] = target.slot, "asking"
    return _ask(state, f"好的，我们改一下{target.label}。")


def _at_summary(flow: Flow, state: dict[str, Any], text: str, command: Command | None,
                elsewhere: bool) -> Outcome:
    values = state["values"]
    target = _field_named(flow, text, values)
    pick = choice_text.pick_option(text, CONFIRM_OPTIONS, CONFIRM_ALIASES)
    confirmed = command is Command.AFFIRM or pick == 0
    if target is not None and (not confirmed or _CHANGE_WORDS.search(text)):
        return _change(flow, state, target)
    if confirmed:
        return Outcome([], state, finished=True)
    if pick == 1 or command is Command.DENY:
        state["stage"] = "choosing_field"
        return _ask(state, "")
    if looks_like_question(text) or elsewhere:
        return _aside(state)
    examples = "”“".join(s.label for s in flow.active_steps(values)[-2:])
    return Outcome([Message(f"请说说要改哪一项，比如“{examples}”，或者回复 2 选一项；没问题就回复 1 确认提交。")],
                   state)


def _choosing_field(flow: Flow, state: dict[str, Any], text: str, command: Command | None,
                    elsewhere: bool) -> Outcome:
    fields = flow.active_steps(state["values"])
    number = choice_text.parse_number(text)
    if number is not None and 1 <= number <= len(fields):
        return _change(flow, state, fields[number - 1])
    target = _field_named(flow, text, state["values"]) if number is None else None
    if target is not None:
        return _change(flow, state, target)
    if number == len(fields) + 1 or command is Command.AFFIRM \
            or choice_text.pick_option(text, [KEEP_ALL], [("不用改", "不改了", "没有要改的")]) == 0:
        state["stage"] = "confirming"
        return _ask(state, "好的。")
    if looks_like_question(text) or elsewhere:
        return _aside(state)
    return _ask(state, "", [Message(f"请回复 1 到 {len(fields) + 1} 之间的数字，选要改的那一项。")])


def handle(flow: Flow, state: dict[str, Any], text: str, command: Command | None = None, *,
           elsewhere: bool = False) -> Outcome:
    """Apply one resident message to the flow and say what to send back.

    `command` is what the caller's NLU named (None: only exact command words count);
    `elsewhere` says NLU is confident the message means something other than an answer
    (a service question, a FAQ, chit-chat): see rule 3 of the module docstring.
    """
    state = {**state, "values": dict(state["values"]), "asked": list(state["asked"]), "prefix": ""}
    values = state["values"]
    if state["stage"] == "asking" and state.get("current") and flow.step(state["current"]).own_words:
        command, elsewhere = command_in(text), False  # only exact command words: the rest is the message
    elif command is None:
        command = command_in(text)

    if command is Command.HANDOFF:
        asked = _ask(state, RESUME, [Message(HANDOFF_TEXT)])
        asked.handoff = flow.queue_on_handoff
        return asked
    if command is Command.MENU:
        return _ask(state, RESUME, [Message(MENU_TEXT.format(title=flow.title))])

    if state["stage"] == "confirm_cancel":
        pick = choice_text.pick_option(text, CANCEL_OPTIONS, CANCEL_ALIASES)
        if command in (Command.AFFIRM, Command.CANCEL) or pick == 0:
            return Outcome([Message(flow.cancelled_text
                                    or f"好的，{flow.title}已取消，没有保存任何信息。需要时随时再来找我。")],
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
        if state["stage"] in ("confirming", "choosing_field"):
            tip = "这是最后一步：核对信息。确认无误回复 1 提交；要改哪项，直接说那一项的名字，或者回复 2 选一项。"
        else:
            tip = flow.step(state["current"]).help
        tip += "\n随时可以说：“上一步”“重新填”“不办了”“再说一遍”“转人工”。"
        return _ask(state, "", [Message(tip)])
    if command is Command.BACK:
        if state["stage"] == "choosing_field":
            state["stage"] = "confirming"
            return _ask(state, "好的。")
        if not state["asked"]:
            return _ask(state, "已经是第一步了。")
        previous = state["asked"].pop()
        earlier = values.pop(previous, None)
        state["current"], state["stage"] = previous, "asking"
        step = flow.step(previous)
        shown_before = step.display(earlier) if earlier is not None else "（未填）"
        return _ask(state, f"好的，回到上一步。您之前填的是：{shown_before}\n")

    if state["stage"] == "confirming":
        return _at_summary(flow, state, text, command, elsewhere)
    if state["stage"] == "choosing_field":
        return _choosing_field(flow, state, text, command, elsewhere)

    step = flow.step(state["current"])
    try:
        values[step.slot] = _read(step, text, values, elsewhere)
        flow.check(values)
    except _Aside:
        return _aside(state)
    except StepError as err:
        values.pop(step.slot, None)
        return _ask(state, "", [Message(err.message)])
    except FlowRefused as refusal:
        return Outcome([Message(refusal.message)], state, cancelled=True)
    state["asked"].append(step.slot)
    # After a correction at the summary this goes straight back to it (all else is filled).
    _advance(flow, state)
    if state["stage"] == "confirming" and not flow.confirm:
        return Outcome([], state, finished=True)
    return _ask(state, "")
