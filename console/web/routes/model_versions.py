"""训练与上线: retrain (trainer), evaluate, activate and roll back models (trainer)."""
from __future__ import annotations

import asyncio
from typing import Any

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json, redirect

from console.auth.accounts import StaffAccount
from console.auth.roles import Permission, allows
from console.training import registry
from console.training.job import TrainingBusy
from console.training.names import model_names
from console.training.pipeline import ActivationRefused, Pipeline
from console.training.plan import TrainingPlan
from console.training.rasa_admin import RasaUnavailable
from console.training.take_back import TakeBackOffer, offer
from console.web.context import Web, form_field, nav
from console.web.pages.model_versions import ModelsView, models_page
from console.web.pipeline_guard import NO_PIPELINE, needs_pipeline
from console.web.routes.take_back import take_back_url


def register(app: Sanic, web: Web) -> None:
    console = web.console

    with_pipeline = needs_pipeline(web)

    def gather(pipe: Pipeline, live: str | None, live_error: str | None, plan: TrainingPlan,
               run: dict[str, Any] | None, can_activate: bool) -> ModelsView:
        """The page's facts (database, models folder, data files: run in a thread)."""
        models = pipe.models()
        candidate = next((m for m in models if m.filename == pipe.reviewed), None)
        return ModelsView(
            live=live, live_error=live_error, plan_mode=plan.mode, plan_reason=plan.reason,
            models=models, names=model_names(console.db, models),
            history=registry.activations(console.db, 20), labels=pipe.labels(),
            live_since=registry.went_live(console.db, live) if live else None, run=run,
            candidate=candidate,
            checks=pipe.phrasing_checks(candidate.filename, models) if candidate else None,
            can_activate=can_activate, evaluating=pipe.evaluating,
            evaluation_error=pipe.evaluation_error)

    async def render(pipe: Pipeline, user: StaffAccount, token: str, message: str | None = None,
                     status: int = 200, notice: str | None = None) -> HTTPResponse:
        live, live_error = await pipe.live_model_or_error()
        plan = await pipe.plan_for(live)
        run = pipe.run.status() if pipe.run else None
        if run is not None:
            run["training_running"] = pipe.training
        view = await asyncio.to_thread(gather, pipe, live, live_error, plan, run,
                                       allows(user.role, Permission.ACTIVATE_MODEL))
        body = models_page(view, user=user, csrf=web.csrf(token), nav=nav(user), message=message,
                           notice=notice)
        return web.page(body, status)

    def rollback_offer(pipe: Pipeline, rolled_back_from: str, rolled_back_to: str) -> TakeBackOffer:
        return offer(console.db, console.files, pipe.models(), rolled_back_from, rolled_back_to)

    def taken_back_notice(request: Request) -> str | None:
        """The confirmation after 回滚后撤回例句 (its POST redirects here with the counts)."""
        taken, returned = request.args.get("taken_back", ""), request.args.get("returned", "")
        if not taken.isdigit():
            return None
        notice = f"已从训练数据中撤回 {int(taken)} 条例句"
        if returned.isdigit() and int(returned):
            notice += f"，其中 {int(returned)} 条消息已回到待处理消息"
        return notice + "。下次训练后生效。"

    @app.get("/models")
    @web.guarded(Permission.RETRAIN, check_csrf=False)
    @with_pipeline
    async def models(request: Request, user: StaffAccount, token: str, pipe: Pipeline) -> HTTPResponse:
        return await render(pipe, user, token, notice=taken_back_notice(request))

    @app.get("/models/status.json")
    @web.guarded(Permission.RETRAIN, check_csrf=False)
    async def status(request: Request, _user: StaffAccount, _token: str) -> HTTPResponse:
        """The same facts as the page, for scripts and tests (a JSON 503 without the pipeline)."""
        pipe: Pipeline | None = console.pipeline
        if pipe is None:
            return json({"error": NO_PIPELINE}, status=503)
        live, live_error = await pipe.live_model_or_error()
        return json({"live": live, "live_error": live_error,
                     "run": pipe.run.status() if pipe.run else None,
                     "evaluating": pipe.evaluating})

    @app.post("/models/retrain")
    @web.guarded(Permission.RETRAIN, check_csrf=True)
    @with_pipeline
    async def retrain(request: Request, user: StaffAccount, token: str, pipe: Pipeline) -> HTTPResponse:
        try:
            run = await pipe.start_retrain(user.username)
        except TrainingBusy as busy:
            return await render(pipe, user, token, str(busy), 409)
        await web.record(user, "model_retrain", {"mode": run.plan.mode, "reason": run.plan.reason}, request)
        return redirect("/models", status=303)

    @app.post("/models/cancel")
    @web.guarded(Permission.RETRAIN, check_csrf=True)
    @with_pipeline
    async def cancel(request: Request, user: StaffAccount, _token: str, pipe: Pipeline) -> HTTPResponse:
        if await pipe.cancel():
            await web.record(user, "model_retrain_cancel", None, request)
        return redirect("/models", status=303)

    @app.post("/models/evaluate")
    @web.guarded(Permission.RETRAIN, check_csrf=True)
    @with_pipeline
    async def evaluate(request: Request, user: StaffAccount, token: str, pipe: Pipeline) -> HTTPResponse:
        filename = form_field(request, "model", 255)
        try:
            await pipe.start_evaluation(filename)
        except (TrainingBusy, ActivationRefused) as error:
            return await render(pipe, user, token, str(error), 409)
        await web.record(user, "model_evaluate", {"model": filename}, request)
        return redirect("/models", status=303)

    @app.post("/models/activate")
    @web.guarded(Permission.ACTIVATE_MODEL, check_csrf=True)
    @with_pipeline
    async def activate(request: Request, user: StaffAccount, token: str, pipe: Pipeline) -> HTTPResponse:
        filename = form_field(request, "model", 255)
        try:
            previous, kind = await pipe.activate(filename, user.username)
        except ActivationRefused as refused:
            return await render(pipe, user, token, str(refused), 409)
        except RasaUnavailable as error:
            return await render(pipe, user, token, f"上线失败，线上模型未变：{error}", 502)
        await web.record(user, f"model_{kind}", {"model": filename, "previous": previous}, request)
        if kind == "rollback" and previous:
            offered = await asyncio.to_thread(rollback_offer, pipe, previous, filename)
            if not offered.empty:
                return redirect(take_back_url(previous, filename), status=303)
        return redirect("/models", status=303)
