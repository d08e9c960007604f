"""HTML for the 常见问题 (FAQ) page: the list, the new-FAQ form, a phrasing form per FAQ.

Same rules as layout.py: every value through `esc`, plain forms, no scripts.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from console.teaching.faq import MAX_ANSWER_CHARS, MAX_EXAMPLES, MIN_EXAMPLES, Faq
from console.web.pages.layout import error_notice, esc, layout

#: Phrasings shown per FAQ before "…".
SHOWN_EXAMPLES = 5


def _hidden(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(csrf)}">'


def _faq_card(index: int, faq: Faq, csrf: str, can_annotate: bool,
              example: tuple[str, str] | None) -> str:
    shown = "".join(f"<li>{esc(text)}</li>" for text in faq.examples[:SHOWN_EXAMPLES])
    more = len(faq.examples) - SHOWN_EXAMPLES
    if more > 0:
        shown += f'<li class="meta">……另有 {esc(more)} 条</li>'
    answer = (f'<div class="answer">{esc(faq.answer)}</div>' if faq.answer
              else '<p class="error">还没有回答（faq.yml 中缺少 utter_faq/' + esc(faq.key) + '）。</p>')
    parts = [
        f'<section class="card" aria-labelledby="faq{index}">',
        f'<p class="phrase" id="faq{index}"><code>{esc(faq.key)}</code></p>',
        f'<p class="meta">问法 {esc(len(faq.examples))} 条：</p><ul>{shown}</ul>',
        f'<p class="meta">回答：</p>{answer}',
    ]
    if can_annotate:
        typed = example[1] if example and example[0] == faq.key else ""
        parts.append(
            f'<form class="inline" method="post" action="/faq/example">{_hidden(csrf)}'
            f'<input type="hidden" name="key" value="{esc(faq.key)}">'
            f'<label for="example{index}">新问法</label>'
            f'<input id="example{index}" name="text" maxlength="200" required value="{esc(typed)}">'
            '<button type="submit">添加问法</button></form>'
        )
    parts.append("</section>")
    return "".join(parts)


def _add_form(csrf: str, typed: Mapping[str, str]) -> str:
    # A newline right after <textarea> is dropped by the browser, so typed text keeps its own.
    return (
        '<section class="card" aria-labelledby="new-faq">'
        '<h2 id="new-faq">新增常见问题</h2>'
        '<form method="post" action="/faq/add">' + _hidden(csrf) +
        (f'<input type="hidden" name="from_inbox" value="{esc(typed["from_inbox"])}">'
         '<p class="meta">来自待处理消息：保存后这条消息会离开待处理列表。</p>'
         if typed.get("from_inbox") else "") +
        '<p><label for="key">问题标识</label><br>'
        f'<input id="key" name="key" required maxlength="41" value="{esc(typed.get("key", ""))}" '
        'aria-describedby="key-hint"><br>'
        '<span class="meta" id="key-hint">小写英文字母、数字和下划线，以字母开头，例如 parking；'
        '建好后不能改。</span></p>'
        '<p><label for="examples">居民的问法（每行一条）</label><br>'
        '<textarea id="examples" name="examples" rows="8" required aria-describedby="examples-hint">\n'
        f'{esc(typed.get("examples", ""))}</textarea><br>'
        f'<span class="meta" id="examples-hint">{MIN_EXAMPLES} 到 {MAX_EXAMPLES} 条，'
        '照居民会说的写（口语、方言、错别字都可以），'
        '越多样越好。不要写具体某项业务的问法（如“社保卡怎么办”），那些由业务意图回答。</span></p>'
        '<p><label for="answer">回答</label><br>'
        f'<textarea id="answer" name="answer" rows="6" required maxlength="{MAX_ANSWER_CHARS}" '
        f'aria-describedby="answer-hint">\n{esc(typed.get("answer", ""))}</textarea><br>'
        f'<span class="meta" id="answer-hint">原样发给居民，最多 {MAX_ANSWER_CHARS} 字。不确定的内容不要写死，'
        '结尾请注明“以窗口最新要求为准”。</span></p>'
        '<button type="submit">保存</button></form></section>'
    )


def faq_page(faqs: Sequence[Faq], user: Any, csrf: str, can_annotate: bool,
             nav: Sequence[tuple[str, str]], message: str | None = None,
             typed: Mapping[str, str] | None = None,
             example: tuple[str, str] | None = None) -> str:
    """``typed``: what the user entered in the new-FAQ form; ``example``: (key, phrasing)."""
    intro = (
        '<p class="meta">居民问到这些问题时，助手直接给出下面的回答。新增问题或问法后，'
        '需要训练员在<a href="/models">训练与上线</a>页面重新训练并上线模型，改动才会生效。</p>'
    )
    if faqs:
        cards = (f'<p class="meta">共 {esc(len(faqs))} 个常见问题。</p>'
                 + "".join(_faq_card(i, f, csrf, can_annotate, example) for i, f in enumerate(faqs)))
    else:
        cards = '<p class="card">还没有常见问题。</p>'
    form = _add_form(csrf, typed or {}) if can_annotate else ""
    return layout("常见问题", error_notice(message) + intro + form + cards, user, csrf, nav)
