"""Line surgery on hand-written YAML: insert or remove lines without re-serialising the file.

The data files carry comments, an order and a style that a YAML round trip would disturb,
so new lines are spliced into the text. These functions only edit text; the callers parse
the result again to prove it holds exactly what was added or taken out (training_data.py, faq.py).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from console.teaching.errors import DataFileError

_INTENT_LINE = re.compile(r"^(?P<indent>[ ]*)- intent:[ ]*(?P<name>['\"]?[^\s#'\"]+['\"]?)[ ]*(?:#.*)?$")
_BLOCK_HEADER = r"^(?P<indent>[ ]*)examples:[ ]*\|[-+0-9]*[ ]*(?:#.*)?$"
_TOP_LEVEL_KEY = re.compile(r"^(?:[^\s#\-]|---|\.\.\.)")


def newline_of(lines: Sequence[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def insert_lines(lines: list[str], at: int, new_lines: Sequence[str], newline: str) -> str:
    """Insert whole lines before index ``at``, making sure the previous line is ended."""
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    return "".join(lines[:at]) + "".join(line + newline for line in new_lines) + "".join(lines[at:])


def insert_example_text(source: str, intent: str, example: str) -> str:
    """``source`` with ``- example`` appended to the examples block of ``intent``."""
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    start = None
    for number, line in enumerate(lines):
        match = _INTENT_LINE.match(line.rstrip("\r\n"))
        if match and match.group("name").strip("'\"") == intent:
            start, item_indent = number, len(match.group("indent"))
            break
    if start is None:
        raise DataFileError(f"文件中没有找到意图 {intent}。")
    # The item's keys sit two columns right of its dash.
    header = None
    for number in range(start + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if is_blank_or_comment(line):
            continue
        if indent_of(line) <= item_indent:
            break  # next item or section: no examples block
        if re.match(_BLOCK_HEADER, line):
            header, key_indent = number, indent_of(line)
            break
    if header is None:
        raise DataFileError(f"意图 {intent} 的样本不是 “examples: |” 文本块形式，无法自动添加。")
    # The block goes on while lines are blank or indented deeper than the key.
    last_content = header
    content_indent = None
    for number in range(header + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if not line.strip():
            continue
        if indent_of(line) <= key_indent:
            break
        if content_indent is None:
            content_indent = indent_of(line)
        last_content = number
    if content_indent is None:
        content_indent = key_indent + 2
    return insert_lines(lines, last_content + 1, [" " * content_indent + "- " + example], newline)


def section_end(lines: Sequence[str], key_line: int) -> tuple[int, str | None]:
    """(index after the last content line of a top-level section, its item indent)."""
    last_content = key_line
    item_indent = None
    for number in range(key_line + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if is_blank_or_comment(line):
            continue
        if _TOP_LEVEL_KEY.match(line):
            break
        if item_indent is None and line.lstrip(" ").startswith("- "):
            item_indent = line[:indent_of(line)]
        last_content = number
    return last_content + 1, item_indent


def find_key(lines: Sequence[str], key: str) -> int | None:
    pattern = re.compile(rf"^{re.escape(key)}:[ ]*(?:#.*)?$")
    for number, line in enumerate(lines):
        if pattern.match(line.rstrip("\r\n")):
            return number
    if any(re.match(rf"^{re.escape(key)}:\s*\S", line) for line in lines):
        raise DataFileError(f"“{key}:” 写成了单行形式，无法自动添加，请手工编辑。")
    return None


def append_intent_text(source: str, intent: str, examples: Sequence[str]) -> str:
    """``source`` (an NLU file, maybe empty) with a new intent block at the end of ``nlu:``."""
    if not source.strip():
        source = 'version: "3.1"\nnlu:\n'
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    key_line = find_key(lines, "nlu")
    if key_line is None:
        return insert_lines(lines, len(lines), ["nlu:", *_intent_block("", intent, examples)], newline)
    at, item_indent = section_end(lines, key_line)
    return insert_lines(lines, at, _intent_block(item_indent or "", intent, examples), newline)


def _intent_block(indent: str, intent: str, examples: Sequence[str]) -> list[str]:
    return [f"{indent}- intent: {intent}", f"{indent}  examples: |",
            *(f"{indent}    - {example}" for example in examples)]


def append_domain_intent_text(source: str, intent: str) -> str:
    """``source`` (domain.yml) with ``- intent`` as the last entry of ``intents:``."""
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    key_line = find_key(lines, "intents")
    if key_line is None:
        raise DataFileError("domain.yml 中没有 “intents:” 列表。")
    at, item_indent = section_end(lines, key_line)
    return insert_lines(lines, at, [f"{item_indent if item_indent is not None else '  '}- {intent}"], newline)


def remove_example_text(source: str, intent: str, matches: Callable[[str], bool]) -> str | None:
    """``source`` without the first ``- example`` line of ``intent``'s block for which
    ``matches(example)`` holds; None when the block has no such line.

    The block is found as :func:`insert_example_text` finds it; only that one line goes,
    so comments, order and every other byte stay as they were.
    """
    lines = source.splitlines(keepends=True)
    start = None
    for number, line in enumerate(lines):
        match = _INTENT_LINE.match(line.rstrip("\r\n"))
        if match and match.group("name").strip("'\"") == intent:
            start, item_indent = number, len(match.group("indent"))
            break
    if start is None:
        return None
    header = key_indent = None
    for number in range(start + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if is_blank_or_comment(line):
            continue
        if indent_of(line) <= item_indent:
            return None
        if re.match(_BLOCK_HEADER, line):
            header, key_indent = number, indent_of(line)
            break
    if header is None or key_indent is None:
        return None
    for number in range(header + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if not line.strip():
            continue
        if indent_of(line) <= key_indent:
            break
        stripped = line.strip()
        if stripped.startswith("- ") and matches(stripped[2:].strip()):
            return "".join(lines[:number] + lines[number + 1:])
    return None
