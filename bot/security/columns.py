"""Column types that encrypt personal fields, and the digests that replace equality on them.

`EncryptedText` and `EncryptedJSON` encrypt on the way into the database and decrypt on
the way out (Fernet, keys in bot/security/keys.py), so services read and write plain
values and never see a token. Encryption is randomised: the same phone gives a different
token each time, so comparing an encrypted column with a value can never match. Such a
comparison raises instead of silently finding nothing; look rows up by a digest column
(:func:`phone_digest`, :func:`id_digest`: keyed HMAC-SHA256 of the normalised value).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import operator
import unicodedata
from typing import Any

from sqlalchemy.sql import operators
from sqlalchemy.types import Text, TypeDecorator

from bot.security.keys import decrypt_text, digest_key, encrypt_text

_REFUSED = {operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge,
            operators.in_op, operators.not_in_op, operators.like_op, operators.ilike_op,
            operators.contains_op, operators.startswith_op, operators.endswith_op,
            operators.between_op}


class EncryptedColumnComparison(TypeError):
    """An encrypted column was compared with a value (use its digest column)."""


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op in _REFUSED:
                raise EncryptedColumnComparison(
                    f"{self.expr} is encrypted: compare its digest column instead")
            return super().operate(op, *other, **kwargs)

        def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
            if op in _REFUSED:
                raise EncryptedColumnComparison(f"{self.expr} is encrypted")
            return super().reverse_operate(op, other, **kwargs)

    def process_bind_param(self, value: Any | None, dialect: Any) -> str | None:
        return None if value is None else encrypt_text(self._dump(value))

    def process_result_value(self, value: str | None, dialect: Any) -> Any | None:
        return None if value is None else self._load(decrypt_text(value))

    def _dump(self, value: Any) -> str:
        return str(value)

    def _load(self, text: str) -> Any:
        return text


class EncryptedJSON(EncryptedText):
    """A JSON document (dict, list…) stored as one Fernet token."""

    cache_ok = True

    def _dump(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def _load(self, text: str) -> Any:
        return json.loads(text)


# --- digests ------------------------------------------------------------------------------

def normalize_id(value: str) -> str:
    """An ID number as compared: half-width, no spaces or dashes, X upper case."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    return "".join(ch for ch in text if ch.isalnum())


def normalize_phone(value: str) -> str:
    """A phone as compared: its digits, without a +86 / 0086 country prefix on a mobile."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", str(value)) if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            return digits[len(prefix):]
    return digits


def _digest(domain: str, normalized: str) -> str:
    return hmac.new(digest_key(), f"{domain}:{normalized}".encode(), hashlib.sha256).hexdigest()


def id_digest(value: str) -> str:
    """Keyed digest of an ID number, for equality lookups (64 hex characters)."""
    return _digest("id", normalize_id(value))


def phone_digest(value: str) -> str:
    """Keyed digest of a phone number, for equality lookups (64 hex characters)."""
    return _digest("phone", normalize_phone(value))
