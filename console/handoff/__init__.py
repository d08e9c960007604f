"""The hand-off desk (人工服务) of the console: what agents do with residents handed to a person.

- `desk.py`: claim, reply, transfer, close (with the hand-back), release at sign-out, each audited;
- `canned.py`: 常用回复, the replies agents share;
- `answers.py`: a service's one-time answer, as the assistant gives it, for a reply;
- `idle.py`: an idle agent's unanswered residents go back to the queue;
- `watch.py`: the one change check behind the live pages.

The changes themselves are bot/handoff/service.py's; the pages are console/web/pages/handoff*.py.
"""
