"""Find the catalogue services a message is about, from the catalogue's own text.

Issue 14: one intent per service cannot grow to a city's catalogue (hundreds to thousands
of items), and a service added to the database should be found without retraining. This
index is built from what the catalogue already says of each service, per field (FIELDS):

  names       official name and aliases, as jieba words, each once    weight 2.0
  name pairs  the same, as pairs of characters (typos, other cuts)     weight 3.0
  questions   the questions of its FAQs (how residents ask about it)   weight 1.0
  examples    residents' example questions (staff add them)            weight 1.0
  summary     its one-paragraph summary                                 weight 0.5
  materials   the names of the materials it needs                       weight 0.3
  department  the department that runs it                               weight 0.3

The weights and the name fields' b=0 (no length penalty: a service with many aliases must
not lose to one with none) were chosen on the training phrasings of data/nlu, never on
tests/nlu_heldout; bench/catalogue_scale.py measures them at 40 to 2,000 services.

Each field is ranked with BM25 (rank-bm25) over the words bot/catalogue/search_text.py
makes, and a service's score is the weighted sum. A name or alias the message contains
word for word (:meth:`ServiceIndex.exact_mentions`, longest match wins) puts that service
first whatever the scores say: the resident named it. So does a message that is one of a
service's own questions (FAQ and example questions; only questions no other service asks).

:func:`confidence` turns the hits into the numbers a later "answer / offer choices / out of
scope" decision needs; :class:`LiveServiceIndex` keeps an index in step with the database.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue.repository import CatalogueRepository, ServiceText
from bot.catalogue.search_text import catalogue_form, catalogue_pairs, catalogue_words, pairs, query_text, words


@dataclass(frozen=True)
class Field:
    """One part of a service's text, ranked on its own and weighted in the sum."""

    take: Callable[[ServiceText], Sequence[str]]
    weight: float
    distinct: bool = False  # count each word once: aliases repeat the object word, which means nothing
    b: float = 0.75  # BM25 length normalisation
    grams: bool = False  # ranked on character pairs instead of words


FIELDS: dict[str, Field] = {
    "names": Field(lambda s: (s.name, *s.aliases), 2.0, distinct=True, b=0.0),
    "name_pairs": Field(lambda s: (s.name, *s.aliases), 3.0, distinct=True, b=0.0, grams=True),
    "questions": Field(lambda s: s.questions, 1.0),
    "examples": Field(lambda s: s.examples, 1.0),
    "summary": Field(lambda s: (s.summary,), 0.5),
    "materials": Field(lambda s: s.materials, 0.3),
    "department": Field(lambda s: (s.department,), 0.3),
}
log = logging.getLogger(__name__)
#: Shorter names and aliases are not looked for word for word (one character means nothing).
MIN_FORM_CHARS = 2
#: A message that is one of a service's own questions, word for word, is about that service;
#: shorter questions ("多少钱？") say too little to count.
MIN_QUESTION_CHARS = 5


def question_key(text: str) -> str:
    """A question as compared whole: normalised, without closing punctuation."""
    return text.rstrip("?？。.!！~～ ")


class _LuceneBM25(BM25Okapi):
    """BM25 with Lucene's idf, log(1 + (N - df + 0.5) / (df + 0.5)).

    rank-bm25's own idf goes negative for a word most services share (证明, 办理) and is then
    floored to a value that depends on the whole vocabulary; Lucene's is never negative, so
    such a word still counts a little and the scores stay comparable across rebuilds.
    """

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, df in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - df + 0.5) / (df + 0.5))
        self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)


@dataclass(frozen=True)
class Hit:
    service_id: str
    score: float  # weighted BM25 over the fields (0 for a service found only by exact mention)
    matched: tuple[str, ...]  # the name/alias the message contains, else the message's words found
    coverage: float  # idf-weighted share of the message's words found in this service's text, 0..1
    exact: bool = False  # the message contains the service's official name or an alias, or is its question


@dataclass(frozen=True)
class Mention:
    service_id: str
    form: str  # the name or alias, normalised as the message is
    start: int  # where it begins in the normalised, corrected message


@dataclass(frozen=True)
class Confidence:
    """How sure the search is of its first hit; all zero when there is none."""

    score: float  # the first hit's score
    margin: float  # (first - second) / first, 0..1: 1 when the first stands alone
    coverage: float  # the first hit's coverage, 0..1: low when most of the message is unknown words
    exact: bool  # the message names the first hit


def confidence(hits: Sequence[Hit]) -> Confidence:
    if not hits:
        return Confidence(0.0, 0.0, 0.0, False)
    first = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    margin = (first.score - second) / first.score if first.score > 0 else (1.0 if first.exact else 0.0)
    return Confidence(first.score, max(0.0, min(1.0, margin)), first.coverage, first.exact)


class ServiceIndex:
    """An immutable index of a catalogue snapshot; build a new one when the catalogue changes."""

    def __init__(self, services: Sequence[ServiceText]) -> None:
        self.service_ids: tuple[str, ...] = tuple(s.id for s in services)
        self._position = {sid: i for i, sid in enumerate(self.service_ids)}
        self._rankers: list[tuple[_LuceneBM25, float, bool]] = []
        vocab: list[set[str]] = [set() for _ in services]
        for field in FIELDS.values():
            cut = catalogue_pairs if field.grams else catalogue_words
            docs = [cut(",".join(field.take(s))) for s in services]
            if field.distinct:
                docs = [list(dict.fromkeys(doc)) for doc in docs]
            if not field.grams:
                for seen, doc in zip(vocab, docs, strict=True):
                    seen.update(doc)
            if any(docs):  # rank-bm25 divides by the mean length
                self._rankers.append((_LuceneBM25(docs, b=field.b), field.weight, field.grams))
        self._vocab = [frozenset(v) for v in vocab]
        count = len(services)
        df: dict[str, int] = {}
        for known in self._vocab:
            for word in known:
                df[word] = df.get(word, 0) + 1
        self._idf = {w: math.log(1 + (count - n + 0.5) / (n + 0.5)) for w, n in df.items()}
        self._unknown_idf = math.log(1 + (count + 0.5) / 0.5)  # rarer than any word in the catalogue
        self._forms: dict[str, list[int]] = {}
        for i, s in enumerate(services):
            for form in dict.fromkeys(catalogue_form(f) for f in (s.name, *s.aliases)):
                if len(form) >= MIN_FORM_CHARS:
                    self._forms.setdefault(form, []).append(i)
        self._form_lengths = sorted({len(f) for f in self._forms}, reverse=True)
        asked: dict[str, set[int]] = {}
        for i, s in enumerate(services):
            for question in (*s.questions, *s.examples):
                key = question_key(catalogue_form(question))
                if len(key) >= MIN_QUESTION_CHARS:
                    asked.setdefault(key, set()).add(i)
        # Only a question one service asks: imported services share a generic one.
        self._questions = {key: next(iter(found)) for key, found in asked.items() if len(found) == 1}

    def __len__(self) -> int:
        return len(self.service_ids)

    def exact_mentions(self, text: str) -> list[Mention]:
        """Services whose official name or an alias the message contains, longest first,
        after the service the message is a question of, word for word.

        A form inside a longer one found in the message does not count (社保卡 in 社保卡挂失).
        """
        return self._mentions(query_text(text))

    def _mentions(self, query: str) -> list[Mention]:
        """Names and aliases the message contains; first, the service whose own question it is."""
        asked = self._questions.get(question_key(query))
        out = [Mention(self.service_ids[asked], question_key(query), 0)] if asked is not None else []
        found: list[tuple[int, int, str]] = []  # (length, start, form), longest first
        for n in self._form_lengths:
            for start in range(len(query) - n + 1):
                if query[start:start + n] in self._forms:
                    found.append((n, start, query[start:start + n]))
        taken: list[tuple[int, int]] = []
        seen: set[int] = {asked} if asked is not None else set()
        for n, start, form in found:
            if any(start < end and a < start + n for a, end in taken):
                continue
            taken.append((start, start + n))
            for i in self._forms[form]:
                if i not in seen:
                    seen.add(i)
                    out.append(Mention(self.service_ids[i], form, start))
        return out

    def search(self, text: str, k: int = 3) -> list[Hit]:
        """The ``k`` services the message most likely means, best first (fewer when fewer match)."""
        query = query_text(text)
        tokens = words(query)
        mentions = self._mentions(query)
        if not tokens and not mentions:
            return []
        scores = self._scores(tokens, pairs(query))
        weight = {t: self._idf.get(t, self._unknown_idf) for t in tokens}
        total = sum(weight.values())

        def hit(i: int, form: str | None = None) -> Hit:
            # Words of the name or alias the message contains are covered, however jieba cut them.
            matched = tuple(t for t in weight if t in self._vocab[i] or (form and t in form))
            coverage = sum(weight[t] for t in matched) / total if total else 1.0
            return Hit(self.service_ids[i], float(scores[i]), (form,) if form else matched, coverage, form is not None)

        hits = [hit(self._position[m.service_id], m.form) for m in mentions[:k]]
        named = {h.service_id for h in hits}
        if len(hits) < k:
            best = np.argsort(-scores, kind="stable")[: k + len(named)]
            hits += [hit(int(i)) for i in best if scores[i] > 0 and self.service_ids[i] not in named]
        return hits[:k]

    def _scores(self, tokens: list[str], pairs: list[str]) -> np.ndarray:
        scores = np.zeros(len(self.service_ids))
        for ranker, weight, grams in self._rankers:
            known = [t for t in (pairs if grams else tokens) if t in ranker.idf]
            if known:
                scores += weight * ranker.get_scores(known)
        return scores


class LiveServiceIndex:
    """A :class:`ServiceIndex` kept in step with the catalogue database.

    At most every ``check_every_s`` seconds it asks the repository for the services' texts
    (the repository keeps them ``cache_s`` seconds, so this is usually no query at all) and
    rebuilds when they differ from what the index was built from: a service added, removed
    or edited by the loader or the console is found within ``cache_s + check_every_s`` plus
    one build. The build runs in the calling thread; other threads keep the old index.
    """

    def __init__(self, repository: CatalogueRepository, check_every_s: float = 3.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._repository = repository
        self._check_every_s = check_every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._index: ServiceIndex | None = None
        self._source: tuple[ServiceText, ...] | None = None
        self._checked = 0.0
        self.builds = 0  # how many indexes were built (tests and the benchmark read it)

    def current(self) -> ServiceIndex:
        index = self._index
        if index is not None:
            if self._clock() - self._checked < self._check_every_s:
                return index
            if not self._lock.acquire(blocking=False):
                return index  # another thread is checking: keep answering with this one
        else:
            self._lock.acquire()
        try:
            if self._index is None or self._clock() - self._checked >= self._check_every_s:
                self._refresh()
            assert self._index is not None
            return self._index
        finally:
            self._lock.release()

    def _refresh(self) -> None:
        try:
            texts = self._repository.service_texts()
        except SQLAlchemyError:
            if self._index is None:
                raise
            log.warning("catalogue unreadable; service search keeps the index it has", exc_info=True)
            self._checked = self._clock()  # try again after check_every_s, not on every message
            return
        if self._index is None or (texts is not self._source and texts != self._source):
            self._index = ServiceIndex(texts)
            self.builds += 1
        self._source = texts
        self._checked = self._clock()

    def search(self, text: str, k: int = 3) -> list[Hit]:
        return self.current().search(text, k)

    def exact_mentions(self, text: str) -> list[Mention]:
        return self.current().exact_mentions(text)
