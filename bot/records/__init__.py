"""A resident's own records (applications and bookings) asked about from another conversation.

`attempts.py` counts failed proofs in the database, `proof.py` checks a receipt number
against the last 4 digits of the applicant's ID number or phone, `render.py` writes the
lines residents see. The flows that use them are bot/flows/progress_lookup.py and
bot/flows/cancel_booking.py.
"""
