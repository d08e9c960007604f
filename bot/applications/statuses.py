"""An application's statuses and the moves between them: 受理 → 审核中 → 办结 / 退回."""
from __future__ import annotations

import enum
import unicodedata

from bot.applications.errors import UnknownStatus

#: Who recorded the first status (受理) of an application submitted in the chat.
SYSTEM_ACTOR = "系统"


class ApplicationStatus(str, enum.Enum):
    ACCEPTED = "受理"
    REVIEWING = "审核中"
    DONE = "办结"
    RETURNED = "退回"


#: Statuses in which an application is still being handled (one per ID number and kind).
OPEN_STATUSES: tuple[str, ...] = (ApplicationStatus.ACCEPTED.value, ApplicationStatus.REVIEWING.value)

#: Allowed moves; 办结 and 退回 are final.
TRANSITIONS: dict[ApplicationStatus, frozenset] = {
    ApplicationStatus.ACCEPTED: frozenset({ApplicationStatus.REVIEWING}),
    ApplicationStatus.REVIEWING: frozenset({ApplicationStatus.DONE, ApplicationStatus.RETURNED}),
}

# Staff may type the English names in the CLI as well.
_STATUS_ALIASES = {
    "accepted": ApplicationStatus.ACCEPTED, "reviewing": ApplicationStatus.REVIEWING,
    "review": ApplicationStatus.REVIEWING, "done": ApplicationStatus.DONE,
    "returned": ApplicationStatus.RETURNED, "return": ApplicationStatus.RETURNED,
}


def parse_status(status: str | ApplicationStatus) -> ApplicationStatus:
    """ApplicationStatus for "审核中", "reviewing" or the member itself."""
    if isinstance(status, ApplicationStatus):
        return status
    text = unicodedata.normalize("NFKC", str(status)).strip()
    try:
        return ApplicationStatus(text)
    except ValueError:
        pass
    if text.lower() in _STATUS_ALIASES:
        return _STATUS_ALIASES[text.lower()]
    raise UnknownStatus(text)
