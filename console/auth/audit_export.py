"""The audit log as a CSV file an admin opens in Excel: local time, Chinese, personal data masked.

UTF-8 with a byte-order mark, because Excel on Chinese Windows reads a CSV without one
as GBK and shows the Chinese as mojibake. Entries are masked when written (audit.py), but
an export leaves the building, so the text is masked again with the project's masking
(bot/personal/masking.py; audit_text.describe does it for the details): an entry written
by an older version, or by a writer that skipped the masking, still leaves no ID, phone
or bank number in the file. Cells that
Excel would take for a formula (``=``, ``+``, ``-``, ``@``) get a leading apostrophe, so an
entry cannot run anything on the admin's computer.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from bot.personal.masking import mask_labelled_lines, mask_personal_data
from console import timefmt
from console.auth.audit import AuditRecord
from console.auth.audit_text import action_label, describe, user_label

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _masked(text: str) -> str:
    return mask_personal_data(mask_labelled_lines(text))


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def header() -> list[str]:
    return [f"时间（{timefmt.zone_label()}）", "人员", "操作", "操作代码", "详情", "来源地址"]


def row(record: AuditRecord) -> list[str]:
    return [_cell(value) for value in (
        timefmt.format_time(record.at, seconds=True),
        _masked(user_label(record.username)),
        action_label(record.action),
        record.action,
        describe(record.action, record.detail, limit=None),
        record.ip or "",
    )]


def to_csv(records: Iterable[AuditRecord]) -> bytes:
    """The whole file: BOM, a header line, one line per entry (CRLF, as Excel writes them)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header())
    writer.writerows(row(r) for r in records)
    return (BOM + out.getvalue()).encode("utf-8")
