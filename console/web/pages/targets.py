"""The 归入意图 list on the inbox page: one <datalist> the fields share, and a grouped overview.

No script (the CSP allows none): the field is an <input list> that the browser filters as
the reviewer types (社保, 几点, 转人工), and each option names its topic. The overview
lists every target under its heading, for browsing instead of searching.
"""
from __future__ import annotations

from console.teaching.targets import Target, Targets
from console.web.pages.layout import esc

#: The id of the page's one <datalist> of targets.
TARGET_LIST_ID = "targets"
#: Placeholder of a target field.
PLACEHOLDER = "输入关键词搜索，如 社保卡、几点上班、转人工"


def target_field(field_id: str, value: str = "", required: bool = True) -> str:
    """The input a reviewer types or picks a target into (sent as ``target``: its label)."""
    return (f'<input id="{esc(field_id)}" name="target" list="{TARGET_LIST_ID}" autocomplete="off" '
            f'maxlength="200" placeholder="{esc(PLACEHOLDER)}" value="{esc(value)}"'
            + (" required" if required else "") + ">")


def _option(target: Target) -> str:
    return f'<option value="{esc(target.label)}" label="{esc(target.group)}"></option>'


def target_datalist(targets: Targets) -> str:
    return f'<datalist id="{TARGET_LIST_ID}">{"".join(_option(t) for t in targets.items)}</datalist>'


def target_overview(targets: Targets) -> str:
    """Every target under its heading, folded away until opened."""
    sections = "".join(
        f'<h3>{esc(group)}</h3><ul class="targets">'
        + "".join(f"<li>{esc(t.label)}</li>" for t in items) + "</ul>"
        for group, items in targets.groups()
    )
    return (f'<details class="card"><summary>可归入的意图一览（共 {esc(len(targets.items))} 项，按主题分组）</summary>'
            f'{sections}</details>')
