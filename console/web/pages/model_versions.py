"""HTML of the 训练与上线 page: the live model, retrain with progress, the evaluation gate
(with the phrasings taught since the live model), every model by its readable name, and
rollback to older models only."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from console import timefmt
from console.auth.audit_text import user_label
from console.teaching.targets import Targets
from console.training.evaluate import Report
from console.training.names import ModelName
from console.training.phrasing_checks import PhrasingCheck, intent_name, summary
from console.training.registry import MODE_LABELS, ActivationInfo, ModelInfo, may_roll_back
from console.web.pages.layout import error_notice, esc, layout

KIND_LABELS = {"activate": "上线", "rollback": "回滚"}
#: How often the page reloads itself while work runs (seconds; a meta refresh, no script).
REFRESH_SECONDS = 3
#: The live model was not put live by the console: scripts/run.sh started Rasa with it.
STARTED_BY_RUN = "由命令行启动（make run）"
IS_LIVE = "这是线上模型"
CHECK_LABELS = {True: "理解", False: "未理解", None: "未检查"}
#: Up to this many taught phrasings are listed unfolded.
OPEN_CHECKS = 20


@dataclass(frozen=True)
class ModelsView:
    """Everything the page shows, gathered by the route (routes/model_versions.py)."""

    live: str | None
    live_error: str | None
    plan_mode: str
    plan_reason: str
    models: Sequence[ModelInfo]
    names: dict[str, ModelName]
    history: Sequence[ActivationInfo]
    labels: Targets = field(default_factory=lambda: Targets(()))
    live_since: ActivationInfo | None = None
    run: dict[str, Any] | None = None
    #: The model whose evaluation is shown, and the phrasings taught before it.
    candidate: ModelInfo | None = None
    checks: Sequence[PhrasingCheck] | None = None
    can_activate: bool = False
    evaluating: str | None = None
    evaluation_error: str | None = None

    @property
    def live_info(self) -> ModelInfo | None:
        return next((m for m in self.models if m.filename == self.live), None)

    @property
    def busy(self) -> bool:
        return bool(self.run and self.run["running"]) or self.evaluating is not None


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


def model_title(names: dict[str, ModelName], filename: str | None, with_summary: bool = True) -> str:
    """A model's readable name (HTML), the raw file name as a small muted hint below it."""
    if not filename:
        return "无"
    name = names.get(filename)
    if name is None:
        return f'<span class="filename">{esc(filename)}</span>'
    text = f'<strong class="model-title">{esc(name.title)}</strong>'
    if with_summary:
        text += f"<br>{esc(name.summary)}"
    return text + f'<br><span class="filename">{esc(filename)}</span>'


def _progress(status: dict[str, Any]) -> str:
    training = status.get("training") or {}
    parts = [f'<p><strong>{esc(status["step"])}</strong> · {esc(MODE_LABELS.get(status["mode"], status["mode"]))}'
             f' · 已用 {esc(status["elapsed_seconds"])} 秒 · 发起人 {esc(user_label(status["username"]))}</p>',
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


def comparison_table(candidate: Report, live: Report | None, live_title: str,
                     labels: Targets) -> str:
    """Overall accuracy and per-intent F1, live and candidate side by side (never a model
    with itself: the caller shows 这是线上模型 instead)."""
    rows = []
    intents = sorted(set(candidate.per_intent) | set(live.per_intent if live else {}))
    for intent in intents:
        new = candidate.per_intent.get(intent)
        old = live.per_intent.get(intent) if live else None
        new_f1, old_f1 = (new[2] if new else None), (old[2] if old else None)
        delta = (new_f1 - old_f1) if new_f1 is not None and old_f1 is not None else None
        cls = ' class="worse"' if delta is not None and delta < -1e-9 else ""
        rows.append(f"<tr{cls}><td>{esc(intent_name(labels, intent))}</td><td>{_f1(old_f1)}</td><td>{_f1(new_f1)}</td>"
                    f"<td>{'—' if delta is None else f'{delta:+.2f}'}</td></tr>")
    head = (f'<p>整体准确率：线上模型 {_pct(live.accuracy if live else None)} → '
            f'新模型 {_pct(candidate.accuracy)}（留出集 {esc(candidate.total)} 句）</p>')
    return (head + f'<details><summary>各意图 F1 对比（线上：{esc(live_title)}）</summary>'
            '<table><thead><tr><th scope="col">意图</th><th scope="col">线上 F1</th>'
            '<th scope="col">新模型 F1</th><th scope="col">变化</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></details>')


def phrasing_table(checks: Sequence[PhrasingCheck], labels: Targets) -> str:
    """The phrasings taught since the live model: expected and understood, in Chinese."""
    head = f'<p class="summary">{esc(summary(checks))}</p>'
    if not checks:
        return head
    rows = "".join(
        f'<tr class="check-{"none" if c.ok is None else ("ok" if c.ok else "bad")}">'
        f"<td>{esc(c.taught.text)}</td><td>{esc(intent_name(labels, c.taught.intent))}</td>"
        f"<td>{esc('—' if c.understood is None else intent_name(labels, c.understood))}</td>"
        f'<td class="nowrap">{esc(CHECK_LABELS[c.ok])}</td></tr>'
        for c in checks)
    opened = " open" if len(checks) <= OPEN_CHECKS else ""  # a long list stays folded, misunderstood first
    return (head + f"<details{opened}><summary>逐句查看（{len(checks)} 句，未理解的在前）</summary>"
            '<table><thead><tr><th scope="col">新教的例句</th><th scope="col">应识别为</th>'
            '<th scope="col">新模型识别为</th><th scope="col">结果</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></details>")


def _verdict(model: ModelInfo, live: str | None) -> str:
    if model.filename == live:  # its own verdict (maybe stored by an older version) is moot now
        return IS_LIVE
    if model.gate_allowed is None:
        return "未评估"
    label = "通过" if model.gate_allowed else "未通过"
    return f'{label}：{"；".join(model.gate_reasons)}'


def _live_card(view: ModelsView) -> str:
    if view.live is None:
        return '<section class="card"><h2>线上模型</h2><p>未知</p></section>'
    info = view.live_info
    accuracy = _pct(info.report.accuracy) if info and info.report else "未评估（下次训练时一并评估）"
    if view.live_since is not None:
        since = (f"{timefmt.format_time(view.live_since.at)}"
                 f"（{user_label(view.live_since.username)} {KIND_LABELS.get(view.live_since.kind, '上线')}）")
    else:
        since = STARTED_BY_RUN
    return (f'<section class="card live"><h2>线上模型</h2><p>{model_title(view.names, view.live)}</p>'
            f'<p>留出集准确率：{esc(accuracy)} · 上线时间：{esc(since)}</p></section>')


def _candidate_card(view: ModelsView, csrf: str) -> str:
    candidate = view.candidate
    if candidate is None or candidate.report is None:
        return ""
    title = model_title(view.names, candidate.filename)
    checks = ""
    if view.checks is not None:
        heading = "上线前评估时新教的例句" if candidate.filename == view.live else "自线上模型以来新教的例句"
        checks = f"<h3>{heading}</h3>{phrasing_table(view.checks, view.labels)}"
    if candidate.filename == view.live:
        return (f'<section class="card"><h2>新模型评估：{IS_LIVE}</h2><p>{title}</p>'
                f'<p>{IS_LIVE}，留出集准确率 {_pct(candidate.report.accuracy)}'
                f'（{esc(candidate.report.total)} 句），不再与自己对比。</p>{checks}</section>')
    verdict = "评估通过，可以上线" if candidate.gate_allowed else "评估未通过，不能上线"
    reasons = "".join(f"<li>{esc(r)}</li>" for r in candidate.gate_reasons)
    base = candidate.compared_with
    base_report = next((m.report for m in view.models if m.filename == base), None) if base else None
    base_name = view.names.get(base or "")
    parts = [f'<section class="card"><h2>新模型评估：{esc(verdict)}</h2><p>{title}</p><ul>{reasons}</ul>',
             comparison_table(candidate.report, base_report, base_name.title if base_name else (base or "无"),
                              view.labels), checks]
    if view.can_activate and candidate.gate_allowed and not view.busy:
        parts.append(_button("/models/activate", "上线这个模型", csrf, model=candidate.filename))
    parts.append("</section>")
    return "".join(parts)


def _actions(model: ModelInfo, view: ModelsView, csrf: str) -> str:
    if model.filename == view.live:
        return ""
    actions = []
    if not view.busy:
        actions.append(_button("/models/evaluate", "评估", csrf, True, model=model.filename))
    if view.can_activate and may_roll_back(model, view.live_info):
        actions.append(_button("/models/activate", "回滚到此版本", csrf, True, model=model.filename))
    elif view.can_activate and model.gate_allowed:
        actions.append(_button("/models/activate", "上线", csrf, model=model.filename))
    return "".join(actions)


def _model_row(model: ModelInfo, view: ModelsView, csrf: str) -> str:
    status = "线上" if model.filename == view.live else ("曾上线" if model.ever_live else "")
    return (f"<tr><td>{model_title(view.names, model.filename)}</td>"
            f"<td>{_pct(model.report.accuracy if model.report else None)}</td>"
            f'<td>{esc(_verdict(model, view.live))}</td><td class="nowrap">{esc(status)}</td>'
            f'<td class="actions">{_actions(model, view, csrf)}</td></tr>')


def _history(view: ModelsView) -> str:
    if not view.history:
        return ""
    items = "".join(
        f'<tr><td class="nowrap">{esc(timefmt.format_time(h.at, seconds=True))}</td>'
        f'<td class="nowrap">{esc(KIND_LABELS.get(h.kind, h.kind))}</td>'
        f"<td>{model_title(view.names, h.filename, False)}</td>"
        f"<td>{model_title(view.names, h.previous, False)}</td>"
        f'<td class="nowrap">{esc(user_label(h.username))}</td></tr>'
        for h in view.history)
    return ('<section class="card"><h2>上线记录</h2><div class="scroll"><table><thead><tr><th scope="col">时间（'
            f'{esc(timefmt.zone_label())}）</th>'
            '<th scope="col" class="nowrap">操作</th><th scope="col">模型</th><th scope="col">替换了</th>'
            f'<th scope="col" class="nowrap">操作人</th></tr></thead><tbody>{items}</tbody></table></div></section>')


def models_page(view: ModelsView, *, user: Any, csrf: str, nav: Sequence[tuple[str, str]],
                message: str | None = None, notice: str | None = None) -> str:
    parts = [error_notice(message), error_notice(view.live_error), error_notice(view.evaluation_error)]
    if notice:
        parts.append(f'<p class="notice" role="status">{esc(notice)}</p>')
    parts.append(_live_card(view))

    parts.append('<section class="card"><h2>重新训练</h2>')
    if view.run is not None:
        parts.append(_progress(view.run))
    if not view.busy:
        parts.append(f'<p>下次训练方式：<strong>{esc(MODE_LABELS.get(view.plan_mode, view.plan_mode))}</strong>'
                     f'<br><span class="meta">{esc(view.plan_reason)}</span></p>')
        parts.append(_button("/models/retrain", "开始训练", csrf))
    elif view.run is not None and view.run.get("training_running"):
        parts.append(_button("/models/cancel", "取消训练", csrf, True))
    if view.evaluating:
        parts.append(f"<p>正在评估 {model_title(view.names, view.evaluating, False)}…</p>")
    parts.append("</section>")
    parts.append(_candidate_card(view, csrf))

    rows = "".join(_model_row(m, view, csrf) for m in view.models)
    parts.append('<section class="card"><h2>全部模型</h2><p class="meta">旧模型都会保留；比线上模型更早、'
                 '曾经上线过的模型可一键回滚，更新的模型要评估通过后上线。</p><div class="scroll"><table>'
                 '<thead><tr><th scope="col">模型</th><th scope="col" class="nowrap">留出集准确率</th>'
                 '<th scope="col" class="nowrap">评估结论</th><th scope="col" class="nowrap">状态</th>'
                 '<th scope="col" class="actions">操作</th>'
                 f'</tr></thead><tbody>{rows}</tbody></table></div></section>')
    parts.append(_history(view))
    head = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">' if view.busy else ""
    return layout("训练与上线", "".join(parts), user, csrf, nav, head=head)
