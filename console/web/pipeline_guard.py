"""训练与上线's routes need the model pipeline, which a console may run without (console.pipeline None).

routes/model_versions.py and routes/take_back.py put `needs_pipeline` under `Web.guarded`, so
a request is first admitted as any other (a stranger gets the usual refusal) and only then,
on a console without the pipeline, answered 403 with NO_PIPELINE.
"""
from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from sanic.request import Request
from sanic.response import HTTPResponse

from console.auth.accounts import StaffAccount
from console.training.pipeline import Pipeline
from console.web.context import StaffHandler, Web

NO_PIPELINE = "这个管理台没有配置训练与上线（见 README“工作人员后台”）。"
#: A handler behind `needs_pipeline`: the request, the admitted user and token, and the pipeline.
PipelineHandler = Callable[[Request, StaffAccount, str, Pipeline], Awaitable[HTTPResponse]]


def needs_pipeline(web: Web) -> Callable[[PipelineHandler], StaffHandler[[]]]:
    """Hand the console's pipeline to the handler, or refuse the request when there is none."""
    def decorate(handler: PipelineHandler) -> StaffHandler[[]]:
        @functools.wraps(handler)
        async def refuse_without_pipeline(request: Request, user: StaffAccount, token: str) -> HTTPResponse:
            pipe: Pipeline | None = web.console.pipeline
            if pipe is None:
                return web.forbidden(user, token, NO_PIPELINE)
            return await handler(request, user, token, pipe)
        return refuse_without_pipeline
    return decorate
