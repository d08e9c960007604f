"""Who is really calling: the client address behind configured trusted proxies.

``X-Forwarded-For`` is written by whoever sends the request, so it counts only when the
connection comes from a proxy the deployer listed in ``TRUSTED_PROXIES`` (comma-separated
addresses or networks, e.g. ``127.0.0.1,10.0.0.0/8``; empty by default). The header is
read from the right: each hop a trusted proxy appended is skipped, and the first address
not on the list is the client. An unparsable hop gives :data:`UNKNOWN` (never loopback).

Loopback means 127.0.0.0/8 and ::1 (IPv4-mapped forms included); REST trusts it because
only programs on this machine can connect from there.
"""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
#: The client of a trusted proxy that sent an unreadable X-Forwarded-For: one shared key.
UNKNOWN = "unknown"


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "1.2.3.4:5678"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_loopback(address: str) -> bool:
    parsed = _address(address)
    return bool(parsed and parsed.is_loopback)


class TrustedProxies:
    def __init__(self, networks: Sequence[Network] = ()) -> None:
        self.networks: list[Network] = list(networks)

    @classmethod
    def parse(cls, spec: str) -> TrustedProxies:
        networks = []
        for part in (p.strip() for p in spec.split(",")):
            if part:
                try:
                    networks.append(ipaddress.ip_network(part, strict=False))
                except ValueError as exc:
                    raise ValueError(f"TRUSTED_PROXIES: {part!r} is not an address or network") from exc
        return cls(networks)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrustedProxies:
        env = os.environ if env is None else env
        return cls.parse(env.get("TRUSTED_PROXIES", ""))

    def trusts(self, address: Address | None) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client's address for a connection from ``peer`` carrying ``forwarded_for``."""
        current = _address(peer)
        if current is None:
            return peer
        if not forwarded_for or not self.trusts(current):
            return str(current)
        for hop in reversed(forwarded_for.split(",")):
            if not self.trusts(current):
                break
            parsed = _address(hop)
            if parsed is None:
                return UNKNOWN
            current = parsed
        return str(current)
