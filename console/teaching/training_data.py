"""Adding training examples and intents from the console, without damaging the data files.

The NLU data (data/nlu/*.yml) and domain.yml are hand-written and reviewed in git: they
carry comments, an order and a style that a YAML round trip would disturb. So edits are
surgical: the new lines are inserted into the text, the result is parsed again to prove
it is valid and holds exactly what was added, and files are replaced atomically.

Examples are stored normalized (bot.text.normalize), as everything else in data/nlu is
(tests/test_nlu_data.py), and a text may belong to one intent only.

Reading and the shared checks are in nlu_files.py, the line surgery in yaml_lines.py.
This module verifies, locks and writes: :func:`add_example`, :func:`mark_out_of_scope`,
:func:`add_intent` and :func:`remove_example` (a decision taken back) are the edits,
:func:`edit_lock` and :func:`write_atomic` the rules any other editor of the folder
(faq.py) follows.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from bot.text import normalize
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
    default_domain,
    domain_intents,
    example_lines,
    heldout_texts,
    intent_items,
    load_yaml,
    plain_text,
    read_text,
    refuse_known,
    scan_nlu,
)
from console.teaching.yaml_lines import (
    append_domain_intent_text,
    append_intent_text,
    insert_example_text,
    remove_example_text,
)

try:  # POSIX only; elsewhere the in-process lock is all we get
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

MIN_NEW_INTENT_EXAMPLES = 2
INTENT_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
TOPIC_FILE_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
OUT_OF_SCOPE_INTENT = "out_of_scope"
#: Rasa's own intents (rasa.shared.core.constants.DEFAULT_INTENTS) and action prefixes.
RESERVED_INTENTS = {"restart", "back", "out_of_scope", "session_start", "nlu_fallback"}
_RESERVED_PREFIXES = ("action_", "utter_", "validate_")

_thread_lock = threading.RLock()


# --------------------------------------------------------------------------- verification

def _verify_example(before: str, after: str, path: Path, intent: str, example: str) -> None:
    """The edited file parses and differs from the original by exactly this example."""
    old, new = load_yaml(before, path), load_yaml(after, path)
    ok = False
    for item in intent_items(new):
        if str(item["intent"]) == intent:
            ok = example_lines(item.get("examples"))[-1:] == [example]
            break
    if not ok or comparable_nlu(new, intent, [example]) != comparable_nlu(old, intent, []):
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


def _verify_removal(before: str, after: str, path: Path, intent: str, example: str) -> None:
    """The edited file parses and differs from the original by exactly one example less."""
    old, new = comparable_nlu(load_yaml(before, path)), comparable_nlu(load_yaml(after, path))
    expected = dict(old)
    items = []
    removed = False
    for item in old.get("nlu") or []:
        if not removed and isinstance(item, dict) and str(item.get("intent")) == intent \
                and example in item["examples"]:
            item = {**item, "examples": list(item["examples"])}
            item["examples"].remove(example)
            removed = True
        items.append(item)
    expected["nlu"] = items
    if not removed or new != expected:
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


def _verify_new_intent(before: str, after: str, path: Path, intent: str,
                       examples: Sequence[str]) -> None:
    old = load_yaml(before, path) if before.strip() else {}
    new = load_yaml(after, path)
    found = [item for item in intent_items(new) if str(item["intent"]) == intent]
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
    old, new = load_yaml(before, path), load_yaml(after, path)
    rest_old = {k: v for k, v in old.items() if k != "intents"}
    rest_new = {k: v for k, v in new.items() if k != "intents"}
    if list(new.get("intents") or []) != list(old.get("intents") or []) + [intent] or rest_new != rest_old:
        raise DataFileError(f"写入 {path.name} 后校验失败，已放弃修改。")


# --------------------------------------------------------------------------- writing

@contextmanager
def edit_lock(nlu_dir: Path) -> Iterator[None]:
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


# --------------------------------------------------------------------------- the edits

def add_example(nlu_dir: Path, intent: str, text: str, domain_path: Path | None = None,
                heldout_dir: Path | None = None) -> Path:
    """Append ``text`` (normalized) to ``intent``'s examples; returns the edited file.

    Refuses (TrainingDataError) unknown intents, empty/overlong texts and any text whose
    normalized form is already an example of any intent (or in ``heldout_dir``).
    ``domain_path`` defaults to the domain.yml next to the data folder. A retrieval
    intent's question (``faq/<key>``) is accepted when ``faq`` is in the domain and the
    question already has examples (faq.py creates new ones).
    """
    nlu_dir = Path(nlu_dir)
    domain_path = Path(domain_path) if domain_path else default_domain(nlu_dir)
    cleaned = clean_example(text)
    base, separator, _ = intent.partition("/")
    if base not in domain_intents(domain_path):
        raise UnknownIntentError(f"意图 {base} 不在 domain.yml 的 intents 列表中。")
    with edit_lock(nlu_dir):
        index = scan_nlu(nlu_dir)
        path = index.intent_files.get(intent)
        if path is None and separator:
            raise UnknownIntentError(f"没有 {intent} 这个问题，请先在“常见问题”中新建它。")
        refuse_known(cleaned, intent, index, heldout_texts(heldout_dir))
        if path is None:
            raise UnknownIntentError(
                f"意图 {intent} 还没有任何训练样本文件，请先在 {nlu_dir.name} 中为它建立样本。")
        before = read_text(path)
        after = insert_example_text(before, intent, cleaned)
        _verify_example(before, after, path, intent, cleaned)
        write_atomic(path, after)
    return path


def mark_out_of_scope(nlu_dir: Path, text: str, domain_path: Path | None = None,
                      heldout_dir: Path | None = None) -> Path:
    """The message is not something the assistant handles: teach it as ``out_of_scope``."""
    return add_example(nlu_dir, OUT_OF_SCOPE_INTENT, text, domain_path, heldout_dir)


def add_intent(nlu_dir: Path, domain_path: Path, intent: str, examples: Sequence[str],
               topic_file: str, heldout_dir: Path | None = None) -> tuple[Path, Path]:
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
    with edit_lock(nlu_dir):
        if intent in domain_intents(domain_path):
            raise InvalidIntentError(f"意图 {intent} 已经存在，请直接给它添加样本。")
        index = scan_nlu(nlu_dir)
        if intent in index.intent_files:
            raise InvalidIntentError(
                f"{index.intent_files[intent].name} 中已有意图 {intent} 的样本，但 domain.yml 中没有它，请先核对。")
        heldout = heldout_texts(heldout_dir)
        for value in cleaned:
            refuse_known(value, intent, index, heldout)
        nlu_path = nlu_dir / f"{stem}.yml"
        nlu_before = read_text(nlu_path) if nlu_path.exists() else ""
        nlu_after = append_intent_text(nlu_before, intent, cleaned)
        _verify_new_intent(nlu_before, nlu_after, nlu_path, intent, cleaned)
        domain_before = read_text(domain_path)
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


def remove_example(nlu_dir: Path, intent: str, text: str,
                   min_left: int = MIN_NEW_INTENT_EXAMPLES) -> Path | None:
    """Take ``text`` back out of ``intent``'s examples (a decision reverted); the edited file.

    None when the data no longer holds it under that intent (removed by hand, or never
    written): there is nothing to take back. Refuses (TrainingDataError) to leave the
    intent with fewer than ``min_left`` examples, which training would warn about or
    fail on; staff then edit the question on its own page.
    """
    nlu_dir = Path(nlu_dir)
    key = normalize(plain_text(text))
    with edit_lock(nlu_dir):
        index = scan_nlu(nlu_dir)
        known = index.examples.get(key)
        if known is None or known.intent != intent:
            return None
        left = sum(1 for example in index.examples.values() if example.intent == intent) - 1
        if left < min_left:
            raise TrainingDataError(
                f"“{key}”是这个意图仅有的 {left + 1} 条样本之一，去掉后不足 {min_left} 条，无法自动撤回；"
                "请先给它补充问法，或到“常见问题”页处理。")
        before = read_text(known.path)
        after = remove_example_text(before, intent, lambda line: normalize(plain_text(line)) == key)
        if after is None:
            raise DataFileError(f"{known.path.name} 中意图 {intent} 的这条样本不是可自动修改的形式，请手工编辑。")
        _verify_removal(before, after, known.path, intent, known.text)
        write_atomic(known.path, after)
    return known.path
