"""Intents in the words staff use, for the evaluation's "应识别为 / 新模型识别为" columns.

A service intent (``svc_<id>``) is named by its catalogue service, an FAQ (``faq/<key>``) by
its question (its first phrasing in faq.yml), every other intent by a short description.
Codes never reach the page; an intent this table does not know reads 其他意图（code）.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.catalogue import editing
from bot.nlu.service_decision import service_id_of
from console.teaching.errors import TrainingDataError
from console.teaching.faq import list_faqs

DIALOGUE_LABELS: dict[str, str] = {
    "greet": "问候（你好、菜单）",
    "thank": "感谢",
    "goodbye": "告别",
    "affirm": "确认/同意",
    "deny": "否定/不是",
    "choose_number": "选编号",
    "inform_district": "说所在区县",
    "human_handoff": "转人工",
    "out_of_scope": "与政务无关",
    "unusable_input": "无法处理的输入",
    "start_application": "要在对话里办理",
    "book_appointment": "预约去大厅办事",
    "cancel_appointment": "取消预约",
    "check_progress": "查办理进度",
    "form_back": "填表：上一步",
    "form_restart": "填表：重新填",
    "form_cancel": "填表：不办了",
    "form_repeat": "填表：再说一遍",
    "form_help": "填表：问这一项的意思",
    "ask_service": "问服务事项（由服务搜索识别）",
    "ask_family_hf_withdraw": "泛问公积金提取",
    "ask_family_certificate": "泛问办证",
    "ask_family_hukou": "泛问户口",
    "ask_family_moving": "泛问搬家后要办什么",
    "nlu_fallback": "未识别",
    "faq": "常见问题（没有选出是哪一个）",
}


@dataclass(frozen=True)
class IntentLabels:
    services: Mapping[str, str] = field(default_factory=dict)  # service id -> name
    faq_questions: Mapping[str, str] = field(default_factory=dict)  # key -> question

    def label(self, intent: str | None) -> str:
        if not intent:
            return "无"
        service = service_id_of(intent)
        if service is not None:
            return self.services.get(service) or f"服务事项（{service}）"
        base, separator, key = intent.partition("/")
        if separator and base == "faq":
            return f"常见问题：{self.faq_questions.get(key) or key}"
        return DIALOGUE_LABELS.get(intent, f"其他意图（{intent}）")


def read_labels(db: sessionmaker, nlu_dir: Path) -> IntentLabels:
    """Labels from the catalogue database and faq.yml as they are now.

    Either may be missing (a console without a catalogue, a folder without faq.yml): the
    labels then fall back to the codes in a Chinese frame rather than failing the page.
    """
    try:
        services = {s.id: s.name for s in editing.list_services(db)}
    except SQLAlchemyError:
        services = {}
    try:
        questions = {f.key: f.examples[0] for f in list_faqs(Path(nlu_dir)) if f.examples}
    except (OSError, TrainingDataError):
        questions = {}
    return IntentLabels(services, questions)
