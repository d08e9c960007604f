"""Rotating the data key: `python -m bot keys rotate`.

1. A new key is written first in the key file, the old ones kept after it: every process
   (they re-read the file when it changes) now encrypts with the new key and still
   decrypts rows written under the old one.
2. Every encrypted value in the database is re-encrypted with the new key, in one
   transaction (BEGIN IMMEDIATE on SQLite, so no booking writes in between).
3. The old keys are retired: the file keeps the new key only.

A failure in step 2 rolls the database back and leaves the file with both keys, so
nothing becomes unreadable; running the command again finishes the job. Stop the
assistant first if you can: a process that encrypted a value with the old key just
before step 1 and writes it just after step 3 would leave one unreadable value.
The digest key is not rotated here (its columns would all have to be recomputed).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Column, MetaData, Table, Text, column, select, table
from sqlalchemy.orm import Session, sessionmaker

from bot.config import get_settings
from bot.db import Base, begin_immediate, import_models
from bot.security.columns import EncryptedText
from bot.security.keys import ensure_data_key_file, read_data_keys, write_data_keys


@dataclass(frozen=True)
class RotationReport:
    values: int  # encrypted values rewritten
    retired_keys: int


def encrypted_columns(metadata: MetaData) -> Iterator[tuple[Table, list[Column]]]:
    """Each table with encrypted columns, and those columns."""
    for tbl in metadata.sorted_tables:
        cols = [c for c in tbl.columns if isinstance(c.type, EncryptedText)]
        if cols:
            yield tbl, cols


def reencrypt_all(session: Session, fernet: MultiFernet) -> int:
    """Re-encrypt every encrypted value with `fernet`'s first key; returns how many."""
    import_models()
    count = 0
    for tbl, cols in encrypted_columns(Base.metadata):
        (pk,) = tbl.primary_key.columns
        raw = table(tbl.name, column(pk.name), *(column(c.name, Text) for c in cols))
        for row in session.execute(select(raw)).all():
            changes = {c.name: fernet.rotate(row._mapping[c.name].encode("ascii")).decode("ascii")
                       for c in cols if row._mapping[c.name] is not None}
            if changes:
                session.execute(raw.update().where(raw.c[pk.name] == row._mapping[pk.name]).values(**changes))
                count += len(changes)
    return count


def rotate_data_key(sessions: sessionmaker, key_file: Path | None = None) -> RotationReport:
    """New key first, re-encrypt everything in one transaction, then retire the old keys."""
    path = Path(key_file or get_settings().data_key_file)
    old = read_data_keys(ensure_data_key_file(path))
    new = Fernet.generate_key()
    write_data_keys(path, [new, *old])
    fernet = MultiFernet([Fernet(k) for k in (new, *old)])
    with sessions.begin() as session:
        begin_immediate(session)
        values = reencrypt_all(session, fernet)
    write_data_keys(path, [new])
    return RotationReport(values, len(old))
