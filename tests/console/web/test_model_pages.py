"""The 训练与上线 page's HTML from fake models and reports (console.web.pages.model_versions):
readable names, the live card, no self-comparison, rollback only to older models, the taught
phrasings with what the candidate understood, Chinese component names."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from console.teaching.targets import ServiceName, build_targets
from console.training.evaluate import Report
from console.training.names import ModelName
from console.training.phrasing_checks import PhrasingCheck
from console.training.registry import ActivationInfo, ModelInfo
from console.training.taught import EXAMPLE, FAQ_EXAMPLE, ChangeCounts, Taught
from console.web.pages.layout import esc
from console.web.pages.model_versions import IS_LIVE, STARTED_BY_RUN, ModelsView, models_page

T0 = datetime(2026, 12, 1, 2, 0)  # 10:00 Beijing time
OLD, LIVE, NEW, NEWEST = ("20261201-old.tar.gz", "20261202-live.tar.gz", "20261203-new.tar.gz",
                          "20261204-newest.tar.gz")
USER = SimpleNamespace(username="zhao", role="trainer")
LABELS = build_targets(["svc_sbk_replace", "faq/office_hours", "greet"],
                       {"sbk-replace": ServiceName("社会保障卡补换", "市人社局")}, {"office_hours": "办事大厅几点开门"})


def model(filename: str, day: int, **values) -> ModelInfo:
    return ModelInfo(filename=filename, path=Path("/models") / filename,
                     modified_at=T0 + timedelta(days=day), **values)


def name(filename: str, day: int, changes: ChangeCounts | None) -> ModelName:
    return ModelName(filename, f"2026-12-0{day + 1} 10:00", "微调", "li.si", changes)


MODELS = [
    model(NEWEST, 3),  # never evaluated
    model(NEW, 2, report=Report(0.93, {"greet": (0.9, 0.9, 0.9, 5)}, 120), gate_allowed=True,
          gate_reasons=("没有明显退步：可以启用",), compared_with=LIVE, ever_live=True),
    model(LIVE, 1, report=Report(0.91, {"greet": (0.8, 0.8, 0.8, 5)}, 120), gate_allowed=True,
          gate_reasons=(IS_LIVE,), ever_live=True),
    model(OLD, 0, ever_live=True),
]
NAMES = {NEWEST: name(NEWEST, 3, ChangeCounts()),
         NEW: name(NEW, 2, ChangeCounts(examples=12, new_faqs=2, faq_examples=3)),
         LIVE: name(LIVE, 1, ChangeCounts(examples=1)), OLD: name(OLD, 0, None)}


def view(**changes) -> ModelsView:
    values = dict(live=LIVE, live_error=None, plan_mode="finetune", plan_reason="只新增了训练例句",
                  models=MODELS, names=NAMES, history=[], labels=LABELS, can_activate=True)
    values.update(changes)
    return ModelsView(**values)


def page(v: ModelsView) -> str:
    return models_page(v, user=USER, csrf="c" * 64, nav=[("/models", "训练与上线")])


def section(html: str, heading: str) -> str:
    start = html.index(f"<h2>{heading}")
    return html[start:html.index("</section>", start)]


def rows(html: str) -> dict[str, str]:
    """The 全部模型 table's rows by the file name they show."""
    table = section(html, "全部模型")
    return {re.search(r'class="filename">([^<]+)<', row).group(1): row
            for row in re.findall(r"<tr><td>.*?</tr>", table)}


def test_models_are_listed_by_readable_names_with_the_file_as_a_hint():
    html = page(view())
    listing = section(html, "全部模型")
    assert ('<strong class="model-title">2026-12-03 10:00 · 微调 · li.si</strong>'
            "<br>+12 例句 · 2 个新常见问题 · 3 个常见问题问法") in listing
    assert f'<span class="filename">{NEW}</span>' in listing
    assert "最早的模型" in rows(html)[OLD]
    assert '<th scope="col" class="actions">操作</th>' in listing
    assert all('<td class="actions">' in row for row in rows(html).values())


def test_the_live_card_names_the_model_its_accuracy_and_when_it_went_live():
    went = ActivationInfo(LIVE, OLD, "activate", "li.si", T0 + timedelta(days=1, hours=1))
    card = section(page(view(live_since=went)), "线上模型")
    assert "2026-12-02 10:00 · 微调 · li.si" in card and LIVE in card
    assert "留出集准确率：91.0%" in card
    assert "上线时间：2026-12-02 11:00（li.si 上线）" in card
    assert "还没有上线的模型" not in card


def test_a_live_model_the_console_never_put_live_was_started_by_make_run():
    card = section(page(view(live_since=None)), "线上模型")
    assert STARTED_BY_RUN in card and "还没有上线的模型" not in card
    unscored = section(page(view(live=OLD)), "线上模型")
    assert "留出集准确率：未评估" in unscored and "最早的模型" in unscored


def test_the_live_row_says_it_is_live_whatever_verdict_an_older_version_stored():
    stale = [*MODELS[:2], ModelInfo(filename=LIVE, path=Path("/models") / LIVE, modified_at=T0 + timedelta(days=1),
                                    gate_allowed=True, gate_reasons=("还没有上线的模型：可以直接启用",)), MODELS[3]]
    html = page(view(models=stale))
    assert "还没有上线的模型" not in html and f"<td>{IS_LIVE}</td>" in rows(html)[LIVE]


def test_rollback_is_offered_only_for_older_models_that_were_live():
    found = rows(page(view()))
    assert "回滚到此版本" in found[OLD]
    assert "回滚到此版本" not in found[NEW]  # newer, though it was live once
    assert 'action="/models/activate"' in found[NEW] and ">上线</button>" in found[NEW]  # passed the gate
    assert ">上线</button>" not in found[NEWEST] and "回滚" not in found[NEWEST]  # not evaluated yet
    assert ">评估</button>" in found[NEWEST]
    assert "<button" not in found[LIVE] and f"<td>{IS_LIVE}</td>" in found[LIVE]


def test_no_activation_buttons_for_whoever_may_not_activate():
    found = rows(page(view(can_activate=False)))
    assert all('action="/models/activate"' not in row for row in found.values())


CHECKS = [
    PhrasingCheck(Taught("周六上班吗", "faq/office_hours", FAQ_EXAMPLE, "li.si", T0), "svc_sbk_replace"),
    PhrasingCheck(Taught("新教的还没评估", "greet", EXAMPLE, "li.si", T0), None),
    PhrasingCheck(Taught("社保卡丢了咋办", "svc_sbk_replace", EXAMPLE, "li.si", T0), "svc_sbk_replace"),
]


def test_the_evaluation_lists_the_taught_phrasings_and_whether_they_are_understood():
    card = section(page(view(candidate=MODELS[1], checks=CHECKS)), "新模型评估")
    assert "评估通过，可以上线" in card
    assert "整体准确率：线上模型 91.0% → 新模型 93.0%" in card
    assert "自线上模型以来新教了 3 句，新模型理解了其中 1 句（另有 1 句评估时未检查）；1 句仍未理解。" in card
    assert "<details open><summary>逐句查看（3 句，未理解的在前）</summary>" in card
    table = card[card.index("新教的例句"):]
    assert ("<td>周六上班吗</td><td>常见问题：办事大厅几点开门</td><td>社会保障卡补换</td>"
            '<td class="nowrap">未理解</td>') in table
    assert ("<td>社保卡丢了咋办</td><td>社会保障卡补换</td><td>社会保障卡补换</td>"
            '<td class="nowrap">理解</td>') in table
    assert "<td>新教的还没评估</td><td>问候/打招呼（你好、菜单）</td><td>—</td>" in table
    assert "svc_sbk_replace" not in card and "faq/office_hours" not in card
    assert "上线这个模型" in card


def test_after_activation_the_model_is_not_compared_with_itself():
    card = section(page(view(live=NEW, candidate=MODELS[1], checks=CHECKS)), "新模型评估")
    assert IS_LIVE in card
    assert "→" not in card and "F1 对比" not in card and "93.0% → 93.0%" not in card
    assert "上线这个模型" not in card
    assert "周六上班吗" in card  # what it was checked on before it went live


@pytest.mark.parametrize("stage", ["训练意图分类器（DIET）"])
def test_progress_shows_components_in_chinese(stage):
    run = {"step": "训练中", "mode": "finetune", "elapsed_seconds": 12.0, "username": "cli",
           "reason": "只新增了例句", "fallback_reason": None, "running": True, "error": None,
           "training": {"stage": stage, "epoch": 3, "epochs": 20, "elapsed_seconds": 10.0, "log": []},
           "training_running": True}
    html = page(view(run=run))
    assert f"训练阶段：{esc(stage)} · 第 3/20 轮" in html and "发起人 命令行" in html
    assert "DIETClassifier" not in html
    assert 'http-equiv="refresh"' in html
