"""社会保障卡挂失补换: report a lost or damaged card and get a new one."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.flows.engine import CONTROLS_HINT, Flow, Option
from bot.flows.form import Answer, ApplicationForm, Field, steps

SERVICE_ID = "sbk-replace"
# Aliases are the words residents answer with ("卡丢了", "寄到家里"), read by bot/choices.py.
REASONS = (Option("丢失（需要挂失）", "lost", ("丢了", "丢掉", "掉了", "遗失", "弄丢", "找不到", "被偷")),
           Option("损坏", "damaged", ("坏了", "不能用", "读不出", "消磁", "断了", "折了")),
           Option("信息变更", "changed", ("改名", "换名字", "信息错", "信息不对", "信息有误")))
DELIVERY = (Option("邮寄到家", "mail", ("寄", "寄到家", "寄给我", "邮寄", "快递", "送到家")),
            Option("到大厅领取", "hall", ("自己去拿", "自己去领", "去拿", "去领", "到大厅", "窗口领", "自取")))


def _by_mail(values: dict[str, Any]) -> bool:
    return values.get("delivery") == "mail"


def _at_hall(values: dict[str, Any]) -> bool:
    return values.get("delivery") == "hall"


FIELDS = (
    Field("name", "持卡人姓名", "请告诉我持卡人的姓名。", "要和身份证上的姓名一致。",
          Answer.NAME, aliases=("姓名", "名字")),
    Field("id_number", "身份证号", "请输入持卡人的18位身份证号（可以一个一个数字说）。",
          "用身份证号找到您的社保卡。我们会保密，回复时只显示前6位和后4位。",
          Answer.ID_NUMBER, aliases=("身份证",)),
    Field("reason", "补换原因", "请问为什么要补换？", "丢失的卡会马上挂失，别人就不能再用了。",
          Answer.CHOICE, options=REASONS, aliases=("原因",),
          recorded={"lost": "丢失（已挂失）"}),  # once submitted, the card has been reported lost
    Field("delivery", "领卡方式", "新卡怎么给您？", "邮寄到家不用跑腿；到大厅领取可以当面核对。",
          Answer.CHOICE, options=DELIVERY, aliases=("领卡", "邮寄")),
    Field("address", "邮寄地址", "请告诉我收卡地址（区县、街道、小区和门牌号）。", "新卡会寄到这个地址。",
          Answer.ADDRESS, when=_by_mail, aliases=("地址",)),
    Field("district", "领卡大厅", "到哪个区县的大厅领卡？", "选离您最近的区县政务服务中心。",
          Answer.DISTRICT, when=_at_hall, aliases=("大厅", "区县")),
    Field("phone", "联系电话", "请留一个联系电话（手机或带区号的座机）。", "新卡做好后会通过这个电话通知您。",
          Answer.PHONE, aliases=("电话", "手机")),
)


def build(*, today: date, districts: Sequence[Option]) -> Flow:
    return Flow(
        name=SERVICE_ID,
        title="社保卡挂失补换",
        intro="好的，我来一步一步帮您办社保卡挂失补换。" + CONTROLS_HINT,
        steps=steps(FIELDS, today=today, districts=districts),
        summary_note="补换卡工本费以窗口最新要求为准（示例流程）。",
    )


def next_steps(values: dict[str, Any]) -> str:
    """What happens after submission; a loss report takes effect at once."""
    parts = []
    if values.get("reason") == "lost":
        parts.append("您的社保卡已挂失，立即生效，别人无法再用这张卡。")
    parts.append("新卡一般在15个工作日内制好" + ("，会邮寄到您填写的地址。" if _by_mail(values)
                                               else "，做好后电话通知您到大厅领取。"))
    parts.append("可以随时发“查进度”。（示例流程，以窗口最新要求为准）")
    return "".join(parts)


FORM = ApplicationForm(kind=SERVICE_ID, name="社会保障卡挂失补换", fields=FIELDS, name_field="name",
                       id_field="id_number", build=build, next_steps=next_steps)
