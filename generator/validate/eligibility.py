"""The conditions (articles.conditions, articles.service_requirements) at publicity, and
the suspension of articles.supervision (one rule a function).

Thresholds come from data/rules.yaml, so a revision of the measures is a data change.
A platform publicised in year Y is measured on its indicators of Y-1 (and Y-2 for the
growth condition): the last full year before the application.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from generator import schemas
from generator.load import Document
from generator.model import Rules, Threshold, add_years, lead
from generator.report import Problem
from generator.validate.context import (
    Context,
    PlatformFacts,
    fmt_date,
    platform_facts,
    problem,
    real_date,
)


@dataclass(frozen=True)
class Finding:
    """One condition checked for one application: ok, failed or missing data."""

    threshold: Threshold
    ok: bool
    message: str
    path: tuple[str | int, ...]


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _indicator_years(data: Mapping[str, Any]) -> dict[int, tuple[int, Mapping[str, Any]]]:
    return {y["year"]: (i, y) for i, y in enumerate(data.get("indicators", []))}


@cache
def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


def _value(row: Mapping[str, Any], dotted: str) -> Any:
    node: Any = row
    for part in _parts(dotted):
        if type(node) is dict:  # the usual case, without the Mapping check (a missing key: None)
            node = node.get(part)
            continue
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


Rows = dict[int, tuple[int, Mapping[str, Any]]]


def _minimum(t: Threshold, data: Mapping[str, Any], year: int, rows: Rows | None = None) -> Finding:
    rows = _indicator_years(data) if rows is None else rows
    head = f"{t.article}要求{t.text}"
    if year not in rows:
        return Finding(t, False, f"{head}，缺少{year}年度指标", ("indicators",))
    i, row = rows[year]
    value = _value(row, t.indicator)
    path: tuple[str | int, ...] = ("indicators", i, *_parts(t.indicator))
    if value is None:
        return Finding(t, False, f"{head}，{year}年度指标中没有填写“{t.title}”", ("indicators", i))
    ok = t.min is None or value >= t.min
    return Finding(t, ok, f"{head}，{year}年度为{_fmt(value)}{t.unit}", path)


def _growth(t: Threshold, data: Mapping[str, Any], year: int, rows: Rows | None = None) -> Finding:
    rows = _indicator_years(data) if rows is None else rows
    head = f"{t.article}要求{t.text}"
    missing = [
        y for y in (year - 1, year) if y not in rows or _value(rows[y][1], t.indicator) is None
    ]
    if missing:
        years = "、".join(f"{y}年度" for y in missing)
        field = schemas.title("platform", ["indicators", 0, *_parts(t.indicator)])
        return Finding(t, False, f"{head}，缺少{years}的“{field}”指标", ("indicators",))
    before, after = _value(rows[year - 1][1], t.indicator), _value(rows[year][1], t.indicator)
    i = rows[year][0]
    return Finding(
        t,
        after > before,
        f"{head}，{year - 1}年度为{_fmt(before)}{t.unit}，{year}年度为{_fmt(after)}{t.unit}",
        ("indicators", i, *_parts(t.indicator)),
    )


def _operating(t: Threshold, data: Mapping[str, Any], on: date) -> Finding:
    established = real_date(data["operator"]["established"])
    years = int(t.min or 0)
    path = ("operator", "established")
    if established is None:
        return Finding(t, False, f"{t.article}要求{t.text}，成立日期无效", path)
    ok = add_years(established, years) <= on
    return Finding(
        t,
        ok,
        f"{t.article}要求{t.text}，成立于{fmt_date(established)}，至{fmt_date(on)}"
        + ("已满" if ok else "未满")
        + f"{years}年",
        path,
    )


def _service(t: Threshold, data: Mapping[str, Any]) -> Finding:
    """A service the platform must offer when it claims the category (kind: service)."""
    offered = data["services"].get(t.category) or ()
    ok = t.service in offered
    listed = "、".join(str(x) for x in offered) or "无"
    return Finding(
        t,
        ok,
        f"{t.article}要求{t.text}，服务内容中"
        + ("有" if ok else "没有")
        + f"“{t.service}”（现为：{listed}）",
        ("services", t.category) if t.category in data["services"] else ("services",),
    )


def _applicable(
    thresholds: Sequence[Threshold], data: Mapping[str, Any], on: date
) -> Iterator[Threshold]:
    claimed = set(data["services"])
    for t in thresholds:
        if (t.category and t.category not in claimed) or not t.applies_on(on):
            continue
        yield t


def _finding(
    t: Threshold, data: Mapping[str, Any], on: date, rows: Rows, year: int | None = None
) -> Finding:
    """`year`: the indicators' year (default: the last full year before `on`)."""
    year = on.year - 1 if year is None else year
    if t.kind == "operating_years":
        return _operating(t, data, on)
    if t.kind == "service":
        return _service(t, data)
    if t.kind == "growth":
        return _growth(t, data, year, rows)
    return _minimum(t, data, year, rows)


def evaluate(
    ctx_thresholds: Sequence[Threshold], data: Mapping[str, Any], on: date
) -> list[Finding]:
    """Every applicable condition for an application publicised on `on`."""
    rows = _indicator_years(data)
    return [_finding(t, data, on, rows) for t in _applicable(ctx_thresholds, data, on)]


def _passes(t: Threshold, data: Mapping[str, Any], on: date, rows: Rows) -> bool:
    """The `ok` of _finding without writing its message; False whenever unsure."""
    if t.kind == "operating_years":
        established = real_date(data["operator"]["established"])
        return established is not None and add_years(established, int(t.min or 0)) <= on
    if t.kind == "service":
        return t.service in (data["services"].get(t.category) or ())
    year = on.year - 1
    if t.kind == "growth":
        if year - 1 not in rows or year not in rows:
            return False
        before, after = _value(rows[year - 1][1], t.indicator), _value(rows[year][1], t.indicator)
        return before is not None and after is not None and bool(after > before)
    if year not in rows:
        return False
    value = _value(rows[year][1], t.indicator)
    return value is not None and (t.min is None or bool(value >= t.min))


def failures(
    thresholds: Sequence[Threshold],
    data: Mapping[str, Any],
    on: date,
    applicable: Sequence[Threshold] | None = None,
) -> list[Finding]:
    """The findings of evaluate() that are not ok, in the same order; the conditions met
    are only checked, not written out (most of them, for most records). `applicable`:
    the thresholds _applicable() gives for this day and these services, if known."""
    rows = _indicator_years(data)
    found = []
    for t in _applicable(thresholds, data, on) if applicable is None else applicable:
        if _passes(t, data, on, rows):
            continue
        f = _finding(t, data, on, rows)
        if not f.ok:
            found.append(f)
    return found


def _publicity_dates(doc: Document) -> Iterator[date]:
    for e in doc.data["history"]:
        if e["type"] == "publicity" and (d := real_date(e["date"])):
            yield d


def check_eligibility_at_publicity(ctx: Context) -> Iterator[Problem]:
    thresholds = ctx.rules.thresholds
    # which thresholds apply depends on the day and the services claimed: few combinations
    applicable: dict[tuple[date, frozenset[str]], list[Threshold]] = {}
    for doc in ctx.platforms:
        for on in _publicity_dates(doc):
            key = (on, frozenset(doc.data["services"]))
            ts = applicable.get(key)
            if ts is None:
                ts = applicable[key] = list(_applicable(thresholds, doc.data, on))
            for f in failures(thresholds, doc.data, on, ts):
                yield problem(
                    doc,
                    list(f.path),
                    f"eligibility.{f.threshold.id}",
                    f.message,
                    f"{on.year}年公示的平台按{on.year - 1}年度指标核对；请核对指标或申报材料",
                )


def check_review_conditions(ctx: Context) -> Iterator[Problem]:
    """The review article with the conditions: a passed review re-checks the conditions on the latest
    indicators (those of the last full year before the review, or the latest before it)."""
    for doc in ctx.platforms:
        rows: Rows | None = None
        for i, e in enumerate(doc.data["history"]):
            if e["type"] != "reviewed" or e.get("result") != "passed":
                continue
            on = real_date(e["date"])
            if on is None:
                continue
            rows = _indicator_years(doc.data) if rows is None else rows
            year = max((y for y in rows if y < on.year), default=on.year - 1)
            for t in _applicable(ctx.rules.thresholds, doc.data, on):
                if t.kind == "operating_years":
                    continue  # once met, met for good
                f = _finding(t, doc.data, on, rows, year)
                if f.ok:
                    continue
                yield problem(
                    doc,
                    list(f.path),
                    "warnings.review-conditions",
                    f"{ctx.rules.review_article}：{fmt_date(on)}复核合格，但按{year}年度指标已不满足{f.message}",
                    f"复核合格应以最近年度指标为据（见 history 第{i + 1}条事件）；请补充或核对{year}年度指标，"
                    "确实不满足的应按复核不合格处理",
                    "warning",
                )


def check_association_suspended(ctx: Context) -> Iterator[Problem]:
    """articles.supervision with articles.association: an association's recommendation
    does not lift the suspension of the platform's own county (ruling: warn, staff decide
    in writing)."""
    a = ctx.rules.articles
    suspended: dict[tuple[str, int], tuple[PlatformFacts, date]] = {}
    for doc in ctx.platforms:
        f = platform_facts(doc)
        for day in f.frauds:
            d = date.fromordinal(day)
            suspended.setdefault((f.county, d.year + 1), (f, d))
    if not suspended:
        return
    counties = {county for county, _ in suspended}
    for doc in ctx.platforms:
        f = platform_facts(doc)  # from the facts: a warm run decodes only the few candidates
        if f.recommender is not None or f.county not in counties:
            continue
        county = f.county
        for i, e in enumerate(doc.data["history"]):
            recommended = real_date(e["date"]) if e["type"] == "recommended" else None
            cause = suspended.get((county, recommended.year)) if recommended else None
            if cause is None or recommended is None:
                continue
            other, revoked_on = cause
            yield problem(
                doc,
                ["history", i],
                "article18.association",
                f"{lead(a.supervision, a.association)}平台位于{ctx.county_name(county)}，该县（市、区）的“{other.name}”"
                f"于{fmt_date(revoked_on)}因弄虚作假被撤销称号，{recommended.year}年度暂停申报；"
                f"全市性行业协会的推荐不能用来绕开暂停",
                f"见 {other.file}；受理前须由{ctx.rules.authority}书面说明理由并附在推荐材料中，否则请在{recommended.year + 1}年度再推荐",
                "warning",
            )


def check_article_18(ctx: Context) -> Iterator[Problem]:
    """articles.supervision: after a fraud revocation, the county's next-year applications
    are suspended."""
    a = ctx.rules.articles
    see = f"，见{a.association}" if a.association else ""
    facts = [platform_facts(doc) for doc in ctx.platforms]
    suspended: dict[tuple[str, int], tuple[PlatformFacts, date]] = {}
    for f in facts:
        for day in f.frauds:
            d = date.fromordinal(day)
            suspended.setdefault((f.county, d.year + 1), (f, d))
    if not suspended:
        return
    for f in facts:
        code = f.recommender
        if code is None:
            continue
        for i, year, line in f.recommended:
            cause = suspended.get((code, year))
            if cause:
                other, revoked_on = cause
                yield Problem(
                    f.file,
                    line,
                    "article18.suspended",
                    f"{lead(a.supervision)}{ctx.county_name(code)}的“{other.name}”于{fmt_date(revoked_on)}"
                    f"因弄虚作假被撤销称号，{year}年度暂停该县（市、区）的申报工作",
                    f"见 {other.file}；可在{year + 1}年度再推荐（全市性行业协会推荐同一县的平台也会给出警告{see}）",
                    "error",
                    ("history", i),
                )


RULES = (
    check_eligibility_at_publicity,
    check_article_18,
    check_review_conditions,
    check_association_suspended,
)


def report(heading: str, on: date, rules: Rules, findings: Sequence[Finding]) -> str:
    """`registry check`'s text: each condition (articles.conditions and
    articles.service_requirements) met or not, with the values."""
    a = rules.articles
    which = "、".join(x for x in (a.conditions, a.service_requirements) if x) or "认定条件"
    lines = [
        heading,
        f"按{on.isoformat()}申报核对《{rules.measures}》{which}（使用{on.year - 1}年度指标）：",
        "",
    ]
    lines += [f"  {'✔ 符合' if f.ok else '✘ 不符合'}  {f.message}" for f in findings]
    failed = sum(1 for f in findings if not f.ok)
    lines += [
        "",
        f"共核对 {len(findings)} 项，{'全部符合' if not failed else f'{failed} 项不符合'}。",
    ]
    return "\n".join(lines) + "\n"
