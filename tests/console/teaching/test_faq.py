"""FAQs (retrieval intent faq/<key>) added from the console: surgical, verified, refused when harmful.

Everything runs on copies of data/nlu and domain.yml in tmp_path.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.text import normalize
from console.teaching import faq as faq_module
from console.teaching.errors import (
    DataFileError,
    DuplicateExampleError,
    TrainingDataError,
    UnknownIntentError,
)
from console.teaching.faq import Faq, add_faq, add_faq_example, faq_file, list_faqs
from console.teaching.nlu_files import assignable_intents, domain_intents
from console.teaching.training_data import add_example
from tests.support.nlu_edits import HELDOUT, RASA, only_insertions, rasa_validate, snapshot

SAMPLE_NOTE = "（示例内容，以窗口最新要求为准）"
PARKING = ["大厅附近好停车吗", "去政务中心开车停哪里"]
TRICKY_ANSWER = ('回答: "引号" \'单引号\' #不是注释 {花括号} [方括号] & * ! % | > @ `\n'
                 "- 以短横线开头的一行\n\\反斜杠\\n 不是换行\n\n  缩进的一行\r\n第二段😀 结束")


def faq_text(nlu: Path) -> str:
    return faq_file(nlu).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the seed data

def test_the_seed_faqs_are_sample_content_and_well_formed():
    faqs = list_faqs(PROJECT_ROOT / "data" / "nlu")
    assert len(faqs) >= 6
    for faq in faqs:
        assert 10 <= len(faq.examples) <= 15, faq.key
        assert faq.answer.endswith(SAMPLE_NOTE), faq.key
        assert all(normalize(e) == e for e in faq.examples), faq.key
    header = faq_text(PROJECT_ROOT / "data" / "nlu").split("version:")[0]
    assert "示例内容" in header and "常见问题" in header and "python -m console faq add" in header


def test_rasa_reads_the_seed_faqs():
    from rasa.shared.nlu.training_data.loading import load_data

    loaded = load_data(str(faq_file(PROJECT_ROOT / "data" / "nlu")))
    assert loaded.retrieval_intents == {"faq"}
    keys = {m.get("intent_response_key") for m in loaded.intent_examples}
    assert keys == {f"faq/{f.key}" for f in list_faqs(PROJECT_ROOT / "data" / "nlu")}
    assert set(loaded.responses) == {f"utter_{k}" for k in keys}


# --------------------------------------------------------------------------- adding

def test_a_new_faq_is_appended_and_nothing_else_changes(data):
    nlu, domain = data
    before = snapshot(nlu)
    added = add_faq(nlu, "parking", PARKING + ["停车要钱吗？"], "请看大厅公告。" + SAMPLE_NOTE, domain)
    assert added == Faq("parking", PARKING + ["停车要钱吗?"], "请看大厅公告。" + SAMPLE_NOTE)
    after = snapshot(nlu)
    assert {k for k in before if before[k] != after[k]} == {"faq.yml"}
    inserted = only_insertions(before["faq.yml"], after["faq.yml"])
    assert [line for _, line in inserted] == [
        "- intent: faq/parking\n", "  examples: |\n", "    - 大厅附近好停车吗\n",
        "    - 去政务中心开车停哪里\n", "    - 停车要钱吗?\n",
        "  utter_faq/parking:\n", f'    - text: "请看大厅公告。{SAMPLE_NOTE}"\n']
    lines = after["faq.yml"].decode().splitlines()
    assert lines[inserted[4][0] + 1] == "responses:"  # the nlu block ends before responses
    assert inserted[-1][0] == len(lines) - 1  # the answer ends the file
    assert list_faqs(nlu)[-1] == added
    assert not list(nlu.glob(".*.tmp"))


def test_escaping_round_trips_through_ruamel_and_rasa(data):
    from rasa.shared.nlu.training_data.loading import load_data

    nlu, domain = data
    examples = ['"停车"在哪: #2号门', "- 停车场收费吗", "停車場\n晚上開嗎"]
    added = add_faq(nlu, "parking", examples, TRICKY_ANSWER, domain)
    expected = ('回答: "引号" \'单引号\' #不是注释 {花括号} [方括号] & * ! % | > @ `\n'
                "- 以短横线开头的一行\n\\反斜杠\\n 不是换行\n\n  缩进的一行\n第二段😀 结束")
    assert added.answer == expected
    assert added.examples == [normalize(e) for e in examples] == ["停车,在哪,2号门", "停车场收费吗", "停车场晚上开吗"]
    assert list_faqs(nlu)[-1] == added
    assert yaml.safe_load(faq_text(nlu))["responses"]["utter_faq/parking"] == [{"text": expected}]
    loaded = load_data(str(faq_file(nlu)))
    assert loaded.responses["utter_faq/parking"][0]["text"] == expected
    mine = [m for m in loaded.intent_examples if m.get("intent_response_key") == "faq/parking"]
    assert [m.get("text") for m in mine] == added.examples and {m.get("intent") for m in mine} == {"faq"}
    # The whole folder still loads, with every other FAQ intact.
    everything = load_data(str(nlu))
    assert {f"utter_faq/{f.key}" for f in list_faqs(nlu)} <= set(everything.responses)


def test_control_characters_are_stripped_from_the_answer(data):
    nlu, domain = data
    added = add_faq(nlu, "parking", PARKING, "第一行\x00\x07\u200b\u2028第二行\t完\x1b[31m", domain)
    assert added.answer == "第一行\n第二行 完[31m"
    assert list_faqs(nlu)[-1].answer == added.answer


def test_a_phrasing_is_added_to_an_existing_faq(data):
    nlu, domain = data
    before = faq_file(nlu).read_bytes()
    faq = add_faq_example(nlu, "office_hours", "国庆节大厅上不上班？", domain)
    assert faq.examples[-1] == "国庆节大厅上不上班?"
    [(at, line)] = only_insertions(before, faq_file(nlu).read_bytes())
    assert line == "    - 国庆节大厅上不上班?\n"
    assert faq_text(nlu).splitlines()[at + 1] == "- intent: faq/bring_what_general"
    # The inbox path (training_data.add_example) takes faq/<key> too.
    assert add_example(nlu, "faq/privacy", "我发的照片你们存着吗", domain) == faq_file(nlu)
    assert list_faqs(nlu)[-1].examples[-1] == "我发的照片你们存着吗"


def test_faq_file_without_responses_or_missing(tmp_path):
    nlu = tmp_path / "nlu"
    nlu.mkdir()
    domain = tmp_path / "domain.yml"
    domain.write_text("version: '3.1'\nintents:\n  - greet\n  - faq\n", encoding="utf-8")
    added = add_faq(nlu, "parking", PARKING, "一\n二", domain)
    assert faq_text(nlu) == ('version: "3.1"\nnlu:\n- intent: faq/parking\n  examples: |\n'
                             '    - 大厅附近好停车吗\n    - 去政务中心开车停哪里\n'
                             'responses:\n  utter_faq/parking:\n    - text: "一\\n二"\n')
    assert list_faqs(nlu) == [added]
    # CRLF and a file with an nlu section only.
    faq_file(nlu).write_bytes(b'version: "3.1"\r\nnlu:\r\n- intent: faq/a_b\r\n  examples: |\r\n'
                              b"    - \xe7\x94\xb2\r\n    - \xe4\xb9\x99\r\n")
    add_faq(nlu, "c_d", ["丙", "丁"], "答", domain)
    assert faq_file(nlu).read_bytes().endswith(
        "    - 乙\r\n- intent: faq/c_d\r\n  examples: |\r\n    - 丙\r\n    - 丁\r\n"
        'responses:\r\n  utter_faq/c_d:\r\n    - text: "答"\r\n'.encode())
    assert [f.key for f in list_faqs(nlu)] == ["a_b", "c_d"]
    assert list_faqs(tmp_path / "nowhere") == []


# --------------------------------------------------------------------------- refusals

LONG = "很" * 201


@pytest.mark.parametrize("key, examples, answer, error", [
    ("Parking", PARKING, "答", "问题标识"),
    ("p", PARKING, "答", "问题标识"),
    ("2parking", PARKING, "答", "问题标识"),
    ("停车", PARKING, "答", "问题标识"),
    ("parking/x", PARKING, "答", "问题标识"),
    ("a" * 42, PARKING, "答", "问题标识"),
    ("office_hours", PARKING, "答", "已经用过"),
    ("parking", PARKING[:1], "答", "2 到 50"),
    ("parking", [f"停车问题第{i}种问法" for i in range(51)], "答", "2 到 50"),
    ("parking", [PARKING[0], PARKING[0] + "！"], "答", "重复填写"),
    ("parking", [PARKING[0], "！！！"], "答", "样本为空"),
    ("parking", [PARKING[0], LONG], "答", "样本太长"),
    ("parking", [PARKING[0], "谢谢你"], "答", "thank"),
    ("parking", [PARKING[0], "政务中心几点开门"], "答", "faq/office_hours"),
    ("parking", PARKING, "", "回答不能为空"),
    ("parking", PARKING, " \x00\x07\n\t ", "回答不能为空"),
    ("parking", PARKING, "长" * 1001, "回答太长"),
])
def test_refusals_write_nothing(data, key, examples, answer, error):
    nlu, domain = data
    before = snapshot(nlu)
    with pytest.raises(TrainingDataError, match=error) as refused:
        add_faq(nlu, key, examples, answer, domain)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))
    assert snapshot(nlu) == before


def test_the_limits_themselves_are_accepted(data):
    nlu, domain = data
    examples = [f"停车问题第{i}种问法" for i in range(49)] + ["好" * 200]
    added = add_faq(nlu, "a" * 41, examples, "长" * 1000, domain)
    assert len(added.examples) == 50 and len(added.answer) == 1000 and len(list_faqs(nlu)[-1].examples) == 50


def test_heldout_phrasings_are_refused(data):
    nlu, domain = data
    heldout = next(iter(yaml.safe_load((HELDOUT / "social_security.yml").read_text(encoding="utf-8"))["nlu"]))
    held_text = heldout["examples"].splitlines()[0][2:]
    before = snapshot(nlu)
    with pytest.raises(DuplicateExampleError, match="留出测试集"):
        add_faq(nlu, "parking", [PARKING[0], held_text], "答", domain, heldout_dir=HELDOUT)
    with pytest.raises(DuplicateExampleError, match="留出测试集"):
        add_faq_example(nlu, "office_hours", held_text, domain, heldout_dir=HELDOUT)
    assert snapshot(nlu) == before


def test_phrasing_refusals_write_nothing(data):
    nlu, domain = data
    before = snapshot(nlu)
    with pytest.raises(UnknownIntentError, match="没有标识为 parking"):
        add_faq_example(nlu, "parking", "大厅附近好停车吗", domain)
    with pytest.raises(TrainingDataError, match="问题标识"):
        add_faq_example(nlu, "../x", "大厅附近好停车吗", domain)
    with pytest.raises(DuplicateExampleError, match="faq/office_hours"):
        add_faq_example(nlu, "privacy", "政务中心几点开门", domain)
    with pytest.raises(DuplicateExampleError):
        add_faq_example(nlu, "office_hours", "政务中心几点开门。", domain)
    with pytest.raises(UnknownIntentError, match="faq/parking"):
        add_example(nlu, "faq/parking", "大厅附近好停车吗", domain)
    assert snapshot(nlu) == before


def test_refused_when_the_domain_lacks_the_retrieval_intent(data):
    nlu, domain = data
    domain.write_text(domain.read_text(encoding="utf-8").replace("\n  - faq\n", "\n"), encoding="utf-8")
    assert "faq" not in domain_intents(domain)
    before = snapshot(nlu)
    with pytest.raises(UnknownIntentError, match="faq"):
        add_faq(nlu, "parking", PARKING, "答", domain)
    with pytest.raises(UnknownIntentError, match="faq"):
        add_faq_example(nlu, "office_hours", "国庆节大厅上不上班", domain)
    assert snapshot(nlu) == before


def test_an_edit_that_fails_verification_is_not_written(data, monkeypatch):
    nlu, domain = data
    before = snapshot(nlu)
    monkeypatch.setattr(faq_module, "append_response_text",
                        lambda source, name, answer: source + f"  {name}:\n    - text: other\n")
    with pytest.raises(DataFileError, match="校验失败"):
        add_faq(nlu, "parking", PARKING, "答", domain)
    monkeypatch.setattr(faq_module, "append_response_text",
                        lambda source, name, answer: source + f"  {name}: [\n")
    with pytest.raises(DataFileError, match="YAML"):
        add_faq(nlu, "parking", PARKING, "答", domain)
    assert snapshot(nlu) == before


# --------------------------------------------------------------------------- the inbox list

def test_inbox_offers_each_faq_question_not_the_bare_retrieval_intent(data):
    nlu, domain = data
    intents = assignable_intents(nlu, domain)
    faqs = [f"faq/{f.key}" for f in list_faqs(nlu)]
    assert "faq" not in intents and faqs and all(name in intents for name in faqs)
    assert [i for i in intents if not i.startswith("faq/")] == [i for i in domain_intents(domain) if i != "faq"]
    add_faq(nlu, "parking", PARKING, "答", domain)
    assert "faq/parking" in assignable_intents(nlu, domain)


def test_rasa_validates_the_edited_data(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", root / "data" / "nlu")
    shutil.copytree(PROJECT_ROOT / "data" / "rules", root / "data" / "rules")
    shutil.copyfile(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    add_faq(root / "data" / "nlu", "parking", PARKING, TRICKY_ANSWER, root / "domain.yml")
    add_faq_example(root / "data" / "nlu", "parking", "停车场几点关门", root / "domain.yml")
    process = rasa_validate(root / "data", root / "domain.yml", "--fail-on-warnings")
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output[-3000:]
    assert RASA.exists()
