"""Import of an official 办事指南 export: all or nothing, every bad row named by row and reason.

The exports are synthetic (tests/support/official_export.py). The database is a fresh
SQLite file per test with the real YAML catalogue in it (the `sessions` fixture).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.catalogue.loader import CatalogueError, load_catalogue
from bot.catalogue.models import Service
from bot.catalogue.official.importer import import_official, read_official
from bot.catalogue.official.mapping import RowError
from bot.catalogue.repository import CatalogueRepository
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from tests.support.official_export import COLUMNS, csv_text, sample_rows, write_csv, write_xlsx

TODAY = dt.date(2026, 12, 2)


def _snapshot(sessions) -> list[tuple]:
    """Every service row, whole: equal snapshots mean the table did not change."""
    with sessions() as session:
        return [(s.id, s.name, s.department, s.materials, s.steps, s.time_limit, s.source, s.updated)
                for s in session.scalars(select(Service).order_by(Service.id))]


def _errors(report) -> set[tuple]:
    return {(e.row, e.field) for e in report.errors}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_export_loads_and_is_answerable(tmp_path, sessions, fmt):
    yaml_ids = {row[0] for row in _snapshot(sessions)}
    path = (write_csv(tmp_path / "export.csv", sample_rows()) if fmt == "csv"
            else write_xlsx(tmp_path / "export.xlsx", sample_rows()))
    report = import_official(sessions, path, today=TODAY)
    assert report.errors == [] and report.written
    assert (report.added, report.updated, report.removed) == (3, 0, 0)

    repo = CatalogueRepository(sessions)
    dog = repo.get_service_or_raise("sx-test-0001")
    assert dog.name == "【示例】测试犬只登记" and dog.department == "示例市公安局"
    assert [m["name"] for m in dog.materials] == ["居民身份证", "犬只免疫证明", "犬只照片（如有）"]
    assert [m["required"] for m in dog.materials] == [True, True, False]
    assert dog.steps == ("申请", "受理", "审核", "发证")
    assert dog.time_limit == "承诺5个工作日（法定20个工作日）" and dog.fee == "不收费"
    assert dog.updated == "2026-12-02" and "事项编码：TEST-0001" in dog.source
    fund = repo.get_service_or_raise("sx-test-0002")
    assert fund.hall_type == "housing_fund" and fund.needs_hall is False
    assert repo.hall_for("jinghu", fund.hall_type) is not None  # the district answer has a hall
    summaries = {s.id for s in repo.service_summaries()}
    assert {"sx-test-0001", "sx-test-0002", "sx-test-0003"} | yaml_ids == summaries  # YAML ones kept


def test_bad_rows_each_reported_with_row_number_and_reason(tmp_path):
    rows = sample_rows()
    bad = [dict(rows[0]) for _ in range(7)]
    bad[0].update({"事项编码": "TEST-0101", "申请材料": ""})  # empty required cell
    bad[1].update({"事项编码": "TEST-0102", "事项名称": "【示例】二", "承诺办结时限": "", "法定办结时限": ""})
    bad[2].update({"事项编码": "TEST-0103", "事项名称": "【示例】三",
                   "申请材料": "\n".join(f"材料{i}" for i in range(16))})  # over 15 items
    bad[3].update({"事项编码": "许可", "事项名称": "【示例】四"})  # no letter or digit
    bad[4].update({"事项编码": "TEST-0105", "事项名称": "【示例】" + "长" * 100})
    bad[5].update({"事项编码": "TEST-0101", "事项名称": "【示例】六"})  # 事项编码 of row 5 (itself bad) again
    bad[6].update({"事项编码": "TEST-0107", "事项名称": "【示例】四", "受理条件": ""})  # two reasons in one row
    path = write_csv(tmp_path / "bad.csv", [*rows, *bad])
    report = read_official(path, TODAY)
    # rows 2-4 are the good samples; the bad ones are rows 5-11 as Excel numbers them
    assert report.bad_rows == [5, 6, 7, 8, 9, 10, 11]
    by_row = {(e.row, e.field): e.reason for e in report.errors}
    assert by_row[(5, "申请材料")] == "不能为空"
    assert by_row[(6, "办结时限")] == "承诺办结时限和法定办结时限都为空"
    assert by_row[(7, "申请材料")] == "拆分后有16项，最多15项；请合并相近的项"
    assert by_row[(8, "事项编码")] == "须包含字母或数字"
    assert by_row[(9, "事项名称")] == "内容太长（104字，最多100字）"
    assert by_row[(10, "事项编码")] == "与第5行的事项编码重复"
    assert by_row[(11, "受理条件")] == "不能为空"
    assert by_row[(11, "事项名称")] == "与第8行重名"
    assert [s.id for s in report.services] == ["sx-test-0001", "sx-test-0002", "sx-test-0003"]


def test_duplicate_codes_that_differ_only_in_form_and_duplicate_names_are_rejected(tmp_path):
    first, second, third = sample_rows()
    second["事项编码"] = "ｔｅｓｔ 0001"  # TEST-0001 in another case, width and separator
    third["事项名称"] = first["事项名称"]
    report = read_official(write_csv(tmp_path / "dup.csv", [first, second, third]), TODAY)
    assert report.errors == [
        RowError(3, "事项编码", "与第2行的事项编码重复（只差大小写、全半角或符号）"),
        RowError(4, "事项名称", "与第2行重名"),
    ]


def test_a_file_with_one_bad_row_loads_nothing(tmp_path, sessions):
    import_official(sessions, write_csv(tmp_path / "v1.csv", sample_rows()), today=TODAY)
    before = _snapshot(sessions)
    rows = sample_rows()
    rows[0]["申请材料"] = "全新材料"  # would change an imported service
    rows.append({**rows[1], "事项编码": "TEST-0004", "事项名称": "【示例】新增"})  # would add one
    rows[2]["收费标准"] = ""  # the one bad row
    report = import_official(sessions, write_csv(tmp_path / "v2.csv", rows), today=TODAY)
    assert _errors(report) == {(4, "收费标准")}
    assert not report.written
    assert _snapshot(sessions) == before


def test_reimport_replaces_the_previous_import_only(tmp_path, sessions):
    import_official(sessions, write_csv(tmp_path / "v1.csv", sample_rows()), today=TODAY)
    yaml_rows = [r for r in _snapshot(sessions) if not r[0].startswith("sx-")]
    rows = sample_rows()[:2]
    rows[0]["承诺办结时限"] = "3"
    report = import_official(sessions, write_csv(tmp_path / "v2.csv", rows), today=TODAY)
    assert (report.added, report.updated, report.removed) == (0, 2, 1)
    after = _snapshot(sessions)
    assert [r[0] for r in after if r[0].startswith("sx-")] == ["sx-test-0001", "sx-test-0002"]
    assert [r for r in after if not r[0].startswith("sx-")] == yaml_rows
    assert CatalogueRepository(sessions).get_service_or_raise("sx-test-0001").time_limit.startswith("承诺3个")


def test_name_of_a_yaml_service_is_rejected_and_nothing_loads(tmp_path, sessions):
    before = _snapshot(sessions)
    rows = sample_rows()
    rows[1]["事项名称"] = "结婚登记"  # in data/catalogue/services/civil_affairs.yml
    report = import_official(sessions, write_csv(tmp_path / "clash.csv", rows), today=TODAY)
    assert report.errors == [RowError(3, "事项名称", "与目录中已有的服务重名（marriage）；请删去此行或改名")]
    assert _snapshot(sessions) == before


def test_one_report_names_row_errors_and_database_clashes_together(tmp_path, sessions):
    rows = sample_rows()
    rows[0]["办理流程"] = ""
    rows[2]["事项名称"] = "结婚登记"
    report = import_official(sessions, write_csv(tmp_path / "both.csv", rows), today=TODAY)
    assert report.errors == [RowError(2, "办理流程", "不能为空"),
                             RowError(4, "事项名称", "与目录中已有的服务重名（marriage）；请删去此行或改名")]


def test_yaml_load_keeps_imported_services(tmp_path, sessions):
    import_official(sessions, write_csv(tmp_path / "v1.csv", sample_rows()), today=TODAY)
    imported = [r for r in _snapshot(sessions) if r[0].startswith("sx-")]
    load_catalogue(sessions, PROJECT_ROOT / "data" / "catalogue")
    assert [r for r in _snapshot(sessions) if r[0].startswith("sx-")] == imported


def test_yaml_load_refuses_the_name_of_an_imported_service(tmp_path):
    sessions = session_factory(f"sqlite:///{tmp_path / 'empty.db'}")  # imported before any YAML load
    rows = sample_rows()
    rows[0]["事项名称"] = "结婚登记"
    assert import_official(sessions, write_csv(tmp_path / "v1.csv", rows), today=TODAY).written
    before = _snapshot(sessions)
    with pytest.raises(CatalogueError, match="also imported as sx-test-0001"):
        load_catalogue(sessions, PROJECT_ROOT / "data" / "catalogue")
    assert _snapshot(sessions) == before


@pytest.mark.parametrize("encoding, kind", [("utf-8-sig", "CSV，UTF-8 编码"), ("utf-8", "CSV，UTF-8 编码"),
                                            ("gb18030", "CSV，GB18030 编码")])
def test_csv_encoding_is_detected(tmp_path, encoding, kind):
    path = write_csv(tmp_path / "enc.csv", sample_rows(), encoding=encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # the test file really is not UTF-8
    report = read_official(path, TODAY)
    assert report.errors == [] and report.kind == kind
    assert report.services[0].name == "【示例】测试犬只登记"
    assert report.services[0].eligibility == ["在示例市居住的个人", "犬只已免疫"]


def test_undecodable_csv_is_a_file_error(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(csv_text(sample_rows()).encode("utf-8") + b"\xff\xfe\xff")
    [error] = read_official(path, TODAY).errors
    assert error == RowError(None, "文件", "无法识别文件编码（支持 UTF-8 和 GB18030/GBK）")


def test_xlsx_title_row_blank_rows_and_numeric_codes(tmp_path):
    rows = sample_rows()
    rows[0]["事项编码"] = 1134020000322017  # 16 digits stored as a number: Excel has lost digits
    rows[1]["事项编码"] = 113001  # short numbers are exact
    path = write_xlsx(tmp_path / "export.xlsx", [rows[0], {}, rows[1], rows[2]], title="示例市政务服务事项清单（测试）")
    report = read_official(path, TODAY)
    # title row 1, header row 2, data rows 3-6 with row 4 blank
    assert report.blank_rows == 1 and report.rows == 3
    assert [(e.row, e.field) for e in report.errors] == [(3, "事项编码")]
    assert "请把该列设为文本" in report.errors[0].reason
    assert [s.id for s in report.services] == ["sx-113001", "sx-test-0003"]


def test_missing_columns_are_reported_on_the_header_row(tmp_path):
    columns = [c for c in COLUMNS if c not in ("申请材料", "法定办结时限", "承诺办结时限")] + ["设定依据"]
    report = read_official(write_csv(tmp_path / "cols.csv", sample_rows(), columns=columns), TODAY)
    assert report.errors == [RowError(1, "表头", "缺少列“申请材料”"),
                             RowError(1, "表头", "缺少列“承诺办结时限或法定办结时限”")]
    assert report.ignored_columns == ("设定依据",)


@pytest.mark.parametrize("name, reason", [("old.xls", "不支持旧版 .xls"), ("export.pdf", "不支持的文件类型"),
                                          ("empty.csv", "没有数据行")])
def test_unusable_files(tmp_path, name, reason):
    path = tmp_path / name
    path.write_text(csv_text([]), encoding="utf-8")
    [error] = read_official(path, TODAY).errors
    assert error.row is None and reason in error.reason


def test_corrupt_xlsx_is_a_file_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    [error] = read_official(path, TODAY).errors
    assert error.row is None and error.reason.startswith("无法打开 XLSX 文件")


def test_an_imported_service_is_not_called_sample_data_but_keeps_the_window_notice(tmp_path, sessions):
    from bot.catalogue.render import render_service_answer

    import_official(sessions, write_csv(tmp_path / "export.csv", sample_rows()), today=TODAY)
    repo = CatalogueRepository(sessions)
    imported = render_service_answer(repo.get_service_or_raise("sx-test-0001"), None)
    sample = render_service_answer(repo.get_service_or_raise("sbk-apply"), None)
    assert "示例数据" not in imported.split("咨询电话")[-1] and "官方办事指南" in imported
    assert "以上为示例数据" in sample
    assert all("以窗口最新要求为准" in text for text in (imported, sample))
