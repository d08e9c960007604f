"""The keys that protect residents' data at rest, kept in files outside the database.

Two files, both 0600 and created on first use:

- the data key file (GOV_VAR_DIR/data.key, or GOV_DATA_KEY_FILE): Fernet keys, one per
  line, the first encrypts and all of them decrypt (MultiFernet), so a rotation can put
  a new key first while rows written under the old one stay readable;
- the digest key file (GOV_VAR_DIR/digest.key, or GOV_DIGEST_KEY_FILE): one random HMAC
  key for the digest columns (`id_digest`, `phone_digest`) that let the services find
  rows by ID number or phone without storing either in the clear. It is separate so a
  copy of one key does not give the other.

A copy of the database alone reveals no personal field. In a cluster, point both
variables at the same secret files on every machine (never let each machine create its
own). Keys are re-read when their file changes, so a rotation reaches running processes.
"""
from __future__ import annotations

import base64
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.config import (
    PRIVATE_FILE_MODE,
    ensure_private_dir,
    ensure_private_file,
    get_settings,
)

T = TypeVar("T")

DATA_KEY_HEADER = ("# Keys for residents' data (Fernet). The first line encrypts; every line "
                   "decrypts. Never edit by hand: use `python -m bot keys rotate`.\n")
DIGEST_KEY_HEADER = "# HMAC key for the id/phone digest columns. Losing it breaks the limits.\n"


class KeyFileError(RuntimeError):
    """A key file is unreadable or holds no valid key."""


class UndecryptableValue(RuntimeError):
    """A stored value does not open with any key in the data key file (wrong or lost key)."""


# --- reading and writing key files ---------------------------------------------------------

def _key_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read {path}: {exc}") from exc
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def read_data_keys(path: Path) -> list[bytes]:
    """The Fernet keys in `path`, primary first."""
    keys = [line.encode("ascii") for line in _key_lines(path)]
    if not keys:
        raise KeyFileError(f"{path} holds no key")
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise KeyFileError(f"{path} holds a malformed key") from exc
    return keys


def read_digest_key(path: Path) -> bytes:
    lines = _key_lines(path)
    try:
        key = base64.urlsafe_b64decode(lines[0]) if len(lines) == 1 else b""
    except ValueError:
        key = b""
    if len(key) < 32:
        raise KeyFileError(f"{path} must hold one base64 key of at least 32 bytes")
    return key


def _private_folder(path: Path) -> None:
    """The key file's folder: GOV_VAR_DIR is made private; another folder is only created."""
    if path.parent.resolve() == Path(get_settings().var_dir).resolve():
        ensure_private_dir(path.parent)
    elif not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def _temp_file(path: Path, content: str) -> Path:
    """`content` in a new 0600 file next to `path`, flushed to disk."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    return temp


def _create_once(path: Path, content: str) -> None:
    """Create `path` with `content` unless it exists; of processes racing, the first wins.

    The file appears complete or not at all (a hard link of a finished temporary file),
    so no process ever reads half a key.
    """
    if path.exists():
        return
    _private_folder(path)
    temp = _temp_file(path, content)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()


def write_data_keys(path: Path, keys: Sequence[bytes]) -> None:
    """Replace the data key file atomically (primary first), 0600."""
    if not keys:
        raise ValueError("at least one key")
    _private_folder(path)
    content = DATA_KEY_HEADER + "".join(key.decode("ascii") + "\n" for key in keys)
    os.replace(_temp_file(path, content), path)
    ensure_private_file(path)


def ensure_data_key_file(path: Path) -> Path:
    _create_once(path, DATA_KEY_HEADER + Fernet.generate_key().decode("ascii") + "\n")
    ensure_private_file(path)
    return path


def ensure_digest_key_file(path: Path) -> Path:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    _create_once(path, DIGEST_KEY_HEADER + key + "\n")
    ensure_private_file(path)
    return path


# --- cached access, re-read when the file changes -------------------------------------------

_cache: dict[tuple[str, str], tuple[tuple[int, int, int], object]] = {}
_lock = threading.Lock()


def _cached(kind: str, path: Path, create: Callable[[Path], Path], read: Callable[[Path], T]) -> T:
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        with _lock:
            create(path)
        info = path.stat()
    signature = (info.st_ino, info.st_mtime_ns, info.st_size)
    hit = _cache.get((kind, str(path)))
    if hit is not None and hit[0] == signature:
        return hit[1]  # type: ignore[return-value]
    value = read(path)
    _cache[(kind, str(path))] = (signature, value)
    return value


def data_fernet(path: Path | None = None) -> MultiFernet:
    """MultiFernet over the data key file (created on first use)."""
    return _cached("data", path or get_settings().data_key_file, ensure_data_key_file,
                   lambda p: MultiFernet([Fernet(k) for k in read_data_keys(p)]))


def digest_key(path: Path | None = None) -> bytes:
    """The HMAC key for digest columns (created on first use)."""
    return _cached("digest", path or get_settings().digest_key_file, ensure_digest_key_file,
                   read_digest_key)


def encrypt_text(text: str) -> str:
    return data_fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return data_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise UndecryptableValue(
            f"a stored value does not open with the keys in {get_settings().data_key_file}") from exc
