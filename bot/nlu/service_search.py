"""Service search as a stage of understanding (issue 14), after DIET and the fallback classifier.

DIET knows the services it was trained on; the catalogue database knows every service,
including those added by the loader or the console since. This component searches the
catalogue's own text (bot/catalogue/search.py, kept in step with the database by
LiveServiceIndex) and lets bot/nlu/service_decision.py combine both readings:

- a service DIET cannot know becomes intent ``ask_service`` (answered by
  action_answer_service), its id in the parse data under ``service_search``;
- a message the catalogue mostly does not know, and that DIET was not sure about, is marked
  out of scope: a ``svc_*`` guess becomes ``nlu_fallback`` and action_clarify answers
  with the out-of-scope reply instead of offering services. The intent is not changed to
  ``out_of_scope`` itself, so a free-text answer inside a guided form (a name, a street)
  stays an answer;
- services the search found that DIET cannot know join the "did you mean" choices;
- a service question about another city or province (bot/nlu/elsewhere.py) is marked out
  of scope with the place, so the reply can send the resident to that place's 12345.

Training only records which services have an intent. The catalogue is read at run time
from the database (GOV_DATABASE_URL); where there is none yet (a SQLite file not created,
tables missing) the component stands aside and DIET's reading stands, with one warning.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue.repository import CatalogueRepository
from bot.catalogue.search import LiveServiceIndex
from bot.config import get_settings
from bot.db import session_factory
from bot.nlu.elsewhere import place_elsewhere
from bot.nlu.service_decision import ASK_SERVICE, FALLBACK, SEARCH_KEY, Kind, Thresholds, decide, service_id_of

#: Confidence given to a message turned into nlu_fallback: the fallback classifier's threshold.
FALLBACK_CONFIDENCE = 0.3
TRAINED_FILE = "trained_services.json"
log = logging.getLogger(__name__)


def _database_catalogue() -> tuple[LiveServiceIndex, CatalogueRepository] | None:
    """The live index over the configured database, or None when there is no catalogue there."""
    settings = get_settings()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return None  # never create a database file from the NLU
    repository = CatalogueRepository(session_factory(settings.database_url), cache_s=settings.catalogue_cache_s)
    index = LiveServiceIndex(repository)
    index.current()  # raises when the tables are missing
    return index, repository


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ServiceSearch(GraphComponent):
    """Revisits service, fallback and out-of-scope readings with the catalogue search."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"retry_after_s": 30.0}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 trained: frozenset[str] = frozenset()) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.trained = trained
        self.thresholds = Thresholds()
        self._index: LiveServiceIndex | None = None
        self._repository: CatalogueRepository | None = None
        self._lock = threading.Lock()
        self._next_try = 0.0

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ServiceSearch:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        trained = sorted(filter(None, (service_id_of(i) for i in training_data.intents)))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / TRAINED_FILE).write_text(json.dumps(trained), encoding="utf-8")
        self.trained = frozenset(trained)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> ServiceSearch:
        try:
            with model_storage.read_from(resource) as directory:
                trained = json.loads((directory / TRAINED_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            log.warning("service search: no list of trained services in the model; treating none as trained")
            trained = []
        return cls(config, model_storage, resource, frozenset(trained))

    def _live_index(self) -> LiveServiceIndex | None:
        """The index, opened on first use; while there is no catalogue, retried every retry_after_s."""
        if self._index is not None:
            return self._index
        with self._lock:
            if self._index is None and time.monotonic() >= self._next_try:
                try:
                    opened = _database_catalogue()
                except SQLAlchemyError:
                    opened = None
                if opened is not None:
                    self._index, self._repository = opened
                if self._index is None:
                    self._next_try = time.monotonic() + float(self._config["retry_after_s"])
                    log.warning("service search: no catalogue in the database yet; DIET alone decides")
        return self._index

    def _home_names(self) -> list[str]:
        """Wuhu's districts and their other names (芜湖县 for 湾沚区): these mean "here"."""
        if self._repository is None:
            return []
        return [name for d in self._repository.districts() for name in (d.name, *d.aliases)]

    def process(self, messages: List[Message]) -> List[Message]:
        index = self._live_index()
        if index is None:
            return messages
        for message in messages:
            self._process_one(message, index)
        return messages

    def _process_one(self, message: Message, index: LiveServiceIndex) -> None:
        intent = (message.get(INTENT) or {}).get("name")
        text = message.get(TEXT)
        if not intent or not isinstance(text, str) or not text.strip():
            return
        ranking = message.get(INTENT_RANKING_KEY) or []
        try:
            hits = index.search(text)
            elsewhere = place_elsewhere(text, self._home_names())
        except SQLAlchemyError:
            log.warning("service search failed; DIET alone decides", exc_info=True)
            return
        decision = decide(intent, ranking, hits, self.trained, self.thresholds, elsewhere)
        if decision.kind is Kind.KEEP and not decision.candidates:
            return
        found: dict[str, Any] = {"service": decision.service_id, "out_of_scope": decision.kind is Kind.OUT_OF_SCOPE,
                                 "candidates": list(decision.candidates), "reason": decision.reason,
                                 "elsewhere": decision.elsewhere}
        message.set(SEARCH_KEY, found, add_to_output=True)
        if decision.kind is Kind.SERVICE:
            exact = bool(hits) and any(h.exact and h.service_id == decision.service_id for h in hits)
            confidence = 1.0 if exact else 0.8
            message.set(INTENT, {"name": ASK_SERVICE, "confidence": confidence}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": ASK_SERVICE, "confidence": confidence}, *ranking],
                        add_to_output=True)
        elif decision.kind is Kind.OUT_OF_SCOPE and intent != FALLBACK:
            message.set(INTENT, {"name": FALLBACK, "confidence": FALLBACK_CONFIDENCE}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": FALLBACK, "confidence": FALLBACK_CONFIDENCE}, *ranking],
                        add_to_output=True)

