"""The staff console: a second application beside the assistant (bot/), for the people who run it.

Staff review what the assistant did not understand and teach it (``teaching``), keep the
catalogue's services (``catalogue``), retrain, evaluate and put models live (``training``),
under accounts, roles, sessions and an audit log (``auth``). ``web`` serves that as pages
(sanic), ``cli`` as commands (``python -m console``); both call the same actions, so they
cannot differ. The console uses bot/ (configuration, database engine, text normalisation,
masking, catalogue edits); bot/ does not know the console. Its tables (tables.py) share the
application's database under their own migrations (migrations/, opened through database.py).
"""
