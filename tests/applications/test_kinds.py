"""What each kind stores comes from its flow's form: the same fields, labels and masks."""
from __future__ import annotations

from datetime import date

import pytest

from bot.applications.kinds import FORMS, KINDS
from bot.flows.engine import Option
from bot.flows.form import Answer, ApplicationForm, Field

# (key, label, mask, required, choices) as stored and shown to staff since issue 5.
STORED = {
    "elderly-allowance": ("高龄津贴申领", "elder_name", "elder_id", "phone", [
        ("applicant", "申请方式", None, True, {"self": "老人本人申请", "agent": "子女或亲属代办"}),
        ("agent_name", "代办人姓名", "name", False, None),
        ("agent_phone", "代办人电话", "phone", False, None),
        ("elder_name", "老人姓名", "name", True, None),
        ("elder_id", "老人身份证号", "id", True, None),
        ("district", "所在区县", "district", True, None),
        ("street", "街道社区", "address", True, None),
        ("phone", "联系电话", "phone", True, None),
    ]),
    "sbk-replace": ("社会保障卡挂失补换", "name", "id_number", "phone", [
        ("name", "持卡人姓名", "name", True, None),
        ("id_number", "身份证号", "id", True, None),
        ("reason", "补换原因", None, True, {"lost": "丢失（已挂失）", "damaged": "损坏", "changed": "信息变更"}),
        ("delivery", "领卡方式", None, True, {"mail": "邮寄到家", "hall": "到大厅领取"}),
        ("address", "邮寄地址", "address", False, None),
        ("district", "领卡大厅", "district", False, None),
        ("phone", "联系电话", "phone", True, None),
    ]),
}


def test_stored_fields_and_labels_are_unchanged():
    assert {kind.id: (kind.name, kind.name_field, kind.id_field, kind.phone_field,
                      [(f.key, f.label, f.mask, f.required, dict(f.choices) if f.choices else None)
                       for f in kind.fields])
            for kind in KINDS.values()} == STORED


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.kind)
def test_the_flow_asks_for_what_the_kind_stores_under_the_same_labels(form):
    flow = form.build(today=date(2026, 3, 1), districts=(Option("镜湖区", "jinghu"),))
    assert flow.name == form.kind
    assert [(s.slot, s.label) for s in flow.steps] == [(f.key, f.label) for f in KINDS[form.kind].fields]


def test_a_form_names_its_id_and_phone_among_its_fields():
    field = Field("phone", "联系电话", "?", "", Answer.PHONE)
    with pytest.raises(ValueError, match="elder_id"):
        ApplicationForm(kind="x", name="x", fields=(field,), name_field="phone", id_field="elder_id",
                        build=lambda **kw: None, next_steps=lambda values: "")
