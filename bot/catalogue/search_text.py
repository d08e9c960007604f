"""The words service search compares: the text as the NLU pipeline sees it, cut by jieba.

A resident's message goes through the steps bot/nlu/tokenizer.py applies before DIET sees it
(:func:`bot.text.normalize`, homophone correction with the project dictionary, jieba with
data/dict loaded), so search and the classifier read the same words. Catalogue text is
normalised and cut the same way but not corrected: it is the official spelling, and
correcting thousands of entries would make an index build slow for nothing.

Function words (的, 吗, 怎么, 我想…) are dropped: every service and every off-topic question
has them, so they only blur the scores and the confidence measure.
"""
from __future__ import annotations

import re
from functools import lru_cache

from bot.config import PROJECT_ROOT
from bot.homophones import HomophoneCorrector
from bot.text import MAX_MESSAGE_CHARS, normalize

#: The jieba user dictionary the NLU pipeline is configured with (config.yml).
DICTIONARY_DIR = PROJECT_ROOT / "data" / "dict"

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
_MEANINGFUL = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]")
#: Words that say how a resident asks, not what about. Kept short on purpose: a word that
#: names a thing (证, 卡, 钱) stays even when it is common.
STOPWORDS = frozenset("""
的 了 吗 呢 吧 啊 呀 哦 嘛 么 嗯 哈 额 呃 是 在 有 和 与 及 或 跟 给 把 被 让 就 也 都 还 还有 还是 又 再 才 很
我 你 他 她 它 我们 你们 他们 咱 咱们 自己 这 那 这个 那个 这些 那些 这边 那边 一个 一下 一张 个
怎么 怎么办 怎样 怎么样 如何 么样 咋 咋办 咋弄 啥 什么 哪 哪里 哪儿 哪个 哪些 哪块 多少 几 为什么
想 要 能 会 可以 能不能 可不可以 需要 得 应该 请问 请 问 问下 问一下 谢谢 您好 你好 麻烦 吗 不 没 没有
去 到 来 从 对 向 为 用 弄 搞 办 做 下 上 里 中 后 前 时候 现在 今天 已经 之前 以后 然后 就是 那么 这么
""".split())


@lru_cache(maxsize=1)
def _corrector() -> HomophoneCorrector:
    """Loads data/dict into jieba (once per process) and builds the homophone corrector from it."""
    return HomophoneCorrector.from_jieba_dicts(DICTIONARY_DIR)


def prepare() -> None:
    """Load the dictionary now rather than on the first message (a second or so)."""
    _corrector()
    import jieba

    jieba.initialize()


def _cut(text: str) -> list[str]:
    import jieba

    _corrector()  # the project dictionary must be in jieba before the first cut
    return jieba.lcut(text)


def _keep(word: str) -> bool:
    return bool(_MEANINGFUL.search(word)) and word not in STOPWORDS


def words(text: str) -> list[str]:
    """Meaningful jieba words of already normalised text, in order, repeats kept (BM25 counts them)."""
    return [w for w in _cut(text) if _keep(w)]


def pairs(text: str) -> list[str]:
    """Pairs of neighbouring Chinese characters of already normalised text, function words left out.

    They match where words do not: a typo the corrector does not know (港沃通行证), or a phrase
    jieba cuts differently in the message and in the catalogue. A function word breaks the
    run, so 怎么 or 今天 never make a pair that matches everything.
    """
    runs = "".join(w if _keep(w) else " " for w in _cut(text))
    return [run[i:i + 2] for run in _HAN_RUN.findall(runs) for i in range(len(run) - 1)]


def query_text(raw: str | None) -> str:
    """A resident's message as the NLU pipeline rewrites it: normalised, then typo-corrected."""
    return _corrector().correct(normalize(raw)[:MAX_MESSAGE_CHARS])


def catalogue_words(text: str) -> list[str]:
    """Words of catalogue text (normalised, never corrected)."""
    return words(normalize(text))


def catalogue_pairs(text: str) -> list[str]:
    """Character pairs of catalogue text (normalised, never corrected)."""
    return pairs(normalize(text))


def catalogue_form(text: str) -> str:
    """A name or alias in the form it takes inside a normalised message (for exact mentions)."""
    return normalize(text)
