"""训练与上线: retrain (trainer), evaluate, activate and roll back models (trainer)."""
from __future__ import annotations

import asyncio

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json, redirect

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.training import registry
from console.training.job import TrainingBusy
from console.training.pipeline import ActivationRefused, Pipeline
from console.training.rasa_admin import RasaUnavailable
from console.web.context import Admitted, Web, form_field, nav
from console.web.pages.model_versions import models_page

NO_PIPELINE = "这个管理台没有配置训练与上线（见 README“工作人员后台”）。"


def register(app: Sanic, web: Web) -> None:
    console = web.console

    def pipeline() -> Pipeline | None:
        return console.pipeline

    async def admit(request: Request, permission: Permission, check_csrf: bool = True
                    ) -> HTTPResponse | tuple[StaffAccount, str, Pipeline]:
        """(user, token, pipeline) when the request may go ahead, else the response refusing it."""
        admitted = await web.admit(request, permission, check_csrf=check_csrf)
        if not isinstance(admitted, Admitted):
            return admitted
        pipe = pipeline()
        if pipe is None:
            return web.forbidden(admitted.user, admitted.token, NO_PIPELINE)
        return admitted.user, admitted.token, pipe

    async def render(user: StaffAccount, token: str, message: str | None = None,
                     status: int = 200) -> HTTPResponse:
        pipe = pipeline()
        if pipe is None:
            return web.forbidden(user, token, NO_PIPELINE)
        live, live_error = await pipe.live_model_or_error()
        plan = await pipe.plan_for(live)
        models = await asyncio.to_thread(pipe.models)
        history = await asyncio.to_thread(registry.activations, console.db, 20)
        run = pipe.run.status() if pipe.run else None
        if run is not None:
            run["training_running"] = pipe.training
        candidate = None
        if pipe.run is not None and pipe.run.model_filename:
            candidate = next((m for m in models if m.filename == pipe.run.model_filename), None)
        live_report = next((m.report for m in models if m.filename == live), None)
        body = models_page(
            user=user, csrf=web.csrf(token), nav=nav(user), live=live, live_error=live_error,
            plan_mode=plan.mode, plan_reason=plan.reason, run=run, candidate=candidate,
            live_report=live_report, models=models, history=history,
            can_activate=allows(user.role, Permission.ACTIVATE_MODEL),
            evaluating=pipe.evaluating, evaluation_error=pipe.evaluation_error, message=message)
        return web.page(body, status)

    @app.get("/models")
    async def models(request: Request) -> HTTPResponse:
        admitted = await web.admit(request, Permission.RETRAIN, check_csrf=False)
        if not isinstance(admitted, Admitted):
            return admitted
        return await render(admitted.user, admitted.token)

    @app.get("/models/status.json")
    async def status(request: Request) -> HTTPResponse:
        """The same facts as the page, for scripts and tests."""
        admitted = await web.admit(request, Permission.RETRAIN, check_csrf=False)
        if not isinstance(admitted, Admitted):
            return admitted
        pipe = pipeline()
        if pipe is None:
            return json({"error": NO_PIPELINE}, status=503)
        live, live_error = await pipe.live_model_or_error()
        return json({"live": live, "live_error": live_error,
                     "run": pipe.run.status() if pipe.run else None,
                     "evaluating": pipe.evaluating})

    @app.post("/models/retrain")
    async def retrain(request: Request) -> HTTPResponse:
        admitted = await admit(request, Permission.RETRAIN)
        if isinstance(admitted, HTTPResponse):
            return admitted
        user, token, pipe = admitted
        try:
            run = await pipe.start_retrain(user.username)
        except TrainingBusy as busy:
            return await render(user, token, str(busy), 409)
        await web.record(user, "model_retrain", {"mode": run.plan.mode, "reason": run.plan.reason}, request)
        return redirect("/models", status=303)

    @app.post("/models/cancel")
    async def cancel(request: Request) -> HTTPResponse:
        admitted = await admit(request, Permission.RETRAIN)
        if isinstance(admitted, HTTPResponse):
            return admitted
        user, token, pipe = admitted
        if await pipe.cancel():
            await web.record(user, "model_retrain_cancel", None, request)
        return redirect("/models", status=303)

    @app.post("/models/evaluate")
    async def evaluate(request: Request) -> HTTPResponse:
        admitted = await admit(request, Permission.RETRAIN)
        if isinstance(admitted, HTTPResponse):
            return admitted
        user, token, pipe = admitted
        filename = form_field(request, "model", 255)
        try:
            await pipe.start_evaluation(filename)
        except (TrainingBusy, ActivationRefused) as error:
            return await render(user, token, str(error), 409)
        await web.record(user, "model_evaluate", {"model": filename}, request)
        return redirect("/models", status=303)

    @app.post("/models/activate")
    async def activate(request: Request) -> HTTPResponse:
        admitted = await admit(request, Permission.ACTIVATE_MODEL)
        if isinstance(admitted, HTTPResponse):
            return admitted
        user, token, pipe = admitted
        filename = form_field(request, "model", 255)
        try:
            previous, kind = await pipe.activate(filename, user.username)
        except ActivationRefused as refused:
            return await render(user, token, str(refused), 409)
        except RasaUnavailable as error:
            return await render(user, token, f"上线失败，线上模型未变：{error}", 502)
        await web.record(user, f"model_{kind}", {"model": filename, "previous": previous}, request)
        return redirect("/models", status=303)
