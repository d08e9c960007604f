"""The public 好差评 results page: server-rendered HTML, phone first, Chinese, no script.

One stylesheet, admitted by its hash in the page's CSP (channel.py), so the page can carry
no other style or any script. Only counts and the names of services and departments are
shown (bot/analytics/published.py): nobody's words, numbers or conversation.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from html import escape
from typing import Any

from bot.analytics.definitions import PUBLIC as DEFINITIONS
from bot.analytics.published import Published, Result
from bot.evaluation.levels import LABELS, OFFERED

TITLE = "芜湖市政务服务助手 · 好差评结果公开"
#: The two periods the page offers: (query value, tab label).
PERIODS = (("30d", "近30天"), ("year", "本年度"))

_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;font-size:17px;line-height:1.6;
color:#1d2129;background:#f5f6f8}
header{background:#1f4e8c;color:#fff;padding:1rem}
header h1{font-size:1.25rem;margin:0}
header p{margin:.2rem 0 0;font-size:.9rem;opacity:.9}
main{max-width:760px;margin:0 auto;padding:.75rem}
nav.tabs{display:flex;gap:.5rem;margin:.25rem 0 1rem}
nav.tabs a{flex:1;text-align:center;padding:.6rem;border:1px solid #1f4e8c;border-radius:8px;color:#1f4e8c;
text-decoration:none;font-weight:600}
nav.tabs a[aria-current=page]{background:#1f4e8c;color:#fff}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
.summary{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem}
.summary div,.item{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:.6rem .75rem}
.summary span,.item .meta,.note{color:#4e5969;font-size:.85rem}
.summary strong{display:block;font-size:1.35rem}
.item{margin:0 0 .5rem}
.item h3{font-size:1rem;margin:0 0 .2rem}
.item .rate{font-size:1.2rem;font-weight:700;color:#0b5c3a}
.levels{display:flex;flex-wrap:wrap;gap:.1rem .8rem;margin:.2rem 0 0;padding:0;list-style:none;font-size:.9rem}
.levels li{white-space:nowrap}
dl dt{font-weight:600;margin-top:.4rem}
dl dd{margin:0}
footer{color:#4e5969;font-size:.85rem;text-align:center;padding:1rem}
"""
STYLE_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(_CSS.encode("utf-8")).digest()).decode("ascii") + "'"


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _rate(value: float | None) -> str:
    return "暂无" if value is None else f"{value * 100:.1f}%"


def _followups(result: Result) -> str:
    if not result.followups_due:
        return "差评整改：暂无到期"
    return f"差评按时整改 {result.followups_on_time}/{result.followups_due}"


def _item(result: Result, name: str) -> str:
    levels = "".join(f"<li>{esc(LABELS[level])} {result.levels.get(int(level), 0)}</li>" for level in OFFERED)
    return (f'<section class="item"><h3>{esc(name)}</h3>'
            f'<p class="meta"><span class="rate">满意率 {esc(_rate(result.satisfaction))}</span> · '
            f'评价 {result.total} 次 · 差评 {result.poor} 次 · {esc(_followups(result))}</p>'
            f'<ul class="levels" aria-label="各等级评价次数">{levels}</ul></section>')


def _list(title: str, results: Sequence[Result], names: dict[str, str]) -> str:
    if not results:
        return f'<h2>{esc(title)}</h2><p class="note">这段时间还没有评价。</p>'
    return f'<h2>{esc(title)}</h2>' + "".join(_item(r, names.get(r.key, r.key)) for r in results)


def results_page(data: Published, period: str, names: dict[str, str], updated: str) -> str:
    """The whole page for one period ("30d" or "year"); `names`: service id → catalogue name."""
    tabs = "".join(f'<a href="?p={key}"{" aria-current=page" if key == period else ""}>{label}</a>'
                   for key, label in PERIODS)
    o = data.overall
    summary = (f'<div class="summary" aria-label="总体"><div><span>评价次数</span><strong>{o.total}</strong></div>'
               f'<div><span>满意率</span><strong>{esc(_rate(o.satisfaction))}</strong></div>'
               f'<div><span>差评按时整改</span><strong>{o.followups_on_time}/{o.followups_due}</strong></div></div>')
    definitions = "".join(f"<dt>{esc(name)}</dt><dd>{esc(text)}</dd>" for name, text in DEFINITIONS)
    body = (f'<nav class="tabs" aria-label="统计时间">{tabs}</nav>'
            f'<p class="note">统计时间：{esc(data.start)} 至 {esc(data.end)}（北京时间）；更新于 {esc(updated)}。</p>'
            + summary + _list("按服务事项", data.by_service, names) + _list("按部门", data.by_department, {})
            + f'<h2>说明</h2><dl>{definitions}</dl>')
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(TITLE)}</title><style>{_CSS}</style></head><body>'
            f'<header><h1>好差评结果公开</h1><p>芜湖市政务服务助手 · 居民对每项服务的评价和差评整改情况</p></header>'
            f'<main>{body}</main><footer>依据《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》'
            '（国办发〔2019〕51号）公开。不含任何个人信息。</footer></body></html>')
