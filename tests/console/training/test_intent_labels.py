"""Intents in Chinese for the evaluation (console.training.intent_labels)."""
from __future__ import annotations

import shutil

from bot.catalogue.loader import load_catalogue
from bot.config import PROJECT_ROOT
from console.teaching.nlu_files import domain_intents
from console.training.intent_labels import DIALOGUE_LABELS, IntentLabels, read_labels


def test_services_by_catalogue_name_faqs_by_question_others_described(console_db, tmp_path):
    load_catalogue(console_db, PROJECT_ROOT / "data" / "catalogue")
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", tmp_path / "nlu")
    labels = read_labels(console_db, tmp_path / "nlu")
    assert labels.label("svc_sbk_apply") == "社会保障卡申领"
    assert labels.label("faq/office_hours").startswith("常见问题：") and "office_hours" not in labels.label(
        "faq/office_hours")
    assert labels.label("goodbye") == "告别"
    assert labels.label("nlu_fallback") == "未识别"
    assert labels.label(None) == "无"


def test_every_dialogue_intent_of_the_domain_has_a_description():
    intents = domain_intents(PROJECT_ROOT / "domain.yml")
    missing = [i for i in intents if not i.startswith("svc_") and i not in DIALOGUE_LABELS]
    assert missing == []


def test_unknown_codes_are_framed_in_chinese_and_a_missing_catalogue_does_not_fail(console_db, tmp_path):
    labels = read_labels(console_db, tmp_path / "no-such-folder")  # no catalogue tables, no faq.yml
    assert labels == IntentLabels()
    assert labels.label("svc_dog_license") == "服务事项（dog-license）"
    assert labels.label("faq/parking") == "常见问题：parking"
    assert labels.label("brand_new") == "其他意图（brand_new）"
