"""Service analytics: conversation events streamed through Rasa's event broker into facts.

broker.py (the embedded default's SQL event broker, one transaction per turn), sources.py
(reading it, or RabbitMQ in the cluster profile), facts.py (what each event changes),
models.py (the fact tables), worker.py (the loop `make run` starts), report.py (the
figures the console's dashboard and the public page show).
"""
