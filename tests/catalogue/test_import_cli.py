"""`python -m bot import-catalogue FILE [--dry-run]`: the Chinese report and the exit code."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.catalogue.models import Service
from bot.cli import main
from bot.db import session_factory
from tests.support.official_export import sample_rows, write_csv, write_xlsx


@pytest.fixture()
def db(tmp_path, db_url, monkeypatch):
    """The CLI's database: the real YAML catalogue in a fresh file."""
    monkeypatch.setenv("GOV_DATABASE_URL", db_url)
    return session_factory(db_url)


def _imported(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Service).where(Service.id.startswith("sx-")))


def test_dry_run_checks_everything_and_writes_nothing(tmp_path, db, capsys):
    path = write_xlsx(tmp_path / "export.xlsx", sample_rows())
    assert main(["import-catalogue", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "数据行：3 行" in out and "校验通过：3 项服务。" in out
    assert "试运行，未写入数据库：将新增 3 项、更新 0 项、移除 0 项。" in out
    assert _imported(db) == 0


def test_import_writes_and_says_what_changed(tmp_path, db, capsys):
    path = write_csv(tmp_path / "export.csv", sample_rows(), encoding="gb18030")
    assert main(["import-catalogue", str(path)]) == 0
    out = capsys.readouterr().out
    assert "CSV，GB18030 编码" in out and "已导入：新增 3 项、更新 0 项、移除 0 项。" in out
    assert _imported(db) == 3


@pytest.mark.parametrize("dry", [True, False])
def test_bad_rows_are_listed_row_by_row_and_nothing_is_written(tmp_path, db, capsys, dry):
    rows = sample_rows()
    rows[0]["受理条件"] = ""
    rows[2]["收费标准"] = ""
    rows.append({"事项名称": "【示例】多余的列", "设定依据": "x"})
    path = write_csv(tmp_path / "bad.csv", rows, columns=[*rows[0].keys(), "设定依据"])
    assert main(["import-catalogue", str(path), *(["--dry-run"] if dry else [])]) == 2
    captured = capsys.readouterr()
    assert "未使用的列：设定依据" in captured.out and "校验通过" not in captured.out
    lines = captured.err.splitlines()
    assert lines[0] == "有误：3 行，共 9 处。"
    assert "第2行 受理条件 不能为空" in lines and "第4行 收费标准 不能为空" in lines
    assert "第5行 事项编码 不能为空" in lines and "第5行 办结时限 承诺办结时限和法定办结时限都为空" in lines
    assert lines[-1] == "整个文件未导入，数据库未改动。"
    assert _imported(db) == 0


def test_unreadable_file_is_reported_without_a_row(tmp_path, db, capsys):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["import-catalogue", str(path)]) == 2
    assert "文件：不支持旧版 .xls 文件" in capsys.readouterr().err
