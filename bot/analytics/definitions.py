"""Every figure's definition as staff and residents read it (Chinese), for the dashboard and the public page.

The same definitions as report.py's docstring (and published.py's for the public page),
written for readers; tests/analytics/test_definitions.py checks that every figure
report.py defines is defined here too.
"""
from __future__ import annotations

#: (figure, definition) in the order the dashboard shows them.
DASHBOARD: tuple[tuple[str, str], ...] = (
    ("会话数", "所选时间内开始、居民至少发过一条消息的会话。居民两小时没有说话后再来，算一个新会话。"),
    ("解决率", "已解决的会话 ÷ 会话数。已解决：助手给出了服务事项或常见问题的答复，会话最后一轮不是“没听懂”，"
              "并且会话不是以转人工结束。"),
    ("兜底率", "助手没听懂（兜底回复、请居民换个说法）的轮次 ÷ 居民发言的全部轮次。"),
    ("转人工率", "提出转人工的会话 ÷ 会话数。"),
    ("流程完成率", "提交成功的办理流程 ÷ 开始的办理流程；一个会话里开始的每个流程都计入，"
              "差评后询问原因的几个问题不算办理流程。"),
    ("流失步骤", "没有提交的流程停在哪一步（流程提问时显示的“第n步”）；“第一个问题之前”指流程开始后还没显示问题。"),
    ("评价", "居民对服务的“好差评”五级评价，按评价时间统计；经申诉复核撤销的评价不计入。"
            "满意率 =（非常满意 + 满意 + 基本满意）÷ 全部评价。"),
    ("待办跟进、超期", "现在还没有办结的差评跟进；超期指已过整改期限（按工作日计算）仍未办结。"
                "不受时间范围、区县和渠道筛选影响。"),
    ("响应时间中位数", "从居民发出消息到助手第一条回复的时间的中位数，由分段统计估算（1 秒以内精确到 50 毫秒，"
                "1 到 5 秒精确到 250 毫秒）。一条回复计入回复时会话所在的服务事项和区县。"),
    ("服务事项、部门", "一个会话涉及的每个服务事项都计一次，部门按事项所属部门计，所以各行相加可能多于会话总数。"),
    ("时间", "按北京时间的自然日统计，周从周一开始。"),
)

#: The public page's figures (bot/analytics/published.py).
PUBLIC: tuple[tuple[str, str], ...] = (
    ("满意率", "（非常满意 + 满意 + 基本满意）÷ 全部评价。"),
    ("差评", "评价为“不满意”或“非常不满意”的次数，每一条都有专人核实、整改和回访。"),
    ("按时整改", "已到整改期限或已办结的差评中，在期限（按工作日计算）当天或之前办结的件数。"),
    ("统计范围", "按评价时间（北京时间）统计；经申诉复核认定为误评或恶意评价的不计入。"),
)
