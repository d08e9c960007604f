"""Roles and what they may do: reviewer < trainer < admin, each with the lower ones' rights.

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
    #: The 服务分析 dashboard and its CSV export: aggregate figures only, no conversation.
    VIEW_DASHBOARD = "view_dashboard"


class Role(str, enum.Enum):
    REVIEWER = "reviewer"
    TRAINER = "trainer"
    ADMIN = "admin"


#: What staff call the roles (pages, the CLI, the audit log).
ROLE_LABELS: dict[Role, str] = {Role.REVIEWER: "审核员", Role.TRAINER: "训练员", Role.ADMIN: "管理员"}


def role_label(role: str | Role) -> str:
    """审核员 / 训练员 / 管理员; an unknown role as it was given."""
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


# What each role adds on top of the role below it.
_OWN: dict[Role, frozenset[Permission]] = {
    Role.REVIEWER: frozenset({Permission.VIEW_INBOX, Permission.ANNOTATE, Permission.VIEW_DASHBOARD}),
    Role.TRAINER: frozenset({Permission.RETRAIN, Permission.ACTIVATE_MODEL, Permission.MANAGE_SERVICES}),
    Role.ADMIN: frozenset({Permission.MANAGE_ACCOUNTS}),
}
_ORDER = (Role.REVIEWER, Role.TRAINER, Role.ADMIN)


def _cumulative() -> dict[Role, frozenset[Permission]]:
    table: dict[Role, frozenset[Permission]] = {}
    granted: frozenset[Permission] = frozenset()
    for role in _ORDER:
        granted = granted | _OWN[role]
        table[role] = granted
    return table


PERMISSIONS: dict[Role, frozenset[Permission]] = _cumulative()


def parse_role(text: str | Role) -> Role:
    """The Role for "reviewer" / "trainer" / "admin" (any case); UnknownRole otherwise."""
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
