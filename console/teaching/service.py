"""The staff's teaching actions, one function each, for the pages and the CLI alike.

An action does the whole job: edit the training data (surgical, verified and locked, see
training_data.py and faq.py), record what was decided about an inbox message, and write
the audit entry. The database part is one transaction, so a decision is never stored
without its audit entry. Routes and CLI commands only translate input and output, as they
do for models with training/pipeline.py.

The data files cannot join a database transaction: they are written first (and refuse
anything already taught), the records after.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.db import begin_immediate
from bot.text import normalize
from console.auth import audit
from console.auth.audit import Actor
from console.teaching import decisions, faq
from console.teaching.decisions import AlreadyDecided, Decision
from console.teaching.errors import TrainingDataError
from console.teaching.faq import Faq
from console.teaching.training_data import add_example, mark_out_of_scope


@dataclass(frozen=True)
class TrainingFiles:
    """What staff teach: the NLU folder and the domain. Phrasings of the held-out set
    (`heldout_dir`) are refused, so the regression figures stay honest."""

    nlu_dir: Path
    domain_path: Path
    heldout_dir: Path | None = None

    @classmethod
    def for_project(cls, root: Path = PROJECT_ROOT) -> TrainingFiles:
        return cls(root / "data" / "nlu", root / "domain.yml", root / "tests" / "nlu_heldout")


class IncompleteDecision(ValueError):
    """The decision lacks something staff must choose; the message is for them (Chinese)."""


@dataclass(frozen=True)
class AddedFaq:
    faq: Faq
    #: The inbox message the form was opened from is one of the new phrasings, so it
    #: counts as decided (it leaves the inbox).
    from_inbox: bool


def decide_inbox_message(db: sessionmaker, files: TrainingFiles, actor: Actor, text: str,
                         action: str, intent: str = "") -> Decision:
    """Assign the message to an intent, teach it as out of scope, or dismiss it.

    Raises IncompleteDecision (nothing chosen), AlreadyDecided, or TrainingDataError
    (the data refused the phrasing); nothing is written then.
    """
    if action not in decisions.ACTIONS:
        raise IncompleteDecision("请选择处理方式。")
    key = decisions.key_of(text)
    if not key:
        raise IncompleteDecision("消息内容为空。")
    if action == "assign" and not intent:
        raise IncompleteDecision("请选择要归入的意图。")
    if decisions.get_decision(db, text):
        raise AlreadyDecided(key)
    if action == "assign":
        add_example(files.nlu_dir, intent, text, domain_path=files.domain_path,
                    heldout_dir=files.heldout_dir)
    elif action == "out_of_scope":
        mark_out_of_scope(files.nlu_dir, text, domain_path=files.domain_path,
                          heldout_dir=files.heldout_dir)
    with db.begin() as session:
        decision = decisions.add_decision(session, text, action, intent or None, actor.username)
        detail = {"text": decision.text_normalized, "action": action}
        if decision.intent:
            detail["intent"] = decision.intent
        audit.write(session, actor.username, "inbox_decide", actor.detail(detail), actor.ip)
    return decision


@dataclass(frozen=True)
class BulkOutcome:
    """What a decision about several groups at once did."""

    decided: list[Decision]
    refused: list[tuple[str, str]]  # (text, why, for staff)


def decide_inbox_messages(db: sessionmaker, files: TrainingFiles, actor: Actor, texts: Sequence[str],
                          action: str, intent: str = "") -> BulkOutcome:
    """The same decision for each of ``texts`` (the inbox's bulk form), one at a time.

    A text the data refuses or that was decided meanwhile is reported and skipped; the
    others go ahead. IncompleteDecision (nothing chosen) refuses them all before anything.
    """
    if action not in decisions.ACTIONS:
        raise IncompleteDecision("请选择处理方式。")
    if action == "assign" and not intent:
        raise IncompleteDecision("请选择要归入的意图。")
    wanted = [t for t in dict.fromkeys(texts) if decisions.key_of(t)]
    if not wanted:
        raise IncompleteDecision("请先勾选要处理的消息。")
    outcome = BulkOutcome([], [])
    for text in wanted:
        try:
            outcome.decided.append(decide_inbox_message(db, files, actor, text, action, intent))
        except (AlreadyDecided, TrainingDataError) as refused:
            outcome.refused.append((decisions.key_of(text), str(refused)))
    return outcome


def add_faq(db: sessionmaker, files: TrainingFiles, actor: Actor, key: str,
            examples: Sequence[str], answer: str, from_inbox: str = "") -> AddedFaq:
    """Add a new FAQ (phrasings and answer). `from_inbox`: the inbox message the form was
    opened with; when it is one of the phrasings, it is decided as assigned to the FAQ.

    Raises TrainingDataError (nothing written) for a bad or taken key, a bad answer, or
    phrasings that are empty, repeated, already training data or held out.
    """
    added = faq.add_faq(files.nlu_dir, key, list(examples), answer, files.domain_path,
                        files.heldout_dir)
    origin = decisions.key_of(from_inbox) if from_inbox else ""
    moved = bool(origin) and origin in {decisions.key_of(e) for e in added.examples}
    detail = actor.detail({"key": added.key, "examples": added.examples, "answer": added.answer})
    try:
        with db.begin() as session:
            begin_immediate(session)  # SQLite: no other decision between the check and the insert
            audit.write(session, actor.username, "faq_add", detail, actor.ip)
            if moved and decisions.find_decision(session, from_inbox) is None:
                decisions.add_decision(session, from_inbox, "assign", added.intent, actor.username)
    except AlreadyDecided:  # decided meanwhile by someone else (a server without that lock)
        audit.record(db, actor.username, "faq_add", detail, actor.ip)
    return AddedFaq(added, moved)


def add_faq_example(db: sessionmaker, files: TrainingFiles, actor: Actor, key: str,
                    text: str) -> Faq:
    """Add one phrasing to an existing FAQ; returns the FAQ as it now is."""
    updated = faq.add_faq_example(files.nlu_dir, key, text, files.domain_path, files.heldout_dir)
    audit.record(db, actor.username, "faq_example",
                 actor.detail({"key": key, "text": normalize(text)}), actor.ip)
    return updated
