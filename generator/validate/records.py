"""Meaning rules on single records and references between them (one rule a function)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import paths, schemas
from generator.load import Document
from generator.model import cite, lead
from generator.report import Problem
from generator.uscc import check_uscc, normalise
from generator.validate.context import (
    Context,
    PlatformFacts,
    facts_copies_last,
    file_stem,
    fmt_date,
    platform_facts,
    problem,
    real_date,
)

#: which announcement types an event may refer to
ANNOUNCEMENT_TYPES = {
    "publicity": ("publicity",),
    "certified": ("certification",),
    "reviewed": ("review",),
    "revoked": ("revocation", "review"),
    "rejected": ("publicity", "certification", "review"),
    "promoted": ("certification", "review"),
    "corrected": ("correction",),
    "inspected": ("supervision",),
    "evaluated": ("supervision",),
}


def _label(kind: str) -> str:
    return schemas.enum_labels("announcement", ["type"]).get(kind, kind)


def _event_label(kind: str) -> str:
    return schemas.enum_labels("platform", ["history", 0, "type"]).get(kind, kind)


def _stem(doc: Document) -> str:
    return file_stem(doc.file)


def _announcement_docs(ctx: Context) -> list[Document]:
    return ctx.announcement_docs or list(ctx.announcements.values())


def _all_docs(ctx: Context) -> list[Document]:
    return ctx.platforms + _announcement_docs(ctx)


def check_id_matches_filename(ctx: Context) -> Iterator[Problem]:
    for doc in _all_docs(ctx):
        if doc.data["id"] != _stem(doc):
            yield problem(
                doc,
                ["id"],
                "ids.filename",
                f"编号“{doc.data['id']}”与文件名“{_stem(doc)}.yaml”不一致",
                "编号必须与文件名相同；编号一经使用不得更改，请改正新写的那一个",
            )


#: ids that would take a name the site, MkDocs, Pagefind or the exports use for themselves
#: (the sections of generator/paths.py, and index.md / README.md as a folder's page,
#: assets/, sitemap.xml, 404.html, robots.txt, schemas/, attachments/), or that Windows
#: cannot use as a file name (a clerk's checkout of data/platforms/con.yaml fails)
RESERVED_IDS = frozenset(
    {
        url.rstrip("/").rsplit(".", 1)[0]
        for url in (
            paths.PLATFORMS,
            paths.ANNOUNCEMENTS,
            paths.CONDITIONS,
            paths.DATA,
            paths.GUIDE,
            paths.SEARCH,
            paths.COUNTIES,
            paths.CATEGORIES,
            paths.LISTS,
            paths.FEED,
            paths.PAGEFIND,
        )
    }
    | {"index", "readme", "assets", "sitemap", "404", "robots", "schemas", "attachments"}
    | {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"{device}{n}" for device in ("com", "lpt") for n in range(10)),
    }
)


def reserved_id_reason(value: str) -> str | None:
    """Why an id (that the schema's pattern allows) may not be used, or None."""
    if value in RESERVED_IDS:
        return "是网站或 Windows 系统保留的名称"
    if value.startswith("_"):  # the pattern refuses it today; MkDocs and Pagefind skip such files
        return "以“_”开头，这样的文件和网页会被网站生成工具跳过"
    if "--" in value:
        return "含有连续两个连字符“--”（容易看错、抄错）"
    return None


def check_ids_not_reserved(ctx: Context) -> Iterator[Problem]:
    for doc in _all_docs(ctx):
        value = doc.data["id"]
        reason = reserved_id_reason(value) if isinstance(value, str) else None
        if reason:
            yield problem(
                doc,
                ["id"],
                "ids.reserved",
                f"编号“{value}”{reason}，不能使用",
                "请按 bd-0001（平台）、2025-publicity（公告）这样的写法另取编号，文件名同时一致",
            )


def _revoked(doc: Document) -> bool:
    return any(e.get("type") == "revoked" for e in doc.data["history"])


def _duplicates(
    docs: list[Document], key: str, path: list[str | int]
) -> Iterator[tuple[Document, Document, str]]:
    """Pairs that share a value. A revoked record does not count: after a revocation the
    operator applies again under a new record (new id), as the history rules require."""
    seen: dict[str, Document] = {}
    # a file not named after its id is the copy: blame it, not the original
    for doc in sorted(docs, key=lambda d: (d.data["id"] != _stem(d), d.file)):
        if key != "id" and _revoked(doc):
            continue
        value = doc.data
        for part in path:
            value = value[part]
        if key == "uscc":
            value = normalise(value)
        if value in seen:
            yield doc, seen[value], value
        else:
            seen[value] = doc


def _duplicate_platforms(
    ctx: Context, key: str
) -> Iterator[tuple[PlatformFacts, PlatformFacts, Any]]:
    """_duplicates over the platforms, read from their PlatformFacts. Names ("name",
    "operator") are compared as text.name_key gives them: near-duplicates are duplicates."""
    seen: dict[Any, PlatformFacts] = {}
    for f in facts_copies_last(ctx):
        if key != "id" and f.revoked:
            continue
        value = {"id": f.id, "name": f.name_key, "operator": f.operator_key, "uscc": f.uscc}[key]
        if value in seen:
            yield f, seen[value], value
        else:
            seen[value] = f


def check_ids_unique(ctx: Context) -> Iterator[Problem]:
    for f, first, value in _duplicate_platforms(ctx, "id"):
        yield Problem(
            f.file,
            f.id_line,
            "ids.unique",
            f"编号“{value}”已被 {first.file} 使用",
            "编号不得重复使用",
            "error",
            ("id",),
        )
    for doc, first_doc, value in _duplicates(_announcement_docs(ctx), "id", ["id"]):
        yield problem(
            doc,
            ["id"],
            "ids.unique",
            f"编号“{value}”已被 {first_doc.file} 使用",
            "编号不得重复使用",
        )


_NEAR_HINT = (
    "两个名称只差全角/半角、空格、大小写、看不见的字符或形近的外文字母（如西里尔字母 а 与拉丁字母 a），"
    "看起来是同一个名称；请核对后改为准确的名称"
)


def _same_name(label: str, value: Any, first_file: str, first_value: Any) -> tuple[str, str]:
    if value == first_value:
        return f"{label}“{value}”与 {first_file} 重复", ""
    return f"{label}“{value}”与 {first_file} 的“{first_value}”几乎相同，容易混淆", _NEAR_HINT


def check_names_unique(ctx: Context) -> Iterator[Problem]:
    for f, first, _ in _duplicate_platforms(ctx, "name"):
        message, hint = _same_name("平台名称", f.name, first.file, first.name)
        yield Problem(f.file, f.name_line, "names.unique", message, hint, "error", ("name",))


def check_operator_names_unique(ctx: Context) -> Iterator[Problem]:
    for f, first, _ in _duplicate_platforms(ctx, "operator"):
        if f.uscc == first.uscc:
            continue  # the same unit: uscc.unique says so
        message, hint = _same_name("运营单位名称", f.operator, first.file, first.operator)
        yield Problem(
            f.file,
            f.operator_line,
            "names.operator-unique",
            message + "，但统一社会信用代码不同",
            hint
            or "同一单位运营多个平台时请合并为一个平台记录；不同单位请核对名称和统一社会信用代码",
            "error",
            ("operator", "name"),
        )


def check_uscc_unique(ctx: Context) -> Iterator[Problem]:
    for f, first, value in _duplicate_platforms(ctx, "uscc"):
        yield Problem(
            f.file,
            f.uscc_line,
            "uscc.unique",
            f"统一社会信用代码“{value}”与 {first.file} 重复",
            "同一单位运营多个平台时请合并为一个平台记录，或核对代码是否填错",
            "error",
            ("operator", "uscc"),
        )


def check_uscc_code(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        op = doc.data["operator"]
        raw = op["uscc"]
        normal = normalise(raw)
        reason = check_uscc(normal)
        exception = op.get("uscc_exception")
        path = ["operator", "uscc"]
        if reason and exception:
            yield problem(
                doc,
                path,
                "uscc.exception",
                f"统一社会信用代码“{raw}”未通过校验（{reason}），已按例外说明接受",
                f"例外说明：{exception}",
                "warning",
            )
        elif reason:
            yield problem(
                doc,
                path,
                "uscc.check",
                f"统一社会信用代码“{raw}”有误：{reason}",
                "请对照营业执照核对；确属已颁发的早期试点代码时，在 operator 下填写 uscc_exception 说明核实情况",
            )
        elif exception:
            yield problem(
                doc,
                ["operator", "uscc_exception"],
                "uscc.exception-unneeded",
                "统一社会信用代码已通过校验，不需要 uscc_exception，请删除",
                severity="warning",
            )
        if not reason and raw != normal:
            yield problem(
                doc,
                path,
                "uscc.normalised",
                f"统一社会信用代码“{raw}”已按“{normal}”处理（去掉空格、字母大写）",
                f"请改为 {normal}",
                "warning",
            )


def check_dates_real(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        places: list[list[str | int]] = [["operator", "established"]]
        places += [["history", i, "date"] for i in range(len(doc.data["history"]))]
        yield from _real_dates(doc, places)
    for doc in ctx.announcements.values():
        places = [["date"]]
        if "publicity" in doc.data:
            places.append(["publicity", "start"])
        yield from _real_dates(doc, places)


def _real_dates(doc: Document, places: list[list[str | int]]) -> Iterator[Problem]:
    for path in places:
        value = doc.data
        for part in path:
            value = value[part]
        if real_date(value) is None:
            yield problem(
                doc,
                path,
                "dates.real",
                f"日期“{value}”不存在",
                "请检查月份和日期，格式为 YYYY-MM-DD",
            )


def check_dates_not_future(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        for i, e in enumerate(doc.data["history"]):
            d = real_date(e["date"])
            if d and d > ctx.today:
                yield problem(
                    doc,
                    ["history", i, "date"],
                    "dates.future",
                    f"事件日期 {fmt_date(d)} 晚于今天（{fmt_date(ctx.today)}），到该日期才生效",
                    severity="warning",
                )


def check_county_exists(ctx: Context) -> Iterator[Problem]:
    known = "、".join(f"{c}{v['name']}" for c, v in list(ctx.counties.items())[:6])
    for doc in ctx.platforms:
        code = doc.data["county"]
        if code not in ctx.counties:
            yield problem(
                doc,
                ["county"],
                "references.county",
                f"县（市、区）代码“{code}”不在 data/counties.yaml 中",
                f"请使用 data/counties.yaml 中的代码，例如 {known}…",
            )


def check_recommender(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        rec = doc.data["recommender"]
        if rec["type"] != "county":
            continue
        code = rec["code"]
        if code not in ctx.counties:
            yield problem(
                doc,
                ["recommender", "code"],
                "references.recommender",
                f"推荐单位代码“{code}”不在 data/counties.yaml 中",
            )
        elif code != doc.data["county"]:
            yield problem(
                doc,
                ["recommender", "code"],
                "references.recommender",
                f"{lead(ctx.rules.articles.recommendation)}县（市、区）{ctx.rules.county_department}负责本地示范平台的推荐，"
                f"但推荐单位是{ctx.county_name(code)}，平台位于{ctx.county_name(doc.data['county'])}",
                "推荐单位应与平台所在县（市、区）一致；全市性行业协会推荐请用 type: association"
                f"{cite(ctx.rules.articles.association)}",
            )


def check_announcement_references(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        for i, e in enumerate(doc.data["history"]):
            ann_id = e.get("announcement")
            if not ann_id:
                continue
            path: list[str | int] = ["history", i, "announcement"]
            ann = ctx.announcements.get(ann_id)
            if ann is None and ann_id in ctx.unusable_announcements:
                continue
            if ann is None:
                yield problem(
                    doc,
                    path,
                    "references.announcement",
                    f"公告“{ann_id}”不存在",
                    "请先在 data/announcements/ 中添加该公告，或核对编号拼写",
                )
                continue
            allowed = ANNOUNCEMENT_TYPES.get(e["type"], ())
            if ann.data["type"] not in allowed:
                want = "或".join(_label(t) for t in allowed) or "无"
                yield problem(
                    doc,
                    path,
                    "references.announcement-type",
                    f"{_event_label(e['type'])}（{e['type']}）事件引用的公告“{ann_id}”"
                    f"是{_label(ann.data['type'])}，应为{want}",
                )
                continue
            yield from _event_matches_announcement(ctx, doc, i, e, ann)


def _event_matches_announcement(
    ctx: Context, doc: Document, i: int, e: dict, ann: Document
) -> Iterator[Problem]:
    event_day = real_date(e["date"])
    if event_day is None:
        return
    if e["type"] == "publicity":
        start = real_date(ann.data["publicity"]["start"])
        if start and start != event_day:
            yield problem(
                doc,
                ["history", i, "date"],
                "references.announcement-date",
                f"公示事件日期应为公告“{ann.data['id']}”的公示开始日 {start.isoformat()}，实际为 {event_day.isoformat()}",
            )
    elif e["type"] in ("certified", "reviewed", "revoked"):
        issued = real_date(ann.data["date"])
        if issued and issued != event_day:
            yield problem(
                doc,
                ["history", i, "date"],
                "references.announcement-date",
                f"事件日期应为公告“{ann.data['id']}”的发布日期 {issued.isoformat()}，实际为 {event_day.isoformat()}",
            )


def check_announcements_referenced(ctx: Context) -> Iterator[Problem]:
    if not ctx.complete:
        return
    used = {ann_id for doc in ctx.platforms for ann_id in platform_facts(doc).announcements}
    for ann_id, doc in sorted(ctx.announcements.items()):
        if ann_id not in used:
            yield problem(
                doc,
                ["id"],
                "references.unused-announcement",
                f"公告“{ann_id}”没有被任何平台的历史引用，公告中的平台名单将为空",
                "在相关平台的 history 中添加引用该公告的事件（announcement: 公告编号）",
            )


def check_publicity_period(ctx: Context) -> Iterator[Problem]:
    want = ctx.rules.publicity_days
    for doc in ctx.announcements.values():
        pub = doc.data.get("publicity")
        if not pub:
            continue
        if pub["working_days"] != want:
            yield problem(
                doc,
                ["publicity", "working_days"],
                "announcement.publicity-days",
                f"{ctx.rules.publicity_article}规定公示{want}个工作日，这里为{pub['working_days']}个",
            )
        start, issued = real_date(pub["start"]), real_date(doc.data["date"])
        if start and issued and start < issued:
            yield problem(
                doc,
                ["publicity", "start"],
                "announcement.publicity-start",
                f"公示开始日 {start.isoformat()} 早于公告发布日期 {issued.isoformat()}",
            )


def check_attachments(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.announcements.values():
        for i, att in enumerate(doc.data.get("attachments", [])):
            actual = ctx.attachments.get(att["file"])
            if actual is None:
                yield problem(
                    doc,
                    ["attachments", i, "file"],
                    "attachments.missing",
                    f"附件 data/attachments/{att['file']} 不存在",
                )
            elif actual != att["sha256"]:
                yield problem(
                    doc,
                    ["attachments", i, "sha256"],
                    "attachments.hash",
                    f"附件 data/attachments/{att['file']} 的 SHA-256 与记录不符（实际为 {actual}）",
                    "文件被替换或损坏；确认新文件无误后更新 sha256",
                )


def check_indicator_years_unique(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        seen: dict[int, int] = {}
        for i, row in enumerate(doc.data.get("indicators", [])):
            year = row["year"]
            if year in seen:
                yield problem(
                    doc,
                    ["indicators", i, "year"],
                    "indicators.duplicate-year",
                    f"{year}年度指标填写了两次（另见第{doc.line(['indicators', seen[year]]) or '?'}行）",
                    "每个年度只保留一条指标，合并或删除重复的一条",
                )
            else:
                seen[year] = i


#: how `registry new` marks text still to be written; it must not reach the site unnoticed
PLACEHOLDER = "（待补充）"


def check_no_placeholder(ctx: Context) -> Iterator[Problem]:
    for doc in ctx.platforms:
        if PLACEHOLDER in doc.data["description"]:
            yield problem(
                doc,
                ["description"],
                "records.placeholder",
                f"平台简介还是 registry new 生成的“{PLACEHOLDER}”文字，会原样显示在网站上",
                "请改写为平台的真实简介，同时核对 services（服务内容）是否还是模板里的示例",
                "warning",
            )


RULES = (
    check_id_matches_filename,
    check_ids_not_reserved,
    check_ids_unique,
    check_names_unique,
    check_operator_names_unique,
    check_uscc_unique,
    check_uscc_code,
    check_dates_real,
    check_dates_not_future,
    check_county_exists,
    check_recommender,
    check_announcement_references,
    check_announcements_referenced,
    check_publicity_period,
    check_attachments,
    check_indicator_years_unique,
    check_no_placeholder,
)
