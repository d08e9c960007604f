"""Teaching the assistant: the inbox of uncertain messages, staff decisions on them, FAQs,
and surgical edits of the training data (data/nlu, domain.yml). service.py holds the
staff actions the pages and the CLI call.
"""
