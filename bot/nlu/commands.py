"""Exact short commands win over the classifier.

Buttons and elderly residents send single words ("办理", "上一步", "不办了"). A
classifier trained on sentences is unsure about them, so after classification this
component maps the exact normalised text of known commands to their intent with
confidence 1.0. Anything longer goes to the classifier as usual.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.evaluation.invitations import DECLINE_WORDS
from bot.evaluation.levels import LEVEL_WORDS
from bot.handoff.commands import LEAVE_WORDS, STATUS_WORDS

COMMANDS: Dict[str, str] = {
    **dict.fromkeys(("办理", "申请", "在线办理", "在线申请", "开始申请", "开始办理", "现在申请"), "start_application"),
    **dict.fromkeys(("预约", "预约办事", "我要预约"), "book_appointment"),
    **dict.fromkeys(("取消预约",), "cancel_appointment"),
    **dict.fromkeys(("查进度", "进度", "查询进度", "办理进度"), "check_progress"),
    **dict.fromkeys(("上一步", "返回", "返回上一步", "后退"), "form_back"),
    **dict.fromkeys(("重新填", "重填", "重来", "从头开始"), "form_restart"),
    **dict.fromkeys(("不办了", "取消", "退出"), "form_cancel"),
    **dict.fromkeys(("再说一遍", "没听清", "重复"), "form_repeat"),
    **dict.fromkeys(("帮助",), "form_help"),
    **dict.fromkeys(("确认", "确认提交", "提交"), "affirm"),
    **dict.fromkeys(("菜单", "主菜单"), "greet"),
    **dict.fromkeys(("转人工", "人工"), "human_handoff"),
    # 留言 and 查留言 (bot/handoff/commands.py): action_start_flow tells them apart by the words.
    **dict.fromkeys(LEAVE_WORDS, "start_application"),
    **dict.fromkeys(STATUS_WORDS, "check_progress"),
    # 好差评: a rating's words (满意, 非常不满意, 差评…) or 不评了 answer the pending invitation
    # (actions/rating.py); the numbers 1-5 are choose_number already.
    **dict.fromkeys(LEVEL_WORDS, "choose_number"),
    **dict.fromkeys(DECLINE_WORDS, "choose_number"),
}


def command_intent(normalised_text: str) -> str | None:
    return COMMANDS.get(normalised_text.strip(" ,?"))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CommandMatcher(GraphComponent):
    """Overrides the intent of messages that are exactly a known command."""

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CommandMatcher:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = command_intent(message.get(TEXT) or "")
            if intent:
                message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 1.0}], add_to_output=True)
        return messages
