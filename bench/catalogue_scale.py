"""Service search at catalogue scale: 40 real services beside up to 2,000 synthetic distractors.

For each N (40, 500, 2000 by default) a fresh process: writes the real catalogue files plus
N - 40 synthetic services into a temporary folder as YAML, loads it with the existing
loader (bot/catalogue/loader.py, YAML only) into a temporary SQLite database, builds the
search index (bot/catalogue/search.py) through the repository, and runs every held-out
service phrasing of tests/nlu_heldout/ (intent svc_<id> → service id) through search
only (no DIET); then, in a third process, the whole NLU of the newest trained model (DIET
and the search stage, bot/nlu/service_search.py) on the same database: held-out service
phrasings answered right or offered, and tests/nlu_heldout_oos's non-government questions
that name no service (``--no-nlu`` skips this). Prints one table; the N=40 column is the
reference and the others are also shown as ratios to it.

Loading and searching run in separate processes, so the RSS growth is the index's own.

The distractors are department × action × object combinations, clearly synthetic: names
begin 【合成】, ids zz-, the source says they are test data. They exist only in the
temporary database and are never written under data/. Their aliases never equal a real
service's name or alias, so a correct answer stays possible.

    python bench/catalogue_scale.py [--sizes 40 500 2000]     (make bench-catalogue)
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for bot when run as a script

from bot.config import PROJECT_ROOT  # noqa: E402

CATALOGUE = PROJECT_ROOT / "data" / "catalogue"
HELDOUT = PROJECT_ROOT / "tests" / "nlu_heldout"
SEED = 14  # the number: the same distractors on every run

DEPARTMENTS = ("市民政局", "市公安局", "市人力资源和社会保障局", "市医疗保障局", "市住房和城乡建设局",
               "市市场监督管理局", "市教育局", "市卫生健康委员会", "市交通运输局", "市农业农村局",
               "市生态环境局", "市文化和旅游局", "市司法局", "市商务局", "国家税务总局芜湖市税务局")
#: What is done to an object. None of them is what a real service does (申领, 补办, 提取, 开具…):
#: a distractor named like a real service would be a duplicate of it, not a distractor.
ACTIONS = ("信息变更", "注销登记", "延续", "备案", "年度核验", "撤回申请", "资格复核", "补正材料", "延期办理",
           "暂停", "恢复", "审核", "变更登记", "转出", "核定", "许可审批", "复审", "评估", "进度查询",
           "年度报告", "档案查阅", "信息更正", "停业备案", "迁址", "名称变更", "负责人变更", "监督检查",
           "投诉处理", "资质升级", "抽查")
OBJECTS = ("社保卡", "养老保险关系", "医保个人账户", "医保电子凭证", "公积金缴存基数", "公积金账户", "户籍信息",
           "居住登记", "驾驶证", "机动车登记", "道路运输证", "营业执照", "食品小作坊", "药品零售许可",
           "医疗机构执业", "护士执业", "教师资格", "学籍", "校外培训机构", "民办学校", "幼儿园", "建筑施工许可",
           "房屋预售许可", "物业服务", "燃气经营许可", "排污许可", "取水许可", "河道采砂", "渔业捕捞许可",
           "林木采伐许可", "种子生产经营许可", "农药经营许可", "兽药经营许可", "动物防疫条件", "特种设备使用登记",
           "危险化学品经营许可", "烟花爆竹经营许可", "旅行社业务", "导游证", "娱乐场所", "网吧经营",
           "出版物经营许可", "公共场所卫生许可", "消防安全检查", "人防工程", "殡葬服务", "养老机构", "社会团体",
           "民办非企业单位", "慈善组织", "志愿服务记录", "残疾人就业保障金", "失业登记", "就业困难人员",
           "职业技能等级证书", "劳务派遣许可", "工伤认定", "劳动能力鉴定", "生育津贴", "退役士兵安置", "优抚对象",
           "临时救助", "特困人员供养", "房屋租赁", "不动产抵押", "土地使用权", "建设用地规划许可", "户外广告设置",
           "城市道路挖掘", "犬只登记", "出租汽车经营", "驾驶培训机构", "船舶登记", "纳税信用", "发票领用",
           "契税申报", "法律援助", "公证", "司法鉴定", "人民调解")
MATERIALS = ("居民身份证", "申请表", "户口簿", "营业执照副本", "授权委托书", "近期免冠照片", "相关证明材料",
             "原证件", "情况说明", "场所使用证明")


def real_forms() -> set[str]:
    forms: set[str] = set()
    for path in (CATALOGUE / "services").glob("*.yml"):
        for s in yaml.safe_load(path.read_text(encoding="utf-8"))["services"]:
            forms.update([s["name"], *s["aliases"]])
    return forms


def synthetic_services(count: int, taken: set[str]) -> list[dict]:
    """``count`` distractors that pass the catalogue schema; none shares a name or alias with ``taken``."""
    rng = random.Random(SEED)
    combos = [(o, a) for o in OBJECTS for a in ACTIONS if f"{o}{a}" not in taken and f"{a}{o}" not in taken]
    if count > len(combos):
        raise SystemExit(f"only {len(combos)} distinct synthetic services; asked for {count}")
    out = []
    for n, (obj, action) in enumerate(rng.sample(combos, count)):
        department = rng.choice(DEPARTMENTS)
        out.append({
            "id": f"zz-{n:05d}", "name": f"【合成】{obj}{action}", "department": department,
            "aliases": [f"{obj}{action}", f"{action}{obj}"],
            "summary": f"合成测试数据：{department}受理的{obj}{action}，仅供规模测试，不对外提供。",
            "eligibility": ["合成测试数据，不对外办理"],
            "materials": [{"name": m} for m in rng.sample(MATERIALS, 3)] + [{"name": f"{obj}相关证明"}],
            "steps": ["合成测试步骤"], "time_limit": "合成测试数据", "fee": "合成测试数据",
            "needs_hall": False, "hall_type": "government_center",
            "online": [{"channel": "合成测试", "how": "合成测试数据"}],
            "faqs": [{"q": f"{obj}{action}需要多长时间？", "a": "合成测试数据"},
                     {"q": f"{obj}{action}去哪里办？", "a": "合成测试数据"}],
            "source": "合成测试数据（bench/catalogue_scale.py），不对外发布", "updated": dt.date(2026, 12, 1),
        })
    return out


def heldout(folder: Path = HELDOUT) -> list[tuple[str, str]]:
    """(phrasing, service id) for every service phrasing (intent svc_<id>) in ``folder``."""
    out = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if item.get("intent", "").startswith("svc_"):
                sid = item["intent"][4:].replace("_", "-")
                out += [(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", ln.strip()[2:]), sid)
                        for ln in item["examples"].splitlines() if ln.strip().startswith("- ")]
    return out


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def load(size: int, tmp: Path) -> dict:
    """Write the real catalogue plus ``size - 40`` distractors as YAML under ``tmp`` and load them."""
    from bot.catalogue.loader import load_catalogue
    from bot.db import session_factory

    folder = tmp / "catalogue"
    shutil.copytree(CATALOGUE, folder, ignore=shutil.ignore_patterns("*.tsv", "*.md"))
    extra = synthetic_services(size - 40, real_forms()) if size > 40 else []
    if extra:
        (folder / "services" / "zz_synthetic.yml").write_text(
            yaml.safe_dump({"version": "1", "services": extra}, allow_unicode=True), encoding="utf-8")
    sessions = session_factory(f"sqlite:///{tmp / 'app.db'}")
    start = time.perf_counter()
    catalogue = load_catalogue(sessions, folder)
    load_s = time.perf_counter() - start
    assert len(catalogue.services) == size, len(catalogue.services)
    return {"load_s": load_s}


def measure(size: int, tmp: Path) -> dict:
    """Index and search the database ``load`` wrote, in a process that has not loaded it (RSS)."""
    from bot.catalogue.repository import CatalogueRepository
    from bot.catalogue.search import LiveServiceIndex
    from bot.catalogue.search_text import prepare, query_text
    from bot.db import session_factory

    prepare()
    query_text("社报卡怎么办")  # jieba and the corrector warm before anything is measured
    queries = heldout()
    sessions = session_factory(f"sqlite:///{tmp / 'app.db'}")
    before = rss_mb()
    live = LiveServiceIndex(CatalogueRepository(sessions, cache_s=5.0))
    start = time.perf_counter()
    index = live.current()
    build_s = time.perf_counter() - start
    grown = rss_mb() - before
    assert len(index) == size, len(index)

    for text, _ in queries:  # warm: the homophone corrector's pinyin cache, numpy
        live.search(text)
    costs, top1, top3 = [], 0, 0
    for text, sid in queries:
        start = time.perf_counter()
        ids = [h.service_id for h in live.search(text, k=3)]
        costs.append((time.perf_counter() - start) * 1000)
        top1 += ids[:1] == [sid]
        top3 += sid in ids
    start = time.perf_counter()
    CatalogueRepository(sessions).service_texts()  # no cache: what a version check costs when it reads
    reread_ms = (time.perf_counter() - start) * 1000
    return {"build_s": build_s, "top1": 100 * top1 / len(queries), "top3": 100 * top3 / len(queries),
            "p50": pct(costs, 50), "p95": pct(costs, 95), "rss": grown, "reread": reread_ms,
            "queries": len(queries)}


def understand(size: int, tmp: Path) -> dict:
    """The whole NLU (DIET + the search stage) on this database: what a resident would get.

    Service phrasings of tests/nlu_heldout (answered right, or offered among the choices)
    and both files of tests/nlu_heldout_oos (non-government questions must name no service).
    """
    import asyncio
    import os

    os.environ["GOV_DATABASE_URL"] = f"sqlite:///{tmp / 'app.db'}"
    from actions.choices import offered_services
    from bot.nlu.service_decision import service_of
    from scripts.evaluate_nlu import OUTCOMES, load_agent, newest_model, outcome
    from scripts.evaluate_out_of_scope import DEFAULT_FOLDER, names_no_service, out_of_scope_files, read_examples

    agent = load_agent(newest_model(PROJECT_ROOT / "models"))
    services = [(text, "svc_" + sid.replace("-", "_")) for text, sid in heldout()]
    out_of_scope = [text for name in out_of_scope_files(DEFAULT_FOLDER)
                    for text, _, _ in read_examples(DEFAULT_FOLDER / name)]

    def distractor(parse: dict) -> bool:
        named = [service_of(parse), *offered_services(parse)]
        return any(s and s.startswith("zz-") for s in named)

    async def run() -> dict:
        answered = offered = oos = misled = 0
        for text, intent in services:
            parse = await agent.parse_message(text)
            got = outcome(intent, parse)
            answered += got == OUTCOMES[0]
            offered += got in OUTCOMES[:2]
            misled += distractor(parse)
        for text in out_of_scope:
            parse = await agent.parse_message(text)
            oos += names_no_service(parse)
            misled += distractor(parse)
        return {"nlu_right": 100 * answered / len(services), "nlu_offered": 100 * offered / len(services),
                "oos": 100 * oos / len(out_of_scope), "oos_count": len(out_of_scope),
                "misled": 100 * misled / (len(services) + len(out_of_scope))}

    return asyncio.run(run())


def child(step: str, size: int, tmp: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, f"--{step}", str(size), str(tmp)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


ROWS = (("load_s", "load through the YAML loader (s)", "{:.2f}"),
        ("build_s", "index build incl. reading texts (s)", "{:.2f}"),
        ("top1", "held-out top-1, search only (%)", "{:.1f}"),
        ("top3", "held-out top-3, search only (%)", "{:.1f}"),
        ("nlu_right", "held-out answered right, full NLU (%)", "{:.1f}"),
        ("nlu_offered", "… right or offered, full NLU (%)", "{:.1f}"),
        ("oos", "non-government named no service (%)", "{:.1f}"),
        ("misled", "replies naming a distractor, full NLU (%)", "{:.2f}"),
        ("p50", "search per query p50 (ms)", "{:.2f}"),
        ("p95", "search per query p95 (ms)", "{:.2f}"),
        ("rss", "RSS growth: texts + index (MB)", "{:.1f}"),
        ("reread", "re-reading the texts, no cache (ms)", "{:.1f}"))


def table(results: dict[int, dict], rows: Sequence[tuple[str, str, str]] = ROWS) -> str:
    sizes = sorted(results)
    base = results[sizes[0]]
    head = f"| {'items':<38} | " + " | ".join(f"{'N=' + str(n):>8}" + ("" if n == sizes[0] else f" | {'×':>6}")
                                              for n in sizes) + " |"
    lines = [head, "|" + "---|" * (1 + len(sizes) * 2 - 1)]
    for key, label, fmt in rows:
        cells = []
        for n in sizes:
            cells.append(f"{fmt.format(results[n][key]):>8}")
            if n != sizes[0]:
                ratio = results[n][key] / base[key] if base[key] else float("nan")
                cells.append(f"{ratio:>6.2f}")
        lines.append(f"| {label:<38} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 500, 2000])
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)  # child processes: one N each
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--understand", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-nlu", action="store_true", help="search only: skip the trained model")
    parser.add_argument("folder", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load or args.measure or args.understand:
        step = load if args.load else measure if args.measure else understand
        print(json.dumps(step(args.load or args.measure or args.understand, args.folder)))
        return
    results = {}
    for size in sorted(set(args.sizes)):
        if size < 40:
            raise SystemExit("N counts the 40 real services: 40 or more")
        with tempfile.TemporaryDirectory(prefix="catalogue-scale-") as tmp:
            results[size] = {**child("load", size, Path(tmp)), **child("measure", size, Path(tmp))}
            if not args.no_nlu:
                results[size].update(child("understand", size, Path(tmp)))
    print(f"Service search, {results[min(results)]['queries']} held-out service phrasings "
          f"(tests/nlu_heldout, search only, no DIET); ratios against N={min(results)}")
    print(table(results, [r for r in ROWS if not args.no_nlu or not r[0].startswith(("nlu", "oos", "misled"))]))


if __name__ == "__main__":
    main()
