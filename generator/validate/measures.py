"""Rules of the measures beyond the history of one platform: the associations entitled
to recommend (articles.association) and one certification round a year
(articles.annual_round); the articles are data/rules.yaml's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from generator.load import Document
from generator.model import lead
from generator.report import Problem
from generator.uscc import check_uscc
from generator.validate.context import Context, fmt_date, problem, real_date


def associations(
    doc: Document | None, shape_problems: list[Problem], problems: list[Problem]
) -> list[Mapping[str, Any]] | None:
    """The entries of data/associations.yaml, or None when there is no usable list: the
    file is missing or broken (reported by the loader or here: `shape_problems` and unreal
    dates are added to `problems`), or not read at all (the base of `registry diff`).
    With None the rules on associations stay silent."""
    if doc is None:
        return None
    problems.extend(shape_problems)
    if shape_problems:
        return None
    entries: list[Mapping[str, Any]] = list(doc.data["associations"])
    bad = [
        problem(
            doc,
            ["associations", i, key],
            "dates.real",
            f"日期“{a[key]}”不存在",
            "请检查月份和日期，格式为 YYYY-MM-DD",
        )
        for i, a in enumerate(entries)
        for key in ("since", "until")
        if key in a and real_date(a[key]) is None
    ]
    bad += [
        problem(
            doc,
            ["associations", i, "uscc"],
            "uscc.check",
            f"统一社会信用代码“{a['uscc']}”有误：{reason}",
            "请对照协会的登记证书核对",
        )
        for i, a in enumerate(entries)
        if (reason := check_uscc(str(a["uscc"])))
    ]
    problems.extend(bad)
    return None if bad else entries


def _entitled(entry: Mapping[str, Any], day: date) -> bool:
    since = real_date(entry["since"])
    until = real_date(entry["until"]) if "until" in entry else None
    return since is not None and since <= day and (until is None or day <= until)


def check_association_listed(ctx: Context) -> Iterator[Problem]:
    """articles.association: only the 全市性行业协会 on data/associations.yaml, while entitled."""
    if ctx.associations is None:
        return
    by_name = {str(a["name"]).strip(): a for a in ctx.associations}
    for doc in ctx.platforms:
        rec = doc.data["recommender"]
        if rec["type"] != "association":
            continue
        name = str(rec["name"]).strip()
        entry = by_name.get(name)
        if entry is None:
            yield problem(
                doc,
                ["recommender", "name"],
                "references.association",
                f"{lead(ctx.rules.articles.association)}“{name}”不在 data/associations.yaml 的全市性行业协会名单中，不能直接推荐",
                "核对协会全称；确属全市性行业协会的，经审核后先把它加入 data/associations.yaml",
            )
            continue
        for i, e in enumerate(doc.data["history"]):
            day = real_date(e["date"]) if e["type"] == "recommended" else None
            if day is None or _entitled(entry, day):
                continue
            until = f"至{fmt_date(u)}" if (u := real_date(entry.get("until", ""))) else "起"
            since = real_date(entry["since"])
            yield problem(
                doc,
                ["history", i, "date"],
                "references.association",
                f"{lead(ctx.rules.articles.association)}“{name}”的推荐资格为{fmt_date(since) if since else entry['since']}{until}，"
                f"推荐日期{fmt_date(day)}不在此期间",
                "核对推荐日期和 data/associations.yaml 中该协会的 since、until",
            )


def check_one_round_a_year(ctx: Context) -> Iterator[Problem]:
    """articles.annual_round: 评审认定工作每年开展一次; a second certification notice in a year is a warning."""
    first: dict[int, tuple[date, str]] = {}
    docs = sorted(
        (
            (d, doc)
            for doc in ctx.announcements.values()
            if doc.data["type"] == "certification" and (d := real_date(doc.data["date"]))
        ),
        key=lambda pair: (pair[0], str(pair[1].data["id"])),
    )
    for day, doc in docs:
        earlier = first.get(day.year)
        if earlier is None:
            first[day.year] = (day, str(doc.data["id"]))
            continue
        yield problem(
            doc,
            ["date"],
            "warnings.two-rounds",
            f"{lead(ctx.rules.articles.annual_round)}示范平台的评审认定工作每年开展一次，但{day.year}年已有认定通知“{earlier[1]}”"
            f"（{fmt_date(earlier[0])}），这是当年的第二轮认定",
            "同一轮认定的平台写在同一则认定通知中；补发或更正请用更正公告（correction）",
            "warning",
        )


RULES = (check_association_listed, check_one_round_a_year)
