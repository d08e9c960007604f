"""Staff edits of the catalogue (bot/catalogue/editing.py): the loader's rules in Chinese, all or
nothing, found by search within seconds, and what a later load keeps of them."""
from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bot.catalogue import editing
from bot.catalogue.editing import EditRefused, ServiceMissing
from bot.catalogue.loader import CatalogueError, load_catalogue, replace_imported_services
from bot.catalogue.models import Service
from bot.catalogue.render import render_service_answer
from bot.catalogue.repository import CatalogueRepository
from bot.catalogue.schema import ServiceIn
from bot.catalogue.search import LiveServiceIndex, ServiceIndex
from bot.config import PROJECT_ROOT
from tests.catalogue.test_search import Clock, ids

DOG = {
    "name": "养犬登记", "department": "市公安局", "aliases": ["办狗证"], "examples": ["宠物犬要上牌照吗"],
    "summary": "为城区饲养的犬只办理登记。", "eligibility": ["在城区饲养犬只的居民"],
    "materials": [{"name": "犬只免疫证明", "note": None, "required": True}], "steps": ["到窗口提交材料"],
    "time_limit": "即办", "fee": "不收费", "needs_hall": True, "hall_type": "government_center",
    "hall_note": None, "online": [{"channel": "皖事通", "how": "搜索养犬登记"}],
    "faqs": [{"q": "要带狗去吗？", "a": "不用。"}], "related": [],
}
TODAY = dt.date(2026, 12, 2)


def count(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Service))


def texts(sessions):
    return CatalogueRepository(sessions).service_texts()


def test_a_created_service_is_found_by_name_alias_and_example_question(sessions):
    change = editing.create_service(sessions, DOG, today=TODAY)
    assert (change.action, change.service_id, change.name) == ("create", "cs-0001", "养犬登记")
    assert change.changed["aliases"] == {"before": None, "after": ["办狗证"]}
    row = editing.read_service(sessions, "cs-0001")
    assert (row["source"], row["updated"], row["examples"]) == ("管理台录入", TODAY, ["宠物犬要上牌照吗"])

    found = texts(sessions)
    dog = next(t for t in found if t.id == "cs-0001")
    assert dog.examples == ("宠物犬要上牌照吗",) and dog.aliases == ("办狗证",)
    index = ServiceIndex(found)
    assert ids(index.search("养犬登记"))[0] == "cs-0001"
    assert ids(index.search("我想办狗证"))[0] == "cs-0001"
    assert ids(index.search("宠物犬上牌照"))[0] == "cs-0001"
    # The example question, not the name or alias, finds it: without it the search does not.
    assert "cs-0001" not in ids(ServiceIndex([replace(t, examples=()) for t in found]).search("宠物犬上牌照"))

    assert editing.create_service(sessions, {**DOG, "name": "养猫登记", "examples": []}).service_id == "cs-0002"


def test_a_console_service_is_answered_as_staff_entered_not_as_sample_data(sessions):
    editing.create_service(sessions, DOG, today=TODAY)
    answer = render_service_answer(CatalogueRepository(sessions).get_service_or_raise("cs-0001"), None)
    assert answer.startswith("【养犬登记】") and "示例数据" not in answer
    assert answer.endswith("以上由工作人员录入（2026-12-02更新），具体以窗口最新要求为准。")


def test_a_live_index_finds_a_new_service_within_ten_seconds(sessions):
    clock = Clock()
    live = LiveServiceIndex(CatalogueRepository(sessions, cache_s=5, clock=clock), check_every_s=3, clock=clock)
    assert "cs-0001" not in ids(live.search("宠物犬上牌照"))
    editing.create_service(sessions, DOG)
    clock.now += 8  # the repository's cache_s (5 s) and the index's check (3 s): under 10 s
    assert ids(live.search("宠物犬上牌照"))[0] == "cs-0001"


def test_an_edited_alias_takes_effect_and_the_other_fields_stay(sessions):
    before = editing.read_service(sessions, "elderly-card")
    change = editing.update_service(sessions, "elderly-card", {"aliases": ["老年证", "敬老证"]}, today=TODAY)
    assert change.changed == {"aliases": {"before": list(before["aliases"]), "after": ["老年证", "敬老证"]},
                              "updated": {"before": before["updated"].isoformat(), "after": "2026-12-02"}}
    after = editing.read_service(sessions, "elderly-card")
    assert {k: v for k, v in after.items() if k not in ("aliases", "updated")} == \
        {k: v for k, v in before.items() if k not in ("aliases", "updated")}
    index = ServiceIndex(texts(sessions))
    assert [m.service_id for m in index.exact_mentions("敬老证在哪办")] == ["elderly-card"]
    assert editing.update_service(sessions, "elderly-card", {"aliases": ["老年证", "敬老证"]}).changed == {}


def test_changing_only_the_examples_keeps_the_date_residents_see(sessions):
    updated = editing.read_service(sessions, "marriage")["updated"]
    editing.update_service(sessions, "marriage", {"examples": ["我们下周去领证"]}, today=TODAY)
    assert editing.read_service(sessions, "marriage")["updated"] == updated


def test_a_deleted_service_is_no_longer_found(sessions):
    assert ids(ServiceIndex(texts(sessions)).search("退役军人优待证"))[0] == "veteran-card"
    change = editing.delete_service(sessions, "veteran-card")
    assert change.changed["name"] == {"before": "退役军人优待证申领", "after": None}
    assert "veteran-card" not in ids(ServiceIndex(texts(sessions)).search("退役军人优待证"))
    with pytest.raises(ServiceMissing, match="没有编号为 veteran-card 的服务事项"):
        editing.delete_service(sessions, "veteran-card")


def test_a_service_another_one_relates_to_cannot_be_deleted(sessions):
    with pytest.raises(EditRefused, match="不能删除：“生育登记”、“户口迁移”的相关事项中有它"):
        editing.delete_service(sessions, "marriage")
    assert editing.read_service(sessions, "marriage")["name"] == "结婚登记"


@pytest.mark.parametrize(("values", "reason"), [
    ({"name": "社会保障卡申领"}, "名称“社会保障卡申领”已被事项 sbk-apply 使用，名称不能重复。"),
    ({"aliases": ["办狗证", "  "]}, "别名第2项：不能为空。"),
    ({"aliases": []}, "别名：至少要有 1 条。"),
    ({"related": ["no-such-service"]}, "相关事项中有不存在的编号：no-such-service。"),
    ({"related": ["不是编号"]}, "相关事项第1项：只能用小写英文字母、数字和连字符，以字母开头。"),
    ({"hall_type": "moon_base"}, "大厅类型：未知的大厅类型 'moon_base'"),
    ({"examples": ["社保卡怎么办？", "社保卡怎么办"]}, "例句：例句“社保卡怎么办”与“社保卡怎么办？”重复。"),
    ({"examples": ["问" * 61]}, "例句第1项：最多 60 个字。"),
    ({"examples": [f"第{i}个问题" for i in range(51)]}, "例句：最多 50 条。"),
    ({"examples": ["我们下个月去扯证"]}, None),  # fine on its own: see the next case
    ({"materials": [{"name": ""}], "fee": ""}, "申请材料第1项的名称：不能为空；收费：不能为空。"),
    ({"name": "名" * 101}, "名称最多 100 个字。"),
    ({"id": "cs-9999"}, "不能修改这些字段：id。"),
])
def test_the_loaders_rules_refuse_a_bad_service_in_chinese_and_write_nothing(sessions, values, reason):
    before, calls = count(sessions), []
    if reason is None:
        editing.create_service(sessions, {**DOG, **values})
        return
    with pytest.raises(EditRefused) as refused:
        editing.create_service(sessions, {**DOG, **values}, on_change=lambda s, c: calls.append(c))
    assert reason in str(refused.value)
    assert count(sessions) == before and calls == []


def test_an_example_question_belongs_to_one_service(sessions):
    editing.add_example(sessions, "marriage", "我们下个月去扯证")
    with pytest.raises(EditRefused, match="例句“我们下个月去扯证。”已是事项“结婚登记”的例句"):
        editing.create_service(sessions, {**DOG, "examples": ["我们下个月去扯证。"]})


def test_add_example_appends_and_refuses_what_search_would_not_use(sessions):
    change = editing.add_example(sessions, "sbk-apply", " 社保卡在哪能弄到手 ")
    assert change.action == "add_example"
    assert change.changed == {"examples": {"before": [], "after": ["社保卡在哪能弄到手"]}}
    editing.add_example(sessions, "sbk-apply", "新办的卡多久拿到")
    assert editing.read_service(sessions, "sbk-apply")["examples"] == ["社保卡在哪能弄到手", "新办的卡多久拿到"]
    for text, reason in (("社保卡在哪能弄到手？", "重复"), ("   ", "例句不能为空"), ("？！", "例句不能为空"),
                         ("长" * 61, "例句最多 60 个字，这句有 61 个字")):
        with pytest.raises(EditRefused, match=reason):
            editing.add_example(sessions, "sbk-apply", text)
    with pytest.raises(ServiceMissing):
        editing.add_example(sessions, "no-such", "随便问问")


def test_remove_example_takes_back_the_same_question_only(sessions):
    editing.add_example(sessions, "sbk-apply", "社保卡在哪能弄到手")
    editing.add_example(sessions, "sbk-apply", "新办的卡多久拿到")
    called = []
    change = editing.remove_example(sessions, "sbk-apply", "社保卡在哪能弄到手？",
                                    on_change=lambda session, c: called.append(c.action))
    assert change.changed == {"examples": {"before": ["社保卡在哪能弄到手", "新办的卡多久拿到"],
                                           "after": ["新办的卡多久拿到"]}}
    assert called == ["remove_example"]
    again = editing.remove_example(sessions, "sbk-apply", "社保卡在哪能弄到手", on_change=lambda s, c: called.append(c))
    assert again.changed == {} and called == ["remove_example"]  # nothing to take back: nothing written
    assert editing.read_service(sessions, "sbk-apply")["examples"] == ["新办的卡多久拿到"]


def test_the_audit_hook_runs_in_the_transaction_so_its_failure_undoes_the_change(sessions):
    def fail(session, change):
        raise RuntimeError("audit log unavailable")

    with pytest.raises(RuntimeError):
        editing.update_service(sessions, "marriage", {"aliases": ["扯证"]}, on_change=fail)
    with pytest.raises(RuntimeError):
        editing.create_service(sessions, DOG, on_change=fail)
    assert editing.read_service(sessions, "marriage")["aliases"] != ["扯证"]
    assert [s.id for s in editing.list_services(sessions) if s.origin == "console"] == []


def test_listing_says_where_each_service_comes_from(sessions):
    editing.create_service(sessions, DOG)
    editing.add_example(sessions, "marriage", "我们下个月去扯证")
    listed = {s.id: s for s in editing.list_services(sessions)}
    assert (listed["cs-0001"].origin, listed["cs-0001"].examples) == ("console", 1)
    assert (listed["marriage"].origin, listed["marriage"].examples) == ("yaml", 1)
    assert editing.origin("sx-abc") == "imported"


# --- what the next load does to console edits ---------------------------------------------

CATALOGUE = PROJECT_ROOT / "data" / "catalogue"


def test_reloading_the_yaml_keeps_console_services_and_examples_and_overwrites_other_edits(sessions):
    editing.create_service(sessions, DOG)
    editing.update_service(sessions, "marriage", {"aliases": ["扯证啦"], "examples": ["我们下个月去领证"]})
    editing.delete_service(sessions, "veteran-card")
    load_catalogue(sessions, CATALOGUE)
    marriage = editing.read_service(sessions, "marriage")
    assert "扯证啦" not in marriage["aliases"] and "扯证" in marriage["aliases"]  # the file's again
    assert marriage["examples"] == ["我们下个月去领证"]  # kept
    assert editing.read_service(sessions, "veteran-card")["name"] == "退役军人优待证申领"  # back
    assert editing.read_service(sessions, "cs-0001")["aliases"] == ["办狗证"]  # untouched


def test_a_yaml_service_may_not_take_a_console_services_name(sessions, tmp_path):
    editing.create_service(sessions, {**DOG, "name": "结婚登记补充"})
    copy = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, copy)
    path = next(p for p in (copy / "services").glob("*.yml") if "name: 结婚登记\n" in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace("name: 结婚登记\n", "name: 结婚登记补充\n"),
                    encoding="utf-8")
    with pytest.raises(CatalogueError, match="also made in the console as cs-0001"):
        load_catalogue(sessions, copy)


def test_the_yaml_files_may_give_examples_and_the_database_adds_its_own_after_them(sessions, tmp_path):
    editing.add_example(sessions, "marriage", "领证要排队吗")
    copy = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, copy)
    path = next(p for p in (copy / "services").glob("*.yml") if "id: marriage\n" in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: marriage\n", "id: marriage\n    examples: [领证要排队吗？, 结婚证怎么领]\n", 1),
                    encoding="utf-8")
    load_catalogue(sessions, copy)
    assert editing.read_service(sessions, "marriage")["examples"] == ["领证要排队吗？", "结婚证怎么领"]


def test_reimporting_keeps_the_examples_of_imported_services(sessions):
    imported = ServiceIn.parse_obj({**DOG, "id": "sx-dog-0001", "name": "犬只登记（导入）", "examples": [],
                                    "source": "官方办事指南导出文件 test.xlsx", "updated": TODAY})
    with sessions.begin() as session:
        replace_imported_services(session, [imported])
    editing.add_example(sessions, "sx-dog-0001", "狗狗怎么上户口")
    editing.update_service(sessions, "sx-dog-0001", {"fee": "收费10元"})
    with sessions.begin() as session:
        replace_imported_services(session, [imported])
    row = editing.read_service(sessions, "sx-dog-0001")
    assert (row["examples"], row["fee"]) == (["狗狗怎么上户口"], "不收费")
