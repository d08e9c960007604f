"""The 归入意图 list speaks Chinese: services by catalogue name, FAQs by question, the rest by
a description; a new intent without a description fails here, not in front of staff."""
from __future__ import annotations

import re

import pytest

from bot.catalogue.loader import read_catalogue
from bot.config import PROJECT_ROOT
from bot.db import session_factory
from console.teaching.faq import list_faqs
from console.teaching.intent_labels import DIALOGUE_LABELS
from console.teaching.nlu_files import domain_intents
from console.teaching.targets import (
    FAQ_GROUP,
    ServiceName,
    Targets,
    assignable,
    build_targets,
    read_targets,
    suggested,
)

NLU, DOMAIN = PROJECT_ROOT / "data" / "nlu", PROJECT_ROOT / "domain.yml"
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"[a-z]+_[a-z_]+|svc|faq|nlu")


@pytest.fixture(scope="module")
def targets(catalogue_db_url) -> Targets:
    return read_targets(session_factory(catalogue_db_url), NLU, DOMAIN)


def test_every_dialogue_intent_of_the_domain_has_a_chinese_description():
    missing = [i for i in domain_intents(DOMAIN)
               if not i.startswith("svc_") and i != "faq" and i not in DIALOGUE_LABELS]
    assert missing == [], f"add a Chinese description to console/teaching/intent_labels.py for {missing}"
    for intent, (group, label) in DIALOGUE_LABELS.items():
        assert CJK.search(label) and CJK.search(group), intent
        assert not CODE.search(label), (intent, label)


def test_every_target_is_named_in_chinese_and_no_code_shows(targets):
    assert [t.intent for t in targets.items if t.intent not in assignable(NLU, DOMAIN)] == []
    labels = [t.label for t in targets.items]
    assert len(labels) == len(set(labels)), "a label must name one intent only"
    for target in targets.items:
        assert CJK.search(target.label) and not CODE.search(target.label), target
        assert target.intent not in target.label and target.intent not in target.group, target


def test_services_by_their_catalogue_name_grouped_by_department(targets):
    services = {s.id: s for s in read_catalogue(PROJECT_ROOT / "data" / "catalogue").services}
    by_intent = {t.intent: t for t in targets.items}
    service_intents = [i for i in domain_intents(DOMAIN) if i.startswith("svc_")]
    assert service_intents and set(service_intents) <= set(by_intent)
    for intent in service_intents:
        service = services[intent[4:].replace("_", "-")]
        assert by_intent[intent].label == service.name
        assert by_intent[intent].group == f"服务事项 · {service.department}"
    assert by_intent["svc_hf_rent"].label == "住房公积金租房提取"


def test_faqs_by_their_question_and_dialogue_intents_by_description(targets):
    by_intent = {t.intent: t for t in targets.items}
    for faq in list_faqs(NLU):
        assert (by_intent[faq.intent].label, by_intent[faq.intent].group) == (faq.examples[0], FAQ_GROUP)
    assert by_intent["faq/office_hours"].label == "政务服务中心几点上班"
    assert by_intent["goodbye"].label.startswith("告别") and by_intent["human_handoff"].label == "转人工"
    assert by_intent["out_of_scope"].label.startswith("与政务无关")
    assert "ask_service" not in by_intent and "faq" not in by_intent  # nothing to add an example to


def test_groups_come_services_first_then_faqs_then_dialogue(targets):
    headings = [group for group, _ in targets.groups()]
    assert headings[-3:] == [FAQ_GROUP, "对话操作", "一类服务的泛问"]
    assert all(h.startswith("服务事项 · ") for h in headings[:-3])
    assert headings[:-3] == sorted(headings[:-3])


def test_a_label_or_a_code_resolves_to_its_intent(targets):
    assert targets.resolve("社会保障卡申领") == "svc_sbk_apply"
    assert targets.resolve(" 政务服务中心几点上班 ") == "faq/office_hours"
    assert targets.resolve("svc_sbk_apply") == "svc_sbk_apply"
    assert targets.resolve("社保") is None and targets.resolve("") is None


def test_names_of_intents_that_are_not_targets(targets):
    assert targets.label_of("nlu_fallback") == "未识别"
    assert targets.label_of("ask_service").startswith("问训练后新增的服务事项")
    assert targets.label_of("svc_no_such_service") == "目录中没有的事项"
    assert targets.label_of("made_up") == "未知意图" and targets.label_of(None) == "无"


def test_the_residents_pick_is_the_suggestion_and_nothing_else_is(targets):
    assert suggested(targets, ["sbk-replace", "sbk-apply"]).label == "社会保障卡挂失补换"
    assert suggested(targets, ["cs-0001", "company-reg"]).label == "企业设立登记"  # first with an intent
    assert suggested(targets, []) is None
    assert suggested(targets, ["cs-0001"]) is None


def test_a_label_taken_twice_names_its_group():
    built = build_targets(["svc_a", "faq/x", "greet"],
                          {"a": ServiceName("问候/打招呼（你好、菜单）", "某局")}, {"x": "问"})
    labels = {t.intent: t.label for t in built.items}
    assert labels["svc_a"] == "问候/打招呼（你好、菜单）"
    assert labels["greet"] == "问候/打招呼（你好、菜单）（对话操作）"
    assert built.resolve(labels["greet"]) == "greet"
