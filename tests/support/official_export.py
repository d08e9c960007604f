"""Synthetic 办事指南 exports for the import tests (示例数据: no real service, department or code).

Rows are dicts keyed by the export's column names; ``write_csv`` and ``write_xlsx`` lay
them out as a platform export would, header first (optionally under a title row).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

COLUMNS = ("事项名称", "事项编码", "事项类型", "实施主体", "受理条件", "申请材料", "办理流程",
           "法定办结时限", "承诺办结时限", "收费标准", "办理地点", "办公时间", "咨询电话", "网上办理地址")


def sample_rows() -> list[dict[str, object]]:
    """Three good rows in the shapes real exports use (numbered lists, line breaks, ；)."""
    return [
        {
            "事项名称": "【示例】测试犬只登记", "事项编码": "TEST-0001", "事项类型": "行政许可",
            "实施主体": "示例市公安局", "受理条件": "1.在示例市居住的个人；2.犬只已免疫",
            "申请材料": "1.居民身份证2.犬只免疫证明3.犬只照片（如有）",
            "办理流程": "申请\n受理\n审核\n发证", "法定办结时限": "20", "承诺办结时限": "5",
            "收费标准": "不收费", "办理地点": "示例市政务服务中心2楼", "办公时间": "工作日9:00-17:00",
            "咨询电话": "0553-0000001", "网上办理地址": "https://example.invalid/dog",
        },
        {
            "事项名称": "【示例】测试公积金对账单打印", "事项编码": "test-0002", "事项类型": "公共服务",
            "实施主体": "示例市住房公积金管理中心", "受理条件": "缴存职工本人",
            "申请材料": "（1）居民身份证；（2）委托书（代办时提供，非必须）",
            "办理流程": "一、取号 二、打印", "法定办结时限": "即办", "承诺办结时限": "",
            "收费标准": "免费", "办理地点": "", "办公时间": "", "咨询电话": "",
            "网上办理地址": "https://example.invalid/fund",
        },
        {
            "事项名称": "【示例】测试摊位临时占用许可", "事项编码": "TEST 0003", "事项类型": "",
            "实施主体": "示例市城市管理局", "受理条件": "个体经营者", "申请材料": "申请表",
            "办理流程": "提交；审核", "法定办结时限": "15个工作日", "承诺办结时限": "10",
            "收费标准": "按示例标准收取占道费", "办理地点": "示例市政务服务中心", "办公时间": "",
            "咨询电话": "", "网上办理地址": "",
        },
    ]


def _cells(rows: Sequence[dict[str, object]], columns: Sequence[str]) -> list[list[object]]:
    return [list(columns), *([row.get(c, "") for c in columns] for row in rows)]


def csv_text(rows: Sequence[dict[str, object]], columns: Sequence[str] = COLUMNS) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(_cells(rows, columns))
    return out.getvalue()


def write_csv(path: Path, rows: Sequence[dict[str, object]], encoding: str = "utf-8-sig",
              columns: Sequence[str] = COLUMNS) -> Path:
    path.write_bytes(csv_text(rows, columns).encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, object]], columns: Sequence[str] = COLUMNS,
               title: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title is not None:
        sheet.append([title])
    for line in _cells(rows, columns):
        sheet.append([None if value == "" else value for value in line])
    book.save(path)
    return path
