"""Correct homophone typos of government terms (社报卡 -> 社保卡, 公级金 -> 公积金).

Pinyin input methods and voice transcripts produce characters that sound like the
intended word. We compare each window of the text with the domain dictionary by
"fuzzy" pinyin (toneless; zh/z, ch/c, sh/s, n/l and -ng/-n merged, as many Wuhu
speakers merge them) and replace a window that sounds like a term, is written
differently, and keeps at least half of the term's characters (so "一包" never becomes
"医保"). A character that jieba reads as part of a common word is never changed
(租房 in "租房公积金" stays; 失 in "无为失业" stays). Replacements keep the length, so character offsets stay valid.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))
#: A jieba word at least this frequent is a real word, not a typo.
COMMON_WORD_FREQ = 50


@lru_cache(maxsize=20000)
def fuzzy_syllable(char: str) -> str:
    from pypinyin import lazy_pinyin

    syllable = lazy_pinyin(char)[0]
    for long, short in _INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in _FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


def fuzzy_key(word: str) -> tuple[str, ...]:
    return tuple(fuzzy_syllable(c) for c in word)


def _same_chars(a: str, b: str) -> int:
    return sum(x == y for x, y in zip(a, b, strict=True))  # same fuzzy key, so same length


class HomophoneCorrector:
    """Replaces sound-alike misspellings of known terms in a text."""

    def __init__(self, terms: Iterable[str]) -> None:
        by_key: dict[tuple[str, ...], str | None] = {}
        for term in terms:
            if 2 <= len(term) <= 8 and _HAN.match(term):
                key = fuzzy_key(term)
                # Two terms that sound alike: correct to neither.
                by_key[key] = term if by_key.get(key, term) == term else None
        self._by_key = {k: v for k, v in by_key.items() if v}
        self._lengths = sorted({len(k) for k in self._by_key}, reverse=True)

    @staticmethod
    def _protected(text: str) -> list:
        """True for characters inside a common multi-character jieba word."""
        import jieba

        protected = [False] * len(text)
        for word, start, end in jieba.tokenize(text):
            if len(word) >= 2 and jieba.dt.FREQ.get(word, 0) >= COMMON_WORD_FREQ:
                protected[start:end] = [True] * (end - start)
        return protected

    def correct(self, text: str) -> str:
        if not self._by_key or not text:
            return text
        chars = list(text)
        protected = self._protected(text)
        i = 0
        while i < len(text):
            for n in self._lengths:
                window = text[i:i + n]
                if len(window) == n and _HAN.match(window):
                    term = self._by_key.get(fuzzy_key(window))
                    if term and _same_chars(window, term) * 2 >= n and not any(
                            protected[i + k] for k in range(n) if window[k] != term[k]):
                        chars[i:i + n] = term
                        i += n
                        break
            else:
                i += 1
        return "".join(chars)

    @classmethod
    def from_jieba_dicts(cls, folder: Path | str) -> HomophoneCorrector:
        """Terms are the first column of every jieba user-dictionary file in ``folder``.

        The files are also loaded into jieba, so that its words include the terms.
        """
        import jieba

        terms = []
        for path in sorted(Path(folder).glob("*")):
            if path.is_file():
                jieba.load_userdict(str(path))
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        terms.append(line.split()[0])
        return cls(terms)
