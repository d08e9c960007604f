"""Text normalisation and input checks shared by the NLU pipeline and the actions.

Residents type with traditional characters, full-width digits, stray spaces and
punctuation, or paste whole documents. Everything that reaches NLU goes through
:func:`normalize` first so training data and live input look alike.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from functools import lru_cache

#: Longest message NLU looks at; longer ones get a polite "please shorten" reply.
MAX_MESSAGE_CHARS = 500

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_WORD_RE = re.compile(rf"[{_CJK}A-Za-z0-9]")
_SPACE_AROUND_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_MULTI_SPACE = re.compile(r"\s+")
# Punctuation we keep (in half-width form); anything else becomes a separator.
_KEEP_PUNCT = ",?"
_PUNCT_MAP = str.maketrans({"。": ",", "、": ",", ";": ",", "!": ",", "~": ",", "…": ",",
                            "：": ",", ":": ",", "．": ",", ".": ","})
_PUNCT_RUN = re.compile(r"([,?])[,?\s]*")


@lru_cache(maxsize=1)
def _t2s():
    """OpenCC converter, built on first use (it reads dictionary files)."""
    import opencc

    return opencc.OpenCC("t2s")


def _strip_controls(text: str) -> str:
    return "".join(
        ch if unicodedata.category(ch)[0] != "C" else " "
        for ch in text
    )


def _drop_symbols(text: str) -> str:
    """Emoji and other symbols carry no meaning for NLU; keep ASCII digits/letters/CJK."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat.startswith("S") or cat in ("Mn", "Me", "Cf"):
            out.append(" ")
        elif cat.startswith("P"):
            out.append(ch if ch in _KEEP_PUNCT else ",")
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str | None) -> str:
    """Return the canonical form NLU sees.

    NFKC (full-width to half-width), traditional to simplified, control characters
    and emoji removed, no spaces next to Chinese characters, punctuation reduced to
    single "," or "?", nothing leading or trailing. Idempotent.
    """
    if not text:
        return ""
    text = text[: MAX_MESSAGE_CHARS * 4]
    text = unicodedata.normalize("NFKC", text)
    text = _strip_controls(text)
    text = text.translate(_PUNCT_MAP)
    text = _drop_symbols(text)
    if _CJK_RE.search(text):
        text = _t2s().convert(text)
    text = _SPACE_AROUND_CJK.sub("", text)
    text = _MULTI_SPACE.sub(" ", text)
    text = _PUNCT_RUN.sub(lambda m: m.group(1), text)
    text = re.sub(r"\s*([,?])\s*", r"\1", text)
    text = text.strip(" ,")
    text = re.sub(r"^\?+", "", text).strip(" ,")
    return text


class InputProblem(str, enum.Enum):
    """Why a message cannot be understood as a request, or OK."""

    OK = "ok"
    EMPTY = "empty"
    NO_WORDS = "no_words"  # emoji, symbols or punctuation only
    NOT_CHINESE = "not_chinese"
    TOO_LONG = "too_long"


def classify_input(raw_text: str | None) -> InputProblem:
    """Classify a raw message before trusting NLU with it."""
    if raw_text is None or not _strip_controls(raw_text).strip():
        return InputProblem.EMPTY
    if len(raw_text) > MAX_MESSAGE_CHARS:
        return InputProblem.TOO_LONG
    text = normalize(raw_text)
    if not _WORD_RE.search(text):
        return InputProblem.NO_WORDS
    if not _CJK_RE.search(text) and _LATIN_RE.search(text):
        return InputProblem.NOT_CHINESE
    return InputProblem.OK
