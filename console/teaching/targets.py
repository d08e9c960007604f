"""The 归入意图 list as staff read it: every intent a phrasing can be taught to, in Chinese.

A service intent (``svc_<id>``) is shown by its catalogue name and listed under its
department; an FAQ question (``faq/<key>``) by its first phrasing, under 常见问题; the
dialogue intents by the descriptions of intent_labels.py. Labels are unique, so the page
can send the label a reviewer picked or typed and :meth:`Targets.resolve` turns it back
into the intent. Codes stay out of sight (a muted hint at most).

:func:`build_targets` is pure; :func:`read_targets` reads the catalogue database, faq.yml,
the NLU folder and the domain.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from bot.catalogue import editing
from bot.nlu.service_decision import intent_of, service_id_of
from console.teaching.faq import RETRIEVAL_INTENT, list_faqs
from console.teaching.intent_labels import DIALOGUE_LABELS, PIPELINE_LABELS
from console.teaching.nlu_files import assignable_intents, nlu_index

FAQ_GROUP = "常见问题"
SERVICE_GROUP = "服务事项"
UNLISTED_DEPARTMENT = "目录中没有的事项"


@dataclass(frozen=True)
class ServiceName:
    """What the catalogue says about a service, as far as labelling needs it."""

    name: str
    department: str


@dataclass(frozen=True)
class Target:
    intent: str
    label: str  # what staff read, pick and type
    group: str  # the heading it is listed under


@dataclass(frozen=True)
class Targets:
    """The assignable intents in display order, and the Chinese name of any intent."""

    items: tuple[Target, ...]
    #: Names of every intent seen (assignable or not), for the model's guess and the 已处理 list.
    names: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, ServiceName] = field(default_factory=dict)

    def resolve(self, value: str) -> str | None:
        """The intent for a label (or, from older pages and scripts, an intent code)."""
        value = (value or "").strip()
        for target in self.items:
            if value in (target.label, target.intent):
                return target.intent
        return None

    def label_of(self, intent: str | None) -> str:
        """The Chinese name of ``intent``; never the code itself."""
        if not intent:
            return "无"
        if intent in self.names:
            return self.names[intent]
        service = service_id_of(intent)
        if service is not None:
            return self.service_label(service)
        return PIPELINE_LABELS.get(intent, "未知意图")

    def service_label(self, service_id: str) -> str:
        found = self.services.get(service_id)
        return found.name if found else "目录中没有的事项"

    def intent_for_service(self, service_id: str) -> str | None:
        """The assignable intent of a catalogue service (None when it has none of its own)."""
        wanted = intent_of(service_id)
        return wanted if any(t.intent == wanted for t in self.items) else None

    def groups(self) -> list[tuple[str, list[Target]]]:
        """(heading, targets) in display order."""
        grouped: dict[str, list[Target]] = {}
        for target in self.items:
            grouped.setdefault(target.group, []).append(target)
        return list(grouped.items())


def _label(intent: str, services: Mapping[str, ServiceName],
           faq_questions: Mapping[str, str]) -> tuple[int, str, str]:
    """(rank of its kind, heading, label) of one intent."""
    service = service_id_of(intent)
    if service is not None:
        found = services.get(service)
        if found is None:
            return 0, f"{SERVICE_GROUP} · {UNLISTED_DEPARTMENT}", f"目录中没有的事项（{service}）"
        return 0, f"{SERVICE_GROUP} · {found.department}", found.name
    base, separator, key = intent.partition("/")
    if separator and base == RETRIEVAL_INTENT:
        return 1, FAQ_GROUP, faq_questions.get(key) or f"常见问题（{key}）"
    group, label = DIALOGUE_LABELS.get(intent, ("其他意图", f"其他意图（{intent}）"))
    return 2, group, label


def build_targets(intents: Iterable[str], services: Mapping[str, ServiceName],
                  faq_questions: Mapping[str, str]) -> Targets:
    """Targets for ``intents`` (the assignable ones, in domain order): services grouped by
    department (departments in name order), then FAQs, then dialogue intents."""
    ranked = []
    seen: set[str] = set()
    for order, intent in enumerate(dict.fromkeys(intents)):
        rank, group, label = _label(intent, services, faq_questions)
        if label in seen:  # a label must name one intent only
            label = f"{label}（{group}）"
        seen.add(label)
        ranked.append((rank, group if rank == 0 else "", order, Target(intent, label, group)))
    ranked.sort(key=lambda entry: entry[:3])
    items = tuple(entry[3] for entry in ranked)
    names = {**{i: d for i, (_, d) in DIALOGUE_LABELS.items()}, **{t.intent: t.label for t in items}}
    return Targets(items, names, dict(services))


def assignable(nlu_dir: Path, domain_path: Path) -> list[str]:
    """The intents of the 归入意图 list: nlu_files.assignable_intents, less those without
    examples (``ask_service`` is set by the service search): add_example refuses them."""
    known = nlu_index(Path(nlu_dir)).intent_files
    return [i for i in assignable_intents(Path(nlu_dir), Path(domain_path)) if i in known]


def service_names(db: sessionmaker) -> dict[str, ServiceName]:
    """Every catalogue service's name and department, read now."""
    return {s.id: ServiceName(s.name, s.department) for s in editing.list_services(db)}


def read_targets(db: sessionmaker, nlu_dir: Path, domain_path: Path) -> Targets:
    faq_questions = {f.key: f.examples[0] for f in list_faqs(Path(nlu_dir)) if f.examples}
    return build_targets(assignable(nlu_dir, domain_path), service_names(db), faq_questions)


def suggested(targets: Targets, picked: Sequence[str]) -> Target | None:
    """The default of the 归入意图 field: the service residents picked most (``picked``, most
    common first), if it has an intent. The model's own guess is never a default: for a
    message in the inbox it is doubtful by definition."""
    for service_id in picked:
        intent = targets.intent_for_service(service_id)
        if intent is not None:
            return next(t for t in targets.items if t.intent == intent)
    return None
