"""Driving a guided flow through the engine as a resident would, one answer at a time."""
from __future__ import annotations

from typing import Any

from bot.flows import engine


def drive(flow: engine.Flow, answers: list[str],
          state: dict[str, Any] | None = None) -> tuple[engine.Outcome, list[str]]:
    """Start `flow` (or go on from `state`), answer each in turn; the last outcome and all that was said."""
    outcome = engine.start(flow) if state is None else None
    state = outcome.state if outcome else state
    transcript: list[str] = []
    for answer in answers:
        outcome = engine.handle(flow, state, answer)
        state = outcome.state
        transcript += [m.text for m in outcome.messages]
        if not (outcome.finished or outcome.cancelled):
            transcript.append(engine.question(flow, state).text)
    assert outcome is not None
    return outcome, transcript
