"""The client address behind trusted proxies (channels/client_address.py)."""
from __future__ import annotations

import ipaddress

import pytest

from channels.client_address import UNKNOWN, TrustedProxies, is_loopback


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("10.0.0.5", False), ("203.0.113.5", False), ("unknown", False), ("", False),
])
def test_loopback(address, expected):
    assert is_loopback(address) is expected


def test_without_trusted_proxies_the_header_is_ignored():
    proxies = TrustedProxies.parse("")
    assert proxies.client("203.0.113.5", "127.0.0.1") == "203.0.113.5"
    assert proxies.client("127.0.0.1", "203.0.113.5") == "127.0.0.1"


def test_an_untrusted_peer_cannot_claim_another_address():
    proxies = TrustedProxies.parse("127.0.0.1")
    assert proxies.client("198.51.100.7", "127.0.0.1") == "198.51.100.7"


def test_the_rightmost_untrusted_hop_is_the_client():
    proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8")
    assert proxies.client("127.0.0.1", "203.0.113.5") == "203.0.113.5"
    # a client forging the header only adds entries on the left
    assert proxies.client("127.0.0.1", "127.0.0.1, 203.0.113.5") == "203.0.113.5"
    assert proxies.client("127.0.0.1", "198.51.100.1, 203.0.113.5, 10.1.2.3") == "203.0.113.5"
    assert proxies.client("::ffff:127.0.0.1", "[2001:db8::1]:443") == "2001:db8::1"


def test_an_unreadable_hop_is_unknown_never_loopback():
    proxies = TrustedProxies.parse("127.0.0.1")
    assert proxies.client("127.0.0.1", "not-an-address") == UNKNOWN
    assert not is_loopback(proxies.client("127.0.0.1", "127.0.0.1, garbage"))


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        TrustedProxies.parse("localhost")
    trusted = TrustedProxies.from_env({"TRUSTED_PROXIES": "127.0.0.1"})
    assert trusted.trusts(ipaddress.ip_address("127.0.0.1"))
