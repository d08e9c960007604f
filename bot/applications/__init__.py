"""Applications submitted in the chat (高龄津贴申领, 社保卡挂失补换): storage, statuses, progress.

`kinds.py` says which kinds exist and what each stores, `statuses.py` the moves 受理 →
审核中 → 办结 / 退回, `views.py` what residents and staff see (masked), `service.py` the
functions that own a transaction, `errors.py` what they raise, `models.py` the tables.
Receipt numbers and idempotency keys are bot/receipts.py, shared with bookings.
"""
