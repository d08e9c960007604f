"""Conversation events as Rasa's tracker store and event broker carry them (as dicts)."""
from __future__ import annotations

from typing import Any

T0 = 1796200000.0  # 2026-12-02 08:26:40 UTC, 16:26 in Wuhu


def user(ts: float, text: str, intent: str, **metadata: Any) -> dict[str, Any]:
    return {"event": "user", "timestamp": ts, "text": text, "metadata": metadata,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text}}


def bot(ts: float, text: str) -> dict[str, Any]:
    return {"event": "bot", "timestamp": ts, "text": text, "data": {}}


def action(ts: float, name: str) -> dict[str, Any]:
    return {"event": "action", "timestamp": ts, "name": name}


def slot(ts: float, name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": ts, "name": name, "value": value}


def session_start(ts: float) -> list[dict[str, Any]]:
    return [action(ts, "action_session_start"), {"event": "session_started", "timestamp": ts + 0.0001},
            action(ts + 0.0002, "action_listen")]


def answered_conversation(t: float = T0) -> list[dict[str, Any]]:
    """Greeting, a service answer (0.3 s), its district (1.2 s), thanks: resolved."""
    return [*session_start(t),
            user(t + 1, "你好", "greet"), action(t + 1.1, "action_greet"), bot(t + 1.12, "您好！"),
            action(t + 1.2, "action_listen"),
            user(t + 2, "社保卡怎么办", "svc_sbk_apply"), action(t + 2.2, "action_answer_service"),
            bot(t + 2.33, "【社会保障卡申领】"), slot(t + 2.3, "current_service", "sbk-apply"),
            action(t + 2.4, "action_listen"),
            user(t + 3, "镜湖区", "inform_district"), slot(t + 3, "district", "镜湖区"),
            action(t + 4, "action_inform_district"), bot(t + 4.2, "镜湖区政务服务中心"),
            action(t + 4.3, "action_listen"),
            user(t + 5, "谢谢", "thank"), action(t + 5.05, "utter_thank"), bot(t + 5.06, "不客气！"),
            action(t + 5.1, "action_listen")]


def flow_dropped_at_step_2(t: float) -> list[dict[str, Any]]:
    """A fallback, then a guided flow cancelled at step 2, then 转人工: not resolved."""
    return [*session_start(t),
            user(t + 1, "嗯嗯啊", "nlu_fallback"), action(t + 1.1, "action_clarify"), bot(t + 1.2, "您是想问……"),
            action(t + 1.3, "action_listen"),
            user(t + 2, "高龄津贴", "svc_elderly_allowance"), action(t + 2.1, "action_answer_service"),
            bot(t + 2.2, "【高龄津贴申领】"), slot(t + 2.2, "current_service", "elderly-allowance"),
            action(t + 2.3, "action_listen"),
            user(t + 3, "办理", "start_application"), action(t + 3.1, "action_start_flow"),
            slot(t + 3.1, "flow_state", {"draft": "d1", "flow": "elderly-allowance"}),
            action(t + 3.2, "guided_form"), bot(t + 3.2, "（第1步，共6步）请问是老人本人申请？"),
            action(t + 3.3, "action_listen"),
            user(t + 4, "1", "choose_number"), action(t + 4.1, "guided_form"),
            bot(t + 4.2, "（第2步，共6步）请问老人的姓名？"), action(t + 4.3, "action_listen"),
            user(t + 5, "不办了", "form_cancel"), action(t + 5.1, "guided_form"),
            slot(t + 5.1, "flow_done", "cancelled"), slot(t + 5.1, "flow_state", None),
            action(t + 5.2, "action_listen"),
            user(t + 6, "转人工", "human_handoff"), action(t + 6.1, "action_human_handoff"),
            bot(t + 6.2, "已为您转人工"), {"event": "pause", "timestamp": t + 6.2}]


def guided_flow(t: float, flow: str, *, steps_shown: int, outcome: str | None, of: int = 6) -> list[dict[str, Any]]:
    """A guided flow started at ``t``: its first ``steps_shown`` questions, then its outcome (None: left open)."""
    events = [user(t, "办理", "start_application"), action(t + 0.1, "action_start_flow"),
              slot(t + 0.1, "flow_state", {"draft": f"d-{flow}-{t}", "flow": flow})]
    for n in range(1, steps_shown + 1):
        if n > 1:
            events.append(user(t + n, "1", "choose_number"))
        events += [action(t + n + 0.1, "guided_form"), bot(t + n + 0.2, f"（第{n}步，共{of}步）请回答"),
                   action(t + n + 0.3, "action_listen")]
    if outcome is not None:
        end = t + steps_shown + 1
        events += [user(end, "确认", "affirm"), action(end + 0.1, "guided_form"),
                   slot(end + 0.1, "flow_done", outcome), slot(end + 0.1, "flow_state", None),
                   action(end + 0.2, "action_listen")]
    return events
