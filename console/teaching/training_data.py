"""Adding training examples and intents from the console, without damaging the data files.

The NLU data (data/nlu/*.yml) and domain.yml are hand-written and reviewed in git: they
carry comments, an order and a style that a YAML round trip would disturb. So edits are
surgical: the new lines are inserted into the text, the result is parsed again to prove
it is valid and holds exactly what was added, and files are replaced atomically.

Examples are stored normalized (bot.text.normalize), as everything else in data/nlu is
(tests/test_nlu_data.py), and a text may belong to one intent only.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.text import normalize

try:  # POSIX only; elsewhere the in-process lock is all we get
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

#: Longest example accepted (characters, after normalizing).
MAX_EXAMPLE_CHARS = 200
MIN_NEW_INTENT_EXAMPLES = 2
INTENT_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
TOPIC_FILE_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
OUT_OF_SCOPE_INTENT = "out_of_scope"
#: Rasa's own intents (rasa.shared.core.constants.DEFAULT_INTENTS) and action prefixes.
RESERVED_INTENTS = {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}
_RESERVED_PREFIXES = ("action_", "utter_", "validate_")

# Rasa's entity annotation: [text](entity), [text](entity:value), [text]{...}, [text][...].
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_INTENT_LINE = re.compile(r"^(?P<indent>[ ]*)- intent:[ ]*(?P<name>['\"]?[^\s#'\"]+['\"]?)[ ]*(?:#.*)?$")
_BLOCK_HEADER = r"^(?P<indent>[ ]*)examples:[ ]*\|[-+0-9]*[ ]*(?:#.*)?$"
_TOP_LEVEL_KEY = re.compile(r"^(?:[^\s#\-]|---|\.\.\.)")

_thread_lock = threading.RLock()


class TrainingDataError(ValueError):
    """An edit was refused; the message is for the operator (Chinese)."""


class InvalidExampleError(TrainingDataError):
    """Empty or too long."""


class DuplicateExampleError(TrainingDataError):
    """The normalized text is already an example (of this or another intent)."""

    def __init__(self, message: str, text: str, intent: str, path: Optional[Path]) -> None:
        super().__init__(message)
        self.text = text
        self.intent = intent  # the intent that already has it
        self.path = path


class UnknownIntentError(TrainingDataError):
    """The intent is not in the domain."""


class InvalidIntentError(TrainingDataError):
    """A new intent's name is invalid or taken, or it has too few examples."""


class DataFileError(TrainingDataError):
    """A data file has a shape the surgical edit does not support, or the edit failed."""


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


# --------------------------------------------------------------------------- reading

def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def _read(path: Path) -> str:
    """The exact text (no newline translation), so unchanged bytes stay unchanged."""
    return path.read_bytes().decode("utf-8")


def _load(text: str, path: Path) -> Any:
    try:
        return _yaml().load(text)
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


def _intent_items(document: Any) -> list[dict]:
    if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
        return []
    return [item for item in document["nlu"] if isinstance(item, dict) and "intent" in item]


def scan_nlu(nlu_dir: Path) -> NluIndex:
    """Index every intent and example in the NLU folder."""
    index = NluIndex({}, {})
    for path in _nlu_files(nlu_dir):
        for item in _intent_items(_load(_read(path), path)):
            intent = str(item["intent"])
            index.intent_files.setdefault(intent, path)
            for line in example_lines(item.get("examples")):
                key = normalize(plain_text(line))
                if key:
                    index.examples.setdefault(key, KnownExample(intent, path, line))
    return index


def domain_intents(domain_path: Path) -> list[str]:
    """The intents listed in the domain (plain names or ``{name: {...}}`` entries)."""
    document = _load(_read(domain_path), domain_path) or {}
    names = []
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
    for name in scan_nlu(Path(nlu_dir)).intent_files:
        base, separator, _ = name.partition("/")
        if separator:
            retrieval.setdefault(base, []).append(name)
    names: list[str] = []
    for intent in domain_intents(domain_path):
        names.extend(retrieval.get(intent, [intent]))
    return names


def _heldout_texts(heldout_dir: Optional[Path]) -> set[str]:
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


def _refuse_known(cleaned: str, intent: str, index: NluIndex, heldout: set[str]) -> None:
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


def _default_domain(nlu_dir: Path) -> Path:
    """domain.yml next to the data folder (data/nlu -> ./domain.yml) or next to nlu_dir."""
    for candidate in (nlu_dir.parent / "domain.yml", nlu_dir.parent.parent / "domain.yml"):
        if candidate.is_file():
            return candidate
    raise DataFileError(f"找不到 domain.yml（在 {nlu_dir} 的上一级或上两级目录）。")


# --------------------------------------------------------------------------- text surgery

def _newline_of(lines: Sequence[str]) -> str:
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _insert(lines: list[str], at: int, new_lines: Sequence[str], newline: str) -> str:
    """Insert whole lines before index ``at``, making sure the previous line is ended."""
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    return "".join(lines[:at]) + "".join(line + newline for line in new_lines) + "".join(lines[at:])


def insert_example_text(source: str, intent: str, example: str) -> str:
    """``source`` with ``- example`` appended to the examples block of ``intent``."""
    lines = source.splitlines(keepends=True)
    newline = _newline_of(lines)
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
        if _is_blank_or_comment(line):
            continue
        if _indent(line) <= item_indent:
            break  # next item or section: no examples block
        if re.match(_BLOCK_HEADER, line):
            header, key_indent = number, _indent(line)
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
        if _indent(line) <= key_indent:
            break
        if content_indent is None:
            content_indent = _indent(line)
        last_content = number
    if content_indent is None:
        content_indent = key_indent + 2
    return _insert(lines, last_content + 1, [" " * content_indent + "- " + example], newline)


def _section_end(lines: Sequence[str], key_line: int) -> tuple[int, Optional[str]]:
    """(index after the last content line of a top-level section, its item indent)."""
    last_content = key_line
    item_indent = None
    for number in range(key_line + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if _is_blank_or_comment(line):
            continue
        if _TOP_LEVEL_KEY.match(line):
            break
        if item_indent is None and line.lstrip(" ").startswith("- "):
            item_indent = line[:_indent(line)]
        last_content = number
    return last_content + 1, item_indent


def _find_key(lines: Sequence[str], key: str) -> Optional[int]:
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
    newline = _newline_of(lines)
    key_line = _find_key(lines, "nlu")
    if key_line is None:
        return _insert(lines, len(lines), ["nlu:", *_intent_block("", intent, examples)], newline)
    at, item_indent = _section_end(lines, key_line)
    return _insert(lines, at, _intent_block(item_indent or "", intent, examples), newline)


def _intent_block(indent: str, intent: str, examples: Sequence[str]) -> list[str]:
    return [f"{indent}- intent: {intent}", f"{indent}  examples: |",
            *(f"{indent}    - {example}" for example in examples)]


def append_domain_intent_text(source: str, intent: str) -> str:
    """``source`` (domain.yml) with ``- intent`` as the last entry of ``intents:``."""
    lines = source.splitlines(keepends=True)
    newline = _newline_of(lines)
    key_line = _find_key(lines, "intents")
    if key_line is None:
        raise DataFileError("domain.yml 中没有 “intents:” 列表。")
    at, item_indent = _section_end(lines, key_line)
    return _insert(lines, at, [f"{item_indent if item_indent is not None else '  '}- {intent}"], newline)


# --------------------------------------------------------------------------- verification

def _without_examples(document: Any, intent: str, drop: Sequence[str]) -> Any:
    """A comparable copy of an NLU document: ``intent``'s examples as a list minus ``drop``."""
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


def _verify_example(before: str, after: str, path: Path, intent: str, example: str) -> None:
    """The edited file parses and differs from the original by exactly this example."""
    old, new = _load(before, path), _load(after, path)
    ok = False
    for item in _intent_items(new):
        if str(item["intent"]) == intent:
            ok = example_lines(item.get("examples"))[-1:] == [example]
            break
    if not ok or _without_examples(new, intent, [example]) != _without_examples(old, intent, []):
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


def _verify_new_intent(before: str, after: str, path: Path, intent: str,
                       examples: Sequence[str]) -> None:
    old = _load(before, path) if before.strip() else {}
    new = _load(after, path)
    found = [item for item in _intent_items(new) if str(item["intent"]) == intent]
    rest = dict(new)
    if isinstance(new.get("nlu"), list):
        rest["nlu"] = [i for i in new["nlu"] if not (isinstance(i, dict) and i.get("intent") == intent)]
    old_rest = dict(old or {})
    if not before.strip():
        old_rest = {"version": "3.1", "nlu": []}
    elif "nlu" not in old_rest:
        old_rest["nlu"] = []
    if (len(found) != 1 or example_lines(found[0].get("examples")) != list(examples)
            or rest != old_rest):
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


def _verify_domain(before: str, after: str, path: Path, intent: str) -> None:
    old, new = _load(before, path), _load(after, path)
    rest_old = {k: v for k, v in old.items() if k != "intents"}
    rest_new = {k: v for k, v in new.items() if k != "intents"}
    if list(new.get("intents") or []) != list(old.get("intents") or []) + [intent] or rest_new != rest_old:
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


# --------------------------------------------------------------------------- writing

@contextmanager
def _edit_lock(nlu_dir: Path) -> Iterator[None]:
    """One editor at a time per data folder (threads and console worker processes).

    The lock is taken on the folder itself, so no lock file is left lying around.
    """
    with _thread_lock:
        if fcntl is None:  # pragma: no cover
            yield
            return
        descriptor = os.open(nlu_dir, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` in one step: readers see the old file or the new one, never half."""
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


# --------------------------------------------------------------------------- public API

def add_example(nlu_dir: Path, intent: str, text: str, domain_path: Optional[Path] = None,
                heldout_dir: Optional[Path] = None) -> Path:
    """Append ``text`` (normalized) to ``intent``'s examples; returns the edited file.

    Refuses (TrainingDataError) unknown intents, empty/overlong texts and any text whose
    normalized form is already an example of any intent (or in ``heldout_dir``).
    ``domain_path`` defaults to the domain.yml next to the data folder. A retrieval
    intent's question (``faq/<key>``) is accepted when ``faq`` is in the domain and the
    question already has examples (bot/console/faq.py creates new ones).
    """
    nlu_dir = Path(nlu_dir)
    domain_path = Path(domain_path) if domain_path else _default_domain(nlu_dir)
    cleaned = clean_example(text)
    base, separator, _ = intent.partition("/")
    if base not in domain_intents(domain_path):
        raise UnknownIntentError(f"意图 {base} 不在 domain.yml 的 intents 列表中。")
    with _edit_lock(nlu_dir):
        index = scan_nlu(nlu_dir)
        path = index.intent_files.get(intent)
        if path is None and separator:
            raise UnknownIntentError(f"没有 {intent} 这个问题，请先在“常见问题”中新建它。")
        _refuse_known(cleaned, intent, index, _heldout_texts(heldout_dir))
        if path is None:
            raise UnknownIntentError(
                f"意图 {intent} 还没有任何训练样本文件，请先在 {nlu_dir.name} 中为它建立样本。")
        before = _read(path)
        after = insert_example_text(before, intent, cleaned)
        _verify_example(before, after, path, intent, cleaned)
        write_atomic(path, after)
    return path


def mark_out_of_scope(nlu_dir: Path, text: str, domain_path: Optional[Path] = None,
                      heldout_dir: Optional[Path] = None) -> Path:
    """The message is not something the assistant handles: teach it as ``out_of_scope``."""
    return add_example(nlu_dir, OUT_OF_SCOPE_INTENT, text, domain_path, heldout_dir)


def add_intent(nlu_dir: Path, domain_path: Path, intent: str, examples: Sequence[str],
               topic_file: str, heldout_dir: Optional[Path] = None) -> tuple[Path, Path]:
    """Create a new intent: examples into ``<nlu_dir>/<topic_file>.yml``, name into the domain.

    The new intent still needs a rule (data/rules) to be answered; `rasa data validate`
    warns until it has one. Returns (nlu file, domain file).
    """
    nlu_dir, domain_path = Path(nlu_dir), Path(domain_path)
    if not INTENT_NAME_RE.match(intent or "") or intent in RESERVED_INTENTS \
            or intent.startswith(_RESERVED_PREFIXES):
        raise InvalidIntentError(
            f"意图名 “{intent}” 无效：只能用小写英文字母、数字和下划线，以字母开头，共 3 到 41 个字符，"
            "且不能是 Rasa 保留名称或以 action_/utter_/validate_ 开头。")
    stem = topic_file[:-4] if topic_file.endswith(".yml") else topic_file
    if not TOPIC_FILE_RE.match(stem):
        raise DataFileError(f"主题文件名 “{topic_file}” 无效：只能用小写英文字母、数字和下划线。")
    cleaned: list[str] = []
    for example in examples:
        value = clean_example(example)
        if value in cleaned:
            raise DuplicateExampleError(f"样本“{value}”重复填写了。", value, intent, None)
        cleaned.append(value)
    if len(cleaned) < MIN_NEW_INTENT_EXAMPLES:
        raise InvalidIntentError(f"新意图至少需要 {MIN_NEW_INTENT_EXAMPLES} 条不同的训练样本。")
    with _edit_lock(nlu_dir):
        if intent in domain_intents(domain_path):
            raise InvalidIntentError(f"意图 {intent} 已经存在，请直接给它添加样本。")
        index = scan_nlu(nlu_dir)
        if intent in index.intent_files:
            raise InvalidIntentError(
                f"{index.intent_files[intent].name} 中已有意图 {intent} 的样本，但 domain.yml 中没有它，请先核对。")
        heldout = _heldout_texts(heldout_dir)
        for value in cleaned:
            _refuse_known(value, intent, index, heldout)
        nlu_path = nlu_dir / f"{stem}.yml"
        nlu_before = _read(nlu_path) if nlu_path.exists() else ""
        nlu_after = append_intent_text(nlu_before, intent, cleaned)
        _verify_new_intent(nlu_before, nlu_after, nlu_path, intent, cleaned)
        domain_before = _read(domain_path)
        domain_after = append_domain_intent_text(domain_before, intent)
        _verify_domain(domain_before, domain_after, domain_path, intent)
        write_atomic(nlu_path, nlu_after)
        try:
            write_atomic(domain_path, domain_after)
        except BaseException:
            # Keep the pair consistent: an intent in nlu but not in the domain breaks training.
            if nlu_before:
                write_atomic(nlu_path, nlu_before)
            else:
                with suppress(FileNotFoundError):
                    nlu_path.unlink()
            raise
    return nlu_path, domain_path
