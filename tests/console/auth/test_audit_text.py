"""Every audit action code the console writes has a Chinese label, and details read as Chinese.

The codes are found in the source: every call of the audit writer (audit.write / audit.record,
web.record, and the CLI's and staff_admin's wrappers), so a new code without a label fails
here rather than showing up in English on the 操作记录 page.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.config import PROJECT_ROOT
from console.auth import login_audit
from console.auth.audit_text import ACTION_LABELS, action_label, describe, user_label
from console.catalogue.actions import AUDIT_ACTIONS
from console.web.pages.model_versions import KIND_LABELS

CONSOLE = PROJECT_ROOT / "console"
#: (callee, position of the action code among the positional arguments)
WRITERS = {("audit", "write"): 2, ("audit", "record"): 2, ("web", "record"): 1, ("self", "record"): 1,
           ("", "_audit"): 0, ("", "_audited"): 1}
#: Calls whose code is a variable: the wrappers themselves, and the catalogue's table (checked below).
DYNAMIC = {("console/auth/login_audit.py", "record_refusal"), ("console/auth/staff_admin.py", "on_change"),
           ("console/cli/users.py", "_audit"), ("console/web/context.py", "record"),
           ("console/catalogue/actions.py", "on_change")}


def _callee(node: ast.Call) -> tuple[str, str] | None:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id, func.attr
    if isinstance(func, ast.Name):
        return "", func.id
    return None


def _codes(arg: ast.expr, expand: dict[str, set[str]]) -> set[str] | None:
    """The codes an argument can be; None when it is a variable."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.IfExp):
        body, orelse = _codes(arg.body, expand), _codes(arg.orelse, expand)
        return None if body is None or orelse is None else body | orelse
    if isinstance(arg, ast.JoinedStr):  # f"model_{kind}": every kind the pages know
        pattern = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in arg.values)
        return {pattern.format(kind) for kind in expand.get(pattern, {"<unknown f-string>"})}
    return None


class _Scan(ast.NodeVisitor):
    """Collects the codes of every writer call, each attributed to its innermost function."""

    def __init__(self, path: str, expand: dict[str, set[str]]) -> None:
        self.path, self.expand = path, expand
        self.functions: list[str] = []
        self.codes: set[str] = set()
        self.dynamic: set[tuple[str, str]] = set()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        callee = _callee(node)
        if callee in WRITERS and len(node.args) > WRITERS[callee]:
            found = _codes(node.args[WRITERS[callee]], self.expand)
            if found is None:
                self.dynamic.add((self.path, self.functions[-1] if self.functions else "<module>"))
            else:
                self.codes |= found
        self.generic_visit(node)


def written_codes() -> tuple[set[str], set[tuple[str, str]]]:
    codes: set[str] = set()
    dynamic: set[tuple[str, str]] = set()
    for path in sorted(CONSOLE.rglob("*.py")):
        scan = _Scan(str(path.relative_to(PROJECT_ROOT)), {"model_{}": set(KIND_LABELS)})
        scan.visit(ast.parse(path.read_text(encoding="utf-8")))
        codes |= scan.codes
        dynamic |= scan.dynamic
    return codes, dynamic


def test_every_code_written_has_a_chinese_label():
    codes, dynamic = written_codes()
    codes |= set(AUDIT_ACTIONS.values()) | {login_audit.LOGIN_FAILED, login_audit.LOGIN_LOCKED}
    # The scan finds what it should (a scan that finds nothing would pass anything).
    assert {"login", "logout", "inbox_decide", "faq_add", "model_retrain", "model_activate", "model_rollback",
            "user.add", "user.role", "user.reset", "password_change", "audit_export"} <= codes
    assert {"service_create", "service_update", "service_delete", "service_example"} <= codes
    assert dynamic <= DYNAMIC, f"codes passed as variables; label them, list the site here: {dynamic - DYNAMIC}"
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert missing == []
    for code in codes:
        assert re.search(r"[\u4e00-\u9fff]", ACTION_LABELS[code]), code


def test_an_unknown_code_is_shown_with_its_code():
    assert action_label("inbox.annotate") == "其他操作（inbox.annotate）"
    assert action_label("user.add") == "创建账号"
    assert user_label("cli") == "命令行" and user_label("(unknown)") == "（不存在的账号）"
    assert user_label("zhang.san") == "zhang.san"


def test_details_read_as_chinese_not_json():
    assert describe("inbox_decide", {"text": "社保卡在哪办", "action": "assign", "intent": "svc_sbk_apply"}) == (
        "消息：社保卡在哪办；处理方式：归入意图；意图：svc_sbk_apply")
    assert describe("model_activate", {"model": "a.tar.gz", "previous": None}) == "模型：a.tar.gz；原线上模型：无"
    assert describe("model_retrain", {"mode": "finetune", "reason": "只新增了例句"}) == (
        "训练方式：微调；原因：只新增了例句")
    assert describe("user.add", {"username": "li.si", "role": "trainer", "os_user": "root"}) == (
        "账号：li.si；角色：训练员；系统账号：root")
    assert describe("user.role", {"username": "li.si", "role": "admin", "previous": "reviewer"}) == (
        "账号：li.si；角色：管理员；原角色：审核员")
    assert describe("login_failed", {"attempted": "gh***", "reason": "unknown_user"}) == (
        "尝试登录的账号：gh***；原因：账号不存在")
    assert describe("login_locked", {"attempted": "alice", "reason": "locked"}) == (
        "尝试登录的账号：alice；原因：失败次数过多，暂时锁定")
    assert describe("faq_add", {"key": "hours", "examples": ["几点开门", "周末开吗"], "from_inbox": True}) == (
        "问题标识：hours；问法：几点开门、周末开吗；来自待处理消息：是")
    assert describe("login", None) == "" and describe("x", "自由文字") == "自由文字"


def test_a_service_edit_lists_each_change_in_words():
    detail = {"service": "marriage", "name": "结婚登记",
              "changed": {"fee": {"before": "10 元", "after": "不收费"}, "aliases": {"before": None, "after": ["领证"]},
                          "hall_note": {"before": "二楼", "after": None}}}
    text = describe("service_update", detail)
    assert text == ("事项编号：marriage；事项名称：结婚登记；"
                    "改动：收费：“10 元” → “不收费”；别名：领证；地点提示：删除“二楼”")
    assert "{" not in text and "before" not in text


def test_long_values_are_cut_on_the_page_but_not_in_the_export():
    answer = "工作日" * 200
    assert describe("faq_add", {"answer": answer}).endswith("…")
    assert describe("faq_add", {"answer": answer}, limit=None) == "回答：" + answer


def test_the_scan_sees_the_writers_of_this_tree():
    # console/web/routes/auth.py writes "login" and "logout" through web.record.
    source = Path(CONSOLE / "web" / "routes" / "auth.py").read_text(encoding="utf-8")
    assert 'web.record(user, "login"' in source
