"""Read an export (CSV or XLSX) into a header and rows numbered as Excel numbers them.

Row numbers are what staff see when they open the file in Excel or WPS: the sheet's own
row numbers for XLSX, and for CSV one row per record (a quoted cell may span lines).
The header is the first row, among the first ``HEADER_SEARCH_ROWS``, that holds a
事项名称 cell: exports often carry a title row above it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HEADER_SEARCH_ROWS = 10
HEADER_KEY = "事项名称"
#: Encodings tried in order for CSV: UTF-8 (with or without BOM), then GB18030 (a superset of
#: GBK/GB2312, what Excel and many Chinese systems write by default).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class TableError(ValueError):
    """The file cannot be read as an export at all (reason in Chinese, for staff)."""


@dataclass(frozen=True)
class Row:
    number: int  # as Excel shows it; the header row included in the count
    cells: dict[str, object]  # column name → raw value (str for CSV; str, int, float… for XLSX)


@dataclass(frozen=True)
class Table:
    kind: str  # "CSV，UTF-8 编码", "CSV，GB18030 编码", "XLSX"
    header_row: int
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    blank_rows: int = 0


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码（支持 UTF-8 和 GB18030/GBK）")


def _csv_rows(path: Path) -> tuple[list[Sequence[object]], str]:
    try:
        text, encoding = _decode(path.read_bytes())
    except OSError as exc:
        raise TableError(f"无法读取文件：{exc.strerror or exc}") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        rows: list[Sequence[object]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TableError(f"CSV 格式有误：{exc}") from exc
    label = "UTF-8" if encoding == "utf-8-sig" else "GB18030"
    return rows, f"CSV，{label} 编码"


def _xlsx_rows(path: Path) -> list[Sequence[object]]:
    from openpyxl import load_workbook  # only when an XLSX is imported
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TableError(f"无法打开 XLSX 文件：{exc}") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some exporters write wrong dimensions; read every row there is
        return [tuple(row) for row in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()


def _is_blank(values: Iterable[object]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _header(rows: list[Sequence[object]]) -> int:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(isinstance(v, str) and v.strip() == HEADER_KEY for v in row):
            return index
    raise TableError(f"找不到表头：前{HEADER_SEARCH_ROWS}行中没有“{HEADER_KEY}”列")


def _table(rows: list[Sequence[object]], kind: str) -> Table:
    header_index = _header(rows)
    names = [str(v).strip() if v is not None else "" for v in rows[header_index]]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise TableError(f"表头第{header_index + 1}行有重复的列“{name}”")
        seen.add(name)
    out: list[Row] = []
    blank = 0
    for index in range(header_index + 1, len(rows)):
        values = rows[index]
        if _is_blank(values):
            blank += 1
            continue
        cells = {name: value for name, value in zip(names, values, strict=False) if name}  # short rows: missing cells
        out.append(Row(number=index + 1, cells=cells))
    return Table(kind, header_index + 1, tuple(n for n in names if n), out, blank)


def read_table(path: Path) -> Table:
    """The export at ``path`` (by its extension: .csv/.txt or .xlsx/.xlsm)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        rows, kind = _csv_rows(path)
        return _table(rows, kind)
    if suffix in (".xlsx", ".xlsm"):
        return _table(_xlsx_rows(path), "XLSX")
    if suffix == ".xls":
        raise TableError("不支持旧版 .xls 文件，请在 Excel/WPS 中另存为 .xlsx 或 CSV")
    raise TableError(f"不支持的文件类型“{suffix or '无扩展名'}”，请使用 .xlsx 或 .csv")


def cell_text(value: object) -> str:
    """A cell as text: numbers without a trailing '.0', dates as YYYY-MM-DD, line breaks as \\n."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n").strip()
