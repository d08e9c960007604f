"""Personal data the forms collect, masked wherever it is repeated or logged: `masking.py`
(ID and phone numbers, bank cards, names, addresses) and `log_filter.py` (every log record).

Reading and checking those numbers is bot/validators/. Plain Python, no Rasa imports,
nothing runs at import time.
"""
