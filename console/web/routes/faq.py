"""常见问题 (FAQ): list the questions with their answers; reviewers add questions and phrasings."""
from __future__ import annotations

import asyncio
from collections.abc import Mapping

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.teaching import faq, service
from console.teaching.errors import TrainingDataError
from console.teaching.nlu_files import MAX_EXAMPLE_CHARS
from console.web.context import Web, form_field, nav
from console.web.pages.faq import faq_page

#: Form limits: 50 phrasings of 200 characters with line breaks; the answer with room to trim.
EXAMPLES_FIELD_CHARS = faq.MAX_EXAMPLES * (MAX_EXAMPLE_CHARS + 2)
ANSWER_FIELD_CHARS = faq.MAX_ANSWER_CHARS * 2


def register(app: Sanic, web: Web) -> None:
    console = web.console

    async def render(user: StaffAccount, token: str, message: str | None = None,
                     status: int = 200, typed: Mapping[str, str] | None = None,
                     example: tuple[str, str] | None = None) -> HTTPResponse:
        faqs = await asyncio.to_thread(faq.list_faqs, console.nlu_dir)
        body = faq_page(faqs, user, web.csrf(token), allows(user.role, Permission.ANNOTATE),
                        nav(user), message, typed, example)
        return web.page(body, status)

    @app.get("/faq")
    @web.guarded(Permission.VIEW_INBOX, check_csrf=False)
    async def faq_list(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        # From the inbox's "作为新的常见问题": the phrasing pre-filled as the first question.
        phrasing = (request.args.get("text") or "")[:MAX_EXAMPLE_CHARS]
        typed = {"examples": phrasing + "\n", "from_inbox": phrasing} if phrasing.strip() else None
        return await render(user, token, typed=typed)

    @app.post("/faq/add")
    @web.guarded(Permission.ANNOTATE, check_csrf=True)
    async def faq_add(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        typed = {"key": form_field(request, "key", 100).strip(),
                 "examples": form_field(request, "examples", EXAMPLES_FIELD_CHARS),
                 "answer": form_field(request, "answer", ANSWER_FIELD_CHARS),
                 "from_inbox": form_field(request, "from_inbox")}
        examples = [line.strip() for line in typed["examples"].splitlines() if line.strip()]
        try:
            added = await asyncio.to_thread(
                service.add_faq, console.db, console.files, web.actor(user, request),
                typed["key"], examples, typed["answer"], typed["from_inbox"])
        except TrainingDataError as error:
            return await render(user, token, str(error), 400, typed=typed)
        return redirect("/inbox" if added.from_inbox else "/faq", status=303)

    @app.post("/faq/example")
    @web.guarded(Permission.ANNOTATE, check_csrf=True)
    async def faq_example(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
        key, text = form_field(request, "key", 100).strip(), form_field(request, "text")
        try:
            await asyncio.to_thread(service.add_faq_example, console.db, console.files,
                                    web.actor(user, request), key, text)
        except TrainingDataError as error:
            return await render(user, token, str(error), 400, example=(key, text))
        return redirect("/faq", status=303)
