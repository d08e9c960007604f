"""What residents type or say, read and checked: phones, ID numbers, Chinese digits.

`phone.py` (mainland mobiles and landlines), `id_number.py` (GB 11643, with its check
digit), `chinese_digits.py` (一二三, 幺, 两, 十二), and `numbers.py`, which turns any spelling
of a number into ASCII digits for all of them. Each check explains in Chinese what to fix.
Masking what was read is bot/personal/masking.py's job. Plain Python, nothing runs at
import time.
"""
