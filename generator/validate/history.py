"""Rules on a platform's history: order, allowed sequence, periods (one rule a function)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any

from generator import schemas
from generator.load import Document
from generator.model import SUPERVISION_EVENTS, add_years, annual_report_deadline, lead
from generator.report import Problem
from generator.validate.context import Context, facts_copies_last, fmt_date, problem, real_date

#: events that need the platform to hold the title (certified and not revoked)
NEEDS_TITLE = ("annual_report", "reviewed", "promoted", "revoked", "inspected", "evaluated")


def _label(event_type: str) -> str:
    return schemas.enum_labels("platform", ["history", 0, "type"]).get(event_type, event_type)


def _dated(ctx: Context, doc: Document) -> list[tuple[int, dict[str, Any], date]] | None:
    """History with real dates, or None when a date is not real (dates.real reports it).

    Five rules ask for it: worked out once per document of this Context (the Context
    holds the documents, so their ids stay theirs while the memo lives).
    """
    memo = ctx.__dict__.setdefault("_dated_memo", {})
    try:
        return memo[id(doc)]
    except KeyError:
        pass
    memo[id(doc)] = found = _dated_events(doc)
    return found


def _dated_events(doc: Document) -> list[tuple[int, dict[str, Any], date]] | None:
    out = []
    for i, e in enumerate(doc.data["history"]):
        d = real_date(e["date"])
        if d is None:
            return None
        out.append((i, e, d))
    return out


def check_first_event(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        first = doc.data["history"][0]
        if first["type"] != "recommended":
            yield problem(
                doc,
                ["history", 0, "type"],
                "history.first-event",
                f"历史的第一条应为推荐（recommended），实际为{_label(first['type'])}（{first['type']}）",
                f"{lead(ctx.rules.articles.recommendation)}示范平台须经县（市、区）{ctx.rules.county_department}或全市性行业协会推荐",
            )


def check_order(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        events = _dated(ctx, doc) or []
        for (_, _, prev), (i, _e, d) in itertools.pairwise(events):
            if d < prev:
                yield problem(
                    doc,
                    ["history", i, "date"],
                    "history.order",
                    f"事件日期 {d.isoformat()} 早于上一条事件的 {prev.isoformat()}，历史应按时间顺序排列",
                    "新事件追加在末尾；记错的旧事件不要修改，用 corrected 事件说明",
                )


def check_sequence(ctx: Context) -> Iterator[Problem]:
    """What each event needs to have happened before it."""
    for doc in ctx.platforms:
        events = _dated(ctx, doc)
        if events is None:
            continue
        certified = revoked = False
        publicity_open = False
        for i, e, _d in events:
            kind = e["type"]
            path: list[str | int] = ["history", i, "type"]
            if revoked and kind != "corrected":
                yield problem(
                    doc,
                    path,
                    "history.after-revocation",
                    f"称号已于此前撤销，之后不能再有{_label(kind)}（{kind}）事件，只能有更正（corrected）",
                    "撤销后重新申报请新建一个平台记录（新编号）",
                )
                continue
            if kind == "publicity":
                publicity_open = True
            elif kind == "certified":
                if not publicity_open:
                    yield problem(
                        doc,
                        path,
                        "history.certified-without-publicity",
                        f"{lead(ctx.rules.publicity_article, ctx.rules.articles.certification)}"
                        "认定前必须先公示，此前没有公示（publicity）事件",
                    )
                certified, publicity_open = True, False
            elif kind == "rejected":
                publicity_open = False
            elif kind in NEEDS_TITLE and not certified:
                rule = (
                    "history.review-before-certification"
                    if kind in ("reviewed", "revoked")
                    else "history.before-certification"
                )
                yield problem(
                    doc,
                    path,
                    rule,
                    f"{_label(kind)}（{kind}）只能发生在认定（certified）之后，此前没有认定事件",
                )
            if kind == "revoked":
                revoked = True


def check_certified_after_publicity(ctx: Context) -> Iterator[Problem]:
    """The publicity article: certification only after the publicity period has ended."""
    article = ctx.rules.publicity_article
    for doc in ctx.platforms:
        events = _dated(ctx, doc)
        if events is None:
            continue
        last_publicity: str | None = None
        for i, e, d in events:
            if e["type"] == "publicity":
                last_publicity = e["announcement"]
            elif e["type"] == "certified" and last_publicity:
                end = ctx.publicity_ends.get(last_publicity)
                if end is None or d > end:
                    continue
                ann = ctx.announcements[last_publicity].data["publicity"]
                start = real_date(ann["start"])
                yield problem(
                    doc,
                    ["history", i, "date"],
                    "history.certified-before-publicity-end",
                    f"{article}：公示期为{ann['working_days']}个工作日，自{fmt_date(start) if start else ann['start']}"
                    f"至{fmt_date(end)}，认定日期{fmt_date(d)}还在公示期内，应在公示期满后认定",
                    f"认定日期应在 {end.isoformat()} 之后",
                )


def check_renamed(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        renames = [(i, e) for i, e in enumerate(doc.data["history"]) if e["type"] == "renamed"]
        for i, e in renames:
            if e["from"] == e["to"]:
                yield problem(
                    doc, ["history", i, "to"], "history.renamed", "更名事件的原名称和新名称相同"
                )
        if renames:
            i, last = renames[-1]
            if last["to"] != doc.data["name"]:
                yield problem(
                    doc,
                    ["name"],
                    "history.renamed",
                    f"最近一次更名后的名称为“{last['to']}”，但 name 为“{doc.data['name']}”",
                    "更名时把 name 改为新名称，并在 history 中添加 renamed 事件",
                )


def check_annual_reports_unique(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        seen: set[int] = set()
        for i, e in enumerate(doc.data["history"]):
            if e["type"] != "annual_report":
                continue
            if e["year"] in seen:
                yield problem(
                    doc,
                    ["history", i, "year"],
                    "history.annual-report-duplicate",
                    f"{e['year']}年度工作总结已记录过一次",
                )
            seen.add(e["year"])


def check_certificates_unique(ctx: Context) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    # a file not named after its id is a copy: blame it, not the original
    for f in facts_copies_last(ctx):
        for i, cert, line in f.certificates:
            if cert in seen and seen[cert] != f.file:
                yield Problem(
                    f.file,
                    line,
                    "history.certificate-unique",
                    f"证书编号“{cert}”已在 {seen[cert]} 中使用",
                    "",
                    "error",
                    ("history", i, "certificate"),
                )
            seen.setdefault(cert, f.file)


def check_failed_review_revoked(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        history = doc.data["history"]
        for i, e in enumerate(history):
            if (
                e["type"] == "reviewed"
                and e.get("result") == "failed"
                and not any(later["type"] == "revoked" for later in history[i + 1 :])
            ):
                yield problem(
                    doc,
                    ["history", i],
                    "history.failed-review-not-revoked",
                    f"{lead(ctx.rules.review_article)}对不合格的发布公告予以撤消；"
                    f"{fmt_date(d) if (d := real_date(e['date'])) else e['date']}复核不合格，"
                    "之后还没有撤销（revoked）事件，状态显示为“复核不合格（待撤销）”",
                    "撤销公告发布后追加 revoked 事件（reason: review_failed）",
                    severity="warning",
                )


# -- warnings that depend on the day ---------------------------------------------------


def check_review_overdue(ctx: Context) -> Iterator[Problem]:
    """The review article: reviewed every `review_years` years."""
    years = ctx.rules.review_years
    for doc in ctx.platforms:
        events = _dated(ctx, doc)
        if events is None:
            continue
        base: tuple[int, date] | None = None
        for i, e, d in events:
            if d > ctx.today:
                break
            if e["type"] == "certified" or (
                e["type"] == "reviewed" and e.get("result") == "passed"
            ):
                base = (i, d)
            elif e["type"] == "revoked" or e["type"] == "reviewed":
                # a failed review is a review result (history.failed-review-not-revoked asks
                # for the revocation); it is not "no review yet"
                base = None
        if base is None:
            continue
        due = add_years(base[1], years)
        if ctx.today >= due:
            yield problem(
                doc,
                ["history", base[0]],
                "warnings.review-overdue",
                f"{ctx.rules.review_article}：每{years}年复核一次，上次认定或复核为{fmt_date(base[1])}，"
                f"应于{fmt_date(due)}复核，尚无复核结果",
                "复核后添加 reviewed 事件（result: passed 或 failed）",
                "warning",
            )


def check_annual_reports(ctx: Context) -> Iterator[Problem]:
    """The annual-report article: a yearly work summary from every certified platform."""
    month, day = (int(x) for x in ctx.rules.annual_report_due.split("-"))
    try:
        date(2000, month, day)  # a leap year: accepts every MM-DD that exists
    except ValueError:
        # the schema's MM-DD pattern lets "02-30" through: no deadline to check, and
        # no reason for a traceback either
        return
    dues: dict[int, date] = {}  # year -> its deadline
    for doc in ctx.platforms:
        events = _dated(ctx, doc)
        if events is None:
            continue
        certified = next((d for _, e, d in events if e["type"] == "certified"), None)
        if certified is None or certified > ctx.today:
            continue
        revoked = next((d for _, e, d in events if e["type"] == "revoked" and d <= ctx.today), None)
        reported = {e["year"] for _, e, _ in events if e["type"] == "annual_report"}
        for year in range(certified.year, ctx.today.year):
            due = dues.get(year)
            if due is None:
                due = dues[year] = add_years(
                    date(2000, month, day), year + 1 - 2000
                )  # 02-29 -> 02-28
            if due >= ctx.today or (revoked and revoked <= due) or year in reported:
                continue
            yield problem(
                doc,
                ["history"],
                "warnings.annual-report-missing",
                f"{ctx.rules.annual_report_article}：缺少{year}年度工作总结（应于{fmt_date(due)}前报送）",
                f"收到总结后添加 {{date: 收到日期, type: annual_report, year: {year}}}",
                "warning",
            )


def check_annual_reports_late(ctx: Context) -> Iterator[Problem]:
    """The summary of year Y is due by the rule's MM-DD of Y+1 (annual_report.due)."""
    article = ctx.rules.annual_report_article
    for doc in ctx.platforms:
        for i, e in enumerate(doc.data["history"]):
            if e["type"] != "annual_report":
                continue
            filed = real_date(e["date"])
            due = annual_report_deadline(ctx.rules.annual_report_due, e["year"])
            if filed is None or due is None or filed <= due:
                continue
            yield problem(
                doc,
                ["history", i, "date"],
                "warnings.annual-report-late",
                f"{article}：{e['year']}年度工作总结应于{fmt_date(due)}前报送，{fmt_date(filed)}才报送，"
                f"逾期{(filed - due).days}天",
                f"日期写实际收到的日期，year 写总结所属年度（{e['year']}），不要改成收到的年份",
                "warning",
            )


def check_supervision_follow_up(ctx: Context) -> Iterator[Problem]:
    """articles.supervision: a 不合格 定期检查/不定期测评 needs a follow-up: a later passed check or
    evaluation, or the revocation."""
    for doc in ctx.platforms:
        history = doc.data["history"]
        for i, e in enumerate(history):
            if e["type"] not in SUPERVISION_EVENTS or e.get("result") != "failed":
                continue
            if any(
                later["type"] == "revoked"
                or (later["type"] in SUPERVISION_EVENTS and later.get("result") == "passed")
                for later in history[i + 1 :]
            ):
                continue
            who = (
                f"县（市、区）{ctx.rules.county_department}定期检查"
                if e["type"] == "inspected"
                else f"{ctx.rules.authority}不定期测评"
            )
            yield problem(
                doc,
                ["history", i, "result"],
                "warnings.supervision-no-follow-up",
                f"{lead(ctx.rules.articles.supervision)}{who}不合格（{fmt_date(d) if (d := real_date(e['date'])) else e['date']}），"
                "之后没有合格的复查或测评，也没有撤销",
                "整改后复查合格的追加 inspected 或 evaluated 事件（result: passed）；"
                "撤销称号的追加 revoked 事件",
                "warning",
            )


RULES = (
    check_first_event,
    check_order,
    check_sequence,
    check_certified_after_publicity,
    check_renamed,
    check_annual_reports_unique,
    check_certificates_unique,
    check_failed_review_revoked,
    check_review_overdue,
    check_annual_reports,
    check_annual_reports_late,
    check_supervision_follow_up,
)
