"""Moved to tests/support/records.py and tests/support/ids.py; kept until tests/flows imports from there."""
from tests.support.ids import id_number  # noqa: F401
from tests.support.records import FRI, HALL, THU, TODAY, Chat, apply_allowance, book_visit, flow_ctx  # noqa: F401
