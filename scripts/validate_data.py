"""``rasa data validate --fail-on-warnings``, knowing the intents the NLU pipeline sets itself.

``ask_service`` is never predicted by DIET: the service search stage sets it for a service
added to the catalogue after training (bot/nlu/service_search.py), so it has no training
examples by design. Rasa's validator would warn that it is "not found in the NLU training
data" and fail the run; this leaves it out of that one check and keeps every other warning fatal.

Usage: python scripts/validate_data.py [rasa data validate arguments]
"""
from __future__ import annotations

import sys

from rasa.__main__ import main
from rasa.validator import Validator

from bot.nlu.service_decision import ASK_SERVICE

PIPELINE_INTENTS = frozenset({ASK_SERVICE})
_all_intents = Validator._non_default_intents


def _trainable_intents(self: Validator) -> list[str]:
    return [intent for intent in _all_intents(self) if intent not in PIPELINE_INTENTS]


if __name__ == "__main__":
    Validator._non_default_intents = _trainable_intents
    sys.argv = ["rasa", "data", "validate", *sys.argv[1:]]
    main()
