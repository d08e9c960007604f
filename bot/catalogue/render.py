"""The resident-facing text of a service answer (一次告知), in plain Chinese."""
from __future__ import annotations

from collections.abc import Sequence

from bot.catalogue.repository import HallView, ServiceView

CAUTION = "以上为示例数据（{updated}更新），具体以窗口最新要求为准。"
#: Services imported from an official export (bot/catalogue/official/) are not sample data.
OFFICIAL_CAUTION = "以上依据官方办事指南（{updated}更新），具体以窗口最新要求为准。"
#: How the importer's ``source`` begins (bot/catalogue/official/importer.py SOURCE).
OFFICIAL_SOURCE_PREFIX = "官方办事指南"
#: Services staff created in the console (bot/catalogue/editing.py) are not sample data either.
CONSOLE_CAUTION = "以上由工作人员录入（{updated}更新），具体以窗口最新要求为准。"
#: The ``source`` of a service created in the console.
CONSOLE_SOURCE = "管理台录入"


def caution(service: ServiceView) -> str:
    """The closing line: sample data says so; an imported or staff-entered service says where it is from."""
    if service.source.startswith(OFFICIAL_SOURCE_PREFIX):
        return OFFICIAL_CAUTION.format(updated=service.updated)
    if service.source.startswith(CONSOLE_SOURCE):
        return CONSOLE_CAUTION.format(updated=service.updated)
    return CAUTION.format(updated=service.updated)


def _materials(service: ServiceView) -> str:
    lines = []
    for i, m in enumerate(service.materials, start=1):
        line = f"{i}. {m['name']}"
        if not m.get("required", True):
            line += "（视情况）"
        if m.get("note"):
            line += f"：{m['note']}"
        lines.append(line)
    return "\n".join(lines)


def render_hall(service: ServiceView, hall: HallView) -> str:
    """Where to go in one district, with the service's own note if it has one."""
    text = f"{hall.name}\n地址：{hall.address}\n时间：{hall.hours}"
    if hall.phone:
        text += f"\n电话：{hall.phone}"
    if service.hall_note:
        text += f"\n提示：{service.hall_note}"
    return text


def render_service_answer(
    service: ServiceView,
    hall: HallView | None,
    related_names: Sequence[str] = (),
) -> str:
    """Everything a resident needs for one service, in one message.

    Without a hall (district unknown) the "where" part says so; the caller then asks
    for the district.
    """
    parts = [
        f"【{service.name}】",
        f"主管部门：{service.department}",
        service.summary,
        "一、谁可以办\n" + "\n".join(f"· {e}" for e in service.eligibility),
        f"二、要带的材料（共{len(service.materials)}项）\n" + _materials(service),
        "三、办理步骤\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(service.steps, start=1)),
        f"四、办理时限：{service.time_limit}",
        f"五、收费：{service.fee}",
    ]
    if hall is not None:
        online_first = "" if service.needs_hall else "一般网上就能办，不用跑窗口；需要现场办理可去：\n"
        parts.append(f"六、办理地点（{hall.district_name}）\n" + online_first + render_hall(service, hall))
    elif service.needs_hall:
        parts.append("六、办理地点：告诉我您在哪个区县，我告诉您最近的大厅。")
    else:
        parts.append("六、办理地点：一般网上就能办，不用跑窗口。"
                     + (f"\n提示：{service.hall_note}" if service.hall_note else ""))
    parts.append("七、网上办\n" + "\n".join(f"· {o['channel']}：{o['how']}" for o in service.online))
    parts.append("八、常见问题\n" + "\n".join(f"问：{f['q']}\n答：{f['a']}" for f in service.faqs))
    if related_names:
        parts.append("相关业务：" + "、".join(related_names))
    parts.append("咨询电话：12345政务服务便民热线\n" + caution(service))
    # One "\n" between sections: Rasa splits a text on blank lines into separate messages.
    return "\n".join(parts)


def service_card(service: ServiceView, hall: HallView | None) -> dict:
    """The same answer as structured data, for clients that draw a card (the web chat).

    Sent beside the text (as bot-message metadata), so text-only channels lose nothing.
    """
    return {
        "id": service.id,
        "name": service.name,
        "department": service.department,
        "summary": service.summary,
        "materials": [{"name": m["name"], "note": m.get("note"), "required": m.get("required", True)}
                      for m in service.materials],
        "time_limit": service.time_limit,
        "fee": service.fee,
        "online": [{"channel": o["channel"], "how": o["how"]} for o in service.online],
        "hall": ({"district": hall.district_name, "name": hall.name, "address": hall.address,
                  "hours": hall.hours} if hall is not None else None),
        "notice": caution(service),
    }


def render_hall_answer(service: ServiceView, hall: HallView) -> str:
    """Follow-up when the district arrives after the answer."""
    return (f"【{service.name}】在{hall.district_name}的办理地点：\n"
            + render_hall(service, hall)
            + "\n" + CAUTION.format(updated=service.updated))
