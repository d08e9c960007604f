"""What staff read when a follow-up or appeal action is refused or done (Chinese, polite)."""
from __future__ import annotations

from bot.evaluation.followups import FollowUpStatus

FOLLOWUP_MISSING = "没有找到这条差评回访记录，或它不属于您所在的部门。"
APPEAL_MISSING = "没有找到这条申诉。"
#: Someone else moved the follow-up after this page was opened (the form's state is stale).
STALE = "这条回访记录刚刚已被其他人更新，您的操作没有保存。下面是最新状态，请确认后再操作。"
NOTE_REQUIRED = "请填写说明（最多 500 字）。"
REVISIT_REQUIRED = "回访必须选择“是否联系到居民”和“居民是否满意”，并填写回访说明（最多 500 字）。"
BAD_STEP = "无法执行这一步，请在页面上选择可以办理的下一步。"
APPEAL_REASON = "请填写申诉理由（最多 500 字）。"
APPEAL_PENDING = "这条评价已有待复核的申诉，或已经被撤销，不能再提交申诉。"
APPEAL_DECIDED = "这条申诉已经复核过了，您的决定没有保存。"
OWN_APPEAL = "这是您本人提交的申诉，需由其他管理员复核。"
DECISION_REQUIRED = "请选择“通过”或“不通过”，并填写复核意见（最多 500 字）。"

#: The notice after a move, by the state it reached (the route redirects with ?done=<key>).
DONE = {
    FollowUpStatus.RECTIFYING.value: "已记录核实情况，状态改为“整改中”。",
    FollowUpStatus.REVISITED.value: "回访已记录，状态改为“已回访”。",
    FollowUpStatus.CLOSED.value: "已办结。",
    "appeal": "申诉已提交，等待管理员复核。",
}
APPEAL_DONE = {
    "approved": "已通过申诉 #{appeal}：该评价已撤销，不再计入评价结果，对应的差评回访已办结。",
    "refused": "已驳回申诉 #{appeal}：评价和差评回访保持不变。",
}
