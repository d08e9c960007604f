"""Whose follow-ups a member of staff sees and moves: their department's, or every one.

An account with a department (set on 账号管理) works on the follow-ups assigned to that
department only; an account without one, and every admin, on all of them. A follow-up
outside one's scope is answered as if it did not exist (404), so the pages reveal neither
its content nor that it is there.
"""
from __future__ import annotations

from bot.evaluation.views import FollowUpView
from console.auth.accounts import StaffAccount
from console.auth.roles import Role


def department_scope(user: StaffAccount) -> str | None:
    """The one department `user` works on; None for every department."""
    if user.role is Role.ADMIN:
        return None
    return user.department or None


def may_see(user: StaffAccount, view: FollowUpView) -> bool:
    scope = department_scope(user)
    return scope is None or view.department == scope
