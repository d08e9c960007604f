"""Applications submitted in the chat (高龄津贴申领, 社保卡挂失补换): storage, receipts, progress."""
from bot.applications.receipts import format_receipt, parse_receipt
from bot.applications.service import (
    KINDS, ApplicationError, ApplicationNotFound, ApplicationStatus, ApplicationView,
    IdempotencyConflict, InvalidApplication, InvalidTransition, Receipt, ReasonRequired,
    StatusChange, UnknownKind, UnknownStatus, advance_status, applications_for_sender,
    find_application, get_application, list_applications, mask_id_number, mask_name, mask_phone,
    submit_application,
)

__all__ = [
    "KINDS", "ApplicationError", "ApplicationNotFound", "ApplicationStatus", "ApplicationView",
    "IdempotencyConflict", "InvalidApplication", "InvalidTransition", "Receipt", "ReasonRequired",
    "StatusChange", "UnknownKind", "UnknownStatus", "advance_status", "applications_for_sender",
    "find_application", "format_receipt", "get_application", "list_applications",
    "mask_id_number", "mask_name", "mask_phone", "parse_receipt", "submit_application",
]
