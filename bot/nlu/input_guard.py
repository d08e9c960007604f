"""Last NLU step: route messages that cannot be a request to the `unusable_input` intent.

Empty, emoji-only, non-Chinese and overlong messages would otherwise be classified as
some service with a misleading confidence. The guard classifies the original text
(:func:`bot.text.classify_input`) and records the problem in the parse data, so the
action for `unusable_input` can say politely what went wrong.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import RAW_TEXT_KEY, is_payload
from bot.text import InputProblem, classify_input

UNUSABLE_INTENT = "unusable_input"
#: Parse-data key telling the action what was wrong (the text it sees is already normalised).
INPUT_PROBLEM_KEY = "input_problem"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InputGuard(GraphComponent):
    """Overrides the intent of messages that carry no usable request."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(RAW_TEXT_KEY, message.get(TEXT))
            if isinstance(text, str) and is_payload(text):
                continue  # Rasa's RegexMessageHandler sets the payload's intent
            problem = classify_input(text)
            if problem is InputProblem.OK:
                continue
            message.set(INPUT_PROBLEM_KEY, problem.value, add_to_output=True)
            message.set(INTENT, {"name": UNUSABLE_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": UNUSABLE_INTENT, "confidence": 1.0}],
                        add_to_output=True)
        return messages
