"""Write a valid synthetic registry of N platforms, for benchmarks.

    python benchmarks/synth.py N OUT_DIR [--seed S]

writes OUT_DIR/data/{platforms,announcements}/ plus copies of counties.yaml,
rules.yaml and calendar.yaml from the repository's data/. The result passes
`registry validate --data OUT_DIR/data --today 2026-11-29` with no errors
(warnings are expected: some platforms are overdue for review, a few annual reports
are missing, as in real data).

The distribution follows the shipped sample: one batch a year 2021-2026 with its
publicity and certification notices, three-yearly reviews (2024-2026) with failed
platforms revoked, revocation notices for fraud and other reasons (第十八条: a
county with a fraud revocation recommends nothing the next year; its platforms go
through an association instead), rejected applicants (some re-apply), renamed,
promoted and corrected platforms, 1-15 history events, 100-400 character
descriptions and indicators that meet every threshold of data/rules.yaml.
Publicity ends are computed with the project's own working-day calendar. The same
N and seed give the same files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402 — after the path is set, so that the checkout's generator is used

from generator import schemas  # noqa: E402
from generator.uscc import make_uscc  # noqa: E402
from generator.workdays import Calendar, arrangements_from_data  # noqa: E402

TODAY = date(2026, 11, 29)
YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
#: share of the platforms recommended in each year's batch
BATCH_WEIGHTS = (0.15, 0.16, 0.17, 0.18, 0.19, 0.15)
#: first day of each year's publicity (the sample's dates)
PUBLICITY_START = {
    2021: date(2021, 10, 18),
    2022: date(2022, 10, 17),
    2023: date(2023, 9, 4),
    2024: date(2024, 9, 27),
    2025: date(2025, 10, 13),
    2026: date(2026, 11, 9),
}
SUPPLEMENT_START = date(2026, 11, 25)
PUBLICITY_DAYS = 7
KIND_WEIGHT = {"district": 3.0, "zone": 3.0, "city": 2.0, "county": 1.0}
HEADER_PLATFORM = "# yaml-language-server: $schema=../../schemas/platform.schema.json\n"
HEADER_ANNOUNCEMENT = "# yaml-language-server: $schema=../../schemas/announcement.schema.json\n"

BRANDS = [
    "华信",
    "恒通",
    "博远",
    "中科",
    "冀联",
    "瑞达",
    "汇智",
    "启航",
    "众创",
    "德润",
    "金桥",
    "鼎盛",
    "宏图",
    "安泰",
    "正和",
    "诚信",
    "新源",
    "远航",
    "科睿",
    "同创",
    "仁和",
    "泰康",
    "永兴",
    "聚力",
    "天成",
    "明德",
    "广益",
    "协同",
    "卓越",
    "精工",
    "信达",
    "国泰",
    "嘉禾",
    "长城",
    "东方",
    "北辰",
    "丰源",
    "润泽",
    "华骏",
    "立信",
    "海纳",
    "博雅",
    "云帆",
    "致远",
    "思源",
    "兴业",
    "腾飞",
    "和信",
    "创新",
    "智联",
]
INDUSTRIES = [
    "汽车零部件",
    "新能源",
    "电力装备",
    "纺织服装",
    "箱包皮具",
    "食品加工",
    "中药材",
    "建材门窗",
    "造纸包装",
    "文具制造",
    "体育器材",
    "毛巾家纺",
    "羽绒制品",
    "医疗器械",
    "智能装备",
    "新材料",
    "电子信息",
    "农产品加工",
    "乳制品",
    "铸造",
    "五金工具",
    "家具制造",
    "印刷包装",
    "塑料制品",
    "精细化工",
    "生物医药",
    "软件信息",
    "现代物流",
    "文化旅游",
    "电子商务",
    "工业互联网",
    "节能环保",
    "光伏",
    "碳纤维",
    "轨道交通",
    "无人机",
    "数字创意",
    "休闲食品",
    "铁艺制品",
    "陶瓷",
]
SERVICE_WORDS = {
    "information": ("信息", "政策服务", "数字化信息"),
    "technology": ("检验检测", "技术创新", "工业设计", "技术转移", "质量技术"),
    "entrepreneurship": ("创业孵化", "双创", "创业服务"),
    "training": ("人才培训", "职业培训", "管理咨询与培训"),
    "financing": ("融资", "金融服务", "投融资对接"),
}
PLATFORM_KINDS = ("公共服务平台", "服务平台", "综合服务平台", "公共技术服务平台", "服务中心")
COMPANY_KINDS = (
    "科技有限公司",
    "技术服务有限公司",
    "检测技术有限公司",
    "咨询服务有限公司",
    "信息技术有限公司",
    "企业服务有限公司",
)
ASSOCIATIONS = (
    "保定市示例中小企业服务协会",
    "保定市示例工业设计协会",
    "保定市示例电子商务协会",
    "保定市示例质量检验协会",
    "保定市示例创业孵化协会",
)

#: services 第八条 requires of a category (data/rules.yaml, kind: service)
REQUIRED_SERVICES = {"entrepreneurship": ("创业辅导", "政务代理")}


def write_associations(path: Path) -> None:
    """associations.yaml listing ASSOCIATIONS (第二十一条), entitled since 2000."""
    lines = ["# yaml-language-server: $schema=../schemas/associations.schema.json", "associations:"]
    for i, name in enumerate(ASSOCIATIONS):
        uscc = make_uscc("51130600", f"MJ07{i:04d}")
        lines.append(f'  - {{name: {name}, uscc: "{uscc}", since: "2000-01-01"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"

SENTENCES = (
    "平台面向{place}{industry}产业集群的中小企业，提供{items}等服务。",
    "平台依托{place}{industry}领域的专业机构和合作单位，常年为企业提供{items}。",
    "平台设有线上服务窗口和线下服务大厅，年均受理企业服务诉求数百件，服务台账完整可查。",
    "对创办三年内的小微企业，平台的基础服务按收费标准的七折收取，部分服务免费提供。",
    "平台与高校、科研院所和金融机构建立了长期合作关系，定期组织供需对接和政策宣讲活动。",
    "平台每年组织专题培训和现场诊断，帮助企业解决生产经营中遇到的实际问题。",
    "平台服务人员中大专及以上学历和中级及以上职称人员占比较高，服务团队稳定。",
    "平台的服务成效在年度测评中得到企业认可，用户满意度保持在较高水平。",
    "平台积极参与县域特色产业的提质升级工作，协助企业开展标准宣贯和品牌建设。",
    "平台建立了企业服务档案，对重点服务企业实行跟踪回访，及时改进服务。",
)
NOTES_REJECTED = (
    "公示期间收到实名书面异议，反映平台服务台账与申报材料不一致。经核查，异议成立，不予认定。",
    "经专家评审后复核，平台合作服务机构协议已到期且未续签，不符合第七条（四）的要求，不予认定。",
    "运营单位在公示期间书面申请撤回申报，不予认定。",
)
NOTES_CORRECTED = (
    "更正服务电话：原记录录入时数字颠倒，已按运营单位来函更正。",
    "更正地址：原记录中的门牌号有误，已按营业执照更正。",
    "更正成立日期的录入错误，已核对营业执照原件。",
)
NOTES_PROMOTED = "经市工业和信息化局择优推荐，被认定为{year}年度{level}中小企业公共服务示范平台。"

_PLAIN_SAFE = re.compile(r"[\w\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d]+")


def _q(text: str) -> str:
    """A YAML scalar for `text`: plain when harmless, else JSON (a valid double-quoted scalar)."""
    if (
        _PLAIN_SAFE.fullmatch(text)
        and not text[0].isdigit()
        and text not in ("null", "true", "false")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


# -- the calendar of notices ---------------------------------------------------------------


@dataclass
class Notice:
    id: str
    type: str
    date: date
    title: str
    doc_number: str = ""
    start: date | None = None
    body: str = ""


@dataclass
class Schedule:
    cal: Calendar
    notices: dict[str, Notice] = field(default_factory=dict)
    ends: dict[str, date] = field(default_factory=dict)

    def workday_on_or_after(self, d: date) -> date:
        while not self.cal.is_workday(d):
            d += timedelta(days=1)
        return d

    def publicity(self, year: int, supplement: bool = False) -> Notice:
        return self.notices[f"{year}-publicity" + ("-supplement" if supplement else "")]

    def certification(self, year: int) -> Notice | None:
        return self.notices.get(f"{year}-certification")

    def review(self, year: int) -> Notice | None:
        return self.notices.get(f"{year}-review")

    def revocation(self, year: int) -> Notice | None:
        return self.notices.get(f"{year}-revocation")


def make_schedule(cal: Calendar) -> Schedule:
    s = Schedule(cal)
    number = 10
    for y in YEARS:
        starts = [(f"{y}-publicity", PUBLICITY_START[y], "")]
        if y == 2026:
            starts.append((f"{y}-publicity-supplement", SUPPLEMENT_START, "补充"))
        for ann_id, start, extra in starts:
            end = cal.end_of_period(start, PUBLICITY_DAYS)
            s.ends[ann_id] = end
            issued = start - timedelta(days=1) if extra else start
            s.notices[ann_id] = Notice(
                ann_id,
                "publicity",
                issued,
                f"关于{y}年度保定市中小企业公共服务示范平台拟认定名单的{extra}公示",
                start=start,
                body=_publicity_body(y, start, end),
            )
        certified_on = s.workday_on_or_after(s.ends[f"{y}-publicity"] + timedelta(days=8))
        if certified_on <= TODAY:
            number += 7
            s.notices[f"{y}-certification"] = Notice(
                f"{y}-certification",
                "certification",
                certified_on,
                f"关于公布{y}年度保定市中小企业公共服务示范平台名单的通知",
                f"保工信〔{y}〕{number}号",
                body=_certification_body(y),
            )
        if y >= 2024:
            number += 3
            s.notices[f"{y}-review"] = Notice(
                f"{y}-review",
                "review",
                s.workday_on_or_after(date(y, 10, 30)),
                f"关于{y - 3}年度认定的保定市中小企业公共服务示范平台复核结果的通知",
                f"保工信〔{y}〕{number}号",
                body=_review_body(y),
            )
        if y >= 2022:
            number += 2
            s.notices[f"{y}-revocation"] = Notice(
                f"{y}-revocation",
                "revocation",
                s.workday_on_or_after(date(y, 6, 16)),
                f"关于撤销部分保定市中小企业公共服务示范平台称号的通知（{y}年）",
                f"保工信〔{y}〕{number}号",
                body=_revocation_body(y),
            )
    return s


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


SALUTATION = "各县（市、区）工业和信息化主管部门，各有关单位："


def _publicity_body(y: int, start: date, end: date) -> str:
    return "\n\n".join(
        (
            SALUTATION,
            (
                f"根据《保定市中小企业公共服务示范平台认定管理办法》和{y}年度示范平台申报工作通知，经县（市、区）"
                "工业和信息化主管部门和全市性行业协会推荐、市工业和信息化局组织专家对申报材料进行评审，"
                f"拟认定一批{y}年度保定市中小企业公共服务示范平台，现将拟认定名单予以公示。"
            ),
            (
                f"公示期为{PUBLICITY_DAYS}个工作日，自{_cn(start)}至{_cn(end)}。公示期间，任何单位和个人对拟认定名单"
                "有异议的，请以实名、书面形式提出，并提供必要的证明材料和联系方式，送达或寄送至保定市工业和信息化局"
                "中小企业科。匿名、逾期或无具体事实依据的异议不予受理。"
            ),
            "市工业和信息化局将对异议进行核查，并对异议人的有关信息予以保密。",
        )
    )


def _certification_body(y: int) -> str:
    return "\n\n".join(
        (
            SALUTATION,
            (
                f"根据《保定市中小企业公共服务示范平台认定管理办法》，经推荐、专家评审和社会公示，市工业和信息化局"
                f"决定认定一批{y}年度保定市中小企业公共服务示范平台，授予“保定市中小企业公共服务示范平台”称号，"
                "颁发证书和牌匾。现将名单予以公布。"
            ),
            "示范平台称号有效期三年。市工业和信息化局对示范平台实行动态管理，每三年复核一次，复核不合格的撤销称号。",
        )
    )


def _review_body(y: int) -> str:
    return "\n\n".join(
        (
            SALUTATION,
            (
                f"根据《保定市中小企业公共服务示范平台认定管理办法》第十七条，市工业和信息化局对{y - 3}年度认定的"
                "示范平台进行了复核。复核合格的示范平台称号继续有效；复核不合格的，撤销其称号，收回证书和牌匾。"
            ),
            "复核合格和复核不合格（予以撤销）的平台名单附后。",
        )
    )


def _revocation_body(y: int) -> str:
    return "\n\n".join(
        (
            SALUTATION,
            (
                "根据《保定市中小企业公共服务示范平台认定管理办法》第十七条、第十八条，市工业和信息化局决定撤销"
                "下列平台的“保定市中小企业公共服务示范平台”称号，收回证书和牌匾。因弄虚作假被撤销的，暂停所在县"
                f"（市、区）{y + 1}年度的申报工作。"
            ),
        )
    )


# -- platforms ---------------------------------------------------------------------------


@dataclass
class Draft:
    n: int
    county: str
    county_name: str
    name: str
    operator: str
    uscc: str
    established: date
    services: dict[str, list[str]]
    description: str
    address: str
    phone: str
    website: str
    email: str
    events: list[dict[str, Any]] = field(default_factory=list)
    recommender: dict[str, str] = field(default_factory=dict)
    publicity_years: list[int] = field(default_factory=list)
    internal: dict[str, str] = field(default_factory=dict)


class Synth:
    def __init__(self, n: int, data_dir: Path, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        counties = yaml.safe_load((data_dir / "counties.yaml").read_text(encoding="utf-8"))[
            "counties"
        ]
        self.counties = [(c["code"], c["name"]) for c in counties]
        self.county_weights = [KIND_WEIGHT.get(c["kind"], 1.0) for c in counties]
        cal_data = yaml.safe_load((data_dir / "calendar.yaml").read_text(encoding="utf-8")) or {}
        self.schedule = make_schedule(Calendar(arrangements_from_data(cal_data)))
        self.categories = {k: items for k, (_title, items) in schemas.service_categories().items()}
        self.names: set[str] = set()
        #: operator name -> its USCC: one name is one unit (names.operator-unique)
        self.operators: dict[str, str] = {}
        self.certificates: dict[int, int] = {}
        #: (county code, year) whose county recommendations are suspended (第十八条)
        self.suspended: set[tuple[str, int]] = set()
        #: (county code, year) of every recommendation a county made: a fraud revocation that
        #: would suspend a year in which the county already recommended becomes a withdrawal
        self.county_recommended: set[tuple[str, int]] = set()
        self.used: set[str] = set()

    # -- pieces -------------------------------------------------------------------------

    def _day_between(self, a: date, b: date) -> date:
        return a + timedelta(days=self.rng.randint(0, max(0, (b - a).days)))

    def _operator(self, stem: str, kind: str, uscc: str) -> str:
        """stem + kind, numbered when another unit (another USCC) has that name already."""
        name, k = stem + kind, 1
        while self.operators.setdefault(name, uscc) != uscc:
            k += 1
            name = f"{stem}第{k}{kind}"
        return name

    def _unique_name(self, place: str, industry: str, category: str) -> str:
        for attempt in range(1000):
            brand = (
                self.rng.choice(BRANDS) if attempt < 50 else f"{self.rng.choice(BRANDS)}{attempt}"
            )
            word = self.rng.choice(SERVICE_WORDS[category])
            name = f"{place}{brand}{industry}{word}{self.rng.choice(PLATFORM_KINDS)}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("no unique name")

    def _services(self) -> dict[str, list[str]]:
        k = self.rng.choices((1, 2, 3), weights=(40, 45, 15))[0]
        chosen = set(self.rng.sample(list(self.categories), k))
        keys = [c for c in self.categories if c in chosen]
        return {
            key: sorted(
                {
                    *self.rng.sample(
                        self.categories[key], self.rng.randint(1, min(3, len(self.categories[key])))
                    ),
                    *REQUIRED_SERVICES.get(key, ()),
                },
                key=self.categories[key].index,
            )
            for key in keys
        }

    def _description(self, place: str, industry: str, services: dict[str, list[str]]) -> str:
        items = "、".join(i for v in services.values() for i in v)
        first = self.rng.choice(SENTENCES[:2]).format(place=place, industry=industry, items=items)
        rest = self.rng.sample(SENTENCES[2:], self.rng.randint(0, 6))
        text = first + "".join(rest)
        target = self.rng.randint(100, 400)
        while len(text) < target:
            text += self.rng.choice(SENTENCES[2:])
        text = text[: max(100, target)]
        text = text[: text.rfind("。") + 1] if text.rfind("。") >= 60 else text
        if len(text) > 180 and self.rng.random() < 0.3:
            cut = text.find("。", len(text) // 2) + 1
            if 0 < cut < len(text):
                text = text[:cut] + "\n\n" + text[cut:]
        return text

    def draft(self, n: int) -> Draft:
        rng = self.rng
        code, county_name = rng.choices(self.counties, weights=self.county_weights)[0]
        industry = rng.choice(INDUSTRIES)
        services = self._services()
        place = county_name if rng.random() < 0.85 else "保定市"
        name = self._unique_name(place, industry, next(iter(services)))
        brand = rng.choice(BRANDS)
        has_web = rng.random() < 0.6
        return Draft(
            n=n,
            county=code,
            county_name=county_name,
            name=name,
            operator=self._operator(
                f"{county_name if len(county_name) <= 2 else county_name[:-1]}{brand}{industry}",
                rng.choice(COMPANY_KINDS),
                make_uscc("91" + code, f"MA{n:06d}"),
            ),
            uscc=make_uscc("91" + code, f"MA{n:06d}"),
            established=self._day_between(date(1998, 1, 1), date(2017, 12, 31)),
            services=services,
            description=self._description(place, industry, services),
            address=f"{county_name}示例路{rng.randint(1, 999)}号",
            phone=f"0312-{rng.randint(5000000, 5999999)}",
            website=f"https://example.com/p{n}" if has_web else "",
            email=f"p{n}@example.com" if has_web and rng.random() < 0.8 else "",
            internal=(
                {
                    "contact_person": f"{rng.choice(SURNAMES)}示例",
                    "notes": "内部备注（不公开）：材料齐全。",
                }
                if rng.random() < 0.3
                else {}
            ),
        )

    def _event(self, d: Draft, day: date, kind: str, **fields: Any) -> None:
        d.events.append({"date": day, "type": kind, **fields})
        if "announcement" in fields:
            self.used.add(fields["announcement"])

    def _recommend(self, d: Draft, day: date) -> None:
        if not d.recommender:
            if (d.county, day.year) in self.suspended or self.rng.random() < 0.06:
                d.recommender = {"type": "association", "name": self.rng.choice(ASSOCIATIONS)}
            else:
                d.recommender = {"type": "county", "code": d.county}
        elif d.recommender["type"] == "county" and (d.county, day.year) in self.suspended:
            raise _Suspended
        if d.recommender["type"] == "county":
            self.county_recommended.add((d.county, day.year))
        self._event(d, day, "recommended")

    def _certificate(self, year: int) -> str:
        self.certificates[year] = self.certificates.get(year, 0) + 1
        return f"BDSF-{year}-{self.certificates[year]:04d}"

    # -- a platform's life ------------------------------------------------------------------

    def life(self, d: Draft, year: int) -> None:
        """Recommended in `year`; publicity, certification and what follows, up to TODAY."""
        rng, s = self.rng, self.schedule
        if year == 2026:
            return self._life_2026(d)
        pub = s.publicity(year)
        self._recommend(d, self._day_between(date(year, 5, 6), date(year, 8, 31)))
        self._event(d, pub.start, "publicity", announcement=pub.id)
        d.publicity_years.append(year)
        cert = s.certification(year)
        assert cert is not None
        if rng.random() < 0.06:
            end = s.ends[pub.id]
            self._event(
                d,
                self._day_between(end + timedelta(days=1), cert.date - timedelta(days=1)),
                "rejected",
                note=rng.choice(NOTES_REJECTED),
            )
            if rng.random() < 0.3:
                with contextlib.suppress(_Suspended):
                    self.life(d, year + 1)
            return
        self._event(
            d, cert.date, "certified", announcement=cert.id, certificate=self._certificate(year)
        )
        self._after_certification(d, year, cert.date)

    def _after_certification(self, d: Draft, year: int, certified: date) -> None:
        rng, s = self.rng, self.schedule
        revoke_year = rng.randint(year + 1, 2027) if rng.random() < 0.05 else None
        review_year = year + 3
        plans: list[tuple[date, str, dict[str, Any]]] = []
        for t in range(year + 1, TODAY.year + 1):
            if rng.random() > 0.02:  # a few annual reports are missing
                plans.append(
                    (
                        self._day_between(date(t, 3, 2), date(t, 3, 30)),
                        "annual_report",
                        {"year": t - 1},
                    )
                )
        if rng.random() < 0.05 and year < 2026:
            t = rng.randint(year + 1, TODAY.year)
            level = "provincial" if rng.random() < 0.85 else "national"
            label = "河北省" if level == "provincial" else "国家级"
            plans.append(
                (
                    date(t, 7, 15),
                    "promoted",
                    {"level": level, "note": NOTES_PROMOTED.format(year=t, level=label)},
                )
            )
        if rng.random() < 0.05:
            t = rng.randint(year + 1, TODAY.year)
            plans.append(
                (
                    self._day_between(date(t, 4, 1), date(t, 5, 31)),
                    "corrected",
                    {"note": rng.choice(NOTES_CORRECTED)},
                )
            )
        if rng.random() < 0.04:
            t = rng.randint(year + 1, TODAY.year)
            old = d.name
            d.name = self._unique_name(
                d.county_name, rng.choice(INDUSTRIES), next(iter(d.services))
            )
            plans.append((date(t, 8, 20), "renamed", {"from": old, "to": d.name}))
        review = s.review(review_year)
        if review is not None and rng.random() < (0.8 if review_year == 2026 else 0.97):
            if rng.random() < 0.07:
                plans.append(
                    (review.date, "reviewed", {"result": "failed", "announcement": review.id})
                )
                plans.append(
                    (review.date, "revoked", {"reason": "review_failed", "announcement": review.id})
                )
            else:
                plans.append(
                    (review.date, "reviewed", {"result": "passed", "announcement": review.id})
                )
        revocation = s.revocation(revoke_year) if revoke_year else None
        if revocation is not None:
            reason = rng.choices(
                ("fraud", "withdrawn", "dissolved", "other"), weights=(4, 3, 2, 1)
            )[0]
            if (
                reason == "fraud"
                and (d.county, revocation.date.year + 1) in self.county_recommended
            ):
                reason = "withdrawn"
            note = {"note": "平台运营单位书面申请撤销称号。"} if reason == "withdrawn" else {}
            plans.append(
                (
                    revocation.date,
                    "revoked",
                    {"reason": reason, "announcement": revocation.id, **note},
                )
            )
        revoked = False
        for day, kind, fields in sorted(plans, key=lambda p: p[0]):
            if day > TODAY or revoked:
                if kind == "renamed":  # never happened: keep the name it had
                    d.name = fields["from"]
                continue
            self._event(d, day, kind, **fields)
            if kind == "revoked":
                revoked = True
                if fields["reason"] == "fraud":
                    self.suspended.add((d.county, day.year + 1))

    def _life_2026(self, d: Draft) -> None:
        rng, s = self.rng, self.schedule
        roll = rng.random()
        if roll < 0.12:  # recommended, under review
            self._recommend(d, self._day_between(date(2026, 9, 1), TODAY - timedelta(days=1)))
            d.publicity_years.append(2026)  # indicators as for this year's application
            return
        supplement = roll < 0.25
        pub = s.publicity(2026, supplement)
        late = date(2026, 10, 31) if supplement else date(2026, 8, 31)
        self._recommend(d, self._day_between(date(2026, 5, 6), late))
        self._event(d, pub.start, "publicity", announcement=pub.id)
        d.publicity_years.append(2026)
        end = s.ends[pub.id]
        if not supplement and rng.random() < 0.06 and end + timedelta(days=1) < TODAY:
            self._event(
                d,
                self._day_between(end + timedelta(days=1), TODAY - timedelta(days=1)),
                "rejected",
                note=rng.choice(NOTES_REJECTED),
            )

    # -- indicators -----------------------------------------------------------------------------

    def indicators(self, d: Draft) -> list[dict[str, Any]]:
        """Rows from two years before the first application to 2025, every threshold met."""
        rng = self.rng
        first = min(d.publicity_years) - 2
        last = max(TODAY.year - 1, max(d.publicity_years) - 1)
        smes = rng.randint(90, 380)
        assets = rng.randint(160, 4000)
        partners = rng.randint(3, 12)
        staff = rng.randint(10, 60)
        rows = []
        for y in range(first, last + 1):
            row: dict[str, Any] = {
                "year": y,
                "total_assets": assets,
                "smes_served": smes,
                "satisfaction": round(rng.uniform(80.5, 97.5), 1),
                "partner_institutions": partners,
                "public_service_share": rng.randint(20, 45),
                "staff": staff,
                "qualified_staff_share": rng.randint(60, 92),
            }
            for key in d.services:
                row[key] = {
                    "information": lambda: {
                        "offline_smes": rng.randint(50, 200),
                        "activities": rng.randint(2, 9),
                    },
                    "technology": lambda: {"activities": rng.randint(2, 14)},
                    "entrepreneurship": lambda: {"activities": rng.randint(2, 9)},
                    "training": lambda: {"trainees": rng.randint(800, 3200)},
                    "financing": lambda: {
                        "bank_matchmaking": rng.randint(1, 6),
                        "lectures": rng.randint(2, 8),
                    },
                }[key]()
            rows.append(row)
            smes += rng.randint(3, 40)  # strictly growing: 第七条（三）
            assets += rng.randint(0, 200)
            partners += rng.randint(0, 1)
            staff += rng.randint(0, 3)
        return rows

    # -- everything ------------------------------------------------------------------------------

    def platforms(self) -> list[tuple[Draft, list[dict[str, Any]]]]:
        counts = [int(self.n * w) for w in BATCH_WEIGHTS]
        counts[-1] += self.n - sum(counts)
        out = []
        n = 0
        for year, count in zip(YEARS, counts, strict=False):
            for _ in range(count):
                n += 1
                d = self.draft(n)
                self.life(d, year)  # a first recommendation is never suspended: see _recommend
                out.append((d, self.indicators(d)))
        return out


class _Suspended(Exception):
    """A re-application from a county whose recommendations are suspended (第十八条)."""


# -- YAML text ---------------------------------------------------------------------------------


def _flow(mapping: dict[str, Any]) -> str:
    parts = []
    for k, v in mapping.items():
        if isinstance(v, date):
            text = v.isoformat()
        elif isinstance(v, int):
            text = str(v)
        else:
            text = json.dumps(v) if k == "code" else _q(str(v))
        parts.append(f"{k}: {text}")
    return "{" + ", ".join(parts) + "}"


def _block_text(key: str, text: str, indent: str = "") -> str:
    if "\n" not in text:
        return f"{indent}{key}: {_q(text)}\n"
    lines = "".join(f"{indent}  {line}\n" if line else "\n" for line in text.split("\n"))
    return f"{indent}{key}: |-\n{lines}"


def platform_yaml(pid: str, d: Draft, rows: list[dict[str, Any]]) -> str:
    out = [
        HEADER_PLATFORM,
        f"id: {pid}\n",
        f"name: {_q(d.name)}\n",
        "operator:\n",
        f"  name: {_q(d.operator)}\n",
        f'  uscc: "{d.uscc}"\n',
        f"  established: {d.established.isoformat()}\n",
        f'county: "{d.county}"\n',
        "services:\n",
    ]
    for key, items in d.services.items():
        out.append(f"  {key}: [{', '.join(items)}]\n")
    out.append(_block_text("description", d.description))
    out += ["contact:\n", f"  address: {_q(d.address)}\n", f'  phone: "{d.phone}"\n']
    if d.website:
        out.append(f"  website: {d.website}\n")
    if d.email:
        out.append(f"  email: {d.email}\n")
    out.append(f"recommender: {_flow(d.recommender)}\n")
    out.append("history:\n")
    for e in d.events:
        out.append(f"  - {_flow(e)}\n")
    out.append("indicators:\n")
    for row in rows:
        first = True
        for k, v in row.items():
            lead = "  - " if first else "    "
            first = False
            out.append(f"{lead}{k}: {_flow(v) if isinstance(v, dict) else v}\n")
    if d.internal:
        out.append("internal:\n")
        for k, v in d.internal.items():
            out.append(f"  {k}: {_q(v)}\n")
    return "".join(out)


def announcement_yaml(a: Notice) -> str:
    out = [
        HEADER_ANNOUNCEMENT,
        f"id: {a.id}\n",
        f"type: {a.type}\n",
        f"title: {_q(a.title)}\n",
        f"date: {a.date.isoformat()}\n",
    ]
    if a.doc_number:
        out.append(f"doc_number: {_q(a.doc_number)}\n")
    if a.start:
        out.append(f"publicity: {{start: {a.start.isoformat()}, working_days: {PUBLICITY_DAYS}}}\n")
    out += [
        "contact:\n",
        "  department: 保定市工业和信息化局中小企业科\n",
        '  phone: "0312-5000618"\n',
        "  email: zxqk@example.com\n",
        "  address: 保定市竞秀区示例大道100号保定市工业和信息化局\n",
        "body: |\n",
    ]
    out += [f"  {line}\n" if line else "\n" for line in a.body.split("\n")]
    return "".join(out)


def write_registry(
    n: int, out_dir: Path, seed: int = 20261129, source: Path = ROOT / "data"
) -> dict[str, int]:
    """Write OUT_DIR/data for `n` platforms; returns counts of what was written."""
    data = out_dir / "data"
    if data.exists():
        shutil.rmtree(data)
    (data / "platforms").mkdir(parents=True)
    (data / "announcements").mkdir(parents=True)
    for name in ("counties.yaml", "rules.yaml", "calendar.yaml"):
        shutil.copyfile(source / name, data / name)
    write_associations(data / "associations.yaml")
    synth = Synth(n, source, seed)
    platforms = synth.platforms()
    width = max(4, len(str(n)))
    for d, rows in platforms:
        pid = f"bd-{d.n:0{width}d}"
        (data / "platforms" / f"{pid}.yaml").write_text(
            platform_yaml(pid, d, rows), encoding="utf-8", newline="\n"
        )
    written = 0
    for ann_id, notice in sorted(synth.schedule.notices.items()):
        if ann_id in synth.used:
            (data / "announcements" / f"{ann_id}.yaml").write_text(
                announcement_yaml(notice), encoding="utf-8", newline="\n"
            )
            written += 1
    return {"platforms": len(platforms), "announcements": written}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of platforms")
    parser.add_argument("out", type=Path, help="output folder; OUT/data is (re)written")
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    counts = write_registry(args.n, args.out, args.seed)
    print(
        f"wrote {counts['platforms']} platforms and {counts['announcements']} announcements to {args.out / 'data'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
