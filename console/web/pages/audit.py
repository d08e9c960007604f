"""HTML of the 操作记录 (audit log) page, for admins."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from console.auth.audit import AuditRecord
from console.web.pages.layout import esc, layout


def _detail(detail: Any) -> str:
    if detail is None:
        return ""
    if isinstance(detail, str):
        return detail
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def audit_page(records: Iterable[AuditRecord], user: Any, csrf: str,
               nav: Sequence[tuple[str, str]]) -> str:
    rows = "".join(
        f"<tr><td>{esc(r.at.strftime('%Y-%m-%d %H:%M:%S'))}</td><td>{esc(r.username)}</td>"
        f"<td>{esc(r.action)}</td><td>{esc(_detail(r.detail))}</td><td>{esc(r.ip or '')}</td></tr>"
        for r in records
    )
    body = (
        '<p class="meta">最近的操作记录（UTC 时间，最新在前）。</p>'
        '<table><thead><tr><th scope="col">时间</th><th scope="col">用户</th><th scope="col">操作</th>'
        f'<th scope="col">详情</th><th scope="col">来源地址</th></tr></thead><tbody>{rows}</tbody></table>'
    )
    return layout("操作记录", body, user, csrf, nav)
