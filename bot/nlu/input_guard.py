"""Last NLU step: route messages that cannot be a request to the `unusable_input` intent.

Empty, emoji-only, non-Chinese and overlong messages would otherwise be classified as
some service with a misleading confidence. The action for `unusable_input` explains
politely what went wrong, using :func:`bot.text.classify_input` on the original text.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import RAW_TEXT_KEY
from bot.text import InputProblem, classify_input

UNUSABLE_INTENT = "unusable_input"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InputGuard(GraphComponent):
    """Overrides the intent of messages that carry no usable request."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            raw = message.get(RAW_TEXT_KEY, message.get(TEXT))
            if classify_input(raw) is InputProblem.OK:
                continue
            message.set(INTENT, {"name": UNUSABLE_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": UNUSABLE_INTENT, "confidence": 1.0}],
                        add_to_output=True)
        return messages
