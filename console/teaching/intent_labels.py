"""What the dialogue intents mean, in the words staff use when they label a message.

Staff never see intent codes (``goodbye``, ``form_help``): a service intent is named by its
catalogue service and an FAQ by its question (targets.py); every other intent in
domain.yml needs a line here. tests/console/teaching/test_targets.py fails when a new
intent has none, so it cannot reach the 归入意图 list as a raw code.
"""
from __future__ import annotations

#: Topic headings of the target list, after the services' departments and the FAQs.
DIALOGUE = "对话操作"
FAMILIES = "一类服务的泛问"

#: intent → (heading, description). The description names the intent's typical phrasings.
DIALOGUE_LABELS: dict[str, tuple[str, str]] = {
    "greet": (DIALOGUE, "问候/打招呼（你好、菜单）"),
    "thank": (DIALOGUE, "感谢（谢谢、辛苦了）"),
    "goodbye": (DIALOGUE, "告别（再见、没事了）"),
    "affirm": (DIALOGUE, "确认/同意（对、确认提交）"),
    "deny": (DIALOGUE, "否定/不是（都不是、不对）"),
    "choose_number": (DIALOGUE, "选编号（1、第二个）"),
    "inform_district": (DIALOGUE, "说所在区县（我在镜湖区）"),
    "human_handoff": (DIALOGUE, "转人工"),
    "out_of_scope": (DIALOGUE, "与政务无关（天气、闲聊）"),
    "unusable_input": (DIALOGUE, "无法处理的输入（表情、英文、过长）"),
    "start_application": (DIALOGUE, "要在对话里办理（办理、我要申请）"),
    "book_appointment": (DIALOGUE, "预约去大厅办事"),
    "cancel_appointment": (DIALOGUE, "取消预约"),
    "check_progress": (DIALOGUE, "查办理进度"),
    "form_back": (DIALOGUE, "填表：上一步"),
    "form_restart": (DIALOGUE, "填表：重新填"),
    "form_cancel": (DIALOGUE, "填表：不办了"),
    "form_repeat": (DIALOGUE, "填表：再说一遍"),
    "form_help": (DIALOGUE, "填表：问这一项是什么意思"),
    "ask_service": (DIALOGUE, "问训练后新增的服务事项（由服务搜索识别）"),
    "ask_family_hf_withdraw": (FAMILIES, "泛问公积金提取（不说哪一种）"),
    "ask_family_certificate": (FAMILIES, "泛问办证（不说哪种证）"),
    "ask_family_hukou": (FAMILIES, "泛问户口（不说哪一项）"),
    "ask_family_moving": (FAMILIES, "泛问搬家后要办什么"),
}

#: Intents the pipeline itself produces; shown as the model's guess, never assignable.
PIPELINE_LABELS: dict[str, str] = {
    "nlu_fallback": "未识别",
    "faq": "常见问题",
}
