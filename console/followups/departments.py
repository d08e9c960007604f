"""The departments an account may be given: those that own a catalogue service, and the city
office that gets the follow-ups of ratings about no service (a hand-off on anything else)."""
from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from bot.catalogue import editing
from bot.evaluation.ratings import GENERAL_DEPARTMENT


def department_choices(db: sessionmaker) -> list[str]:
    """Every department a follow-up can be assigned to, sorted."""
    return sorted({service.department for service in editing.list_services(db)} | {GENERAL_DEPARTMENT})
