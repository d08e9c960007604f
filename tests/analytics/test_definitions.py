"""Every figure report.py defines is defined for readers too (bot/analytics/definitions.py)."""
from __future__ import annotations

import re

from bot.analytics import definitions, report


def test_every_figure_of_report_is_explained_in_chinese():
    defined = set(re.findall(r"^- ([\u4e00-\u9fff]+):", report.__doc__ or "", flags=re.M))
    assert {"会话数", "解决率", "兜底率", "转人工率", "流程完成率", "响应时间中位数"} <= defined
    shown = " ".join(name for name, _ in definitions.DASHBOARD)
    assert [figure for figure in sorted(defined) if figure not in shown] == []
    for name, text in (*definitions.DASHBOARD, *definitions.PUBLIC):
        assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{3,}", text), name
