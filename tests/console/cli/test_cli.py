"""`python -m console user ...`, in-process through main() and once as a real subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

import pytest

from bot.config import PROJECT_ROOT
from console.auth.accounts import LoginRefused, RefusalReason, authenticate, create_user, list_users
from console.auth.audit import recent
from console.cli import users as cli_users
from console.cli.main import main

PASSWORD = "jinghu-district-42"
T0 = datetime(2025, 3, 1, 9, 0, 0)


@pytest.fixture()
def env(console_db_url, monkeypatch) -> str:
    monkeypatch.setenv("GOV_DATABASE_URL", console_db_url)
    monkeypatch.setenv("CONSOLE_PASSWORD", PASSWORD)
    return console_db_url


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_disable(env, console_db, capsys):
    code, out, _ = run(["user", "add", "zhang.san", "--role", "admin"], capsys)
    assert code == 0 and "已创建账号 zhang.san，角色：admin（管理员）" in out
    code, out, _ = run(["user", "add", "li-si", "--role", "reviewer"], capsys)
    assert code == 0
    assert authenticate(console_db, "zhang.san", PASSWORD, "127.0.0.1", now=T0).username == "zhang.san"

    code, out, _ = run(["user", "list"], capsys)
    assert code == 0 and "共 2 个账号" in out
    lines = out.splitlines()
    assert lines[1].startswith("li-si\treviewer（审核员）\t启用")
    assert lines[2].startswith("zhang.san\tadmin（管理员）\t启用")
    assert PASSWORD not in out and "argon2" not in out

    code, out, _ = run(["user", "disable", "li-si"], capsys)
    assert code == 0 and "已停用账号 li-si" in out
    code, out, _ = run(["user", "list"], capsys)
    assert "li-si\treviewer（审核员）\t停用" in out
    with pytest.raises(LoginRefused) as caught:
        authenticate(console_db, "li-si", PASSWORD, "127.0.0.1", now=T0)
    assert caught.value.reason is RefusalReason.DISABLED
    code, out, _ = run(["user", "disable", "li-si"], capsys)
    assert code == 0 and "已是停用状态" in out
    code, out, _ = run(["user", "enable", "li-si"], capsys)
    assert code == 0 and "已启用账号 li-si" in out

    entries = recent(console_db)
    refusal = entries.pop()  # the login of the disabled account (at T0, so the oldest)
    assert refusal.action == "login_failed" and refusal.username == "li-si"
    assert refusal.detail == {"attempted": "li-si", "reason": "disabled"}
    assert [e.action for e in entries] == ["user.enable", "user.disable", "user.add", "user.add"]
    assert {e.username for e in entries} == {"cli"}
    assert entries[-1].detail["username"] == "zhang.san" and entries[-1].detail["role"] == "admin"
    assert "os_user" in entries[-1].detail


def test_passwd(env, console_db, capsys, monkeypatch):
    run(["user", "add", "wang.wu", "--role", "trainer"], capsys)
    monkeypatch.setenv("CONSOLE_PASSWORD", "a-brand-new-secret")
    code, out, _ = run(["user", "passwd", "wang.wu"], capsys)
    assert code == 0 and "已为 wang.wu 设置新密码" in out
    assert authenticate(console_db, "wang.wu", "a-brand-new-secret", "127.0.0.1", now=T0).role.value == "trainer"
    assert recent(console_db)[0].action == "user.passwd"
    code, _, err = run(["user", "passwd", "nobody"], capsys)
    assert code == 1 and "没有找到账号 nobody" in err


def test_password_typed_twice(env, console_db, capsys, monkeypatch):
    monkeypatch.delenv("CONSOLE_PASSWORD")
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(cli_users.getpass, "getpass", lambda prompt="": next(typed))
    assert run(["user", "add", "typed.in", "--role", "reviewer"], capsys)[0] == 0
    typed = iter([PASSWORD, PASSWORD + "x"])
    code, _, err = run(["user", "add", "typo.user", "--role", "reviewer"], capsys)
    assert code == 2 and "两次输入的密码不一致" in err

    def cancel(prompt=""):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_users.getpass, "getpass", cancel)
    code, _, err = run(["user", "add", "gave.up", "--role", "reviewer"], capsys)
    assert code == 1 and "已取消" in err
    assert [a.username for a in list_users(console_db)] == ["typed.in"]


@pytest.mark.parametrize("argv, message", [
    (["user", "add", "zhao", "--role", "boss"], "没有“boss”这个角色"),
    (["user", "add", "1zhao", "--role", "admin"], "小写字母开头"),
    (["user", "add", "zh", "--role", "admin"], "小写字母开头"),
    (["user", "add", "zhao"], "命令格式有误"),
    (["user", "frobnicate"], "命令格式有误"),
    ([], "命令格式有误"),
])
def test_bad_input_exits_2(env, console_db, capsys, argv, message):
    code, out, err = run(argv, capsys)
    assert code == 2 and message in err and out == ""
    assert list_users(console_db) == [] and recent(console_db) == []


@pytest.mark.parametrize("password, message", [("short", "至少需要 10 个字符"), ("12345678901", "不能全是数字")])
def test_weak_password_exits_2(env, console_db, capsys, monkeypatch, password, message):
    monkeypatch.setenv("CONSOLE_PASSWORD", password)
    code, _, err = run(["user", "add", "zhao", "--role", "admin"], capsys)
    assert code == 2 and message in err
    assert list_users(console_db) == [] and recent(console_db) == []


def test_state_errors_exit_1(env, console_db, capsys):
    run(["user", "add", "zhao", "--role", "admin"], capsys)
    code, _, err = run(["user", "add", "Zhao", "--role", "reviewer"], capsys)
    assert code == 1 and "zhao 已被使用" in err
    code, _, err = run(["user", "disable", "nobody"], capsys)
    assert code == 1 and "没有找到账号 nobody" in err
    assert len(recent(console_db)) == 1


def test_empty_list_explains_how_to_start(env, capsys):
    code, out, _ = run(["user", "list"], capsys)
    assert code == 0 and "还没有账号" in out and "--role admin" in out


def test_help_returns_0(env, capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "user" in out


def test_subprocess_user_list(env, capsys):
    assert run(["user", "add", "zhang.san", "--role", "admin"], capsys)[0] == 0
    result = subprocess.run(
        [sys.executable, "-m", "console", "user", "list"], cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=120, env={**os.environ, "GOV_DATABASE_URL": env},
    )
    assert result.returncode == 0, result.stderr
    assert "zhang.san\tadmin（管理员）\t启用" in result.stdout and "共 1 个账号" in result.stdout


def test_list_shows_local_times(env, console_db, capsys, monkeypatch):
    create_user(console_db, "zhao", PASSWORD, "trainer", now=datetime(2025, 3, 1, 16, 30))
    create_user(console_db, "qian", PASSWORD, "reviewer", now=datetime(2025, 3, 1, 8, 0))
    authenticate(console_db, "zhao", PASSWORD, "127.0.0.1", now=datetime(2025, 3, 5, 23, 59))
    code, out, _ = run(["user", "list"], capsys)
    assert code == 0 and "创建时间（北京时间）\t最近登录" in out
    assert "zhao\ttrainer（训练员）\t启用\t2025-03-02 00:30\t2025-03-06 07:59" in out  # UTC 16:30 is next day 00:30
    assert "qian\treviewer（审核员）\t启用\t2025-03-01 16:00\t从未登录" in out
    monkeypatch.setenv("GOV_TIMEZONE", "UTC")
    assert "zhao\ttrainer（训练员）\t启用\t2025-03-01 16:30" in run(["user", "list"], capsys)[1]
    monkeypatch.setenv("GOV_TIMEZONE", "Mars/Olympus_Mons")
    code, out, err = run(["user", "list"], capsys)
    assert code == 2 and "GOV_TIMEZONE" in err and out == ""


def test_role_command(env, console_db, capsys):
    run(["user", "add", "zhao", "--role", "admin"], capsys)
    run(["user", "add", "qian", "--role", "reviewer"], capsys)
    code, out, _ = run(["user", "role", "qian", "trainer"], capsys)
    assert code == 0 and "已将账号 qian 的角色改为 trainer（训练员）" in out
    assert [a.role.value for a in list_users(console_db)] == ["trainer", "admin"]
    code, out, _ = run(["user", "role", "qian", "TRAINER"], capsys)
    assert code == 0 and "未做改动" in out
    code, _, err = run(["user", "role", "qian", "boss"], capsys)
    assert code == 2 and "没有“boss”这个角色" in err
    entry = recent(console_db)[0]
    assert (entry.username, entry.action) == ("cli", "user.role")
    assert entry.detail["username"] == "qian" and entry.detail["role"] == "trainer"
    assert entry.detail["previous"] == "reviewer"


def test_the_last_enabled_admin_stays(env, console_db, capsys):
    run(["user", "add", "zhao", "--role", "admin"], capsys)
    for argv in (["user", "disable", "zhao"], ["user", "role", "zhao", "trainer"]):
        code, _, err = run(argv, capsys)
        assert code == 1 and "最后一个启用的管理员" in err
    assert [(a.role.value, a.active) for a in list_users(console_db)] == [("admin", True)]
    run(["user", "add", "qian", "--role", "admin"], capsys)
    code, out, _ = run(["user", "disable", "zhao"], capsys)
    assert code == 0 and "已停用账号 zhao" in out


def test_an_agent_account_is_made_from_the_command_line(env, console_db, capsys):
    code, out, _ = run(["user", "add", "wang.zuoxi", "--role", "Agent"], capsys)
    assert code == 0 and "已创建账号 wang.zuoxi，角色：agent（坐席）" in out
    assert [a.role.value for a in list_users(console_db)] == ["agent"]
