"""The role matrix: each role has exactly its own permissions and those of the roles below;
the agent (坐席) stands beside the chain with the hand-off desk and 差评回访."""
from __future__ import annotations

import pytest

from console.auth.roles import PERMISSIONS, Permission, Role, UnknownRole, allows, parse_role, permissions_of

P = Permission
EXPECTED = {
    Role.REVIEWER: {P.VIEW_INBOX, P.ANNOTATE, P.OWN_PASSWORD, P.FOLLOW_UP, P.VIEW_DASHBOARD},
    Role.TRAINER: {P.VIEW_INBOX, P.ANNOTATE, P.OWN_PASSWORD, P.FOLLOW_UP, P.VIEW_DASHBOARD, P.RETRAIN,
                   P.ACTIVATE_MODEL, P.MANAGE_SERVICES},
    Role.ADMIN: {P.VIEW_INBOX, P.ANNOTATE, P.OWN_PASSWORD, P.FOLLOW_UP, P.VIEW_DASHBOARD, P.RETRAIN,
                 P.ACTIVATE_MODEL, P.MANAGE_SERVICES, P.MANAGE_ACCOUNTS, P.HANDLE_HANDOFF, P.DECIDE_APPEALS},
    Role.AGENT: {P.HANDLE_HANDOFF, P.OWN_PASSWORD, P.FOLLOW_UP},
}


def test_permission_names():
    assert {p.value for p in Permission} == {
        "view_inbox", "annotate", "retrain", "activate_model", "manage_services", "manage_accounts",
        "handle_handoff", "own_password", "follow_up", "decide_appeals", "view_dashboard"}
    assert [r.value for r in Role] == ["reviewer", "trainer", "admin", "agent"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_matrix(role, permission):
    expected = permission in EXPECTED[role]
    assert allows(role, permission) is expected
    assert allows(role.value, permission.value) is expected  # plain strings from the database / a form


def test_each_role_has_exactly_its_permissions():
    for role, expected in EXPECTED.items():
        assert PERMISSIONS[role] == expected
        assert permissions_of(role) == expected
    assert PERMISSIONS[Role.REVIEWER] < PERMISSIONS[Role.TRAINER] < PERMISSIONS[Role.ADMIN]
    # The agent is outside the chain: no inbox, no training; of the reviewer's only a password and 差评回访.
    assert PERMISSIONS[Role.AGENT] & PERMISSIONS[Role.REVIEWER] == {P.OWN_PASSWORD, P.FOLLOW_UP}
    assert PERMISSIONS[Role.AGENT] < PERMISSIONS[Role.ADMIN]


def test_unknown_roles_and_permissions_are_refused():
    for permission in Permission:
        assert not allows("superuser", permission)
        assert not allows("", permission)
    assert not allows(Role.ADMIN, "delete_everything")
    assert permissions_of("root") == frozenset()


def test_parse_role():
    assert parse_role(" Admin ") is Role.ADMIN
    assert parse_role(Role.TRAINER) is Role.TRAINER
    assert parse_role("AGENT") is Role.AGENT
    with pytest.raises(UnknownRole) as caught:
        parse_role("boss")
    assert "没有“boss”这个角色" in str(caught.value) and "reviewer、trainer、admin、agent" in str(caught.value)
