"""Check a whole official export, then load it all or nothing.

Every row is mapped and validated, and the rows are checked against each other and the
services already in the database, before anything is written; one bad row and nothing
is loaded. A good file replaces the previously imported services (ids ``sx-…``) in one
transaction, through bot/catalogue/loader.py; the YAML services are left as they are.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue.loader import replace_imported_services
from bot.catalogue.models import Service
from bot.catalogue.official.mapping import CODE, KNOWN_COLUMNS, NAME, RowError, map_row, missing_columns
from bot.catalogue.official.table import TableError, cell_text, read_table
from bot.catalogue.official.text import service_id
from bot.catalogue.render import OFFICIAL_SOURCE_PREFIX
from bot.catalogue.schema import IMPORTED_ID_PREFIX, ServiceIn

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
SOURCE = OFFICIAL_SOURCE_PREFIX + "导出文件 {name}"


@dataclass
class ImportReport:
    """What an import read, found wrong and (unless dry or bad) wrote."""

    path: Path
    kind: str = ""
    rows: int = 0  # data rows read, blank rows apart
    blank_rows: int = 0
    ignored_columns: tuple[str, ...] = ()
    services: list[ServiceIn] = field(default_factory=list)
    row_of: dict[str, int] = field(default_factory=dict)  # service id → Excel row
    errors: list[RowError] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    removed: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors if e.row is not None})


def _beijing_today() -> dt.date:
    return dt.datetime.now(LOCAL_TZ).date()


def read_official(path: Path, today: dt.date | None = None) -> ImportReport:
    """Read, map and validate every row of the export at ``path`` (the database is not read)."""
    report = ImportReport(path=path)
    try:
        table = read_table(path)
    except TableError as exc:
        report.errors.append(RowError(None, "文件", str(exc)))
        return report
    report.kind, report.rows, report.blank_rows = table.kind, len(table.rows), table.blank_rows
    report.ignored_columns = tuple(c for c in table.columns if c not in KNOWN_COLUMNS)
    missing = missing_columns(table.columns)
    if missing:
        report.errors += [RowError(table.header_row, "表头", f"缺少列“{c}”") for c in missing]
        return report
    if not table.rows:
        report.errors.append(RowError(None, "文件", "没有数据行"))
        return report
    source = SOURCE.format(name=path.name)
    updated = today or _beijing_today()
    seen_id: dict[str, tuple[int, str]] = {}
    seen_name: dict[str, int] = {}
    for row in table.rows:
        service, errors = map_row(row, source, updated)
        code, name = cell_text(row.cells.get(CODE)), cell_text(row.cells.get(NAME))
        sid = service_id(code) if code else None
        if sid and sid in seen_id:  # bad rows count too: a duplicate is reported whatever else is wrong
            first, first_code = seen_id[sid]
            how = "重复" if first_code == code else "重复（只差大小写、全半角或符号）"
            errors.append(RowError(row.number, CODE, f"与第{first}行的事项编码{how}"))
        elif sid:
            seen_id[sid] = (row.number, code)
        if name and name in seen_name:
            errors.append(RowError(row.number, NAME, f"与第{seen_name[name]}行重名"))
        elif name:
            seen_name[name] = row.number
        report.errors += errors
        if service is not None and not errors:
            report.services.append(service)
            report.row_of[service.id] = row.number
    return report


def _check_database(session: Session, report: ImportReport) -> None:
    """Names taken by YAML services are errors; counts what the import adds, updates, removes."""
    rows = session.execute(select(Service.id, Service.name)).all()
    imported = {sid for sid, _ in rows if sid.startswith(IMPORTED_ID_PREFIX)}
    own = {name: sid for sid, name in rows if not sid.startswith(IMPORTED_ID_PREFIX)}
    for service in report.services:
        if service.name in own:
            report.errors.append(RowError(report.row_of[service.id], NAME,
                                          f"与目录中已有的服务重名（{own[service.name]}）；请删去此行或改名"))
    new_ids = {s.id for s in report.services}
    report.added, report.updated = len(new_ids - imported), len(new_ids & imported)
    report.removed = len(imported - new_ids)


class _Rejected(Exception):
    """Raised inside the transaction so that it rolls back."""


def import_official(sessions: sessionmaker, path: Path, dry_run: bool = False,
                    today: dt.date | None = None) -> ImportReport:
    """Check the export at ``path``; load it only if every row is good and ``dry_run`` is off."""
    report = read_official(path, today)
    if not report.services:  # nothing to check against the database
        return report
    if dry_run or not report.ok:  # still checked, so that one report names every problem
        with sessions() as session:
            _check_database(session, report)
    else:
        try:
            with sessions.begin() as session:
                _check_database(session, report)
                if not report.ok:
                    raise _Rejected
                replace_imported_services(session, report.services)
        except _Rejected:
            pass
        else:
            report.written = True
    report.errors.sort(key=lambda e: e.row or 0)  # stable: a row's reasons in column order
    return report
