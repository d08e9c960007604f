"""转人工: a resident's conversation handed to a staff member (坐席) and back to the assistant.

- `models.py`: the tables (requests, their messages; text encrypted at rest);
- `statuses.py`: queued → claimed → closed, or cancelled;
- `service.py`: every change, one transaction each (request, cancel, record, claim, reply,
  transfer, close, release);
- `queue.py`: what is read (position and expected wait, the queue, a transcript), masked;
- `waits.py`: the expected wait (pure);
- `commands.py`, `texts.py`: what residents say (不等了, 留言, 查留言) and what they are told;
- `handback.py`: closing through the service and resuming the conversation in Rasa;
- `hours.py` (pure) and `desk.py`: when the desk is staffed (the city hall's hours or
  GOV_HANDOFF_HOURS, China's official calendar) and the desk's settings and clock;
- `tickets.py` + `ticket_numbers.py`: messages left for a callback (留言工单), numbered
  LY<date>-<seq>, due N official working days later; `origin.py`: the channel of a conversation.

Who is silent when: the action `action_human_handoff` (actions/handoff.py) queues the
request and pauses the conversation with Rasa's ConversationPaused; the channels' gate
(channels/handoff_gate.py) records what the resident says meanwhile and resumes the
conversation when the resident leaves the queue. Plain Python and SQLAlchemy: no Rasa.
"""
