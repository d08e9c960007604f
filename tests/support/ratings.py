"""Poor ratings as a resident leaves them, for the console's 差评回访 tests: each opens a follow-up."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import sessionmaker

from bot.evaluation import queries, ratings
from bot.evaluation.invitations import Context, subject_of
from bot.evaluation.levels import Level, PoorReason
from bot.evaluation.queries import FollowUpFilter
from console.auth import accounts
from tests.support.console_web import PASSWORD, served_console

#: The resident's own words for 其他, with a phone number that must never be shown unmasked.
PHONE = "13812345678"
REASON_WITH_PHONE = f"窗口电话{PHONE}一直打不通"


def poor_rating(db: sessionmaker, *, service_id: str | None = "elderly-allowance", channel: str = "wechat",
                level: Level = Level.DISSATISFIED, reason: PoorReason = PoorReason.OTHER,
                text: str | None = REASON_WITH_PHONE, district: str | None = "镜湖区",
                reference: str | None = None, now: datetime | None = None) -> int:
    """Invite, rate and explain in a fresh conversation; the id of the follow-up it opened."""
    conversation = f"{'web' if channel == 'webchat' else channel}:{uuid.uuid4().hex[:12]}"
    subject = (subject_of(Context.ANSWER, service_id) if service_id
               else subject_of(Context.HANDOFF, uuid.uuid4().hex[:6]))
    assert ratings.invite(db, conversation_id=conversation, subject=subject, channel=channel, service_id=service_id,
                          reference=reference, district=district, now=now)
    rating = ratings.rate(db, conversation_id=conversation, level=level, now=now)
    ratings.give_reason(db, rating_id=rating.id, conversation_id=conversation, reason=reason, text=text)
    found = queries.search(db, where=FollowUpFilter(), limit=1000)
    return next(f.id for f in found.items if f.rating.id == rating.id)


#: Accounts the 差评回访 tests add to console_files' reviewer, trainer and admin: (name, role, department).
DESK_ACCOUNTS = (("minzheng", "reviewer", "市民政局"), ("gongan", "reviewer", "市公安局"),
                 ("gjj", "trainer", "市住房公积金管理中心"), ("admin2", "admin", "市公安局"))


@contextmanager
def followup_console(root: Path) -> Iterator[SimpleNamespace]:
    """A served console (tests/support/console_web.py) with DESK_ACCOUNTS and key files of its own
    (ratings' free text is encrypted at rest); yields what served_console yields."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOV_DATA_KEY_FILE", str(root / "keys" / "data.key"))
        patch.setenv("GOV_DIGEST_KEY_FILE", str(root / "keys" / "digest.key"))
        with served_console(root) as console:
            for name, role, department in DESK_ACCOUNTS:
                accounts.create_user(console.db, name, PASSWORD, role)
                if department:
                    accounts.set_department(console.db, name, department)
            yield console
