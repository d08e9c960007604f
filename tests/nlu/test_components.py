"""The custom NLU components, run as Rasa runs them (no model needed)."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.config import PROJECT_ROOT
from bot.nlu.input_guard import INPUT_PROBLEM_KEY, InputGuard
from bot.nlu.tokenizer import RAW_TEXT_KEY, NormalizingJiebaTokenizer


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    config = {**NormalizingJiebaTokenizer.get_default_config(),
              "dictionary_path": str(PROJECT_ROOT / "data" / "dict")}
    return NormalizingJiebaTokenizer.create(config, storage, Resource("tok"),
                                            ExecutionContext(GraphSchema({}), "test"))


def _process(tokenizer, text: str) -> Message:
    message = Message({TEXT: text})
    tokenizer.process([message])
    return message


def test_spaces_never_become_tokens(tokenizer):
    """RasaHQ/rasa#7910: jieba emits whitespace tokens for text with spaces."""
    message = _process(tokenizer, "社保卡  怎么 办理 ")
    words = [t.text for t in message.get("text_tokens")]
    assert all(w.strip() for w in words)
    assert "社保卡" in words


def test_text_is_normalised_and_corrected_and_the_original_kept(tokenizer):
    message = _process(tokenizer, "社報卡　怎麼辦？？")
    assert message.get(TEXT) == "社保卡怎么办?"
    assert message.get(RAW_TEXT_KEY) == "社報卡　怎麼辦？？"


def test_government_terms_are_single_tokens(tokenizer):
    words = [t.text for t in _process(tokenizer, "住房公积金租房提取").get("text_tokens")]
    assert "住房公积金" in words


@pytest.mark.parametrize("raw, problem", [("😀😀", "no_words"), ("hello there", "not_chinese"),
                                          ("", "empty"), ("社" * 600, "too_long")])
def test_input_guard_overrides_the_intent(tokenizer, raw, problem):
    message = _process(tokenizer, raw)
    message.set(INTENT, {"name": "svc_idcard", "confidence": 0.9})
    InputGuard().process([message])
    assert message.get(INTENT)["name"] == "unusable_input"
    assert message.get(INPUT_PROBLEM_KEY) == problem


def test_input_guard_leaves_real_requests_alone(tokenizer):
    message = _process(tokenizer, "社保卡怎么办")
    message.set(INTENT, {"name": "svc_sbk_apply", "confidence": 0.9})
    InputGuard().process([message])
    assert message.get(INTENT)["name"] == "svc_sbk_apply"
    assert message.get(INPUT_PROBLEM_KEY) is None


@pytest.mark.parametrize("payload", ["/greet", '/inform_district{"district":"镜湖区"}'])
def test_payloads_reach_the_regex_message_handler_intact(tokenizer, payload):
    """Menu clicks and buttons send "/intent" payloads; normalising would strip the "/"."""
    message = _process(tokenizer, payload)
    assert message.get(TEXT) == payload
    message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.2})
    InputGuard().process([message])
    assert message.get(INTENT)["name"] == "nlu_fallback"  # not unusable_input: English-looking
    assert message.get(INPUT_PROBLEM_KEY) is None


@pytest.mark.parametrize("text, intent", [("办理", "start_application"), ("上一步", "form_back"),
                                          ("不办了", "form_cancel"), ("确认", "affirm"), ("查进度", "check_progress")])
def test_exact_commands_win_over_the_classifier(tokenizer, text, intent):
    from bot.nlu.commands import CommandMatcher

    message = _process(tokenizer, text)
    message.set(INTENT, {"name": "nlu_fallback", "confidence": 0.3})
    CommandMatcher().process([message])
    assert message.get(INTENT) == {"name": intent, "confidence": 1.0}


def test_longer_text_is_left_to_the_classifier(tokenizer):
    from bot.nlu.commands import CommandMatcher

    message = _process(tokenizer, "我想办理社保卡")
    message.set(INTENT, {"name": "svc_sbk_apply", "confidence": 0.9})
    CommandMatcher().process([message])
    assert message.get(INTENT)["name"] == "svc_sbk_apply"


# -- the service search stage (bot/nlu/service_search.py) -----------------------------------

def _search_stage(tmp_path, intents: list[str]):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.service_search import ServiceSearch

    (tmp_path / "storage").mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / "storage")
    context = ExecutionContext(GraphSchema({}), "test")
    stage = ServiceSearch.create(ServiceSearch.get_default_config(), storage, Resource("search"), context)
    stage.train(TrainingData([Message({TEXT: f"例句{i}", INTENT: i}) for i in intents]))
    return ServiceSearch.load(ServiceSearch.get_default_config(), storage, Resource("search"), context)


def _parsed(stage, text: str, intent: str, confidence: float) -> Message:
    from rasa.shared.nlu.constants import INTENT_RANKING_KEY

    message = Message({TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    stage.process([message])
    return message


def test_search_stage_remembers_the_trained_services_and_answers_an_untrained_one(tmp_path, use_catalogue_db):
    trained = ["svc_sbk_apply", "greet", "out_of_scope"]
    stage = _search_stage(tmp_path, trained)
    assert stage.trained == {"sbk-apply"}
    message = _parsed(stage, "社保卡挂失怎么办", "svc_sbk_apply", 0.9)  # sbk-replace has no intent here
    assert message.get(INTENT)["name"] == "ask_service"
    assert message.get("service_search")["service"] == "sbk-replace"
    assert message.as_dict(only_output_properties=True)["service_search"]["service"] == "sbk-replace"


def test_search_stage_turns_an_unsure_service_guess_on_unknown_words_into_out_of_scope(tmp_path, use_catalogue_db):
    stage = _search_stage(tmp_path, ["svc_sbk_apply", "svc_sbk_replace"])
    message = _parsed(stage, "明天去南京的飞机票还有吗", "svc_sbk_apply", 0.05)
    assert message.get(INTENT)["name"] == "nlu_fallback"  # not out_of_scope: a form may take free text
    assert message.get("service_search")["out_of_scope"] is True
    kept = _parsed(stage, "你好", "greet", 0.99)
    assert kept.get(INTENT)["name"] == "greet" and kept.get("service_search") is None


def test_search_stage_stands_aside_without_a_catalogue_database(tmp_path, monkeypatch):
    monkeypatch.setenv("GOV_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")
    stage = _search_stage(tmp_path, ["svc_sbk_apply"])
    message = _parsed(stage, "明天去南京的飞机票还有吗", "svc_sbk_apply", 0.05)
    assert message.get(INTENT)["name"] == "svc_sbk_apply"
    assert not (tmp_path / "absent.db").exists()  # the NLU never creates a database
