"""HTML of the 训练与上线 page: retrain with progress, the evaluation gate, models and rollback."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console import timefmt
from console.training.evaluate import Report
from console.training.registry import MODE_LABELS, ActivationInfo, ModelInfo
from console.web.pages.layout import error_notice, esc, layout

KIND_LABELS = {"activate": "上线", "rollback": "回滚"}
#: How often the page reloads itself while work runs (seconds; a meta refresh, no script).
REFRESH_SECONDS = 3


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _f1(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _hidden(csrf: str, **values: str) -> str:
    fields = [("csrf", csrf), *values.items()]
    return "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in fields)


def _button(action: str, label: str, csrf: str, secondary: bool = False, **values: str) -> str:
    cls = ' class="secondary"' if secondary else ""
    return (f'<form class="inline" method="post" action="{esc(action)}">{_hidden(csrf, **values)}'
            f'<button type="submit"{cls}>{esc(label)}</button></form>')


def _progress(status: dict[str, Any]) -> str:
    training = status.get("training") or {}
    parts = [f'<p><strong>{esc(status["step"])}</strong> · {esc(MODE_LABELS.get(status["mode"], status["mode"]))}'
             f' · 已用 {esc(status["elapsed_seconds"])} 秒 · 发起人 {esc(status["username"])}</p>',
             f'<p class="meta">原因：{esc(status["reason"])}</p>']
    if status.get("fallback_reason"):
        parts.append(f'<p class="meta">{esc(status["fallback_reason"])}</p>')
    if training:
        epoch = ""
        if training.get("epoch") is not None:
            epoch = f' · 第 {esc(training["epoch"])}/{esc(training["epochs"])} 轮'
        parts.append(f'<p>训练阶段：{esc(training.get("stage"))}{epoch}'
                     f'（训练已用 {esc(training.get("elapsed_seconds"))} 秒）</p>')
        if training.get("epoch") is not None and training.get("epochs"):
            parts.append(f'<progress max="{esc(training["epochs"])}" value="{esc(training["epoch"])}">'
                         f'{esc(training["epoch"])}/{esc(training["epochs"])}</progress>')
        log = "\n".join(training.get("log") or [])
        parts.append(f'<details><summary>训练日志（最后几行）</summary><pre>{esc(log)}</pre></details>')
    if status.get("error"):
        parts.append(error_notice(status["error"]))
    return "".join(parts)


def comparison_table(candidate: Report, live: Report | None, live_name: str | None) -> str:
    """Overall accuracy and per-intent F1, live and candidate side by side."""
    rows = []
    intents = sorted(set(candidate.per_intent) | set(live.per_intent if live else {}))
    for intent in intents:
        new = candidate.per_intent.get(intent)
        old = live.per_intent.get(intent) if live else None
        new_f1, old_f1 = (new[2] if new else None), (old[2] if old else None)
        delta = (new_f1 - old_f1) if new_f1 is not None and old_f1 is not None else None
        cls = ' class="worse"' if delta is not None and delta < -1e-9 else ""
        rows.append(f"<tr{cls}><td>{esc(intent)}</td><td>{_f1(old_f1)}</td><td>{_f1(new_f1)}</td>"
                    f"<td>{'—' if delta is None else f'{delta:+.2f}'}</td></tr>")
    head = (f'<p>整体准确率：线上模型 {_pct(live.accuracy if live else None)} → '
            f'新模型 {_pct(candidate.accuracy)}（留出集 {esc(candidate.total)} 句）</p>')
    return (head + f'<details><summary>各意图 F1 对比（线上：{esc(live_name or "无")}）</summary>'
            '<table><thead><tr><th scope="col">意图</th><th scope="col">线上 F1</th>'
            '<th scope="col">新模型 F1</th><th scope="col">变化</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></details>')


def _verdict(model: ModelInfo) -> str:
    if model.gate_allowed is None:
        return "未评估"
    label = "通过" if model.gate_allowed else "未通过"
    return f'{label}：{"；".join(model.gate_reasons)}'


def _model_row(model: ModelInfo, live: str | None, csrf: str, can_activate: bool,
               busy: bool) -> str:
    status = "线上" if model.filename == live else ("曾上线" if model.ever_live else "")
    actions = []
    if model.filename != live:
        if not busy:
            actions.append(_button("/models/evaluate", "评估", csrf, True, model=model.filename))
        if can_activate and model.ever_live:
            actions.append(_button("/models/activate", "回滚到此版本", csrf, True, model=model.filename))
        elif can_activate and model.gate_allowed:
            actions.append(_button("/models/activate", "上线", csrf, model=model.filename))
    mode = model.mode or "external"
    how = MODE_LABELS.get(mode, mode)
    if model.trained_by and model.mode != "external":
        how += f"（{model.trained_by}）"
    return (f"<tr><td>{esc(model.filename)}<br><span class=\"meta nowrap\">"
            f"{esc(timefmt.format_time(model.modified_at))}</span></td>"
            f"<td>{esc(how)}</td><td>{_pct(model.report.accuracy if model.report else None)}</td>"
            f"<td>{esc(_verdict(model))}</td><td>{esc(status)}</td><td>{''.join(actions)}</td></tr>")


def models_page(*, user: Any, csrf: str, nav: Sequence[tuple[str, str]], live: str | None,
                live_error: str | None, plan_mode: str, plan_reason: str,
                run: dict[str, Any] | None, candidate: ModelInfo | None,
                live_report: Report | None, models: Sequence[ModelInfo],
                history: Sequence[ActivationInfo], can_activate: bool,
                evaluating: str | None, evaluation_error: str | None,
                message: str | None = None) -> str:
    busy = bool(run and run["running"]) or evaluating is not None
    parts = [error_notice(message), error_notice(live_error), error_notice(evaluation_error)]
    parts.append(f'<section class="card"><h2>线上模型</h2><p>{esc(live or "未知")}</p></section>')

    parts.append('<section class="card"><h2>重新训练</h2>')
    if run is not None:
        parts.append(_progress(run))
    if not busy:
        parts.append(f'<p>下次训练方式：<strong>{esc(MODE_LABELS.get(plan_mode, plan_mode))}</strong>'
                     f'<br><span class="meta">{esc(plan_reason)}</span></p>')
        parts.append(_button("/models/retrain", "开始训练", csrf))
    elif run is not None and run.get("training_running"):
        parts.append(_button("/models/cancel", "取消训练", csrf, True))
    if evaluating:
        parts.append(f"<p>正在评估 {esc(evaluating)}…</p>")
    parts.append("</section>")

    if candidate is not None and candidate.report is not None:
        verdict = ("评估通过，可以上线" if candidate.gate_allowed else "评估未通过，不能上线")
        reasons = "".join(f"<li>{esc(r)}</li>" for r in candidate.gate_reasons)
        parts.append(f'<section class="card"><h2>新模型评估：{esc(verdict)}</h2>'
                     f'<p class="meta">{esc(candidate.filename)}</p><ul>{reasons}</ul>'
                     + comparison_table(candidate.report, live_report, live))
        if can_activate and candidate.gate_allowed and candidate.filename != live:
            parts.append(_button("/models/activate", "上线这个模型", csrf, model=candidate.filename))
        parts.append("</section>")

    rows = "".join(_model_row(m, live, csrf, can_activate, busy) for m in models)
    parts.append('<section class="card"><h2>全部模型</h2><p class="meta">旧模型都会保留；'
                 '曾经上线过的模型可一键回滚。</p><table><thead><tr><th scope="col">模型</th>'
                 '<th scope="col">训练方式</th><th scope="col">留出集准确率</th>'
                 '<th scope="col">评估结论</th><th scope="col">状态</th><th scope="col">操作</th>'
                 f'</tr></thead><tbody>{rows}</tbody></table></section>')
    if history:
        items = "".join(
            f'<tr><td class="nowrap">{esc(timefmt.format_time(h.at, seconds=True))}</td>'
            f"<td>{esc(KIND_LABELS.get(h.kind, h.kind))}</td>"
            f"<td>{esc(h.filename)}</td><td>{esc(h.previous or '')}</td><td>{esc(h.username)}</td></tr>"
            for h in history)
        parts.append('<section class="card"><h2>上线记录</h2><table><thead><tr><th scope="col">时间（'
                     f'{esc(timefmt.zone_label())}）</th>'
                     '<th scope="col">操作</th><th scope="col">模型</th><th scope="col">替换了</th>'
                     f'<th scope="col">操作人</th></tr></thead><tbody>{items}</tbody></table></section>')
    head = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if busy else ""
    return layout("训练与上线", "".join(parts), user, csrf, nav, head=head)
