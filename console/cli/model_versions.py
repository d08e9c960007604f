"""`python -m console model list|plan|train|evaluate|activate|rollback`: the models page as commands.

Each command drives the same `Pipeline` as the web page (console/training/pipeline.py), so a
script gets the same plan, gate and activation rules. The Rasa server is found through
RASA_URL / RASA_TOKEN (or var/rasa_token). Actions are audited as user "cli".

Exit codes: 0 done, 1 refused or failed (gate, training, Rasa unreachable), 2 bad input.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from console.auth import audit
from console.cli.common import AUDIT_USER, database
from console.teaching.service import TrainingFiles
from console.training import registry
from console.training.evaluate import Comparison, EvaluationFailed
from console.training.job import TrainingBusy
from console.training.names import model_names, name_of
from console.training.phrasing_checks import intent_name, summary
from console.training.pipeline import STEP_READY, ActivationRefused, Pipeline, project_pipeline
from console.training.rasa_admin import RasaUnavailable
from console.training.registry import MODE_LABELS, may_roll_back
from console.training.take_back import offer

PROGRESS_EVERY_S = 5.0


def add_commands(sub: Any) -> None:
    """Add the `model` command group to the CLI's subparsers."""
    model = sub.add_parser("model", help="retrain, evaluate, activate and roll back models")
    commands = model.add_subparsers(dest="model_command", required=True, parser_class=type(model))
    commands.add_parser("list", help="all models, the live one marked").set_defaults(func=cmd_list)
    commands.add_parser("plan", help="fine-tune or full training next, and why").set_defaults(func=cmd_plan)
    train = commands.add_parser("train", help="retrain and evaluate, printing progress")
    train.add_argument("--full", action="store_true", help="train in full even if a fine-tune would do")
    train.set_defaults(func=cmd_train)
    evaluate = commands.add_parser("evaluate", help="score a model against the live one")
    evaluate.add_argument("model", help="file name in models/")
    evaluate.set_defaults(func=cmd_evaluate)
    activate = commands.add_parser("activate", help="put a model live (gate enforced)")
    activate.add_argument("model", help="file name in models/")
    activate.set_defaults(func=cmd_activate)
    rollback = commands.add_parser("rollback", help="put back an older model that was live before")
    rollback.add_argument("model", nargs="?",
                          help="an older model that was live (default: the newest such model)")
    rollback.set_defaults(func=cmd_rollback)


def _pipeline() -> Pipeline:
    return project_pipeline(database())


def _run(work: Callable[[Pipeline], Any]) -> int:
    """Run one async command; refusals print their Chinese message and exit 1."""
    try:
        return asyncio.run(work(_pipeline()))
    except (ActivationRefused, RasaUnavailable, TrainingBusy, EvaluationFailed) as error:
        print(str(error), file=sys.stderr)
        return 1


def _print_comparison(comparison: Comparison) -> None:
    print("评估结论：" + ("通过" if comparison.allowed else "未通过"))
    for reason in comparison.reasons:
        print(f"  - {reason}")


def _print_checks(pipe: Pipeline, filename: str) -> None:
    """The phrasings taught since the model it was compared with, those not understood named."""
    checks = pipe.phrasing_checks(filename)
    if checks is None:
        return
    print(summary(checks))
    labels = pipe.labels()
    for check in checks:
        if check.ok is False:
            print(f"  ✗ {check.taught.text}：应识别为 {intent_name(labels, check.taught.intent)}，"
                  f"新模型识别为 {intent_name(labels, check.understood)}")


def _name(pipe: Pipeline, filename: str | None) -> str:
    """`filename`'s readable name with the file name after it."""
    if not filename:
        return "无"
    return f"{name_of(model_names(pipe.db, pipe.models()), filename)}（{filename}）"


def cmd_list(args: argparse.Namespace) -> int:
    async def work(pipe: Pipeline) -> int:
        live, error = await pipe.live_model_or_error()
        if error:
            print(f"（{error}）", file=sys.stderr)
        models = pipe.models()
        names = model_names(pipe.db, models)
        print("模型\t变化\t准确率\t评估\t状态\t文件")
        for m in models:
            accuracy = f"{m.report.accuracy * 100:.1f}%" if m.report else "—"
            verdict = "未评估" if m.gate_allowed is None else ("通过" if m.gate_allowed else "未通过")
            state = "线上" if m.filename == live else ("曾上线" if m.ever_live else "")
            name = names[m.filename]
            print("\t".join((name.title, name.summary, accuracy, verdict, state, m.filename)))
        return 0
    return _run(work)


def cmd_plan(args: argparse.Namespace) -> int:
    async def work(pipe: Pipeline) -> int:
        plan = await pipe.plan()
        print(f"{MODE_LABELS[plan.mode]}：{plan.reason}")
        return 0
    return _run(work)


def cmd_train(args: argparse.Namespace) -> int:
    async def work(pipe: Pipeline) -> int:
        run = await pipe.start_retrain(AUDIT_USER, force_full=args.full)
        audit.record(pipe.db, AUDIT_USER, "model_retrain", {"mode": run.plan.mode})
        print(f"{MODE_LABELS[run.plan.mode]}：{run.plan.reason}", flush=True)
        waiter = asyncio.ensure_future(pipe.wait())
        last = ""
        while not waiter.done():
            await asyncio.wait([waiter], timeout=PROGRESS_EVERY_S)
            status = run.status()
            training = status["training"] or {}
            line = f"[{status['elapsed_seconds']:>6.1f}s] {status['step']} · {training.get('stage', '')}"
            if training.get("epoch") is not None:
                line += f" · 第 {training['epoch']}/{training['epochs']} 轮"
            if line != last:
                print(line, flush=True)
                last = line
        status = run.status()
        if status["fallback_reason"]:
            print(status["fallback_reason"])
        if status["error"]:
            print(status["error"], file=sys.stderr)
            print("\n".join((status["training"] or {}).get("log", [])[-10:]), file=sys.stderr)
            return 1
        print(f"新模型：{_name(pipe, status['model'])}")
        print(f"对比线上模型：{_name(pipe, status['compared_with'])}")
        if run.comparison is not None:
            _print_comparison(run.comparison)
            _print_checks(pipe, status["model"])
        return 0 if status["step"] == STEP_READY else 1
    return _run(work)


def cmd_evaluate(args: argparse.Namespace) -> int:
    async def work(pipe: Pipeline) -> int:
        comparison = await pipe.evaluate(args.model)
        report = registry.report_of(pipe.db, args.model)
        if report is not None:
            print(f"{_name(pipe, args.model)}：留出集准确率 {report.accuracy * 100:.1f}%（{report.total} 句）")
        _print_comparison(comparison)
        _print_checks(pipe, args.model)
        return 0 if comparison.allowed else 1
    return _run(work)


def _activate(model: str | None, rollback_only: bool = False) -> Callable[[Pipeline], Any]:
    async def work(pipe: Pipeline) -> int:
        target = model or await _rollback_target(pipe)
        if target is None:
            print("没有可以回滚的模型：只能回滚到比线上模型更早、并且曾经上线过的模型。", file=sys.stderr)
            return 1
        started = time.monotonic()
        previous, kind = await pipe.activate(target, AUDIT_USER, rollback_only=rollback_only)
        audit.record(pipe.db, AUDIT_USER, f"model_{kind}", {"model": target, "previous": previous})
        verb = "已回滚到" if kind == "rollback" else "已上线"
        print(f"{verb} {_name(pipe, target)}")
        print(f"替换了 {_name(pipe, previous)}，用时 {time.monotonic() - started:.1f} 秒")
        if kind == "rollback" and previous:
            _print_take_back(pipe, previous, target)
        return 0
    return work


def _print_take_back(pipe: Pipeline, rolled_back_from: str, rolled_back_to: str) -> None:
    """What the rolled-back-from model had added and is still in the data: the console's
    回滚后撤回例句 page takes it back (with the inbox messages returned)."""
    offered = offer(pipe.db, _training_files(pipe), pipe.models(), rolled_back_from, rolled_back_to)
    if not offered.items:
        return
    print(f"回滚前的模型多学了 {len(offered.items)} 条例句，仍在训练数据里（下次训练会再学进去）：")
    labels = pipe.labels()
    for item in offered.items:
        print(f"  - {item.taught.text}（{intent_name(labels, item.taught.intent)}）")
    query = urlencode({"from": rolled_back_from, "to": rolled_back_to})
    print(f"如需撤回，请在管理台打开 /models/take-back?{query}")


def _training_files(pipe: Pipeline) -> TrainingFiles:
    """The data staff teach into: the pipeline's first data folder and its domain."""
    return TrainingFiles(pipe.settings.training.data[0], pipe.settings.domain_path)


async def _rollback_target(pipe: Pipeline) -> str | None:
    """The newest model older than the live one that was live before."""
    live = await pipe.live_model()
    models = pipe.models()
    live_info = next((m for m in models if m.filename == live), None)
    return next((m.filename for m in models if may_roll_back(m, live_info)), None)


def cmd_activate(args: argparse.Namespace) -> int:
    return _run(_activate(args.model))


def cmd_rollback(args: argparse.Namespace) -> int:
    return _run(_activate(args.model, rollback_only=True))
