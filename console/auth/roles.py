"""Roles and what they may do: reviewer < trainer < admin, each with the lower ones' rights;
beside them agent (坐席), who answers residents handed to a person (转人工) and nothing else.

The permission table is the single place the console asks "may this person do that";
anything unknown (a role from an old database, a typo) is refused.
"""
from __future__ import annotations

import enum


class Permission(str, enum.Enum):
    VIEW_INBOX = "view_inbox"
    ANNOTATE = "annotate"
    RETRAIN = "retrain"
    ACTIVATE_MODEL = "activate_model"
    #: Add, edit and delete catalogue services, and file inbox messages under them: live
    #: for residents within seconds, with no training or evaluation gate in between.
    MANAGE_SERVICES = "manage_services"
    MANAGE_ACCOUNTS = "manage_accounts"
    #: The hand-off desk (人工服务): the queue, claiming, replying, transferring, closing, canned replies,
    #: and the messages left for a callback (留言工单) with their full callback numbers.
    HANDLE_HANDOFF = "handle_handoff"
    #: Change one's own password: every role.
    OWN_PASSWORD = "own_password"
    #: 差评回访: see and move the follow-ups of poor ratings (one's department's, when the
    #: account has one) and ask for a rating to be set aside (申诉).
    FOLLOW_UP = "follow_up"
    #: 申诉复核: approve or refuse an appeal (never one's own).
    DECIDE_APPEALS = "decide_appeals"
    #: The 服务分析 dashboard and its CSV export: aggregate figures only, no conversation.
    VIEW_DASHBOARD = "view_dashboard"


class Role(str, enum.Enum):
    REVIEWER = "reviewer"
    TRAINER = "trainer"
    ADMIN = "admin"
    AGENT = "agent"


#: What staff call the roles (pages, the CLI, the audit log).
ROLE_LABELS: dict[Role, str] = {Role.REVIEWER: "审核员", Role.TRAINER: "训练员", Role.ADMIN: "管理员",
                                Role.AGENT: "坐席"}


def role_label(role: str | Role) -> str:
    """审核员 / 训练员 / 管理员 / 坐席; an unknown role as it was given."""
    try:
        return ROLE_LABELS[Role(getattr(role, "value", role))]
    except ValueError:
        return str(role)


class UnknownRole(ValueError):
    """No such role; the message is meant for the person who typed it."""

    def __init__(self, text: str) -> None:
        self.text = text
        names = "、".join(r.value for r in Role)
        super().__init__(f"没有“{text}”这个角色，可选：{names}。")


# What each role of the chain adds on top of the role below it.
_OWN: dict[Role, frozenset[Permission]] = {
    Role.REVIEWER: frozenset({Permission.VIEW_INBOX, Permission.ANNOTATE, Permission.OWN_PASSWORD,
                              Permission.FOLLOW_UP, Permission.VIEW_DASHBOARD}),
    Role.TRAINER: frozenset({Permission.RETRAIN, Permission.ACTIVATE_MODEL, Permission.MANAGE_SERVICES}),
    Role.ADMIN: frozenset({Permission.MANAGE_ACCOUNTS, Permission.HANDLE_HANDOFF, Permission.DECIDE_APPEALS}),
}
_ORDER = (Role.REVIEWER, Role.TRAINER, Role.ADMIN)
#: Outside the chain: an agent serves residents handed to a person and calls back poor ratings
#: (差评回访); not the inbox or training.
_AGENT = frozenset({Permission.HANDLE_HANDOFF, Permission.OWN_PASSWORD, Permission.FOLLOW_UP})


def _cumulative() -> dict[Role, frozenset[Permission]]:
    table: dict[Role, frozenset[Permission]] = {}
    granted: frozenset[Permission] = frozenset()
    for role in _ORDER:
        granted = granted | _OWN[role]
        table[role] = granted
    table[Role.AGENT] = _AGENT
    return table


PERMISSIONS: dict[Role, frozenset[Permission]] = _cumulative()


def parse_role(text: str | Role) -> Role:
    """The Role for "reviewer" / "trainer" / "admin" / "agent" (any case); UnknownRole otherwise."""
    if isinstance(text, Role):
        return text
    try:
        return Role(str(text).strip().lower())
    except ValueError:
        raise UnknownRole(str(text)) from None


def permissions_of(role: str | Role) -> frozenset[Permission]:
    """Everything the role may do; empty for an unknown role (fail closed)."""
    try:
        return PERMISSIONS[parse_role(role)]
    except UnknownRole:
        return frozenset()


def allows(role: str | Role, permission: str | Permission) -> bool:
    """True if `role` has `permission`. Unknown roles or permissions are refused."""
    try:
        wanted = Permission(permission)
    except ValueError:
        return False
    return wanted in permissions_of(role)
