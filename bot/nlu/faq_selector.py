"""The ResponseSelector, asked only when the message is a frequently asked question.

Rasa runs every component of the pipeline on every message, so the selector ran its
model for greetings, district names and service questions too, to pick an FAQ answer
nothing would read: the answer is used only when the intent is the retrieval intent
(``faq``: data/rules/faq.yml; actions/guided_form.py answers an FAQ asked inside a flow
the same way). That was a sixth of the Rasa server's time per turn (README "Where a
turn's time goes"). Messages whose intent is something else keep no selector output,
which Rasa's processor and ``rasa test nlu`` both accept.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    """Selects an FAQ answer for messages the intent classifier took for the retrieval intent."""

    def asks_retrieval_intent(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        return bool(self.retrieval_intent) and intent.get(INTENT_NAME_KEY) == self.retrieval_intent

    def process(self, messages: List[Message]) -> List[Message]:
        wanted = [message for message in messages if self.asks_retrieval_intent(message)]
        if wanted:
            super().process(wanted)
        return messages
