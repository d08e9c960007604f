"""服务分析 as a CSV file staff open in Excel: the page's tables, one after another, figures only.

UTF-8 with a byte-order mark (Excel on Chinese Windows reads a CSV without one as GBK), CRLF
lines, and cells Excel would take for a formula (``=``, ``+``, ``-``, ``@``) led by an
apostrophe, as the audit export does (console/auth/audit_export.py). The tables hold counts
and the names of services, departments, districts, channels and flows only, masked
(dashboard_tables.py), and so are the filters written at the top.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from bot.analytics.report import DIMENSIONS
from bot.personal.masking import mask_personal_data
from console import timefmt
from console.web.dashboard_query import DIMENSION_LABELS, GRAIN_LABELS, Dashboard
from console.web.dashboard_tables import Table, dimension_table, drop_off_table, overview_rows, trend_table

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def filters_line(d: Dashboard) -> list[str]:
    """统计时间 … 至 …, 粒度 …, 筛选 … (the file's second line, and the export's audit entry)."""
    f = d.filters
    chosen = [("服务事项", d.service_names.get(f.service, f.service) if f.service else ""),
              ("部门", f.department or ""), ("区县", f.district or ""), ("渠道", f.channel or "")]
    words = "，".join(f"{name} {mask_personal_data(value)}" for name, value in chosen if value) or "全部"
    return [f"统计时间 {f.start} 至 {f.end}（{timefmt.zone_label()}）", f"粒度 {GRAIN_LABELS[d.query.grain]}",
            f"筛选 {words}"]


def _block(title: str, table: Table) -> Iterable[Sequence[str]]:
    header, rows = table
    yield [title]
    yield header
    yield from rows
    yield []


def to_csv(d: Dashboard) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    lines: list[Sequence[str]] = [["服务分析"], filters_line(d), []]
    lines += list(_block("总览", (["指标", "数值"], [list(r) for r in overview_rows(d)])))
    lines += list(_block(f"趋势（按{GRAIN_LABELS[d.query.grain]}）", trend_table(d)))
    for dimension in DIMENSIONS:
        lines += list(_block(f"按{DIMENSION_LABELS[dimension]}", dimension_table(d.tables[dimension], dimension)))
    lines += list(_block("办理流程在哪一步流失", drop_off_table(d)))
    writer.writerows([cell(value) for value in line] for line in lines)
    return (BOM + out.getvalue()).encode("utf-8")
