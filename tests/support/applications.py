"""Two applications as residents submit them, for the tests of the service and its CLI."""
from __future__ import annotations

from bot.applications.service import submit_application

ELDER_ID = "340202194001011239"
ELDER_PHONE = "13812345678"
CARD_ID = "11010519491231002X"
CARD_PHONE = "0553-3112233"


def elderly_fields(**overrides):
    fields = {"applicant": "agent", "agent_name": "李小红", "agent_phone": "13900001111",
              "elder_name": "李大山", "elder_id": ELDER_ID, "district": "jinghu",
              "street": "范罗山街道赭山社区", "phone": ELDER_PHONE}
    fields.update(overrides)
    return fields


def submit_elderly(sessions, *, sender="alice", key="alice:1", **overrides):
    return submit_application(sessions, kind="elderly-allowance", sender_id=sender,
                              fields=elderly_fields(**overrides), id_number=ELDER_ID,
                              phone=ELDER_PHONE, idempotency_key=key)


def submit_card(sessions, *, sender="bob", key="bob:1"):
    fields = {"name": "王五", "id_number": CARD_ID, "reason": "lost", "delivery": "hall",
              "district": "yijiang", "phone": CARD_PHONE}
    return submit_application(sessions, kind="sbk-replace", sender_id=sender, fields=fields,
                              id_number=CARD_ID, phone=CARD_PHONE, idempotency_key=key)
