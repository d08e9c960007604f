"""常见问题 (FAQ): list the questions with their answers; reviewers add questions and phrasings."""
from __future__ import annotations

import asyncio
from typing import Mapping, Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from console.teaching import decisions, faq, training_data
from console.web.pages import faq as faq_pages
from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.web.context import Web, form_field, nav
from bot.text import normalize

#: Form limits: 50 phrasings of 200 characters with line breaks; the answer with room to trim.
EXAMPLES_FIELD_CHARS = faq.MAX_EXAMPLES * (training_data.MAX_EXAMPLE_CHARS + 2)
ANSWER_FIELD_CHARS = faq.MAX_ANSWER_CHARS * 2


def register(app: Sanic, web: Web) -> None:
    console = web.console
    heldout_dir = console.heldout_dir  # phrasings of the regression set are refused

    async def render(user: StaffAccount, token: str, message: Optional[str] = None,
                     status: int = 200, typed: Optional[Mapping[str, str]] = None,
                     example: Optional[tuple[str, str]] = None) -> HTTPResponse:
        faqs = await asyncio.to_thread(faq.list_faqs, console.nlu_dir)
        body = faq_pages.faq_page(faqs, user, web.csrf(token),
                                  allows(user.role, Permission.ANNOTATE), nav(user),
                                  message, typed, example)
        return web.page(body, status)

    @app.get("/faq")
    async def faq_list(request: Request) -> HTTPResponse:
        refusal, user, token = await web.guard(request, Permission.VIEW_INBOX, check_csrf=False)
        if refusal is not None:
            return refusal
        # From the inbox's "作为新的常见问题": the phrasing pre-filled as the first question.
        phrasing = (request.args.get("text") or "")[:training_data.MAX_EXAMPLE_CHARS]
        typed = {"examples": phrasing + "\n", "from_inbox": phrasing} if phrasing.strip() else None
        return await render(user, token, typed=typed)

    @app.post("/faq/add")
    async def faq_add(request: Request) -> HTTPResponse:
        refusal, user, token = await web.guard(request, Permission.ANNOTATE, check_csrf=True)
        if refusal is not None:
            return refusal
        typed = {"key": form_field(request, "key", 100).strip(),
                 "examples": form_field(request, "examples", EXAMPLES_FIELD_CHARS),
                 "answer": form_field(request, "answer", ANSWER_FIELD_CHARS),
                 "from_inbox": form_field(request, "from_inbox")}
        examples = [line.strip() for line in typed["examples"].splitlines() if line.strip()]
        try:
            added = await asyncio.to_thread(faq.add_faq, console.nlu_dir, typed["key"], examples,
                                            typed["answer"], console.domain_path, heldout_dir)
        except training_data.TrainingDataError as error:
            return await render(user, token, str(error), 400, typed=typed)
        await web.record(user, "faq_add", {"key": added.key, "examples": added.examples,
                                           "answer": added.answer}, request)
        origin = typed["from_inbox"]
        if origin and decisions.key_of(origin) in {decisions.key_of(e) for e in added.examples}:
            try:  # the inbox message became this FAQ's first question: it leaves the inbox
                await asyncio.to_thread(decisions.record_decision, console.db, origin, "assign",
                                        added.intent, user.username)
            except decisions.AlreadyDecided:
                pass
            return redirect("/inbox", status=303)
        return redirect("/faq", status=303)

    @app.post("/faq/example")
    async def faq_example(request: Request) -> HTTPResponse:
        refusal, user, token = await web.guard(request, Permission.ANNOTATE, check_csrf=True)
        if refusal is not None:
            return refusal
        key, text = form_field(request, "key", 100).strip(), form_field(request, "text")
        try:
            await asyncio.to_thread(faq.add_faq_example, console.nlu_dir, key, text,
                                    console.domain_path, heldout_dir)
        except training_data.TrainingDataError as error:
            return await render(user, token, str(error), 400, example=(key, text))
        await web.record(user, "faq_example", {"key": key, "text": normalize(text)},
                         request)
        return redirect("/faq", status=303)
