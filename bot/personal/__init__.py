"""Personal data the forms collect: ID and phone numbers as residents type or say them,
checked with friendly explanations, and masked wherever they are repeated or logged.

Plain Python, no Rasa imports, nothing runs at import time.
"""
