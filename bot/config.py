"""Settings read from the environment, with embedded defaults for `make run`.

Also the one place that makes private folders and files (:func:`ensure_private_dir`,
:func:`ensure_private_file`): the databases, key files and logs hold residents' data
or secrets, so their folders are 0700 and their files 0600 whatever the umask.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: Files SQLite keeps next to a database in WAL mode.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Settings:
    """Where things live. Read once per process via :func:`get_settings`."""

    database_url: str
    catalogue_dir: Path
    action_timeout_s: float
    var_dir: Path = PROJECT_ROOT / "var"
    tracker_db: str = str(PROJECT_ROOT / "var" / "tracker.db")  # a path, or a SQLAlchemy URL
    data_key_file: Path = PROJECT_ROOT / "var" / "data.key"
    digest_key_file: Path = PROJECT_ROOT / "var" / "digest.key"
    retention_days: int = 180
    catalogue_cache_s: float = 5.0  # how long the action server keeps catalogue answers


def get_settings() -> Settings:
    var_dir = Path(os.environ.get("GOV_VAR_DIR") or PROJECT_ROOT / "var")
    return Settings(
        database_url=os.environ.get("GOV_DATABASE_URL", f"sqlite:///{var_dir / 'app.db'}"),
        catalogue_dir=Path(os.environ.get("GOV_CATALOGUE_DIR", PROJECT_ROOT / "data" / "catalogue")),
        action_timeout_s=float(os.environ.get("GOV_ACTION_TIMEOUT_S", "5")),
        var_dir=var_dir,
        tracker_db=os.environ.get("TRACKER_DB") or str(var_dir / "tracker.db"),
        data_key_file=Path(os.environ.get("GOV_DATA_KEY_FILE") or var_dir / "data.key"),
        digest_key_file=Path(os.environ.get("GOV_DIGEST_KEY_FILE") or var_dir / "digest.key"),
        retention_days=int(os.environ.get("GOV_RETENTION_DAYS") or 180),
        catalogue_cache_s=float(os.environ.get("GOV_CATALOGUE_CACHE_S") or 5),
    )


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed; make it 0700 and the files directly in it 0600.

    For the project's own folders only (GOV_VAR_DIR, logs/): existing folders are
    tightened too, so a deployment made before this rule follows it after the next start.
    Files in subfolders are left alone (the folder already shuts everyone else out).
    """
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)
    for child in path.iterdir():
        if child.is_file() and not child.is_symlink():
            try:
                _chmod_private(child)
            except PermissionError:  # someone else's file (a mounted secret): the folder still guards it
                continue
    return path


def ensure_private_file(path: Path) -> Path:
    """Create `path` empty with 0600 if missing, else tighten it to 0600.

    A missing folder is created 0700; an existing one is not changed (it may be /tmp or
    a home folder: only :func:`ensure_private_dir` tightens folders, and only ours).
    """
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        _chmod_private(path)
    else:
        os.close(fd)
    return path


def ensure_private_sqlite(path: Path) -> Path:
    """Make a SQLite database file 0600 before SQLite opens it, and its side files too.

    SQLite gives the -wal and -shm files it creates the database file's permissions, so
    creating the database 0600 first is what keeps them 0600. When the database lives in
    GOV_VAR_DIR, that folder is made private as a whole.
    """
    path = Path(path)
    var_dir = get_settings().var_dir
    if path.parent.resolve() == Path(var_dir).resolve():
        ensure_private_dir(var_dir)
    ensure_private_file(path)
    for suffix in SQLITE_SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            _chmod_private(side)
    return path


def sqlite_path(url: str) -> Path | None:
    """The file behind a `sqlite:///…` URL, or None (memory database, other dialects)."""
    if not url.startswith("sqlite:///"):
        return None
    raw = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not raw or raw == ":memory:":
        return None
    return Path(raw)


def _chmod_private(path: Path) -> None:
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE_MODE:
        path.chmod(PRIVATE_FILE_MODE)
