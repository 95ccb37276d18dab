"""第七条 / 第八条 conditions at publicity, and 第十八条's suspension (one rule a function).

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
from generator.model import Threshold, add_years
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
    path = ("indicators", i, *_parts(t.indicator))
    if value is None:
        return Finding(t, False, f"{head}，{year}年度指标中没有填写“{t.title}”", ("indicators", i))
    ok = t.min is None or value >= t.min
    return Finding(t, ok, f"{head}，{year}年度为{_fmt(value)}{t.unit}", path)


def _growth(t: Threshold, data: Mapping[str, Any], year: int, rows: Rows | None = None) -> Finding:
    rows = _indicator_years(data) if rows is None else rows
    head = f"{t.article}要求{t.text}"
    missing = [y for y in (year - 1, year) if y not in rows or _value(rows[y][1], t.indicator) is None]
    if missing:
        years = "、".join(f"{y}年度" for y in missing)
        field = schemas.title("platform", ["indicators", 0, *_parts(t.indicator)])
        return Finding(t, False, f"{head}，缺少{years}的“{field}”指标", ("indicators",))
    before, after = _value(rows[year - 1][1], t.indicator), _value(rows[year][1], t.indicator)
    i = rows[year][0]
    return Finding(
        t, after > before,
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
        t, ok, f"{t.article}要求{t.text}，成立于{fmt_date(established)}，至{fmt_date(on)}"
        + ("已满" if ok else "未满") + f"{years}年", path,
    )


def _applicable(thresholds: Sequence[Threshold], data: Mapping[str, Any], on: date) -> Iterator[Threshold]:
    claimed = set(data["services"])
    for t in thresholds:
        if (t.category and t.category not in claimed) or not t.applies_on(on):
            continue
        yield t


def _finding(t: Threshold, data: Mapping[str, Any], on: date, rows: Rows) -> Finding:
    if t.kind == "operating_years":
        return _operating(t, data, on)
    if t.kind == "growth":
        return _growth(t, data, on.year - 1, rows)
    return _minimum(t, data, on.year - 1, rows)


def evaluate(ctx_thresholds: Sequence[Threshold], data: Mapping[str, Any], on: date) -> list[Finding]:
    """Every applicable condition for an application publicised on `on`."""
    rows = _indicator_years(data)
    return [_finding(t, data, on, rows) for t in _applicable(ctx_thresholds, data, on)]


def _passes(t: Threshold, data: Mapping[str, Any], on: date, rows: Rows) -> bool:
    """The `ok` of _finding without writing its message; False whenever unsure."""
    if t.kind == "operating_years":
        established = real_date(data["operator"]["established"])
        return established is not None and add_years(established, int(t.min or 0)) <= on
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


def failures(thresholds: Sequence[Threshold], data: Mapping[str, Any], on: date,
             applicable: Sequence[Threshold] | None = None) -> list[Finding]:
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
                    doc, list(f.path), f"eligibility.{f.threshold.id}", f.message,
                    f"{on.year}年公示的平台按{on.year - 1}年度指标核对；请核对指标或申报材料",
                )


def check_article_18(ctx: Context) -> Iterator[Problem]:
    """第十八条: after a fraud revocation, the county's next-year applications are suspended."""
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
                    f.file, line, "article18.suspended",
                    f"第十八条：{ctx.county_name(code)}的“{other.name}”于{fmt_date(revoked_on)}"
                    f"因弄虚作假被撤销称号，{year}年度暂停该县（市、区）的申报工作",
                    f"见 {other.file}；可在{year + 1}年度再推荐，或由全市性行业协会推荐（第二十一条）",
                    "error", ("history", i),
                )


RULES = (check_eligibility_at_publicity, check_article_18)
