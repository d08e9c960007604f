"""Reading the NLU folder and the domain: which intents and examples exist, and where.

Also the checks every edit shares (a phrasing's stored form, and whether it is already
training data or held out), and :func:`comparable_nlu`, the form in which an edit's
result is compared with the file before it. Used by training_data.py and faq.py.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.text import normalize
from console.teaching.errors import DataFileError, DuplicateExampleError, InvalidExampleError

#: Longest example accepted (characters, after normalizing).
MAX_EXAMPLE_CHARS = 200

# Rasa's entity annotation: [text](entity), [text](entity:value), [text]{...}, [text][...].
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


@dataclass(frozen=True)
class KnownExample:
    intent: str
    path: Path
    text: str  # as written in the file


@dataclass
class NluIndex:
    """What the NLU folder holds: where each intent lives and every example's owner."""

    intent_files: dict[str, Path]
    examples: dict[str, KnownExample]  # normalized text -> first occurrence


def _yaml_parser() -> YAML:
    return YAML(typ="safe", pure=True)


def read_text(path: Path) -> str:
    """The exact text (no newline translation), so unchanged bytes stay unchanged."""
    return path.read_bytes().decode("utf-8")


def load_yaml(text: str, path: Path) -> Any:
    """``text`` parsed (safe loader); DataFileError naming ``path`` when it is not YAML."""
    try:
        return _yaml_parser().load(text)
    except YAMLError as error:
        raise DataFileError(f"{path.name} 不是有效的 YAML：{error}") from error


def _nlu_files(nlu_dir: Path) -> list[Path]:
    return sorted(p for p in nlu_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def example_lines(examples: Any) -> list[str]:
    """The example texts of an intent's ``examples`` value (block text or list form)."""
    if isinstance(examples, str):
        return [line.strip()[2:].strip() for line in examples.splitlines()
                if line.strip().startswith("- ")]
    if isinstance(examples, list):
        return [str(item.get("text", "")).strip() if isinstance(item, dict) else str(item).strip()
                for item in examples]
    return []


def plain_text(example: str) -> str:
    """The example as a resident would type it: entity annotations removed."""
    return _ANNOTATION.sub(lambda m: m.group("text"), example)


def intent_items(document: Any) -> list[dict]:
    """The ``- intent:`` items of a parsed NLU document's ``nlu:`` section."""
    if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
        return []
    return [item for item in document["nlu"] if isinstance(item, dict) and "intent" in item]


def scan_nlu(nlu_dir: Path) -> NluIndex:
    """Index every intent and example in the NLU folder."""
    index = NluIndex({}, {})
    for path in _nlu_files(nlu_dir):
        for item in intent_items(load_yaml(read_text(path), path)):
            intent = str(item["intent"])
            index.intent_files.setdefault(intent, path)
            for line in example_lines(item.get("examples")):
                key = normalize(plain_text(line))
                if key:
                    index.examples.setdefault(key, KnownExample(intent, path, line))
    return index


_cache_lock = threading.Lock()
_cache: dict[Path, tuple[tuple, NluIndex]] = {}


def _stamp(nlu_dir: Path) -> tuple:
    """What changes when a file does: edits replace files (a new inode), hands change times."""
    stats = ((p, p.stat()) for p in _nlu_files(nlu_dir))
    return tuple((p, st.st_ino, st.st_mtime_ns, st.st_size) for p, st in stats)


def nlu_index(nlu_dir: Path) -> NluIndex:
    """:func:`scan_nlu` for pages, kept while no file changes (the pure-Python YAML parser
    takes a third of a second for the folder; the inbox asks on every view). Edits scan
    afresh under their lock; every edit replaces its file, which changes the stamp.
    The result is shared: do not change it."""
    nlu_dir = Path(nlu_dir).resolve()
    stamp = _stamp(nlu_dir)
    with _cache_lock:
        kept = _cache.get(nlu_dir)
        if kept is not None and kept[0] == stamp:
            return kept[1]
    index = scan_nlu(nlu_dir)
    with _cache_lock:
        _cache[nlu_dir] = (stamp, index)
    return index


def domain_intents(domain_path: Path) -> list[str]:
    """The intents listed in the domain (plain names or ``{name: {...}}`` entries)."""
    document = load_yaml(read_text(domain_path), domain_path) or {}
    names: list[str] = []
    for entry in document.get("intents") or []:
        if isinstance(entry, dict):
            names.extend(str(key) for key in entry)
        else:
            names.append(str(entry))
    return names


def assignable_intents(nlu_dir: Path, domain_path: Path) -> list[str]:
    """The intents a phrasing can be added to (the inbox's "归入意图" list).

    The domain's intents, except that a retrieval intent (``faq``) is replaced by its
    sub-intents in the NLU data (``faq/office_hours``…): a phrasing belongs to one question.
    """
    retrieval: dict[str, list[str]] = {}
    for name in nlu_index(Path(nlu_dir)).intent_files:
        base, separator, _ = name.partition("/")
        if separator:
            retrieval.setdefault(base, []).append(name)
    names: list[str] = []
    for intent in domain_intents(domain_path):
        names.extend(retrieval.get(intent, [intent]))
    return names


def heldout_texts(heldout_dir: Path | None) -> set[str]:
    """The normalized phrasings of the held-out set (none without a folder)."""
    if heldout_dir is None or not heldout_dir.is_dir():
        return set()
    return set(scan_nlu(heldout_dir).examples)


def clean_example(text: str) -> str:
    """The form an example is stored in; refuses empty and overlong texts."""
    cleaned = normalize(text)
    if not cleaned:
        raise InvalidExampleError("样本为空：去掉空格、标点和表情后没有内容。")
    if len(cleaned) > MAX_EXAMPLE_CHARS:
        raise InvalidExampleError(
            f"样本太长（{len(cleaned)} 字），最多 {MAX_EXAMPLE_CHARS} 字，请只保留说明办事需求的那句话。")
    return cleaned


def refuse_known(cleaned: str, intent: str, index: NluIndex, heldout: set[str]) -> None:
    """DuplicateExampleError if ``cleaned`` is already an example (of any intent) or held out."""
    known = index.examples.get(cleaned)
    if known is not None:
        if known.intent == intent:
            message = f"“{cleaned}”已经是意图 {intent} 的训练样本（{known.path.name}），无需重复添加。"
        else:
            message = (f"“{cleaned}”已经是意图 {known.intent} 的训练样本（{known.path.name}），"
                       f"不能再加到 {intent}：同一句话只能属于一个意图。")
        raise DuplicateExampleError(message, cleaned, known.intent, known.path)
    if cleaned in heldout:
        raise DuplicateExampleError(
            f"“{cleaned}”在留出测试集中，加入训练数据会让评测结果失真。", cleaned, "", None)


def default_domain(nlu_dir: Path) -> Path:
    """domain.yml next to the data folder (data/nlu -> ./domain.yml) or next to nlu_dir."""
    for candidate in (nlu_dir.parent / "domain.yml", nlu_dir.parent.parent / "domain.yml"):
        if candidate.is_file():
            return candidate
    raise DataFileError(f"找不到 domain.yml（在 {nlu_dir} 的上一级或上两级目录）。")


def comparable_nlu(document: Any, intent: str = "", drop: Sequence[str] = ()) -> Any:
    """A copy of an NLU document to compare before and after an edit: every examples block
    as a list (block text and list form compare equal), ``intent``'s minus ``drop`` at its end."""
    if not isinstance(document, dict):
        return document
    out = dict(document)
    items = []
    for item in document.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            item = dict(item)
            lines = example_lines(item.get("examples"))
            if str(item["intent"]) == intent:
                lines = list(lines)
                for text in drop:
                    if lines and lines[-1] == text:
                        lines.pop()
            item["examples"] = lines
        items.append(item)
    if "nlu" in document:
        out["nlu"] = items
    return out
