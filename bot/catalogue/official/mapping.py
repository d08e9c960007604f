"""One export row → one catalogue service (bot/catalogue/schema.py's ServiceIn), or its errors.

What the export lacks gets a documented default (data/catalogue/SCHEMA.md, "从官方办事指南
导出导入"); what a resident would be misled by without it (name, department, conditions,
materials, steps, time limit, fee) must be in the row, or the row is rejected.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.catalogue.official import text
from bot.catalogue.official.table import Row, cell_text
from bot.catalogue.schema import ServiceIn

NAME, CODE, KIND, DEPARTMENT = "事项名称", "事项编码", "事项类型", "实施主体"
CONDITIONS, MATERIALS, STEPS = "受理条件", "申请材料", "办理流程"
LEGAL_LIMIT, PROMISED_LIMIT, FEE = "法定办结时限", "承诺办结时限", "收费标准"
PLACE, HOURS, PHONE, ONLINE = "办理地点", "办公时间", "咨询电话", "网上办理地址"
TIME_LIMIT = "办结时限"  # the field name in reports when neither time limit is given

REQUIRED_COLUMNS = (NAME, CODE, DEPARTMENT, CONDITIONS, MATERIALS, STEPS, FEE)
#: At least one of these must be a column.
LIMIT_COLUMNS = (PROMISED_LIMIT, LEGAL_LIMIT)
OPTIONAL_COLUMNS = (KIND, PLACE, HOURS, PHONE, ONLINE)
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, *LIMIT_COLUMNS, *OPTIONAL_COLUMNS)

#: The column a schema field comes from, to name it in a row's errors.
FIELD_COLUMN = {
    "id": CODE, "name": NAME, "department": DEPARTMENT, "summary": KIND, "eligibility": CONDITIONS,
    "materials": MATERIALS, "steps": STEPS, "time_limit": TIME_LIMIT, "fee": FEE, "online": ONLINE,
    "hall_note": PLACE, "aliases": NAME,
}
#: Longest text the tables keep in these columns (bot/catalogue/models.py).
MAX_CHARS = {NAME: 100, DEPARTMENT: 100}
#: Digits Excel keeps exactly in a number cell; a longer 事项编码 stored as a number has lost digits.
EXCEL_DIGITS = 15
HOTLINE = "芜湖市12345政务服务便民热线"


@dataclass(frozen=True)
class RowError:
    row: int | None  # Excel row number; None for the file as a whole
    field: str  # the column, in Chinese
    reason: str  # in Chinese, for staff


def missing_columns(columns: tuple[str, ...]) -> list[str]:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if not any(c in columns for c in LIMIT_COLUMNS):
        missing.append("承诺办结时限或法定办结时限")
    return missing


def _code_error(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = len(str(int(value))) if float(value).is_integer() else EXCEL_DIGITS + 1
        if digits > EXCEL_DIGITS:
            return f"被存成了数字，超过{EXCEL_DIGITS}位的数字在 Excel 中会丢失位数；请把该列设为文本后重新导出"
    return None


def _hall_note(place: str, hours: str, phone: str) -> str | None:
    parts = [f"{label}：{value}" for label, value in (("办理地点", place), ("办公时间", hours),
                                                     ("咨询电话", phone)) if value]
    return "；".join(parts) or None


def _record(cells: dict[str, str], service_id: str, source: str, updated: dt.date) -> dict:
    name, department, place, phone, url = (cells[c] for c in (NAME, DEPARTMENT, PLACE, PHONE, ONLINE))
    kind = cells[KIND]
    return {
        "id": service_id,
        "name": name,
        "department": department,
        "aliases": [name],
        "summary": f"事项类型：{kind}。" if kind else "依据官方办事指南导入。",
        "eligibility": text.split_items(cells[CONDITIONS]),
        "materials": [{"name": m, "required": not text.is_optional(m)}
                      for m in text.split_items(cells[MATERIALS])],
        "steps": text.split_items(cells[STEPS]),
        "time_limit": text.time_limit(cells[PROMISED_LIMIT], cells[LEGAL_LIMIT]),
        "fee": text.fee(cells[FEE]),
        "needs_hall": bool(place) or not url,
        "hall_type": text.hall_type(department, name),
        "hall_note": _hall_note(place, cells[HOURS], phone),
        "online": [{"channel": "网上办理", "how": url} if url
                   else {"channel": HOTLINE, "how": "拨打12345咨询是否可以网上办理"}],
        "faqs": [{"q": "出发前还要确认什么？",
                  "a": f"材料、时间和地点以窗口最新要求为准，可先拨打{phone or '12345政务服务便民热线'}咨询确认。"}],
        "related": [],
        "source": f"{source}；事项编码：{cells[CODE]}",
        "updated": updated,
    }


def _reason(error: Mapping[str, Any], record: dict) -> str:
    """A pydantic error in words staff understand."""
    kind, limit = error["type"], (error.get("ctx") or {}).get("limit_value")
    value = record.get(str(error["loc"][0]))
    count = len(value) if isinstance(value, list) else 0
    if kind in ("value_error.missing", "value_error.any_str.min_length") or (kind.endswith("min_items") and not count):
        return "不能为空"
    if kind.endswith("min_items"):
        return f"拆分后只有{count}项，至少需要{limit}项"
    if kind.endswith("max_items"):
        return f"拆分后有{count}项，最多{limit}项；请合并相近的项"
    if kind.endswith("max_length"):
        return f"内容太长（最多{limit}字）"
    return str(error["msg"])


def map_row(row: Row, source: str, updated: dt.date) -> tuple[ServiceIn | None, list[RowError]]:
    """The service a row describes, or every reason it cannot be one."""
    cells = {column: cell_text(row.cells.get(column)) for column in KNOWN_COLUMNS}
    errors = [RowError(row.number, column, "不能为空") for column in REQUIRED_COLUMNS if not cells[column]]
    for column, limit in MAX_CHARS.items():
        if len(cells[column]) > limit:
            errors.append(RowError(row.number, column, f"内容太长（{len(cells[column])}字，最多{limit}字）"))
    code_problem = _code_error(row.cells.get(CODE))
    service_id = text.service_id(cells[CODE]) if cells[CODE] else None
    if code_problem:
        errors.append(RowError(row.number, CODE, code_problem))
    elif cells[CODE] and service_id is None:
        errors.append(RowError(row.number, CODE, "须包含字母或数字"))
    record = _record(cells, service_id or "", source, updated)
    if not record["time_limit"]:
        errors.append(RowError(row.number, TIME_LIMIT, "承诺办结时限和法定办结时限都为空"))
    try:
        service = ServiceIn.parse_obj(record)
    except ValidationError as exc:
        reported = {e.field for e in errors}  # one reason per column: the first is the clearest
        for e in exc.errors():
            column = FIELD_COLUMN.get(str(e["loc"][0]), str(e["loc"][0]))
            if column not in reported:
                errors.append(RowError(row.number, column, _reason(e, record)))
                reported.add(column)
        return None, errors
    return (None, errors) if errors else (service, [])
