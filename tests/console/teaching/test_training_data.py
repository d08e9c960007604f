"""Console edits to the NLU data: surgical, verified, refused when they would do harm.

Everything runs on copies of data/nlu and domain.yml in tmp_path.
"""
from __future__ import annotations

import shutil

import pytest
import yaml

from bot.config import PROJECT_ROOT
from console.teaching.errors import (
    DataFileError,
    DuplicateExampleError,
    InvalidExampleError,
    InvalidIntentError,
    TrainingDataError,
    UnknownIntentError,
)
from console.teaching.nlu_files import scan_nlu
from console.teaching.training_data import add_example, add_intent, mark_out_of_scope, remove_example
from console.teaching.yaml_lines import (
    append_domain_intent_text,
    append_intent_text,
    insert_example_text,
    remove_example_text,
)
from tests.support.nlu_edits import HELDOUT, examples_of, only_insertions, rasa_validate, snapshot


def test_example_lands_at_the_end_of_its_intent(data):
    nlu, domain = data
    before = snapshot(nlu)
    path = add_example(nlu, "svc_sbk_apply", "请问社保卡在哪个窗口申请比较快？", domain)
    assert path == nlu / "social_security.yml"
    after = snapshot(nlu)
    assert {k for k in before if before[k] != after[k]} == {"social_security.yml"}
    [(at, line)] = only_insertions(before["social_security.yml"], after["social_security.yml"])
    assert line == "    - 请问社保卡在哪个窗口申请比较快?\n"  # stored normalized
    assert after["social_security.yml"].decode().splitlines()[at + 1] == "- intent: svc_sbk_replace"
    assert examples_of(path, "svc_sbk_apply")[-1] == "请问社保卡在哪个窗口申请比较快?"
    assert not list(nlu.glob(".*.tmp"))  # the temporary file was renamed, not left behind


def test_out_of_scope_goes_before_the_next_intents_comment(data):
    nlu, domain = data
    before = (nlu / "general.yml").read_bytes()
    path = mark_out_of_scope(nlu, "明天股市会涨吗")  # domain found next to the folder
    assert path == nlu / "general.yml"
    [(at, line)] = only_insertions(before, path.read_bytes())
    assert line == "    - 明天股市会涨吗\n"
    assert path.read_text(encoding="utf-8").splitlines()[at + 1].startswith("# Messages with no usable")
    assert examples_of(path, "out_of_scope")[-1] == "明天股市会涨吗"


def test_last_intent_of_a_file(data):
    nlu, domain = data
    before = (nlu / "general.yml").read_bytes()
    add_example(nlu, "unusable_input", "lorem ipsum", domain)
    after = (nlu / "general.yml").read_bytes()
    assert after == before + b"    - lorem ipsum\n"


@pytest.mark.parametrize("intent, text, owner", [
    ("thank", "谢谢你。", "thank"),  # already there, other punctuation
    ("greet", "謝謝你！", "thank"),  # traditional characters, another intent: a conflict
    ("greet", "我在 镜湖区", "inform_district"),  # matches the annotated "我在[镜湖区](district)"
])
def test_duplicates_and_conflicts_are_refused(data, intent, text, owner):
    nlu, domain = data
    before = snapshot(nlu)
    with pytest.raises(DuplicateExampleError) as refused:
        add_example(nlu, intent, text, domain)
    assert refused.value.intent == owner
    assert isinstance(refused.value, ValueError) and "训练样本" in str(refused.value)
    assert snapshot(nlu) == before


def test_heldout_examples_are_refused_when_asked(data):
    nlu, domain = data
    with pytest.raises(DuplicateExampleError, match="留出测试集"):
        add_example(nlu, "svc_sbk_apply", "刚生的小宝宝能办社保卡不", domain, heldout_dir=HELDOUT)


@pytest.mark.parametrize("intent, text, error", [
    ("svc_nonexistent", "随便说一句", UnknownIntentError),
    ("nlu_fallback", "随便说一句", UnknownIntentError),
    ("greet", "！！！ 👍", InvalidExampleError),
    ("greet", "", InvalidExampleError),
    ("greet", "很" * 201, InvalidExampleError),
])
def test_unknown_intents_and_bad_texts_are_refused(data, intent, text, error):
    nlu, domain = data
    before = snapshot(nlu)
    with pytest.raises(error) as refused:
        add_example(nlu, intent, text, domain)
    assert isinstance(refused.value, TrainingDataError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))
    assert snapshot(nlu) == before


def test_a_200_character_example_is_accepted(data):
    nlu, domain = data
    add_example(nlu, "out_of_scope", "好" * 200, domain)
    assert examples_of(nlu / "general.yml", "out_of_scope")[-1] == "好" * 200


def test_new_intent_in_nlu_and_domain(data):
    nlu, domain = data
    nlu_before, domain_before = (nlu / "general.yml").read_bytes(), domain.read_bytes()
    paths = add_intent(nlu, domain, "ask_office_hours", ["政务中心几点上班？", "办事大厅周末开门吗", "几点下班"],
                       "general")
    assert paths == (nlu / "general.yml", domain)
    inserted = only_insertions(nlu_before, (nlu / "general.yml").read_bytes())
    assert [line for _, line in inserted] == [
        "- intent: ask_office_hours\n", "  examples: |\n",
        "    - 政务中心几点上班?\n", "    - 办事大厅周末开门吗\n", "    - 几点下班\n"]
    [(at, line)] = only_insertions(domain_before, domain.read_bytes())
    assert line == "  - ask_office_hours\n"
    parsed = yaml.safe_load(domain.read_text(encoding="utf-8"))
    assert parsed["intents"][-1] == "ask_office_hours"
    assert "entities" in parsed and parsed["slots"]  # the rest of the domain is intact
    assert examples_of(nlu / "general.yml", "ask_office_hours") == [
        "政务中心几点上班?", "办事大厅周末开门吗", "几点下班"]
    # And now it takes examples like any other intent.
    assert add_example(nlu, "ask_office_hours", "中午休息吗", domain) == nlu / "general.yml"


def test_new_intent_in_a_new_topic_file(data):
    nlu, domain = data
    path, _ = add_intent(nlu, domain, "ask_parking", ["政务中心能停车吗", "办事大厅停车收费吗"], "facilities.yml")
    assert path == nlu / "facilities.yml"
    assert path.read_text(encoding="utf-8") == (
        'version: "3.1"\nnlu:\n- intent: ask_parking\n  examples: |\n'
        "    - 政务中心能停车吗\n    - 办事大厅停车收费吗\n")
    assert scan_nlu(nlu).intent_files["ask_parking"] == path


@pytest.mark.parametrize("intent, examples, topic, error", [
    ("Ask_Hours", ["几点上班", "几点下班"], "general", InvalidIntentError),
    ("ab", ["几点上班", "几点下班"], "general", InvalidIntentError),
    ("utter_hours", ["几点上班", "几点下班"], "general", InvalidIntentError),
    ("nlu_fallback", ["几点上班", "几点下班"], "general", InvalidIntentError),
    ("greet", ["几点上班", "几点下班"], "general", InvalidIntentError),  # exists
    ("ask_hours", ["几点上班"], "general", InvalidIntentError),  # too few
    ("ask_hours", ["几点上班", "幾點上班！"], "general", DuplicateExampleError),  # same twice
    ("ask_hours", ["几点上班", "谢谢你"], "general", DuplicateExampleError),  # thank has it
    ("ask_hours", ["几点上班", "几点下班"], "../domain", DataFileError),
])
def test_bad_new_intents_change_nothing(data, intent, examples, topic, error):
    nlu, domain = data
    before, domain_before = snapshot(nlu), domain.read_bytes()
    with pytest.raises(error):
        add_intent(nlu, domain, intent, examples, topic)
    assert snapshot(nlu) == before and domain.read_bytes() == domain_before


def test_surgery_keeps_crlf_comments_and_odd_layouts():
    source = ('version: "3.1"\r\nnlu:\r\n- intent: a_one  # first\r\n  examples: |-\r\n'
              "    - 甲\r\n\r\n    - 乙\r\n\r\n# about b\r\n- intent: b_two\r\n  examples: |\r\n    - 丙")
    edited = insert_example_text(source, "a_one", "丁")
    assert edited == source.replace("    - 乙\r\n", "    - 乙\r\n    - 丁\r\n")
    assert insert_example_text(source, "b_two", "戊").endswith("    - 丙\r\n    - 戊\r\n")
    with pytest.raises(DataFileError):
        insert_example_text(source, "c_three", "己")
    listed = 'nlu:\n  - intent: x_list\n    examples:\n      - text: 甲\n'
    with pytest.raises(DataFileError):
        insert_example_text(listed, "x_list", "乙")
    # A section after nlu: the new intent still goes into nlu.
    other = 'nlu:\n- intent: a_one\n  examples: |\n    - 甲\n\nresponses: {}\n'
    assert append_intent_text(other, "b_two", ["乙", "丙"]) == (
        'nlu:\n- intent: a_one\n  examples: |\n    - 甲\n- intent: b_two\n  examples: |\n'
        '    - 乙\n    - 丙\n\nresponses: {}\n')
    assert append_domain_intent_text("intents:\n- a_one\nslots: {}\n", "b_two") == \
        "intents:\n- a_one\n- b_two\nslots: {}\n"
    with pytest.raises(DataFileError):
        append_domain_intent_text("intents: [a_one]\n", "b_two")


def test_rasa_accepts_the_edited_data(tmp_path):
    """`rasa data validate` on both kinds of edit, run side by side to save time."""
    runs = {}
    for case in ("example", "intent"):
        root = tmp_path / case
        shutil.copytree(PROJECT_ROOT / "data" / "nlu", root / "nlu")
        shutil.copyfile(PROJECT_ROOT / "domain.yml", root / "domain.yml")
    add_example(tmp_path / "example" / "nlu", "svc_hf_rent", "租房了公积金每个月能取多少",
                tmp_path / "example" / "domain.yml")
    mark_out_of_scope(tmp_path / "example" / "nlu", "今晚吃什么好")
    add_intent(tmp_path / "intent" / "nlu", tmp_path / "intent" / "domain.yml", "ask_office_hours",
               ["政务中心几点上班", "办事大厅周末开门吗"], "general")
    # A new intent has no rule yet, which Rasa reports as a warning: no --fail-on-warnings there.
    runs["example"] = rasa_validate(tmp_path / "example" / "nlu", tmp_path / "example" / "domain.yml",
                                "--fail-on-warnings")
    runs["intent"] = rasa_validate(tmp_path / "intent" / "nlu", tmp_path / "intent" / "domain.yml")
    for case, process in runs.items():
        output, _ = process.communicate(timeout=180)
        assert process.returncode == 0, (case, output[-3000:])


def test_an_edit_that_fails_verification_is_not_written(data, monkeypatch):
    """If the surgery ever produced something else than planned, nothing is written."""
    from console.teaching import training_data

    nlu, domain = data
    before = snapshot(nlu)
    monkeypatch.setattr(training_data, "insert_example_text",
                        lambda source, intent, example: source.replace("- intent: greet", "- intent: [greet"))
    with pytest.raises(DataFileError, match="YAML"):
        add_example(nlu, "greet", "早上好呀朋友", domain)
    monkeypatch.setattr(training_data, "insert_example_text",
                        lambda source, intent, example: source.replace("    - 你好\n", f"    - {example}\n", 1))
    with pytest.raises(DataFileError, match="校验失败"):
        add_example(nlu, "greet", "早上好呀朋友", domain)
    assert snapshot(nlu) == before


def test_concurrent_edits_all_land(data):
    from concurrent.futures import ThreadPoolExecutor

    nlu, domain = data
    texts = ["社保卡可以寄到家里吗", "社保卡能让家人代领吗", "社保卡办好了发短信吗", "社保卡制卡要几天"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda t: add_example(nlu, "svc_sbk_apply", t, domain), texts))
    assert sorted(examples_of(nlu / "social_security.yml", "svc_sbk_apply")[-4:]) == sorted(texts)


# --------------------------------------------------------------------------- taking an example back

def test_a_removed_example_leaves_the_file_as_it_was(data):
    nlu, domain = data
    before = snapshot(nlu)
    add_example(nlu, "svc_sbk_apply", "社保卡去哪个窗口拿", domain)
    assert remove_example(nlu, "svc_sbk_apply", "社保卡去哪个窗口拿") == nlu / "social_security.yml"
    assert snapshot(nlu) == before  # byte for byte: comments, order, the other examples


def test_an_example_in_the_middle_of_its_block_goes_alone(data):
    nlu, _ = data
    path = nlu / "general.yml"
    before = path.read_text(encoding="utf-8")
    middle = examples_of(path, "thank")[3]
    remove_example(nlu, "thank", f" {middle}！")  # found by its normalized form
    after = path.read_text(encoding="utf-8")
    assert examples_of(path, "thank") == [e for e in examples_of_text(before, "thank") if e != middle]
    assert len(before.splitlines()) - 1 == len(after.splitlines())


def examples_of_text(text: str, intent: str) -> list[str]:
    item = next(i for i in yaml.safe_load(text)["nlu"] if i.get("intent") == intent)
    return [ln[2:] for ln in item["examples"].splitlines()]


def test_nothing_to_take_back_is_no_edit(data):
    nlu, _ = data
    before = snapshot(nlu)
    assert remove_example(nlu, "svc_sbk_apply", "从来没有加过的一句话") is None
    assert remove_example(nlu, "svc_idcard", examples_of(nlu / "social_security.yml", "svc_sbk_apply")[0]) is None
    assert snapshot(nlu) == before


def test_an_intent_is_never_left_with_fewer_than_two_examples(data):
    nlu, domain = data
    add_intent(nlu, domain, "ask_parking", ["大厅能停车吗", "停车场在哪"], "parking")
    before = snapshot(nlu)
    with pytest.raises(TrainingDataError, match="不足 2 条"):
        remove_example(nlu, "ask_parking", "停车场在哪")
    assert snapshot(nlu) == before


def test_line_removal_keeps_crlf_and_comments():
    source = "nlu:\r\n- intent: a  # note\r\n  examples: |\r\n    - 一\r\n    # keep\r\n    - 二\r\n- intent: b\r\n"
    assert remove_example_text(source, "a", lambda e: e == "二") == \
        "nlu:\r\n- intent: a  # note\r\n  examples: |\r\n    - 一\r\n    # keep\r\n- intent: b\r\n"
    assert remove_example_text(source, "b", lambda e: True) is None  # no examples block
    assert remove_example_text(source, "c", lambda e: True) is None
