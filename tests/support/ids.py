"""Valid resident ID numbers for tests (GB 11643 check digit, Wuhu area code 340202)."""
from __future__ import annotations

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: str, seq: str = "001") -> str:
    """An ID number with a correct GB 11643 check digit; ``birth`` is YYYYMMDD."""
    body = f"340202{birth}{seq}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
