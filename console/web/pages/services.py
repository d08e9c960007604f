"""HTML of the 服务事项 list and the delete confirmation.

Same rules as layout.py: every value through `esc`, plain forms, no scripts.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from bot.catalogue.editing import ServiceListing
from console.web.pages.layout import error_notice, esc, layout

ORIGIN_LABELS = {"yaml": "目录文件", "imported": "官方导入", "console": "管理台新建"}
PAGE_SIZE = 50
#: Said wherever staff change a service: when residents see it, and that no training is needed.
LIVE_NOTE = "改动在 10 秒内对居民生效，不需要重新训练模型。"


def _hidden(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(csrf)}">'


def matching(services: Sequence[ServiceListing], query: str) -> list[ServiceListing]:
    """Services whose id, name, department or an alias contains ``query`` (all when empty)."""
    needle = query.strip().lower()
    if not needle:
        return list(services)
    return [s for s in services if needle in " ".join((s.id, s.name, s.department, *s.aliases)).lower()]


def _row(service: ServiceListing) -> str:
    link = "/services/edit?" + urlencode({"id": service.id})
    return (f'<tr><td class="nowrap"><code>{esc(service.id)}</code></td>'
            f'<td><a href="{esc(link)}">{esc(service.name)}</a></td>'
            f"<td>{esc(service.department)}</td><td>{esc(len(service.aliases))}</td><td>{esc(service.examples)}</td>"
            f'<td class="nowrap">{esc(ORIGIN_LABELS.get(service.origin, service.origin))}</td></tr>')


def _pager(query: str, number: int, pages: int) -> str:
    if pages <= 1:
        return ""

    def href(n: int) -> str:
        return "/services?" + urlencode({"q": query, "page": n} if query else {"page": n})

    links = []
    if number > 1:
        links.append(f'<a href="{esc(href(number - 1))}" rel="prev">上一页</a>')
    links.append(f"<span>第 {esc(number)} / {esc(pages)} 页</span>")
    if number < pages:
        links.append(f'<a href="{esc(href(number + 1))}" rel="next">下一页</a>')
    return f'<nav class="pager" aria-label="分页">{" · ".join(links)}</nav>'


def services_page(services: Sequence[ServiceListing], query: str, number: int, user: Any, csrf: str,
                  can_manage: bool, nav: Sequence[tuple[str, str]], message: str | None = None) -> str:
    """``services``: every service; the page shows those matching ``query``, PAGE_SIZE at a time."""
    found = matching(services, query)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = min(max(1, number), pages)
    shown = found[(number - 1) * PAGE_SIZE: number * PAGE_SIZE]
    intro = ('<p class="meta">居民说出事项的名称、别名或与例句相近的问法时，助手直接找到该事项并回答。'
             f'{LIVE_NOTE}</p>')
    search = ('<form class="inline" method="get" action="/services" role="search">'
              '<label for="q">搜索</label>'
              f'<input id="q" name="q" maxlength="50" value="{esc(query)}" placeholder="名称、别名、部门或编号">'
              '<button type="submit">搜索</button></form>')
    add = '<p><a href="/services/new">新增服务事项</a></p>' if can_manage else ""
    if shown:
        count = (f'<p class="meta">共 {esc(len(found))} 项' + (f"（共 {esc(len(services))} 项中）" if query else "")
                 + "。</p>")
        heads = "".join(f'<th scope="col">{h}</th>' for h in ("编号", "名称", "主管部门", "别名数", "例句数", "来源"))
        table = (f'<div class="scroll"><table><thead><tr>{heads}</tr></thead>'
                 f'<tbody>{"".join(_row(s) for s in shown)}</tbody></table></div>')
        body = count + table
    else:
        body = '<p class="card">没有找到服务事项。</p>'
    pager = _pager(query, number, pages)
    return layout("服务事项", error_notice(message) + intro + search + add + pager + body + pager, user, csrf, nav)


def delete_page(service: ServiceListing, user: Any, csrf: str, nav: Sequence[tuple[str, str]],
                message: str | None = None) -> str:
    back = "/services/edit?" + urlencode({"id": service.id})
    again = {"yaml": "它来自目录文件，下次重新加载目录（load-catalogue）时会恢复。",
             "imported": "它来自官方导入，下次导入含有它的文件时会恢复。",
             "console": "它是在管理台新建的，删除后不会恢复。"}[service.origin]
    body = (
        f'{error_notice(message)}<section class="card" aria-labelledby="confirm">'
        f'<p class="phrase" id="confirm">确定删除服务事项“{esc(service.name)}”'
        f'（<code>{esc(service.id)}</code>）吗？</p>'
        f'<p class="meta">删除后 10 秒内居民将无法再查到它。{esc(again)}</p>'
        '<form class="inline" method="post" action="/services/delete">' + _hidden(csrf) +
        f'<input type="hidden" name="id" value="{esc(service.id)}">'
        '<input type="hidden" name="confirm" value="yes">'
        '<button type="submit">确定删除</button>'
        f'<a href="{esc(back)}">取消</a></form></section>'
    )
    return layout("删除服务事项", body, user, csrf, nav)
