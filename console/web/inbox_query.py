"""The inbox's address: filters and page from the URL, and back again after a decision.

Every value from the URL or a form is checked against what it may be (a reason, a channel,
a date, an intent name), so a crafted address can neither break the page nor send a
reviewer elsewhere: the way back after a decision is always rebuilt here, never copied.
Dates are days in local time (Asia/Shanghai), as staff read them.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlencode

from console.teaching.inbox import Reason
from console.teaching.inbox_filter import CHANNELS, InboxFilter
from console.timefmt import local_zone

MAX_QUERY = 50
MAX_IDS = 100
_SERVICE_INTENT = re.compile(r"^svc_[a-z0-9_]{1,60}$")


def page_number(value: str | None) -> int:
    """The page asked for; anything that is not a small positive number is page 1."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) <= 6 else 1


def ids_of(values: Sequence[str] | None) -> list[int]:
    """Decision ids from the URL or a form (digits only, at most MAX_IDS)."""
    found = [int(v) for v in (values or ()) if v and v.isascii() and v.isdigit() and len(v) <= 12]
    return list(dict.fromkeys(found))[:MAX_IDS]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=local_zone()).timestamp()


@dataclass(frozen=True)
class InboxQuery:
    q: str = ""
    reason: str = ""
    date_from: date | None = None
    date_to: date | None = None
    channel: str = ""
    service: str = ""
    page: int = 1

    @classmethod
    def parse(cls, get: Callable[[str], str | None]) -> InboxQuery:
        """From a getter of single values (request.args.get, or :meth:`from_back`'s)."""
        reason = get("reason") or ""
        channel = get("channel") or ""
        service = get("service") or ""
        return cls(
            q=(get("q") or "").strip()[:MAX_QUERY],
            reason=reason if reason in {r.value for r in Reason} else "",
            date_from=_day(get("from")),
            date_to=_day(get("to")),
            channel=channel if channel in CHANNELS else "",
            service=service if _SERVICE_INTENT.match(service) else "",
            page=page_number(get("page")),
        )

    @classmethod
    def from_back(cls, back: str) -> InboxQuery:
        """From the ``back`` field the inbox's forms carry (its own :meth:`params`, encoded)."""
        values = parse_qs(back or "", max_num_fields=20)
        return cls.parse(lambda key: values[key][0] if values.get(key) else None)

    def params(self, page: bool = True) -> list[tuple[str, str]]:
        found = [("q", self.q), ("reason", self.reason),
                 ("from", self.date_from.isoformat() if self.date_from else ""),
                 ("to", self.date_to.isoformat() if self.date_to else ""),
                 ("channel", self.channel), ("service", self.service)]
        pairs = [(k, v) for k, v in found if v]
        if page and self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    @property
    def back(self) -> str:
        return urlencode(self.params())

    @property
    def filtered(self) -> bool:
        return bool(self.params(page=False))

    def url(self, *, page: int | None = None, anchor: str = "",
            extra: Mapping[str, Sequence[object]] | None = None) -> str:
        """``/inbox?…`` with these filters (another page, if given) and extra parameters."""
        query = self if page is None else replace(self, page=page)
        pairs = query.params() + [(k, str(v)) for k, values in (extra or {}).items() for v in values]
        return "/inbox" + (f"?{urlencode(pairs)}" if pairs else "") + (f"#{anchor}" if anchor else "")

    def to_filter(self, window_start: float) -> InboxFilter:
        """The filter, never reaching before the inbox's window (``window_start``, Unix seconds)."""
        since = max(window_start, _day_start(self.date_from)) if self.date_from else window_start
        until = _day_start(self.date_to + timedelta(days=1)) if self.date_to else None
        return InboxFilter(text=self.q, reason=Reason(self.reason) if self.reason else None,
                           since=since, until=until, channel=self.channel, service=self.service)
