"""JiebaTokenizer that cleans the text first and never emits whitespace tokens.

Before tokenising, the message text is normalised (:func:`bot.text.normalize`:
traditional to simplified, full-width to half-width, spaces and punctuation) and
homophone typos of dictionary terms are corrected (:mod:`bot.homophones`). Rasa's
JiebaTokenizer turns spaces into tokens of their own, which breaks featurizers and
entity alignment (RasaHQ/rasa#7910); we drop any token that is only whitespace.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.homophones import HomophoneCorrector
from bot.text import MAX_MESSAGE_CHARS, normalize

#: Message key under which the resident's original text is kept for later components.
RAW_TEXT_KEY = "raw_text"


def is_payload(text: str) -> bool:
    """A button or menu payload such as "/greet" or '/inform_district{"district":"镜湖区"}'."""
    return text.strip().startswith(INTENT_MESSAGE_PREFIX)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NormalizingJiebaTokenizer(JiebaTokenizer):
    """Jieba tokenisation of normalised, typo-corrected text, without whitespace tokens."""

    _corrector: Optional[HomophoneCorrector] = None

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NormalizingJiebaTokenizer:
        tokenizer = super().create(config, model_storage, resource, execution_context)
        if config["dictionary_path"] is not None:
            tokenizer._corrector = HomophoneCorrector.from_jieba_dicts(config["dictionary_path"])
        return tokenizer

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> NormalizingJiebaTokenizer:
        tokenizer = super().load(config, model_storage, resource, execution_context, **kwargs)
        if config["dictionary_path"] is not None:
            try:
                with model_storage.read_from(resource) as directory:
                    tokenizer._corrector = HomophoneCorrector.from_jieba_dicts(directory)
            except ValueError:
                pass  # no dictionary persisted: the parent class already logged it
        return tokenizer

    def _correct(self, text: str) -> str:
        return self._corrector.correct(text) if self._corrector else text

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if isinstance(example.get(TEXT), str):
                example.set(TEXT, self._correct(example.get(TEXT)))
        return super().process_training_data(training_data)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            raw = message.get(TEXT)
            if isinstance(raw, str) and message.get(RAW_TEXT_KEY) is None:
                message.set(RAW_TEXT_KEY, raw)
                if not is_payload(raw):  # "/greet" must reach Rasa's RegexMessageHandler intact
                    message.set(TEXT, self._correct(normalize(raw)[:MAX_MESSAGE_CHARS]))
        return super().process(messages)

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        import jieba

        text = message.get(attribute) or ""
        tokens = [Token(word, start) for (word, start, _end) in jieba.tokenize(text) if word.strip()]
        return self._apply_token_pattern(tokens)
