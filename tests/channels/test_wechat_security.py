"""Signatures, Tencent's published sample vectors, freshness and XML safety."""
from __future__ import annotations

import base64

import pytest
from wechatpy.crypto import PrpCrypto

from channels.wechat.security import RejectedXml, check_xml, is_fresh, sign, signature_matches

# Tencent's official message-encryption sample (WXBizMsgCrypt, Python demo Sample.py).
SAMPLE_TOKEN = "spamtest"
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQH"
    "FVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsV"
    "ticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0Vx"
    "pAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcp"
    "CumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=")
# Tencent's Java sample (WXBizMsgCryptTest): fixed random prefix, expected ciphertext.
JAVA_TOKEN_APPID = "wxb11529c136998cb6"
JAVA_RANDOM = "aaaabbbbccccdddd"
JAVA_PLAIN = "我是中文abcd123"
JAVA_CIPHERTEXT = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="


def _key(aes_key: str) -> bytes:
    return base64.b64decode(aes_key + "=")


def test_signature_matches_tencents_sample():
    assert sign(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT) == SAMPLE_MSG_SIGNATURE


def test_decryption_matches_tencents_sample():
    plain = PrpCrypto(_key(SAMPLE_AES_KEY)).decrypt(SAMPLE_ENCRYPT, SAMPLE_APPID)
    assert "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" in plain
    assert "<Content><![CDATA[abcdteT]]></Content>" in plain
    assert "<MsgId>6054768590064713728</MsgId>" in plain


def test_encryption_matches_tencents_java_sample():
    class FixedRandom(PrpCrypto):
        def get_random_string(self) -> str:
            return JAVA_RANDOM

    assert FixedRandom(_key(SAMPLE_AES_KEY)).encrypt(JAVA_PLAIN, JAVA_TOKEN_APPID).decode() == JAVA_CIPHERTEXT


def test_signature_comparison():
    good = sign("token", "1409735669", "123")
    assert signature_matches(good, good)
    assert signature_matches(good, good.upper())  # hex digits, case does not matter
    assert not signature_matches(good, good[:-1] + ("0" if good[-1] != "0" else "1"))
    assert not signature_matches(good, None)
    assert not signature_matches(good, "")
    assert not signature_matches(good, "签名")  # non-ASCII is not a crash


def test_freshness():
    assert is_fresh("1000", 300, now=1200)
    assert not is_fresh("1000", 300, now=1400)
    assert not is_fresh("2000", 300, now=1400)  # from the future too
    assert not is_fresh("abc", 300, now=1000)
    assert not is_fresh(None, 300, now=1000)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><Content>&xxe;</Content></xml>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><Content>&lol4;</Content></xml>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><a>1</a></xml>"""


@pytest.mark.parametrize("body, reason", [
    (XXE, "forbidden"), (BILLION_LAUGHS, "forbidden"), (EXTERNAL_DTD, "forbidden"),
    (b"", "empty"), (b"   ", "empty"), (b"<xml><a>1</a>", "malformed"), (b"not xml at all", "malformed"),
    (b"<html><a>1</a></html>", "unexpected root"), (b"<xml>" + b"x" * 70_000 + b"</xml>", "exceeds"),
    (b"\xff\xfe<xml/>", "malformed"),
])
def test_unsafe_or_broken_xml_is_rejected(body, reason):
    with pytest.raises(RejectedXml) as info:
        check_xml(body, max_bytes=64 * 1024)
    assert reason in info.value.reason


def test_plain_wechat_xml_passes():
    root = check_xml("<xml><Content><![CDATA[社保卡]]></Content></xml>".encode(), 64 * 1024)
    assert root.findtext("Content") == "社保卡"
