"""After a rollback: take back the examples the rolled-back-from model had added.

Rolling back puts an older model live, but the phrasings taught since it stay in data/nlu
and, having been decided, stay out of the inbox: the next training would learn them again.
So the console offers them back: those taught between the two models' trainings
(taught.py) that are still in the data. Taking one back removes its line from data/nlu; one
that came from the inbox goes through the inbox's own revert (teaching/revert.py), so its
decision goes and the message is back in the inbox. One ``model_take_back`` audit entry
records the whole step (each decision's ``inbox_revert`` entry is written beside it).

New FAQs are listed, not removed: an FAQ has an answer staff wrote, and the 常见问题 page is
where FAQs are edited.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import sessionmaker

from console.auth import audit
from console.auth.audit import Actor
from console.teaching import decisions
from console.teaching.errors import TrainingDataError
from console.teaching.nlu_files import scan_nlu
from console.teaching.revert import RevertRefused, revert_decisions
from console.teaching.service import TrainingFiles
from console.teaching.training_data import remove_example
from console.training.registry import ModelInfo
from console.training.taught import NEW_FAQ, Taught, taught_between

#: Inbox decisions whose example the revert takes out of data/nlu.
_EXAMPLE_DECISIONS = ("assign", "out_of_scope")


@dataclass(frozen=True)
class TakeBackItem:
    taught: Taught
    #: The inbox decision that added it (None: added on the FAQ page, or its decision is gone).
    decision_id: int | None = None


@dataclass(frozen=True)
class TakeBackOffer:
    rolled_back_from: str
    rolled_back_to: str
    items: tuple[TakeBackItem, ...] = ()
    #: Keys of FAQs added between the two models and still in the data (not taken back here).
    new_faqs: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.items and not self.new_faqs


@dataclass(frozen=True)
class TakeBackResult:
    taken_back: list[str] = field(default_factory=list)
    returned_to_inbox: int = 0
    #: Why an item could not be taken back (Chinese, for staff).
    failed: list[str] = field(default_factory=list)


def offer(db: sessionmaker, files: TrainingFiles, models: Sequence[ModelInfo], rolled_back_from: str,
          rolled_back_to: str) -> TakeBackOffer:
    """What can be taken back after rolling back from `rolled_back_from` to the older
    `rolled_back_to`: nothing unless both are in `models` and the second is older."""
    found = {m.filename: m for m in models}
    newer, older = found.get(rolled_back_from), found.get(rolled_back_to)
    if newer is None or older is None or not older.older_than(newer):
        return TakeBackOffer(rolled_back_from, rolled_back_to)
    teaching = taught_between(db, older.training_started, newer.training_started)
    index = scan_nlu(files.nlu_dir)
    items = []
    for taught in teaching.taught:
        known = index.examples.get(taught.text)
        if taught.kind == NEW_FAQ or known is None or known.intent != taught.intent:
            continue  # an FAQ's own phrasing, or no longer in the data
        decision = decisions.get_decision(db, taught.text) if taught.from_inbox else None
        usable = decision is not None and decision.action in _EXAMPLE_DECISIONS
        items.append(TakeBackItem(taught, decision.id if usable and decision is not None else None))
    in_data = {example.intent for example in index.examples.values()}
    faqs = tuple(key for key in teaching.new_faqs if f"faq/{key}" in in_data)
    return TakeBackOffer(rolled_back_from, rolled_back_to, tuple(items), faqs)


def take_back(db: sessionmaker, files: TrainingFiles, actor: Actor, offered: TakeBackOffer,
              texts: Collection[str]) -> TakeBackResult:
    """Take back the offered items whose text is in `texts` (anything else is ignored: the
    form cannot name a phrasing the offer does not hold). Each item stands alone: one the
    data refuses (the last examples of an FAQ, say) is reported and the others still go."""
    taken: list[str] = []
    failed: list[str] = []
    returned = 0
    for item in offered.items:
        text = item.taught.text
        if text not in texts:
            continue
        try:
            if item.decision_id is not None:
                if revert_decisions(db, files, actor, [item.decision_id]):
                    returned += 1
            elif remove_example(files.nlu_dir, item.taught.intent, text) is None:
                continue  # removed meanwhile
        except (RevertRefused, TrainingDataError) as error:
            failed.append(f"“{text}”：{error}")
            continue
        taken.append(text)
    if taken:
        audit.record(db, actor.username, "model_take_back",
                     actor.detail({"model": offered.rolled_back_from, "rolled_back_to": offered.rolled_back_to,
                                   "examples": taken, "count": len(taken)}), actor.ip)
    return TakeBackResult(taken, returned, failed)
