"""第七条 / 第八条 conditions at publicity, and 第十八条's suspension (one rule a function).

Thresholds come from data/rules.yaml, so a revision of the measures is a data change.
A platform publicised in year Y is measured on its indicators of Y-1 (and Y-2 for the
growth condition): the last full year before the application.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from generator import schemas
from generator.load import Document
from generator.model import Threshold, add_years
from generator.report import Problem
from generator.validate.context import Context, fmt_date, problem, real_date


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


def _value(row: Mapping[str, Any], dotted: str) -> Any:
    node: Any = row
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _minimum(t: Threshold, data: Mapping[str, Any], year: int) -> Finding:
    rows = _indicator_years(data)
    head = f"{t.article}要求{t.text}"
    if year not in rows:
        return Finding(t, False, f"{head}，缺少{year}年度指标", ("indicators",))
    i, row = rows[year]
    value = _value(row, t.indicator)
    path = ("indicators", i, *t.indicator.split("."))
    if value is None:
        return Finding(t, False, f"{head}，{year}年度指标中没有填写“{t.title}”", ("indicators", i))
    ok = t.min is None or value >= t.min
    return Finding(t, ok, f"{head}，{year}年度为{_fmt(value)}{t.unit}", path)


def _growth(t: Threshold, data: Mapping[str, Any], year: int) -> Finding:
    rows = _indicator_years(data)
    head = f"{t.article}要求{t.text}"
    missing = [y for y in (year - 1, year) if y not in rows or _value(rows[y][1], t.indicator) is None]
    if missing:
        years = "、".join(f"{y}年度" for y in missing)
        field = schemas.title("platform", ["indicators", 0, *t.indicator.split(".")])
        return Finding(t, False, f"{head}，缺少{years}的“{field}”指标", ("indicators",))
    before, after = _value(rows[year - 1][1], t.indicator), _value(rows[year][1], t.indicator)
    i = rows[year][0]
    return Finding(
        t, after > before,
        f"{head}，{year - 1}年度为{_fmt(before)}{t.unit}，{year}年度为{_fmt(after)}{t.unit}",
        ("indicators", i, *t.indicator.split(".")),
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


def evaluate(ctx_thresholds: Sequence[Threshold], data: Mapping[str, Any], on: date) -> list[Finding]:
    """Every applicable condition for an application publicised on `on`."""
    claimed = set(data["services"])
    findings = []
    for t in ctx_thresholds:
        if (t.category and t.category not in claimed) or not t.applies_on(on):
            continue
        if t.kind == "operating_years":
            findings.append(_operating(t, data, on))
        elif t.kind == "growth":
            findings.append(_growth(t, data, on.year - 1))
        else:
            findings.append(_minimum(t, data, on.year - 1))
    return findings


def _publicity_dates(doc: Document) -> Iterator[date]:
    for e in doc.data["history"]:
        if e["type"] == "publicity" and (d := real_date(e["date"])):
            yield d


def check_eligibility_at_publicity(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        for on in _publicity_dates(doc):
            for f in evaluate(ctx.rules.thresholds, doc.data, on):
                if not f.ok:
                    yield problem(
                        doc, list(f.path), f"eligibility.{f.threshold.id}", f.message,
                        f"{on.year}年公示的平台按{on.year - 1}年度指标核对；请核对指标或申报材料",
                    )


def check_article_18(ctx: Context) -> Iterator[Problem]:
    """第十八条: after a fraud revocation, the county's next-year applications are suspended."""
    suspended: dict[tuple[str, int], tuple[Document, date]] = {}
    for doc in ctx.platforms:
        for e in doc.data["history"]:
            d = real_date(e["date"])
            if e["type"] == "revoked" and e.get("reason") == "fraud" and d:
                suspended.setdefault((doc.data["county"], d.year + 1), (doc, d))
    if not suspended:
        return
    for doc in ctx.platforms:
        rec = doc.data["recommender"]
        if rec["type"] != "county":
            continue
        for i, e in enumerate(doc.data["history"]):
            d = real_date(e["date"])
            if e["type"] != "recommended" or d is None:
                continue
            cause = suspended.get((rec["code"], d.year))
            if cause:
                other, revoked_on = cause
                yield problem(
                    doc, ["history", i], "article18.suspended",
                    f"第十八条：{ctx.county_name(rec['code'])}的“{other.data['name']}”于{fmt_date(revoked_on)}"
                    f"因弄虚作假被撤销称号，{d.year}年度暂停该县（市、区）的申报工作",
                    f"见 {other.file}；可在{d.year + 1}年度再推荐，或由全市性行业协会推荐（第二十一条）",
                )


RULES = (check_eligibility_at_publicity, check_article_18)
