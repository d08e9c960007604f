"""`python -m console faq list|add`, in-process through main() on a copy of the data."""
from __future__ import annotations

import shutil

import pytest

from bot.config import PROJECT_ROOT
from console.auth.audit import recent
from console.cli.main import main
from console.teaching.faq import faq_file, list_faqs


@pytest.fixture()
def project(tmp_path, console_db_url, monkeypatch):
    """(nlu folder, domain.yml) copied from the project; the CLI's audit goes to a test database."""
    monkeypatch.setenv("GOV_DATABASE_URL", console_db_url)
    nlu = tmp_path / "nlu"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", nlu)
    shutil.copyfile(PROJECT_ROOT / "domain.yml", tmp_path / "domain.yml")
    return nlu, tmp_path / "domain.yml"


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_faq(project, capsys):
    nlu, _ = project
    code, out, _ = run(["faq", "list", "--nlu-dir", str(nlu)], capsys)
    faqs = list_faqs(nlu)
    assert code == 0 and f"共 {len(faqs)} 个常见问题" in out
    for faq in faqs:
        assert f"{faq.key}（{len(faq.examples)} 条问法）" in out and faq.examples[0] in out


def test_add_then_refuse_the_same_key(project, console_db, capsys):
    nlu, domain = project
    paths = ["--nlu-dir", str(nlu), "--domain", str(domain)]
    code, out, err = run(["faq", "add", "parking", "--answer", "请看大厅公告。\n谢谢", "--example", "大厅附近好停车吗",
                          "--example", "去政务中心开车停哪里", *paths], capsys)
    assert code == 0 and "已添加常见问题 parking（2 条问法）" in out and not err
    assert list_faqs(nlu)[-1].answer == "请看大厅公告。\n谢谢"
    entry = recent(console_db)[0]
    assert (entry.username, entry.action, entry.detail["key"]) == ("cli", "faq_add", "parking")

    before = faq_file(nlu).read_bytes()
    code, out, err = run(["faq", "add", "parking", "--answer", "答", "--example", "停车一",
                          "--example", "停车二", *paths], capsys)
    assert code == 2 and "已经用过" in err and not out
    code, _, err = run(["faq", "add", "bad", "--answer", "答", "--example", "只有一条", *paths], capsys)
    assert code == 2 and "2 到 50" in err
    code, _, err = run(["faq", "add", "held", "--answer", "答", "--example", "停车三",
                        "--example", "刚生的小宝宝能办社保卡不", *paths], capsys)
    assert code == 2 and "留出测试集" in err  # the project's held-out set is checked by default
    code, _, err = run(["faq", "add", "no_answer", *paths, "--example", "停车四"], capsys)
    assert code == 2 and "--answer" in err
    assert faq_file(nlu).read_bytes() == before
    assert [e.action for e in recent(console_db)] == ["faq_add"]
