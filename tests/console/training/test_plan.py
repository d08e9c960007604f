"""Planning the next training: fine-tune or full, and why (console.training.plan)."""
from __future__ import annotations

from pathlib import Path

import pytest

from console.training.plan import model_intents, plan_training
from tests.support.training import INTENTS, domain_text, trained_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return trained_tiny_model(tmp_path_factory)


def write_domain(tmp_path: Path, intents) -> Path:
    path = tmp_path / "domain.yml"
    path.write_text(domain_text(intents), encoding="utf-8")
    return path


def test_model_intents_read_from_the_archive(tiny_model):
    assert model_intents(tiny_model) == set(INTENTS)


def test_same_intents_fine_tune(tiny_model, tmp_path):
    plan = plan_training(write_domain(tmp_path, INTENTS), tiny_model)
    assert plan.mode == "finetune"
    assert plan.live_model == tiny_model
    assert "微调" in plan.reason


def test_intents_written_as_mappings_still_compare_equal(tiny_model, tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text('version: "3.1"\nintents:\n  - greet:\n      use_entities: []\n'
                      "  - goodbye\n  - thanks\n", encoding="utf-8")
    assert plan_training(domain, tiny_model).mode == "finetune"


def test_added_intent_needs_full_training(tiny_model, tmp_path):
    plan = plan_training(write_domain(tmp_path, INTENTS + ("ask_hours",)), tiny_model)
    assert plan.mode == "full"
    assert "新增：ask_hours" in plan.reason and "删除" not in plan.reason
    assert plan.live_model is None


def test_removed_and_added_intents_both_named(tiny_model, tmp_path):
    plan = plan_training(write_domain(tmp_path, ("greet", "goodbye", "ask_hours")), tiny_model)
    assert plan.mode == "full"
    assert "新增：ask_hours" in plan.reason and "删除：thanks" in plan.reason


def test_no_live_model_needs_full_training(tmp_path):
    domain = write_domain(tmp_path, INTENTS)
    for live in (None, tmp_path / "missing.tar.gz"):
        plan = plan_training(domain, live)
        assert plan.mode == "full"
        assert plan.reason == "还没有上线的模型：需要完整训练"


def _archive_with_domain(path: Path, domain: str) -> Path:
    """A stand-in model archive holding only the training domain (all the planner reads)."""
    import io
    import tarfile

    from console.training.plan import MODEL_DOMAIN_MEMBER

    data = domain.encode("utf-8")
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(MODEL_DOMAIN_MEMBER)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


FAQ_DOMAIN = ('version: "3.1"\nintents:\n  - greet\n  - faq\nresponses:\n'
              "  utter_greet:\n  - text: hi\n  utter_faq/hours:\n  - text: 9 to 5\n")


def _faq_data(folder: Path, keys) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    responses = "".join(f"  utter_faq/{k}:\n  - text: answer {k}\n" for k in keys)
    (folder / "faq.yml").write_text(f'version: "3.1"\nresponses:\n{responses}', encoding="utf-8")
    (folder / "other.yml").write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n',
                                      encoding="utf-8")
    return folder


def test_a_new_faq_needs_full_training_and_a_new_faq_example_does_not(tmp_path):
    live = _archive_with_domain(tmp_path / "live.tar.gz", FAQ_DOMAIN)
    domain = tmp_path / "domain.yml"
    domain.write_text('version: "3.1"\nintents:\n  - greet\n  - faq\n', encoding="utf-8")
    same = plan_training(domain, live, [_faq_data(tmp_path / "same", ["hours"])])
    assert same.mode == "finetune" and "常见问题没有变化" in same.reason
    added = plan_training(domain, live, [_faq_data(tmp_path / "added", ["hours", "parking"])])
    assert added.mode == "full" and added.reason == "常见问题有变化（新增：utter_faq/parking）：需要完整训练"
    removed = plan_training(domain, live, [_faq_data(tmp_path / "removed", [])])
    assert removed.mode == "full" and "删除：utter_faq/hours" in removed.reason
