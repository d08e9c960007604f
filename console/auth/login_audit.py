"""Refused logins in the audit log: which name was tried, from which network, and why.

An admin reading 操作记录 should see someone guessing passwords, or a colleague locked
out, without the log becoming a store of what strangers typed:

* a name that is an account is recorded as that account (the entry is about it);
  any other name is cut to its first two characters (``gh***``), because people type
  their password into the name field by mistake, and the log is kept for years;
* the address is cut to its network (``10.0.3.*``, an IPv6 /48): enough to tell the
  office from outside, not to identify a person who is not staff;
* a locked-out attempt is recorded at most once a minute per name and network, so
  someone hammering the form cannot fill the log (failures before the lock are already
  bounded by the rate limits in accounts.py).
"""
from __future__ import annotations

import enum
import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.auth import audit
from console.tables import AuditEntry

LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"
LOCKED_REPEAT_GAP = timedelta(minutes=1)
_SHOWN_CHARS = 2


class Failure(str, enum.Enum):
    """Why a login was refused, as the audit log records it (finer than the login form says)."""

    WRONG_PASSWORD = "wrong_password"
    UNKNOWN_USER = "unknown_user"
    DISABLED = "disabled"
    LOCKED = "locked"


def mask_ip(ip: str | None) -> str | None:
    """The network an address belongs to: IPv4 /24 as ``a.b.c.*``, IPv6 /48; None if unknown."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "（无法识别的地址）"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address):
        return ".".join(str(address).split(".")[:3]) + ".*"
    return str(ipaddress.ip_network(f"{address}/48", strict=False))


def shown_name(attempted: str) -> str:
    """A name that is no account, as the log keeps it: its first characters and ``***``."""
    return attempted.strip()[:_SHOWN_CHARS] + "***"


def record_refusal(session: Session, attempted: str, account: str | None, failure: Failure,
                   ip: str | None, now: datetime) -> None:
    """Add the audit entry for one refused login to `session`'s transaction.

    `account`: the account's username when `attempted` names one, else None.
    """
    user = account or audit.UNKNOWN_USER
    network = mask_ip(ip)
    action = LOGIN_LOCKED if failure is Failure.LOCKED else LOGIN_FAILED
    if failure is Failure.LOCKED:
        recent = session.execute(
            select(AuditEntry.id).where(AuditEntry.action == LOGIN_LOCKED, AuditEntry.username == user,
                                        AuditEntry.ip.is_(None) if network is None else AuditEntry.ip == network,
                                        AuditEntry.at > now - LOCKED_REPEAT_GAP).limit(1)
        ).first()
        if recent is not None:
            return
    detail = {"attempted": account or shown_name(attempted), "reason": failure.value}
    audit.write(session, user, action, detail, network, now)
