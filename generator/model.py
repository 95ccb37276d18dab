"""Frozen, typed records built from validated data. Status and dates are derived.

Nothing here reads the clock: the build day (`today`, the date in Asia/Shanghai) is
passed in. `internal:` notes are dropped at this boundary, so nothing after it (pages,
search index, downloads) can ever see them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date
from enum import Enum
from typing import Any

#: `date` as a type inside classes that have a field named `date`
Day = date


class Status(str, Enum):
    RECOMMENDED = "推荐中"
    PUBLICITY = "公示中"
    PUBLICITY_ENDED = "公示期满待认定"
    CERTIFIED = "已认定"
    REVIEW_DUE = "待复核"
    REVIEW_FAILED = "复核不合格（待撤销）"
    REJECTED = "未予认定"
    REVOKED = "已撤销"

    @property
    def slug(self) -> str:
        return STATUS_SLUGS[self]


STATUS_SLUGS = {
    Status.RECOMMENDED: "recommended",
    Status.PUBLICITY: "publicity",
    Status.PUBLICITY_ENDED: "publicity-ended",
    Status.CERTIFIED: "certified",
    Status.REVIEW_DUE: "review-due",
    Status.REVIEW_FAILED: "review-failed",
    Status.REJECTED: "rejected",
    Status.REVOKED: "revoked",
}
#: Statuses that hold the title "示范平台" on the day. A failed review is not a revocation:
#: the title stands until the revocation notice (the review article: 对不合格的发布公告予以撤消).
HOLDS_TITLE = frozenset({Status.CERTIFIED, Status.REVIEW_DUE, Status.REVIEW_FAILED})
#: supervision events (articles.supervision): 定期检查 (county) and 不定期测评 (city)
SUPERVISION_EVENTS = ("inspected", "evaluated")


def parse_date(text: str) -> date:
    return date.fromisoformat(text)


def add_years(day: date, years: int) -> date:
    year = day.year + years
    if not MINYEAR <= year <= MAXYEAR:  # a record dated 9999-12-31: "never", not a traceback
        return date.max if years > 0 else date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


@dataclass(frozen=True)
class County:
    code: str
    name: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Operator:
    name: str
    uscc: str
    established: date


@dataclass(frozen=True)
class Contact:
    address: str
    phone: str
    website: str = ""
    email: str = ""


@dataclass(frozen=True)
class Recommender:
    type: str
    code: str = ""
    name: str = ""


@dataclass(frozen=True)
class Event:
    index: int
    date: date
    type: str
    announcement: str = ""
    certificate: str = ""
    year: int | None = None
    result: str = ""
    reason: str = ""
    level: str = ""
    from_name: str = ""
    to_name: str = ""
    note: str = ""
    #: for a supervision event (articles.supervision): what was checked, and what was found
    kind: str = ""
    findings: str = ""
    #: for a publicity event: the last day of its announcement's period
    publicity_end: Day | None = None


@dataclass(frozen=True)
class IndicatorYear:
    year: int
    values: Mapping[str, float | int]  # flat keys: "smes_served", "training.trainees"


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    operator: Operator
    county: str
    services: tuple[tuple[str, tuple[str, ...]], ...]
    description: str
    contact: Contact
    recommender: Recommender
    history: tuple[Event, ...]
    indicators: tuple[IndicatorYear, ...]
    source: str
    review_years: int = 3

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.services)

    def events_until(self, today: date) -> tuple[Event, ...]:
        return tuple(e for e in self.history if e.date <= today)

    def status(self, today: date) -> Status:
        state: Status | None = None
        base: date | None = None
        for e in self.events_until(today):
            if e.type == "recommended":
                state = Status.RECOMMENDED
            elif e.type == "publicity":
                end = e.publicity_end or e.date
                state = Status.PUBLICITY if today <= end else Status.PUBLICITY_ENDED
            elif e.type == "rejected":
                state = Status.REJECTED
            elif e.type == "certified" or (e.type == "reviewed" and e.result == "passed"):
                state, base = Status.CERTIFIED, e.date
            elif e.type == "reviewed" and e.result == "failed" and state is not Status.REVOKED:
                state, base = Status.REVIEW_FAILED, None
            elif e.type == "revoked":
                state = Status.REVOKED
        if state is Status.CERTIFIED and base and today >= add_years(base, self.review_years):
            return Status.REVIEW_DUE
        return state or Status.RECOMMENDED

    def _last(self, today: date, pred: Callable[[Event], bool]) -> Event | None:
        found = None
        for e in self.events_until(today):
            if pred(e):
                found = e
        return found

    def certification(self, today: date) -> Event | None:
        return self._last(today, lambda e: e.type == "certified")

    def revocation(self, today: date) -> Event | None:
        return self._last(today, lambda e: e.type == "revoked")

    def next_review(self, today: date) -> date | None:
        """`review_years` after certification or the last passed review; None
        after a failed review (the next step is the revocation, not a review)."""
        last = self._last(today, lambda e: e.type in ("certified", "reviewed"))
        if last is None or last.result == "failed" or self.revocation(today):
            return None
        return add_years(last.date, self.review_years)

    def last_review(self, today: date) -> Event | None:
        """The latest review result (passed or failed) known on `today`."""
        return self._last(today, lambda e: e.type == "reviewed")

    def failed_review(self, today: date) -> Event | None:
        """The failed review awaiting its revocation notice, if the platform is in that state."""
        if self.status(today) is not Status.REVIEW_FAILED:
            return None
        return self.last_review(today)

    def supervision(self, today: date) -> tuple[Event, ...]:
        """定期检查 and 不定期测评 (articles.supervision) recorded up to `today`."""
        return tuple(e for e in self.events_until(today) if e.type in SUPERVISION_EVENTS)

    @property
    def certified_year(self) -> int | None:
        """The batch (year) the platform was first certified in."""
        for e in self.history:
            if e.type == "certified":
                return e.date.year
        return None

    @property
    def former_names(self) -> tuple[str, ...]:
        return tuple(e.from_name for e in self.history if e.type == "renamed")

    @property
    def promotions(self) -> tuple[Event, ...]:
        return tuple(e for e in self.history if e.type == "promoted")

    @property
    def last_change(self) -> date:
        return max(e.date for e in self.history)


@dataclass(frozen=True)
class Attachment:
    title: str
    file: str
    sha256: str


@dataclass(frozen=True)
class AnnouncementContact:
    department: str
    phone: str
    email: str = ""
    address: str = ""


@dataclass(frozen=True)
class Announcement:
    id: str
    type: str
    title: str
    date: date
    issuer: str
    doc_number: str
    contact: AnnouncementContact
    body: str
    source: str
    publicity_start: Day | None = None
    working_days: int | None = None
    publicity_end: Day | None = None
    attachments: tuple[Attachment, ...] = ()
    index_no: str = ""  # 索引号 (政务公开)
    written: Day | None = None  # 成文日期; None: the same as `date`
    topic: str = ""  # 主题分类

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return split_paragraphs(self.body)


def split_paragraphs(text: str) -> tuple[str, ...]:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return tuple(p for p in parts if p)


@dataclass(frozen=True)
class Threshold:
    id: str
    kind: str
    article: str
    title: str
    text: str
    indicator: str = ""
    category: str = ""
    min: float | None = None
    unit: str = ""
    #: for kind "service": the service item (articles.services) the platform must offer
    service: str = ""
    effective_from: date | None = None
    effective_until: date | None = None

    def applies_on(self, day: date) -> bool:
        """Whether an application publicised on `day` is measured by this condition."""
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_until and day >= self.effective_until)


@dataclass(frozen=True)
class Articles:
    """The articles of the measures that status meanings, messages and pages cite
    (data/rules.yaml `articles`); an empty one is simply not cited."""

    promotion: str = ""  # 择优推荐国家级、省级示范平台
    services: str = ""  # 五类公共服务
    conditions: str = ""  # 基本条件
    service_requirements: str = ""  # 服务功能要求
    recommendation: str = ""  # 县（市、区）推荐
    certification: str = ""  # 授予称号
    annual_round: str = ""  # 评审认定每年一次
    publication: str = ""  # 名单公布
    supervision: str = ""  # 定期检查、不定期测评、弄虚作假
    association: str = ""  # 全市性行业协会推荐


def cite(*articles: str, sep: str = "、") -> str:
    """（第十三条、第十七条）: the articles given, in full-width brackets; "" when none is."""
    found = sep.join(a for a in articles if a)
    return f"（{found}）" if found else ""


def lead(*articles: str, sep: str = "、") -> str:
    """第九条：, the articles given before a full-width colon; "" when none is."""
    found = sep.join(a for a in articles if a)
    return f"{found}：" if found else ""


_CN_COUNTS = dict(enumerate("零一两三四五六七八九十", start=0))


def cn_count(n: int) -> str:
    """三 for 3 (as in 三年), 两 for 2; figures from 11 on."""
    return _CN_COUNTS.get(n, str(n))


@dataclass(frozen=True)
class Rules:
    measures: str
    publicity_days: int
    publicity_article: str
    review_years: int
    review_article: str
    annual_report_due: str
    annual_report_article: str
    thresholds: tuple[Threshold, ...]
    #: how the measures name the certifying authority (e.g. 市经信局); the full name is the
    #: site's authority (mkdocs.yml extra.registry.authority)
    authority: str = "认定机关"
    #: how the measures name a county's department, after the county's name (工信部门)
    county_department: str = "主管部门"
    articles: Articles = Articles()

    def annual_report_deadline(self, year: int) -> date | None:
        """The day by which the summary of `year` is due (in year + 1), or None when the
        rule's MM-DD is not a day of that year at all."""
        return annual_report_deadline(self.annual_report_due, year)

    def status_meaning(self, status: Status) -> str:
        """What a status means, in the words and articles of these measures."""
        a, who = self.articles, self.authority
        review = self.review_article
        if status is Status.RECOMMENDED:
            when = cite(a.recommendation, self.publicity_article, sep="至")
            return (
                f"已由县（市、区）{self.county_department}或全市性行业协会推荐，"
                f"{who}正在评审{when}。"
            )
        if status is Status.PUBLICITY:
            return (
                f"评审合格，正在公示{cite(self.publicity_article)}。"
                "对公示名单有异议的，可在公示期内以实名、书面形式提出。"
            )
        if status is Status.PUBLICITY_ENDED:
            return f"公示期已满，等待{who}发文认定{cite(a.certification)}。"
        if status is Status.CERTIFIED:
            return f"经{who}认定的市级示范平台，在有效期内{cite(a.certification, review)}。"
        if status is Status.REVIEW_DUE:
            return (
                f"认定或上次复核已满{cn_count(self.review_years)}年，应当复核；"
                f"复核结果公布前仍保留称号{cite(review)}。"
            )
        if status is Status.REVIEW_FAILED:
            return (
                f"复核不合格{cite(review)}。{who}将对不合格的示范平台发布公告予以撤销；"
                "撤销公告发布前，称号尚未撤销。"
            )
        if status is Status.REJECTED:
            return "经评审或公示未予认定。"
        return f"示范平台称号已被撤销{cite(review, a.supervision)}，本页面保留作为记录。"


def annual_report_deadline(due: str, year: int) -> date | None:
    """`due` (MM-DD) of year + 1; 02-29 falls back to 02-28 in a common year."""
    try:
        month, day = (int(x) for x in due.split("-"))
        date(2000, month, day)  # a leap year: every MM-DD that exists
    except ValueError:
        return None
    return add_years(date(2000, month, day), year + 1 - 2000)


@dataclass(frozen=True)
class Registry:
    today: date
    platforms: tuple[Platform, ...]
    announcements: tuple[Announcement, ...]
    counties: tuple[County, ...]
    rules: Rules
    _by_announcement: Mapping[str, tuple[tuple[Platform, Event], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _county_index: Mapping[str, County] = field(default_factory=dict, repr=False, compare=False)
    _announcement_index: Mapping[str, Announcement] = field(
        default_factory=dict, repr=False, compare=False
    )

    def county(self, code: str) -> County | None:
        return self._county_index.get(code)

    def county_name(self, code: str) -> str:
        c = self.county(code)
        return c.name if c else code

    def announcement(self, ann_id: str) -> Announcement | None:
        return self._announcement_index.get(ann_id)

    def listed_in(self, ann_id: str) -> tuple[tuple[Platform, Event], ...]:
        """The platforms an announcement concerns, derived from their histories."""
        return self._by_announcement.get(ann_id, ())

    def status(self, platform: Platform) -> Status:
        return platform.status(self.today)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({y for p in self.platforms if (y := p.certified_year)}))


# -- construction from validated plain data ------------------------------------------


def _event(index: int, raw: Mapping[str, Any], ends: Mapping[str, date]) -> Event:
    ann = str(raw.get("announcement", ""))
    return Event(
        index=index,
        date=parse_date(raw["date"]),
        type=raw["type"],
        announcement=ann,
        certificate=str(raw.get("certificate", "")),
        year=raw.get("year"),
        result=str(raw.get("result", "")),
        reason=str(raw.get("reason", "")),
        level=str(raw.get("level", "")),
        from_name=str(raw.get("from", "")),
        to_name=str(raw.get("to", "")),
        note=str(raw.get("note", "")),
        kind=str(raw.get("kind", "")),
        findings=str(raw.get("findings", "")),
        publicity_end=ends.get(ann) if raw["type"] == "publicity" else None,
    )


def _flatten(raw: Mapping[str, Any]) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for k, v in raw.items():
        if k == "year":
            continue
        if isinstance(v, Mapping):
            for k2, v2 in v.items():
                out[f"{k}.{k2}"] = v2
        else:
            out[k] = v
    return out


def platform_from_data(
    raw: Mapping[str, Any], source: str, ends: Mapping[str, date], review_years: int = 3
) -> Platform:
    op = raw["operator"]
    contact = raw["contact"]
    rec = raw["recommender"]
    services = raw["services"]
    from generator.schemas import service_categories

    order = list(service_categories())
    return Platform(
        id=raw["id"],
        name=raw["name"],
        operator=Operator(op["name"], op["uscc"].strip().upper(), parse_date(op["established"])),
        county=raw["county"],
        services=tuple((k, tuple(services[k])) for k in sorted(services, key=order.index)),
        description=raw["description"],
        contact=Contact(
            contact["address"],
            contact["phone"],
            contact.get("website", ""),
            contact.get("email", ""),
        ),
        recommender=Recommender(rec["type"], rec.get("code", ""), rec.get("name", "")),
        history=tuple(_event(i, e, ends) for i, e in enumerate(raw["history"])),
        indicators=tuple(
            sorted(
                (IndicatorYear(int(y["year"]), _flatten(y)) for y in raw.get("indicators", [])),
                key=lambda y: y.year,
            )
        ),
        source=source,
        review_years=review_years,
    )


def announcement_from_data(raw: Mapping[str, Any], source: str, end: date | None) -> Announcement:
    c = raw["contact"]
    pub = raw.get("publicity") or {}
    return Announcement(
        id=raw["id"],
        type=raw["type"],
        title=raw["title"],
        date=parse_date(raw["date"]),
        issuer=raw.get("issuer", ""),  # "": the site's authority (render, exports)
        doc_number=raw.get("doc_number", ""),
        contact=AnnouncementContact(
            c["department"], c["phone"], c.get("email", ""), c.get("address", "")
        ),
        body=raw["body"],
        source=source,
        publicity_start=parse_date(pub["start"]) if pub else None,
        working_days=pub.get("working_days") if pub else None,
        publicity_end=end,
        attachments=tuple(
            Attachment(a["title"], a["file"], a["sha256"]) for a in raw.get("attachments", [])
        ),
        index_no=raw.get("index_no", ""),
        written=parse_date(raw["written"]) if raw.get("written") else None,
        topic=raw.get("topic", ""),
    )


def rules_from_data(raw: Mapping[str, Any]) -> Rules:
    return Rules(
        measures=raw["measures"],
        publicity_days=raw["publicity"]["working_days"],
        publicity_article=raw["publicity"]["article"],
        review_years=raw["review"]["interval_years"],
        review_article=raw["review"]["article"],
        annual_report_due=raw["annual_report"]["due"],
        annual_report_article=raw["annual_report"]["article"],
        authority=raw["authority"],
        county_department=raw["county_department"],
        articles=Articles(**raw["articles"]),
        thresholds=tuple(
            Threshold(
                id=t["id"],
                kind=t["kind"],
                article=t["article"],
                title=t["title"],
                text=t["text"],
                indicator=t.get("indicator", ""),
                category=t.get("category", ""),
                min=t.get("min"),
                unit=t.get("unit", ""),
                service=t.get("service", ""),
                effective_from=parse_date(t["effective_from"]) if "effective_from" in t else None,
                effective_until=parse_date(t["effective_until"])
                if "effective_until" in t
                else None,
            )
            for t in raw["thresholds"]
        ),
    )


def counties_from_data(raw: Mapping[str, Any]) -> tuple[County, ...]:
    return tuple(
        County(c["code"], c["name"], c["kind"], c.get("note", "")) for c in raw["counties"]
    )


def build_registry(
    today: date,
    platforms: tuple[Platform, ...],
    announcements: tuple[Announcement, ...],
    counties: tuple[County, ...],
    rules: Rules,
) -> Registry:
    by_ann: dict[str, list[tuple[Platform, Event]]] = {}
    for p in platforms:
        # One row per platform: a review notice that fails and revokes a platform refers
        # to it twice (reviewed, then revoked); the later event says what happened.
        latest: dict[str, Event] = {}
        for e in p.history:
            if e.announcement:
                latest[e.announcement] = e
        for ann_id, e in latest.items():
            by_ann.setdefault(ann_id, []).append((p, e))
    return Registry(
        today=today,
        platforms=tuple(sorted(platforms, key=lambda p: p.id)),
        announcements=tuple(sorted(announcements, key=lambda a: (a.date, a.id), reverse=True)),
        counties=counties,
        rules=rules,
        _by_announcement={
            k: tuple(sorted(v, key=lambda pe: (pe[0].name, pe[0].id, pe[1].index)))
            for k, v in by_ann.items()
        },
        _county_index={c.code: c for c in counties},
        _announcement_index={a.id: a for a in announcements},
    )
