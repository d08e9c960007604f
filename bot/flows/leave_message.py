"""留言: a callback number and a message for the hand-off desk, when nobody can take the chat now.

Offered out of hours (actions/handoff.py), after a long wait in the queue
(channels/handoff_gate.py takes "留言" then) and to anyone who says "留言". Two questions,
one at a time like every flow (上一步, 重新填, 不办了, 再说一遍 work the same): a phone
staff can call (a mobile, or a landline with its area code; masked whenever it is shown
back), then the message in the resident's own words (questions included: it is meant for
a person). The summary names the deadline; confirming makes the ticket
(bot/handoff/tickets.py) and tells its number and deadline. Cancelling stores nothing.

What the conversation knew when the flow started (district, service) rides in the flow's
state under ``"ticket"`` (actions/leave_message.py), so staff see it with the ticket.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.flows.definition import FlowDefinition, State, SubmitResult
from bot.flows.engine import CONTROLS_HINT, Flow, Step, StepError
from bot.flows.fields import parse_contact_phone, show_phone
from bot.handoff import desk
from bot.handoff.hours import local
from bot.handoff.origin import channel_of
from bot.handoff.texts import day_label, ticket_done_text
from bot.handoff.tickets import MAX_MESSAGE_CHARS, create_ticket
from bot.personal.masking import mask_personal_data
from bot.workdays import add_working_days

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

FLOW_NAME = "leave_message"
PHONE, MESSAGE = "phone", "message"
#: Key of the flow state that carries the conversation's district and service to the ticket.
CONTEXT = "ticket"
SHOWN_CHARS = 60


def parse_message(text: str, _values: dict[str, Any]) -> str:
    message = " ".join((text or "").split())
    if not message:
        raise StepError("留言不能空着。请用一两句话说说您要办的事，比如“高龄津贴什么时候到账”。")
    if len(message) > MAX_MESSAGE_CHARS:
        raise StepError(f"留言有{len(message)}个字，最多{MAX_MESSAGE_CHARS}个字。请说得简短一点，"
                        "工作人员回电时可以再细说。")
    return message


def show_message(value: str) -> str:
    """Shown back masked (an ID or phone number in it) and, when long, shortened."""
    shown = mask_personal_data(value)
    return shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS] + "…"


def build(_ctx: FlowContext, _sender_id: str = "") -> Flow:
    """The deadline said is the one the ticket will get: the desk's clock (bot/handoff/desk.py), Wuhu's date."""
    days = desk.ticket_days()
    due = day_label(add_working_days(local(desk.now()).date(), days))
    return Flow(
        name=FLOW_NAME,
        title="留言",
        intro=(f"好的，我们来留言：留下电话和要办的事，工作人员会在{days}个工作日内（{due}前）给您回电。"
               + CONTROLS_HINT),
        steps=(
            Step(PHONE, "回电号码",
                 "请留一个工作人员能打通的电话：手机号，或者带区号的座机（比如 0553-1234567）。",
                 "工作人员会打这个电话联系您，只用于这次回电。可以一个数字一个数字地说。",
                 parse=parse_contact_phone, display=show_phone, aliases=("电话", "手机号", "号码", "手机")),
            Step(MESSAGE, "留言内容",
                 f"请说说您要办的事或遇到的问题，一两句话就行（最多{MAX_MESSAGE_CHARS}字）。",
                 "比如“高龄津贴申请了一个月还没到账”。工作人员回电前会先看您的留言。",
                 parse=parse_message, display=show_message, aliases=("留言", "内容", "问题"), own_words=True),
        ),
        summary_note=f"确认后，工作人员会在{due}前给您回电。",
        cancelled_text="好的，不留言了，没有保存任何信息。需要时随时再来找我；急事请拨打12345政务服务便民热线。",
        queue_on_handoff=False,
    )


def _submit(ctx: FlowContext, state: State, sender_id: str) -> SubmitResult:
    """Make the ticket: "closed" when the desk is out of hours now, else "no_agent" (nobody took the chat)."""
    values, known = state["values"], state.get(CONTEXT) or {}
    now = desk.desk_state(ctx.sessions)
    ticket = create_ticket(ctx.sessions, conversation_id=sender_id, channel=channel_of(sender_id),
                           phone=values[PHONE], message=values[MESSAGE],
                           reason="no_agent" if now.open else "closed", days=desk.ticket_days(),
                           district=known.get("district"), service_id=known.get("service_id"), now=now.at)
    return SubmitResult(ticket_done_text(ticket))


DEFINITION = FlowDefinition(FLOW_NAME, build=build, submit=_submit)
