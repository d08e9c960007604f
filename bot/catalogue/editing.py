"""Staff edits of the catalogue: create, update or delete a service, add or remove an example question.

Each function owns its transaction and is all or nothing. The service is validated with
ServiceIn, the model the loader checks the YAML files with, then against the other rows
(a unique name, related ids that exist, an example question belonging to one service
only), and only then written. A refusal raises :class:`EditRefused`, whose message (in
Chinese) a page shows as it is. ``on_change(session, change)`` runs inside the same
transaction just before the commit, so the console's audit entry and inbox decision
commit with the change or not at all; an update that changes nothing writes nothing and
does not call it.

No restart or retraining: the action server's repository reads the row within its
``cache_s`` (5 s) and search.LiveServiceIndex rebuilds within a further 3 s.

What loading a source later does to these edits (bot/catalogue/loader.py):

* services created here get ids ``cs-0001``, ``cs-0002``…; neither ``load-catalogue`` nor an
  import touches them, and a YAML or imported service may not take their names;
* an edit of a YAML or imported service lasts until its source is loaded again, which
  overwrites it with the source's content, except the example questions, which are kept;
* a deleted YAML service comes back with the next ``load-catalogue``, a deleted imported one
  with the next import that has it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue.loader import service_row
from bot.catalogue.messages import describe
from bot.catalogue.models import Service
from bot.catalogue.render import CONSOLE_SOURCE
from bot.catalogue.schema import CONSOLE_ID_PREFIX, IMPORTED_ID_PREFIX, MAX_EXAMPLE_CHARS, ServiceIn, example_key
from bot.db import begin_immediate

#: What staff may change; the id, ``source`` and ``updated`` are the module's to set.
EDITABLE = ("name", "department", "aliases", "examples", "summary", "eligibility", "materials", "steps",
            "time_limit", "fee", "needs_hall", "hall_type", "hall_note", "online", "faqs", "related")
#: Lengths the table enforces (on PostgreSQL) and ServiceIn does not.
COLUMN_CHARS = {"name": 100, "department": 100}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
#: PostgreSQL advisory lock taken by every edit (SQLite: its write lock), so two staff
#: saving at once are checked one after the other.
EDIT_LOCK = "catalogue-edit"
ORIGINS = ("yaml", "imported", "console")


class EditRefused(ValueError):
    """The edit was refused and nothing was written; the message is for staff (Chinese)."""


class ServiceMissing(EditRefused):
    def __init__(self, service_id: str) -> None:
        self.service_id = service_id
        super().__init__(f"没有编号为 {service_id} 的服务事项（可能刚被删除）。")


@dataclass(frozen=True)
class Change:
    """What an edit did, for the audit log: each changed field's value before and after."""

    action: str  # create | update | delete | add_example | remove_example
    service_id: str
    name: str
    changed: dict[str, dict[str, Any]]  # field → {"before": …, "after": …} (None when absent)

    def detail(self) -> dict[str, Any]:
        return {"service": self.service_id, "name": self.name, "changed": self.changed}


OnChange = Callable[[Session, Change], None]


@dataclass(frozen=True)
class ServiceListing:
    id: str
    name: str
    department: str
    aliases: tuple[str, ...]
    examples: int
    origin: str  # one of ORIGINS


def origin(service_id: str) -> str:
    """Where a service comes from, hence what a later load does to it (module docstring)."""
    if service_id.startswith(CONSOLE_ID_PREFIX):
        return "console"
    return "imported" if service_id.startswith(IMPORTED_ID_PREFIX) else "yaml"


def list_services(sessions: sessionmaker) -> list[ServiceListing]:
    """Every service, in id order, read now (the console must show its own edits at once)."""
    with sessions() as session:
        rows = session.execute(select(Service.id, Service.name, Service.department, Service.aliases,
                                      Service.examples).order_by(Service.id))
        return [ServiceListing(i, n, d, tuple(a), len(e or ()), origin(i)) for i, n, d, a, e in rows]


def read_service(sessions: sessionmaker, service_id: str) -> dict[str, Any]:
    """The service's fields as ServiceIn takes them (for a form); ServiceMissing if there is none."""
    with sessions() as session:
        return _fields(_row_or_raise(session, service_id))


def create_service(sessions: sessionmaker, values: Mapping[str, Any], *, on_change: OnChange | None = None,
                   today: dt.date | None = None) -> Change:
    """Add a service with the next free ``cs-`` id."""
    with _transaction(sessions) as session:
        service = _validated({**_editable(values), "id": _next_console_id(session),
                              "source": CONSOLE_SOURCE, "updated": today or _today()})
        _check_against_others(session, service)
        after = _fields(service_row(service))
        session.add(Service(**after))
        change = Change("create", service.id, service.name,
                        {k: {"before": None, "after": _plain(v)} for k, v in after.items()})
        _notify(on_change, session, change)
    return change


def update_service(sessions: sessionmaker, service_id: str, values: Mapping[str, Any], *,
                   on_change: OnChange | None = None, today: dt.date | None = None) -> Change:
    """Change the given fields of a service (the others stay). ``updated`` becomes today unless
    only the example questions changed: they are for search, not part of the answer."""
    given = _editable(values)
    return _update(sessions, service_id, lambda before: given, "update", on_change, today)


def add_example(sessions: sessionmaker, service_id: str, text: str, *,
                on_change: OnChange | None = None) -> Change:
    """Add one example question (e.g. a message from the inbox) after the service's others."""
    text = (text or "").strip()
    if not example_key(text):
        raise EditRefused("例句不能为空。")
    if len(text) > MAX_EXAMPLE_CHARS:
        raise EditRefused(f"例句最多 {MAX_EXAMPLE_CHARS} 个字，这句有 {len(text)} 个字。")
    return _update(sessions, service_id, lambda before: {"examples": [*before["examples"], text]},
                   "add_example", on_change, None)


def remove_example(sessions: sessionmaker, service_id: str, text: str, *,
                   on_change: OnChange | None = None) -> Change:
    """Take an example question back out (an inbox decision reverted in the console).

    Questions that read the same (:func:`example_key`) go; when there is none, nothing is
    written and ``on_change`` is not called (the Change has no fields).
    """
    key = example_key(text or "")
    return _update(sessions, service_id,
                   lambda before: {"examples": [e for e in before["examples"] if example_key(e) != key]},
                   "remove_example", on_change, None)


def delete_service(sessions: sessionmaker, service_id: str, *, on_change: OnChange | None = None) -> Change:
    """Remove a service; refused while another service lists it as related."""
    with _transaction(sessions) as session:
        row = _row_or_raise(session, service_id)
        referring = [name for sid, name, related in session.execute(
            select(Service.id, Service.name, Service.related)) if sid != service_id and service_id in (related or ())]
        if referring:
            names = "、".join(f"“{name}”" for name in referring)
            raise EditRefused(f"不能删除：{names}的相关事项中有它，请先在那些事项中去掉。")
        before = _fields(row)
        session.delete(row)
        change = Change("delete", service_id, row.name,
                        {k: {"before": _plain(v), "after": None} for k, v in before.items()})
        _notify(on_change, session, change)
    return change


# --- helpers -----------------------------------------------------------------------------

@contextmanager
def _transaction(sessions: sessionmaker) -> Iterator[Session]:
    try:
        with sessions.begin() as session:
            begin_immediate(session, EDIT_LOCK)
            yield session
    except IntegrityError as exc:  # a loader or import wrote the same name meanwhile
        raise EditRefused("保存失败：名称或编号刚被别的修改占用，请刷新页面后重试。") from exc


def _update(sessions: sessionmaker, service_id: str, edit: Callable[[dict[str, Any]], dict[str, Any]],
            action: str, on_change: OnChange | None, today: dt.date | None) -> Change:
    """Apply ``edit(fields before)``'s values to a service, read and written in one transaction."""
    with _transaction(sessions) as session:
        row = _row_or_raise(session, service_id)
        before = _fields(row)
        service = _validated({**before, **edit(before), "updated": today or _today()})
        after = _fields(service_row(service))
        changed = _diff(before, after)
        if set(changed) <= {"examples", "updated"}:
            after["updated"] = before["updated"]
            changed.pop("updated", None)
        if not changed:
            return Change(action, service_id, row.name, {})
        _check_against_others(session, service)
        for key, value in after.items():
            setattr(row, key, value)
        change = Change(action, service_id, service.name, changed)
        _notify(on_change, session, change)
    return change


def _today() -> dt.date:
    return dt.datetime.now(LOCAL_TZ).date()


def _row_or_raise(session: Session, service_id: str) -> Service:
    row = session.get(Service, service_id) if service_id else None
    if row is None:
        raise ServiceMissing(service_id)
    return row


def _fields(row: Service) -> dict[str, Any]:
    """A row's columns as plain values (lists copied), keyed like ServiceIn's fields."""
    values = {c.key: getattr(row, c.key) for c in Service.__table__.columns}
    return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


def _editable(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise EditRefused(f"不能修改这些字段：{'、'.join(unknown)}。")
    return dict(values)


def _validated(values: Mapping[str, Any]) -> ServiceIn:
    for key, limit in COLUMN_CHARS.items():
        value = values.get(key)
        if isinstance(value, str) and len(value.strip()) > limit:
            raise EditRefused(f"{'名称' if key == 'name' else '主管部门'}最多 {limit} 个字。")
    try:
        return ServiceIn.parse_obj(values)
    except ValidationError as error:
        raise EditRefused(describe(error)) from None


def _check_against_others(session: Session, service: ServiceIn) -> None:
    """The rules that need the other rows: as the loader applies them across files."""
    others = session.execute(select(Service.id, Service.name, Service.examples)
                             .where(Service.id != service.id)).all()
    for sid, name, _ in others:
        if name == service.name:
            raise EditRefused(f"名称“{service.name}”已被事项 {sid} 使用，名称不能重复。")
    if service.id in service.related:
        raise EditRefused("相关事项不能是它自己。")
    known = {sid for sid, _, _ in others}
    unknown = [r for r in service.related if r not in known]
    if unknown:
        raise EditRefused(f"相关事项中有不存在的编号：{'、'.join(unknown)}。")
    taken = {example_key(e): name for _, name, examples in others for e in (examples or ())}
    for example in service.examples:
        owner = taken.get(example_key(example))
        if owner is not None:
            raise EditRefused(f"例句“{example}”已是事项“{owner}”的例句，一句例句只能属于一个事项。")


def _next_console_id(session: Session) -> str:
    ids = session.scalars(select(Service.id).where(Service.id.startswith(CONSOLE_ID_PREFIX, autoescape=True)))
    numbers = [int(i[len(CONSOLE_ID_PREFIX):]) for i in ids if i[len(CONSOLE_ID_PREFIX):].isdigit()]
    return f"{CONSOLE_ID_PREFIX}{max(numbers, default=0) + 1:04d}"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: {"before": _plain(before.get(k)), "after": _plain(v)}
            for k, v in after.items() if before.get(k) != v}


def _notify(on_change: OnChange | None, session: Session, change: Change) -> None:
    if on_change is not None:
        session.flush()  # a constraint the checks missed fails here, before the audit entry
        on_change(session, change)
