"""查进度 by receipt number, for records submitted in another conversation (issue 11).

The conversation that submitted sees its records without being asked anything
(actions/progress.py). Anyone else gives the number (受理编号 or 预约编号) and then
the last 4 digits of the applicant's ID number or phone; bot/records/proof.py checks
them, limits the tries and answers an unknown number exactly like wrong digits.

The check runs in the flow's `check` (after an answer is taken, never while the form
only tests whether a text fits), and replaces the digits with a marker of the number
it proved: the digits are not kept, and a number corrected afterwards must be proved
again. Those two steps and the check are shared with cancelling by number
(bot/flows/cancel_booking.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import sessionmaker

from bot.applications.service import get_application
from bot.appointments.service import AppointmentNotFound, booking_by_receipt
from bot.flows.definition import FlowDefinition, State, SubmitResult
from bot.flows.engine import CONTROLS_HINT, Flow, FlowRefused, Step, StepError
from bot.receipts import format_receipt, parse_receipt
from bot.records import proof as proofs
from bot.records.render import application_line, booking_line
from bot.validators.numbers import to_digits

if TYPE_CHECKING:
    from bot.flows.context import FlowContext

FLOW_NAME = "progress_lookup"
RECEIPT = "receipt"
PROOF = "proof"
Values = dict[str, Any]

RECEIPT_FORMAT = "这个编号好像不对：编号是10位数字，比如“2611 2904 37”。请核对后再说一遍。"


def parse_receipt_answer(text: str, _values: Values) -> str:
    """A receipt number with a correct check digit, typed or spoken ("二六一一 二九零四 三七")."""
    number = parse_receipt(to_digits(text))
    if number is None:
        # Only the check digit is tested here: says nothing about whether the number exists.
        raise StepError(RECEIPT_FORMAT)
    return number


def parse_last4(text: str, _values: Values) -> str:
    digits = proofs.last4_answer(text)
    if digits is None:
        raise StepError(proofs.DIGITS_HELP)
    return digits


def proven(values: Values) -> dict[str, str] | None:
    """{"receipt", "kind"} once the digits matched in this flow, else None."""
    answer = values.get(PROOF)
    return answer if isinstance(answer, dict) else None


def receipt_step(question: str, label: str, help_text: str) -> Step:
    return Step(RECEIPT, label, question, help_text, parse=parse_receipt_answer, display=format_receipt,
                aliases=("编号",))


def proof_step(question: str, label: str, display: Callable[[Any], str]) -> Step:
    return Step(PROOF, label, question,
                "编号只凭数字谁都能输，所以还要核对一下；只要最后4位，不会保存。" + proofs.DIGITS_HELP,
                parse=parse_last4, display=display)


def proof_check(*, sessions: sessionmaker, sender_id: str, kinds: Iterable[str],
                on_proven: Callable[[dict[str, str]], None] = lambda proof: None) -> Callable[[Values], None]:
    """The flow check that verifies the digits once, right after they are given."""
    kinds = tuple(kinds)

    def check(values: Values) -> None:
        answer = values.get(PROOF)
        if isinstance(answer, dict):
            if answer.get("receipt") != values.get(RECEIPT):
                del values[PROOF]  # the number was corrected at the summary: prove the new one
            return
        if answer is None:
            return
        result = proofs.verify(sessions, sender_id=sender_id, receipt_no=values[RECEIPT], digits=answer,
                               kinds=kinds)
        if result.verdict is proofs.Verdict.LOCKED:
            raise FlowRefused(proofs.LOCKED_TEXT)
        if result.verdict is proofs.Verdict.FAILED:
            raise StepError(proofs.FAILED_TEXT)
        values[PROOF] = {"receipt": result.receipt_no, "kind": result.kind}
        on_proven(values[PROOF])

    return check


def build(*, sessions: sessionmaker, sender_id: str) -> Flow:
    if not sender_id:
        raise ValueError("the progress lookup needs the conversation's sender id")
    return Flow(
        name=FLOW_NAME,
        title="查进度",
        intro=("这个对话里没有查到您提交的申请或预约。在别的对话或渠道办的，可以凭编号查；"
               "为保护您的信息，还要核对身份证号或手机号的后4位。" + CONTROLS_HINT),
        steps=(
            receipt_step("请告诉我受理编号或预约编号（提交成功或预约成功时发给您的10位数字，比如“2611 2904 37”）。",
                         "编号", "编号在“提交成功”或“预约成功”那条消息里。找不到的话，请拨打12345政务服务便民热线，"
                         "或者带上身份证到政务服务大厅窗口查询。"),
            proof_step("请告诉我申请人身份证号或手机号的最后4位（预约的话，是预约时留的手机号）。", "核对",
                       display=lambda v: "已核对" if isinstance(v, dict) else "****"),
        ),
        check=proof_check(sessions=sessions, sender_id=sender_id, kinds=proofs.KINDS),
        confirm=False,
        cancelled_text="好的，不查了。需要时随时再来找我。",
    )


def finish(sessions: sessionmaker, values: Values) -> str:
    """The record the digits proved (the flow ends right after the check passed)."""
    proof = proven(values)
    if proof is None:  # the engine finishes only after the check passed
        raise ValueError("progress lookup finished without a proof")
    if proof["kind"] == proofs.APPLICATION:
        return "查到了：\n" + application_line(get_application(sessions, receipt_no=proof["receipt"]))
    booking = booking_by_receipt(sessions, receipt_no=proof["receipt"])
    if booking is None:
        raise AppointmentNotFound(proof["receipt"])
    return "查到了：\n" + booking_line(booking)


def _build(ctx: FlowContext, sender_id: str) -> Flow:
    return build(sessions=ctx.sessions, sender_id=sender_id)


def _submit(ctx: FlowContext, state: State, _sender_id: str) -> SubmitResult:
    return SubmitResult(finish(ctx.sessions, state["values"]))  # shows the record the digits proved


DEFINITION = FlowDefinition(FLOW_NAME, build=_build, submit=_submit)
