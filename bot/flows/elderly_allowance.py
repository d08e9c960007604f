"""高龄津贴申领: residents aged 80 and over, applying themselves or through a relative."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any

from bot.flows.engine import CONTROLS_HINT, Flow, FlowRefused, Option
from bot.flows.form import Answer, ApplicationForm, Field, steps
from bot.validators.id_number import age_on, parse_id_number

SERVICE_ID = "elderly-allowance"
MIN_AGE = 80
APPLICANT_OPTIONS = (Option("老人本人申请", "self", ("本人", "自己", "我自己", "老人自己")),
                     Option("子女或亲属代办", "agent", ("代办", "子女", "亲属", "儿子", "女儿", "帮老人", "替老人")))


def _is_agent(values: dict[str, Any]) -> bool:
    return values.get("applicant") == "agent"


FIELDS = (
    Field("applicant", "申请方式", "请问是老人本人申请，还是子女或亲属代办？",
          "代办的话，我们需要代办人的姓名和电话，方便工作人员联系。",
          Answer.CHOICE, options=APPLICANT_OPTIONS, aliases=("本人", "代办")),
    Field("agent_name", "代办人姓名", "请告诉我代办人（您）的姓名。",
          "代办人是帮老人办理的子女或亲属，工作人员会和代办人联系。",
          Answer.NAME, when=_is_agent, aliases=("代办人", "代办人名字")),
    Field("agent_phone", "代办人电话", "请告诉我代办人的手机号。",
          "工作人员审核时会打这个电话，请填能接通的手机号。",
          Answer.PHONE, when=_is_agent, aliases=("代办人手机", "代办人号码")),
    Field("elder_name", "老人姓名", "请告诉我老人的姓名。", "要和老人身份证上的姓名一致。",
          Answer.NAME, aliases=("姓名", "名字")),
    Field("elder_id", "老人身份证号", "请输入老人的18位身份证号（可以一个一个数字说）。",
          "身份证号用来核对老人的年龄：年满80周岁才能申请。我们会保密，回复时只显示前6位和后4位。",
          Answer.ID_NUMBER, aliases=("身份证",)),
    Field("district", "所在区县", "老人住在哪个区县？", "高龄津贴由老人户籍或居住地的街道（乡镇）受理。",
          Answer.DISTRICT, aliases=("区县", "区")),
    Field("street", "街道社区", "老人住在哪个街道（乡镇）、哪个社区（村）？",
          "街道（乡镇）和社区（村）工作人员负责上门核实，请说到社区（村）。",
          Answer.ADDRESS, aliases=("街道", "社区", "地址")),
    Field("phone", "联系电话", "最后，请留一个联系电话（手机或带区号的座机）。",
          "审核进展会通过这个电话通知您。",
          Answer.PHONE, aliases=("电话", "手机")),
)


def _check_age(values: dict[str, Any], *, today: date) -> None:
    if "elder_id" not in values:
        return
    birth = parse_id_number(values["elder_id"], today=today).birth_date
    age = age_on(birth, today)
    if age < MIN_AGE:
        try:
            eligible = birth.replace(year=birth.year + MIN_AGE)
        except ValueError:  # born on 29 February
            eligible = date(birth.year + MIN_AGE, 3, 1)
        raise FlowRefused(
            f"根据身份证号，老人今年{age}周岁。高龄津贴要年满{MIN_AGE}周岁才能申请，"
            f"老人在{eligible.year}年{eligible.month}月{eligible.day}日满{MIN_AGE}周岁，到时候欢迎再来申请。"
            "这次填的信息没有保存。祝老人家身体健康！")


def build(*, today: date, districts: Sequence[Option]) -> Flow:
    """The flow for one day (age is worked out on the day of application)."""
    return Flow(
        name=SERVICE_ID,
        title="高龄津贴申请",
        intro="好的，我来一步一步帮您申请高龄津贴（年满80周岁的老人可以申请）。"
              + CONTROLS_HINT,
        steps=steps(FIELDS, today=today, districts=districts),
        check=partial(_check_age, today=today),
        summary_note="提交后，街道（乡镇）会在10个工作日内审核，必要时上门核实（示例流程，以窗口最新要求为准）。",
    )


NEXT_STEPS = ("街道（乡镇）民政窗口会在10个工作日内审核，必要时上门核实；"
              "审核通过后，津贴从次月起按月发放到老人的社保卡。可以随时发“查进度”。")

FORM = ApplicationForm(kind=SERVICE_ID, name="高龄津贴申领", fields=FIELDS, name_field="elder_name",
                       id_field="elder_id", build=build, next_steps=lambda values: NEXT_STEPS)
