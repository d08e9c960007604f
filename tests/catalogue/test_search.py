"""Service search over the real catalogue (bot/catalogue/search.py): names, aliases, typos,
exact mentions, input that names nothing, and an index that follows the database."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from bot.catalogue.loader import service_row
from bot.catalogue.models import Service
from bot.catalogue.repository import CatalogueRepository, ServiceText
from bot.catalogue.schema import ServiceIn
from bot.catalogue.search import LiveServiceIndex, ServiceIndex, confidence
from bot.db import session_factory


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def index(catalogue_db_url) -> ServiceIndex:
    return ServiceIndex(CatalogueRepository(session_factory(catalogue_db_url)).service_texts())


def ids(hits) -> list[str]:
    return [h.service_id for h in hits]


def test_a_service_is_found_by_its_official_name(index):
    hits = index.search("社会保障卡申领")
    assert ids(hits)[0] == "sbk-apply"
    assert hits[0].exact and hits[0].matched == ("社会保障卡申领",)


def test_a_service_is_found_by_an_alias(index):
    assert ids(index.search("我们下个月去扯证"))[0] == "marriage"
    assert ids(index.search("新农合"))[0] == "medins-pay"


def test_a_colloquial_phrasing_with_a_homophone_typo_is_found(index):
    hits = index.search("社报卡多久能拿到")  # 社报卡: a pinyin slip for 社保卡
    assert ids(hits)[0] == "sbk-apply"
    assert not hits[0].exact and "社保卡" in hits[0].matched
    assert ids(index.search("社報卡坏了能換嗎"))[0] == "sbk-replace"  # traditional characters too


def test_the_longest_name_or_alias_in_the_message_wins(index):
    mentions = index.exact_mentions("社保卡挂失以后多久能补好")
    assert [(m.service_id, m.form) for m in mentions] == [("sbk-replace", "社保卡挂失")]
    assert index.exact_mentions("今天天气不错") == []


def text(service_id: str, name: str, aliases=(), materials=(), questions=()) -> ServiceText:
    return ServiceText(service_id, name, tuple(aliases), "市民政局", "", tuple(questions), tuple(materials),
                       "2026-12-01")


def test_an_exact_mention_beats_a_higher_bm25_score():
    index = ServiceIndex([
        text("wed", "结婚登记", ["扯证"], ["身份证"]),
        text("book", "户口簿补领", ["补户口簿"], ["户口簿", "身份证", "照片", "户口簿复印件"],
             ["补户口簿要带身份证和照片吗"]),
        text("passport", "护照签发", ["办护照"], ["照片"]),
    ])
    hits = index.search("扯证要带户口簿身份证照片吗")
    assert ids(hits)[:2] == ["wed", "book"]
    assert hits[0].exact and not hits[1].exact
    assert hits[1].score > hits[0].score  # BM25 alone would have answered 户口簿补领


@pytest.mark.parametrize("message", ["", "   ", "😀😀😀", "hello, how do I renew my passport?", "？！。", "的了吗"])
def test_input_that_names_nothing_gives_no_hits(index, message):
    assert index.search(message) == []
    assert index.exact_mentions(message) == []
    assert confidence(index.search(message)).score == 0.0


def test_confidence_is_high_for_a_named_service_and_low_between_two_close_ones(index):
    named = confidence(index.search("社保卡挂失补办"))
    assert named.exact and named.coverage == 1.0 and named.margin > 0.3
    vague = index.search("社報卡咋办")  # apply or replace: the resident did not say
    assert set(ids(vague)[:2]) == {"sbk-apply", "sbk-replace"}
    assert confidence(vague).margin < 0.1


@pytest.mark.parametrize("message", ["明天去上海的火车票还有吗", "今天天气怎么样", "彩票开奖号码是多少",
                                     "附近有什么好吃的饭店"])
def test_questions_outside_the_catalogue_find_nothing_or_cover_little_of_the_message(index, message):
    hits = index.search(message)
    assert not hits or confidence(hits).coverage < 0.5, hits


def new_service(service_id: str, name: str, aliases: list[str]) -> Service:
    return service_row(ServiceIn.parse_obj({
        "id": service_id, "name": name, "department": "市农业农村局", "aliases": aliases,
        "summary": "测试用事项。", "eligibility": ["测试"], "materials": [{"name": "犬只免疫证明"}],
        "steps": ["测试"], "time_limit": "测试", "fee": "免费", "needs_hall": False,
        "hall_type": "government_center", "online": [{"channel": "测试", "how": "测试"}],
        "faqs": [{"q": "狗狗打了疫苗才能登记吗？", "a": "测试"}], "source": "测试", "updated": dt.date(2026, 12, 1),
    }))


@pytest.fixture()
def live(sessions):
    clock = Clock()
    repo = CatalogueRepository(sessions, cache_s=5, clock=clock)
    return LiveServiceIndex(repo, check_every_s=3, clock=clock), clock


def test_a_service_added_to_the_database_is_found_once_the_index_is_rebuilt(live, sessions):
    index, clock = live
    assert "dog-license" not in ids(index.search("养犬登记怎么办"))
    with sessions.begin() as session:
        session.add(new_service("dog-license", "养犬登记", ["办狗证", "狗证"]))
    clock.now += 3
    assert "dog-license" not in ids(index.search("养犬登记怎么办"))  # the repository still keeps its answer
    clock.now += 5  # past the repository's cache_s and the index's check_every_s
    assert ids(index.search("养犬登记怎么办"))[0] == "dog-license"
    assert ids(index.search("我家狗狗要办狗证"))[0] == "dog-license"
    assert index.builds == 2


def test_a_removed_service_is_no_longer_found(live, sessions):
    index, clock = live
    assert ids(index.search("结婚登记"))[0] == "marriage"
    with sessions.begin() as session:
        session.execute(delete(Service).where(Service.id == "marriage"))
    clock.now += 10
    assert "marriage" not in ids(index.search("结婚登记"))
    assert index.exact_mentions("结婚登记") == []


def test_an_edited_alias_takes_effect_and_an_unchanged_catalogue_is_not_rebuilt(live, sessions):
    index, clock = live
    index.current()
    clock.now += 10
    index.current()
    assert index.builds == 1  # the texts were read again and compared equal
    with sessions.begin() as session:
        session.get(Service, "elderly-card").aliases = ["老年证", "敬老证"]
    clock.now += 10
    assert [m.service_id for m in index.exact_mentions("敬老证在哪办")] == ["elderly-card"]
    assert index.builds == 2


def test_a_message_that_is_a_services_own_question_names_that_service():
    texts = [text("dog", "示例犬只登记", ("养狗登记",), questions=("家里的狗要去哪里上户口？",)),
             text("cat", "示例猫咪登记", ("养猫登记",), questions=("出发前还要确认什么？",)),
             text("fish", "示例鱼缸登记", ("养鱼登记",), questions=("出发前还要确认什么？",))]
    index = ServiceIndex(texts)
    hits = index.search("家里的狗要去哪里上户口")
    assert hits[0].service_id == "dog" and hits[0].exact
    shared = index.search("出发前还要确认什么")  # a question two services ask names neither
    assert not any(h.exact for h in shared)
