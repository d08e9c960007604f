"""What a resident would get for each held-out phrasing, through the trained model.

For each example: answered with the right service, offered the right service among the
numbered choices (nlu_fallback + action_clarify's candidates, or a family intent's
services, bot/families.py), answered with a wrong service, or not understood. A generic
question (expected ``ask_family_*``) is right only when its family is offered.
`rasa test nlu` reports raw intent accuracy; this reports the outcome the resident sees.

Usage: python scripts/evaluate_nlu.py MODEL.tar.gz tests/nlu_heldout
(scripts/evaluate_out_of_scope.py reuses ``load_agent``, ``newest_model`` and ``outcome``.)
"""
from __future__ import annotations

import asyncio
import logging
import sys
from collections import Counter, defaultdict
from pathlib import Path

import structlog
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from actions.choices import offered_services
from actions.runtime import service_id_from_intent
from bot.families import family_for_intent
from bot.nlu.service_decision import service_of

OUTCOMES = ("answered right", "offered right choice", "answered wrong", "not understood")


def outcome(expected: str, parse: dict) -> str:
    intent = parse["intent"]["name"]
    if intent == expected or (service_of(parse) is not None and service_of(parse) == service_id_from_intent(expected)):
        return OUTCOMES[0]
    if intent == "nlu_fallback":
        offered = offered_services(parse)
        return OUTCOMES[1] if service_id_from_intent(expected) in offered else OUTCOMES[3]
    family = family_for_intent(intent)
    if family is not None and service_id_from_intent(expected) in family.services:
        return OUTCOMES[1]
    return OUTCOMES[2]


def newest_model(folder: Path) -> Path:
    """The most recently written model archive in ``folder`` (what `make test-nlu` evaluates)."""
    models = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise FileNotFoundError(f"no trained model (*.tar.gz) in {folder}")
    return models[-1]


def load_agent(model: str | Path) -> Agent:
    """The model's NLU in this process, with Rasa's per-message debug logging silenced."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    return Agent.load(str(model))


async def evaluate(model: str, data: str) -> int:
    agent = load_agent(model)
    per_intent: dict = defaultdict(Counter)
    wrong = []
    for example in load_data(data).intent_examples:
        expected = example.get("intent")
        parse = await agent.parse_message(example.get("text"))
        result = outcome(expected, parse)
        per_intent[expected][result] += 1
        if result in OUTCOMES[2:]:
            wrong.append((expected, parse["intent"]["name"], example.get("text")))
    totals: Counter[str] = sum(per_intent.values(), Counter())
    n = sum(totals.values())
    print(f"\n{'intent':24}" + "".join(f"{o:>22}" for o in OUTCOMES))
    for intent in sorted(per_intent):
        print(f"{intent:24}" + "".join(f"{per_intent[intent][o]:>22}" for o in OUTCOMES))
    print(f"{'TOTAL':24}" + "".join(f"{totals[o]:>22}" for o in OUTCOMES))
    right = totals[OUTCOMES[0]] + totals[OUTCOMES[1]]
    print(f"\nright service (answered or offered): {right}/{n} = {right / n:.1%}; "
          f"answered directly and right: {totals[OUTCOMES[0]] / n:.1%}; "
          f"answered wrong: {totals[OUTCOMES[2]] / n:.1%}")
    for expected, got, text in wrong:
        print(f"  miss: {text}  (expected {expected}, got {got})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(evaluate(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "tests/nlu_heldout")))
