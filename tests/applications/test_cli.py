"""Staff CLI: `applications list|show|advance`, called through its own parser."""
from __future__ import annotations

import argparse

import pytest

from bot.applications.service import applications_for_sender
from bot.cli_applications import register
from tests.support.applications import CARD_ID, ELDER_ID, ELDER_PHONE, submit_card, submit_elderly


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="python -m bot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def env_db(db_url, monkeypatch):
    monkeypatch.setenv("GOV_DATABASE_URL", db_url)
    return db_url


def test_list_all_and_by_sender_masked(sessions, env_db, capsys):
    elder = submit_elderly(sessions, sender="alice", key="a")
    card = submit_card(sessions, sender="bob", key="b")
    code, out, _ = run(["applications", "list"], capsys)
    assert code == 0 and "共 2 条" in out
    assert elder.display in out and card.display in out
    assert "340202********1239" in out and "138****5678" in out
    assert ELDER_ID not in out and ELDER_PHONE not in out and CARD_ID not in out
    code, out, _ = run(["applications", "list", "--sender", "bob"], capsys)
    assert code == 0 and card.display in out and elder.display not in out and "共 1 条" in out
    code, out, _ = run(["applications", "list", "--sender", "nobody"], capsys)
    assert code == 0 and "没有找到申请" in out


def test_show_prints_details_and_history(sessions, env_db, capsys):
    receipt = submit_elderly(sessions)
    code, out, _ = run(["applications", "show", receipt.display], capsys)
    assert code == 0
    for expected in (f"受理编号：{receipt.display}", "事项：高龄津贴申领", "当前状态：受理",
                     "申请人：李*山", "所在区县：镜湖区", "办理记录：", "受理  系统", "下一步可以改为：审核中"):
        assert expected in out
    assert ELDER_ID not in out and "李大山" not in out


def test_show_unknown_receipt(env_db, sessions, capsys):
    code, out, err = run(["applications", "show", "1234567890"], capsys)
    assert code == 1 and "没有找到受理编号" in err and out == ""


def test_advance_moves_the_application_and_progress_reflects_it(sessions, env_db, capsys):
    number = submit_elderly(sessions).receipt_no
    code, out, _ = run(["applications", "advance", number, "审核中", "--actor", "张科员"], capsys)
    assert code == 0 and "改为“审核中”" in out and "审核中  张科员" in out
    code, out, _ = run(["applications", "advance", number, "退回", "--reason", "请补充户口本复印件",
                        "--actor", "张科员"], capsys)
    assert code == 0 and "原因：请补充户口本复印件" in out
    (view,) = applications_for_sender(sessions, sender_id="alice")
    assert view.status == "退回" and view.latest_reason == "请补充户口本复印件"


def test_advance_errors_are_explained_in_chinese(sessions, env_db, capsys):
    number = submit_elderly(sessions).receipt_no
    code, _, err = run(["applications", "advance", number, "办结"], capsys)
    assert code == 2 and "不能从“受理”改为“办结”" in err and "可以改为：审核中" in err
    run(["applications", "advance", number, "reviewing"], capsys)
    code, _, err = run(["applications", "advance", number, "退回"], capsys)
    assert code == 2 and "必须写明原因" in err
    code, _, err = run(["applications", "advance", number, "完成了"], capsys)
    assert code == 2 and "没有“完成了”这个状态" in err
    code, _, err = run(["applications", "advance", "1234567890", "审核中"], capsys)
    assert code == 1 and "没有找到" in err
    run(["applications", "advance", number, "办结"], capsys)
    code, _, err = run(["applications", "advance", number, "退回", "--reason", "x"], capsys)
    assert code == 2 and "不能再改" in err
    (view,) = applications_for_sender(sessions, sender_id="alice")
    assert [h.status for h in view.history] == ["受理", "审核中", "办结"]
    assert view.history[1].actor == "工作人员"
