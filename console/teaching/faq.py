"""Frequently asked questions (常见问题): the retrieval intent ``faq/<key>`` and its answer.

Both live in one file, data/nlu/faq.yml: the phrasings as ``- intent: faq/<key>`` in the
``nlu:`` section, the answer as ``utter_faq/<key>`` in its ``responses:`` section (Rasa
reads responses from NLU files; the ResponseSelector in config.yml picks one). Staff add
FAQs from the console's 常见问题 page or ``python -m console faq``; edits are surgical
and verified like the other training-data edits (training_data.py), so the
rest of the file stays byte-identical. A new FAQ takes effect after the next training.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.teaching.errors import (
    DataFileError,
    DuplicateExampleError,
    InvalidIntentError,
    TrainingDataError,
    UnknownIntentError,
)
from console.teaching.nlu_files import (
    clean_example,
    comparable_nlu,
    domain_intents,
    example_lines,
    heldout_texts,
    intent_items,
    load_yaml,
    read_text,
    refuse_known,
    scan_nlu,
)
from console.teaching.training_data import add_example, edit_lock, write_atomic
from console.teaching.yaml_lines import (
    append_intent_text,
    find_key,
    indent_of,
    insert_lines,
    is_blank_or_comment,
    newline_of,
    section_end,
)

FAQ_FILE = "faq.yml"
RETRIEVAL_INTENT = "faq"
RESPONSE_PREFIX = f"utter_{RETRIEVAL_INTENT}/"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
MIN_EXAMPLES = 2
MAX_EXAMPLES = 50
MAX_ANSWER_CHARS = 1000
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n", "\t": " "})


@dataclass(frozen=True)
class Faq:
    key: str
    examples: list[str]
    answer: str

    @property
    def intent(self) -> str:
        return f"{RETRIEVAL_INTENT}/{self.key}"


def faq_file(nlu_dir: Path) -> Path:
    return Path(nlu_dir) / FAQ_FILE


def _response_text(entries: Any) -> str:
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return str(entries[0].get("text") or "")
    return ""


def list_faqs(nlu_dir: Path) -> list[Faq]:
    """Every FAQ in faq.yml, in file order (answer '' when its response is missing)."""
    path = faq_file(nlu_dir)
    if not path.is_file():
        return []
    document = load_yaml(read_text(path), path) or {}
    responses = document.get("responses") if isinstance(document, dict) else None
    responses = responses if isinstance(responses, dict) else {}
    faqs = []
    for item in intent_items(document):
        intent = str(item["intent"])
        if intent.startswith(RETRIEVAL_INTENT + "/"):
            key = intent.split("/", 1)[1]
            faqs.append(Faq(key, example_lines(item.get("examples")),
                            _response_text(responses.get(RESPONSE_PREFIX + key))))
    return faqs


# --------------------------------------------------------------------------- checks

def check_key(key: str) -> str:
    if not KEY_RE.match(key or ""):
        raise InvalidIntentError(
            f"问题标识 “{key}” 无效：请用小写英文字母、数字和下划线，以字母开头，共 2 到 41 个字符，"
            "例如 office_hours。")
    return key


def clean_answer(text: str) -> str:
    """The answer as stored: line breaks unified, control characters removed, trimmed."""
    text = (text or "").replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")
    text = "\n".join(line.rstrip(" ") for line in text.split("\n")).strip()
    if not text:
        raise TrainingDataError("回答不能为空，请填写要发给居民的回答。")
    if len(text) > MAX_ANSWER_CHARS:
        raise TrainingDataError(f"回答太长（{len(text)} 字），最多 {MAX_ANSWER_CHARS} 字，请精简后再提交。")
    return text


def clean_examples(examples: Sequence[str]) -> list[str]:
    """Each phrasing normalized (as all NLU data is); refuses repeats and wrong counts."""
    cleaned: list[str] = []
    for example in examples:
        value = clean_example(example)
        if value in cleaned:
            raise DuplicateExampleError(f"问法“{value}”重复填写了，请删掉重复的一条。",
                                           value, "", None)
        cleaned.append(value)
    if not MIN_EXAMPLES <= len(cleaned) <= MAX_EXAMPLES:
        raise InvalidIntentError(
            f"请填写 {MIN_EXAMPLES} 到 {MAX_EXAMPLES} 条不同的问法（现在是 {len(cleaned)} 条），每行一条。")
    return cleaned


def _require_retrieval_intent(domain_path: Path) -> None:
    if RETRIEVAL_INTENT not in domain_intents(domain_path):
        raise UnknownIntentError(
            f"domain.yml 的 intents 中没有 {RETRIEVAL_INTENT}，常见问题无法生效，请先联系维护人员。")


# --------------------------------------------------------------------------- text surgery

def _scalar(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is a subset of YAML's."""
    return json.dumps(text, ensure_ascii=False)


def append_response_text(source: str, name: str, answer: str) -> str:
    """``source`` with ``name: [- text: answer]`` at the end of ``responses:``."""
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    key_line = find_key(lines, "responses")
    if key_line is None:
        entry = ["responses:", f"  {name}:", f"    - text: {_scalar(answer)}"]
        return insert_lines(lines, len(lines), entry, newline)
    at, _ = section_end(lines, key_line)
    indent = "  "
    for line in lines[key_line + 1:at]:
        if not is_blank_or_comment(line.rstrip("\r\n")):
            indent = line[:indent_of(line)]
            break
    entry = [f"{indent}{name}:", f"{indent}  - text: {_scalar(answer)}"]
    return insert_lines(lines, at, entry, newline)


def _verify_new_faq(before: str, after: str, path: Path, key: str, examples: Sequence[str],
                    answer: str) -> None:
    """The edited file parses and differs from the original by exactly this FAQ."""
    old = comparable_nlu(load_yaml(before, path) if before.strip() else {}) or {}
    new = comparable_nlu(load_yaml(after, path))
    intent, response = f"{RETRIEVAL_INTENT}/{key}", RESPONSE_PREFIX + key
    expected = dict(old) if before.strip() else {"version": "3.1"}
    expected["nlu"] = list(old.get("nlu") or []) + [{"intent": intent, "examples": list(examples)}]
    expected["responses"] = {**(old.get("responses") or {}), response: [{"text": answer}]}
    if new != expected:
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


# --------------------------------------------------------------------------- public API

def add_faq(nlu_dir: Path, key: str, examples: list[str], answer: str, domain_path: Path,
            heldout_dir: Path | None = None) -> Faq:
    """Add a new FAQ (2–50 phrasings and its answer) to faq.yml; returns it as stored.

    Refuses (TrainingDataError, nothing written) a bad or taken key, a bad answer, and
    phrasings that are empty, overlong, repeated, already training data or held out.
    """
    nlu_dir, domain_path = Path(nlu_dir), Path(domain_path)
    check_key(key)
    cleaned = clean_examples(examples)
    text = clean_answer(answer)
    _require_retrieval_intent(domain_path)
    path = faq_file(nlu_dir)
    intent = f"{RETRIEVAL_INTENT}/{key}"
    with edit_lock(nlu_dir):
        index = scan_nlu(nlu_dir)
        before = read_text(path) if path.exists() else ""
        if intent in index.intent_files or key in {f.key for f in list_faqs(nlu_dir)}:
            raise InvalidIntentError(f"问题标识 {key} 已经用过了，请换一个，或给已有的问题添加问法。")
        heldout = heldout_texts(heldout_dir)
        for value in cleaned:
            refuse_known(value, intent, index, heldout)
        after = append_response_text(append_intent_text(before, intent, cleaned),
                                     RESPONSE_PREFIX + key, text)
        _verify_new_faq(before, after, path, key, cleaned, text)
        write_atomic(path, after)
    return Faq(key, cleaned, text)


def add_faq_example(nlu_dir: Path, key: str, text: str, domain_path: Path,
                    heldout_dir: Path | None = None) -> Faq:
    """Add one phrasing to an existing FAQ; returns the FAQ as it now is."""
    nlu_dir = Path(nlu_dir)
    check_key(key)
    if key not in {f.key for f in list_faqs(nlu_dir)}:
        raise UnknownIntentError(f"没有标识为 {key} 的常见问题，请先新建它。")
    add_example(nlu_dir, f"{RETRIEVAL_INTENT}/{key}", text, Path(domain_path), heldout_dir)
    return next(f for f in list_faqs(nlu_dir) if f.key == key)
