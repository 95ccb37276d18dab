"""validate / build / diff as compositions of the stages."""

from __future__ import annotations

import errno
import gc
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from generator import model, paths
from generator.load import Document, Sources, display_path, load_file, load_sources, parse_yaml
from generator.report import Problem
from generator.schemas import SCHEMA_DIR
from generator.validate import eligibility, history, measures, records
from generator.validate.context import Context, file_stem, problem, real_date
from generator.validate.records import PLACEHOLDER
from generator.validate.schema import check_shape
from generator.workdays import Calendar, UnknownYearError, arrangements_from_data
from generator.write import BuildLocked, Staging

if TYPE_CHECKING:  # the site's modules (Jinja2, openpyxl, ...) load only when a build runs
    from generator.render import SiteConfig


@dataclass(frozen=True)
class Validated:
    """The outcome of validation: all problems, and the model when there are no errors."""

    problems: tuple[Problem, ...]
    registry: model.Registry | None
    #: no errors, and the model was not asked for (`with_model=False`)
    passed: bool = False

    @property
    def ok(self) -> bool:
        return self.registry is not None or self.passed


def _shape_ok(kind: str, docs: Iterable[Document], problems: list[Problem]) -> list[Document]:
    good = []
    for doc in docs:
        found = check_shape(kind, doc)
        problems.extend(found)
        if not found:
            good.append(doc)
    return good


def _calendar(doc: Document | None, problems: list[Problem]) -> Calendar:
    """The calendar with data/calendar.yaml's years; a broken year is reported, not used."""
    if doc is None:
        return Calendar()
    source = doc.file
    found: list[Problem] = []
    arrangements = []
    for i, entry in enumerate(doc.data.get("years") or ()):
        # the schema checks the shape YYYY-MM-DD only; a day that does not exist would
        # otherwise surface as Python's English ValueError
        unreal = [
            problem(doc, ["years", i, kind, j], "dates.real", f"日期“{text}”不存在",
                    "请检查月份和日期，格式为 YYYY-MM-DD")
            for kind in ("holidays", "workdays")
            for j, text in enumerate(entry.get(kind) or ())
            if real_date(text) is None
        ]
        if unreal:
            found += unreal
            continue
        try:
            arrangements += arrangements_from_data({"years": [entry]})
        except ValueError as exc:
            found.append(problem(doc, ["years", i], "calendar.invalid", f"节假日安排有误：{exc}"))
    try:
        calendar = Calendar(arrangements, source)
    except ValueError as exc:
        found.append(problem(doc, ["years"], "calendar.invalid", f"节假日安排有误：{exc}"))
    problems.extend(found)
    return Calendar(source=source) if found else calendar


def _publicity_ends(ctx: Context, problems: list[Problem]) -> None:
    for ann_id, doc in sorted(ctx.announcements.items()):
        pub = doc.data.get("publicity")
        start = real_date(pub["start"]) if pub else None
        if start is None:
            continue
        try:
            ctx.publicity_ends[ann_id] = ctx.calendar.end_of_period(start, pub["working_days"])
        except UnknownYearError as exc:
            problems.append(
                problem(doc, ["publicity", "start"], "workdays.unknown-year", str(exc),
                        f"公示期从 {start.isoformat()} 起算，延伸到了{exc.year}年")
            )


RULE_SETS: Sequence[Sequence[Any]] = (records.RULES, history.RULES, eligibility.RULES, measures.RULES)


def _run_rules(ctx: Context) -> list[Problem]:
    return [p for rule_set in RULE_SETS for rule in rule_set for p in rule(ctx)]


def validate(sources: Sources, today: date, with_model: bool = True) -> Validated:
    problems = list(sources.problems)
    platforms = _shape_ok("platform", sources.platforms, problems)
    announcements = _shape_ok("announcement", sources.announcements, problems)
    singles = {}
    for kind, doc in (("counties", sources.counties), ("rules", sources.rules), ("calendar", sources.calendar)):
        singles[kind] = doc if doc is not None and not _collect(check_shape(kind, doc), problems) else None
    if singles["counties"] is None or singles["rules"] is None:
        return Validated(tuple(problems), None)
    calendar = _calendar(singles["calendar"], problems)
    rules = model.rules_from_data(singles["rules"].data)
    assoc = sources.associations
    ctx = Context(
        today=today,
        platforms=platforms,
        announcements={d.data["id"]: d for d in announcements},
        counties={c["code"]: c for c in singles["counties"].data["counties"]},
        rules=rules,
        calendar=calendar,
        attachments=sources.attachments,
        complete=len(platforms) == sources.platform_files,
        announcement_docs=announcements,
        unusable_announcements=_unusable_announcements(sources, announcements),
        associations=measures.associations(assoc, check_shape("associations", assoc) if assoc else [], problems),
    )
    _publicity_ends(ctx, problems)
    problems.extend(_run_rules(ctx))
    shaped_everything = len(platforms) == len(sources.platforms) and len(announcements) == len(sources.announcements)
    if any(p.is_error for p in problems) or not shaped_everything:
        return Validated(tuple(problems), None)
    if not with_model:
        return Validated(tuple(problems), None, passed=True)
    return Validated(tuple(problems), _model(ctx))


def _unusable_announcements(sources: Sources, shaped: list[Document]) -> frozenset[str]:
    """Ids of announcement files that exist but failed to load or to pass the schema."""
    good = {id(d) for d in shaped}
    ids = {
        str(d.data.get("id") or file_stem(d.file)) if isinstance(d.data, dict) else file_stem(d.file)
        for d in sources.announcements if id(d) not in good
    }
    ids |= {PurePosixPath(p.file).stem for p in sources.problems if PurePosixPath(p.file).parent.name == "announcements"}
    return frozenset(ids)


def _collect(found: list[Problem], problems: list[Problem]) -> bool:
    problems.extend(found)
    return bool(found)


def _model(ctx: Context) -> model.Registry:
    platforms = tuple(
        model.platform_from_data(d.data, d.file, ctx.publicity_ends, ctx.rules.review_years)
        for d in ctx.platforms
    )
    announcements = tuple(
        model.announcement_from_data(d.data, d.file, ctx.publicity_ends.get(i))
        for i, d in ctx.announcements.items()
    )
    counties = model.counties_from_data({"counties": list(ctx.counties.values())})
    return model.build_registry(ctx.today, platforms, announcements, counties, ctx.rules)


# -- commands ---------------------------------------------------------------------------


def validate_dir(data_dir: Path, today: date, with_model: bool = True) -> Validated:
    """Validate a data folder from its files (no cache: every file read and checked)."""
    # Nearly everything a run allocates (documents, lines, problems) lives to its end and
    # holds no reference cycle: the cyclic collector would only walk it, over and over.
    # Off while the run lasts (measured in benchmarks/README.md).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return validate(load_sources(data_dir), today, with_model)
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class CheckOutcome:
    problems: tuple[Problem, ...]
    report: str | None
    eligible: bool


def check_platform(data_dir: Path, platform_id: str, on: date | None, today: date) -> CheckOutcome:
    """第七条/第八条 report for one platform, article by article."""
    sources = load_sources(data_dir)
    result = validate(sources, today)
    found = [d for d in sources.platforms if isinstance(d.data, dict) and d.data.get("id") == platform_id]
    if not found:
        file = display_path(data_dir / "platforms" / f"{platform_id}.yaml")
        unreadable = tuple(p for p in result.problems if p.file == file and p.is_error)
        if unreadable:  # the file is there but could not be read: say why, not "no such id"
            return CheckOutcome(unreadable, None, False)
        msg = Problem(file, None, "check.unknown-id",
                      f"没有编号为“{platform_id}”的平台", "编号见 data/platforms/ 中的文件名")
        return CheckOutcome((msg,), None, False)
    doc = found[0]
    own = tuple(p for p in result.problems if p.file == doc.file and p.is_error)
    rules_file = display_path(data_dir / "rules.yaml")
    rules_broken = tuple(p for p in result.problems if p.file == rules_file and p.is_error)
    if check_shape("platform", doc) or sources.rules is None or rules_broken:
        return CheckOutcome(own + rules_broken, None, False)
    rules = model.rules_from_data(sources.rules.data)
    if on is None:
        dates = [real_date(e["date"]) for e in doc.data["history"] if e["type"] == "publicity"]
        on = next((d for d in reversed(dates) if d), today)
    findings = eligibility.evaluate(rules.thresholds, doc.data, on)
    lines = [
        f"{doc.data['name']}（{platform_id}）",
        f"按{on.isoformat()}申报核对《{rules.measures}》第七条、第八条（使用{on.year - 1}年度指标）：",
        "",
    ]
    for f in findings:
        mark = "✔ 符合" if f.ok else "✘ 不符合"
        lines.append(f"  {mark}  {f.message}")
    failed = sum(1 for f in findings if not f.ok)
    lines.append("")
    lines.append(f"共核对 {len(findings)} 项，{'全部符合' if not failed else f'{failed} 项不符合'}。")
    return CheckOutcome(own, "\n".join(lines) + "\n", failed == 0)


def period_end(data_dir: Path, start: date, n: int) -> tuple[date | None, list[Problem]]:
    problems: list[Problem] = []
    doc: Document | None = None
    path = data_dir / "calendar.yaml"
    if path.is_file():
        doc, problems = load_file(path, display_path(path))
        if doc is not None:
            problems = check_shape("calendar", doc)
    if problems:
        return None, problems
    calendar = _calendar(doc, problems)
    if problems:  # never count with a calendar.yaml that is wrong
        return None, problems
    try:
        return calendar.end_of_period(start, n), problems
    except UnknownYearError as exc:
        return None, [Problem(display_path(path), None, "workdays.unknown-year", str(exc))]


@dataclass(frozen=True)
class NewPlatform:
    name: str
    operator: str
    uscc: str
    established: date
    county: str
    address: str
    phone: str
    association: str | None
    recommended: date


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no value can break the file.
    return json.dumps(text, ensure_ascii=False)


def scaffold_text(new_id: str, new: NewPlatform) -> str:
    recommender = (
        f"{{type: association, name: {_q(new.association)}}}" if new.association
        else f"{{type: county, code: {_q(new.county)}}}"
    )
    return (
        "# yaml-language-server: $schema=../../schemas/platform.schema.json\n"
        f"id: {new_id}\n"
        f"name: {_q(new.name)}\n"
        "operator:\n"
        f"  name: {_q(new.operator)}\n"
        f"  uscc: {_q(new.uscc)}\n"
        f"  established: {new.established.isoformat()}\n"
        f"county: {_q(new.county)}\n"
        "services:  # 第六条：information 信息 / technology 技术 / entrepreneurship 创业 / training 培训 / financing 融资\n"
        "  information: [政策信息]\n"
        "description: >-\n"
        f"  {PLACEHOLDER}请在这里用几句话介绍平台的主要服务内容、服务对象和服务成效，纯文本。\n"
        "contact:\n"
        f"  address: {_q(new.address)}\n"
        f"  phone: {_q(new.phone)}\n"
        f"recommender: {recommender}\n"
        "history:\n"
        f"  - {{date: {new.recommended.isoformat()}, type: recommended}}\n"
        "indicators: []  # 每年一条：year, total_assets, smes_served, satisfaction ...（见编辑指南）\n"
    )


def next_platform_id(existing: Iterable[str], prefix: str = "bd-") -> str:
    numbers = [int(i[len(prefix):]) for i in existing if i.startswith(prefix) and i[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def new_platform(data_dir: Path, new: NewPlatform, today: date) -> tuple[str | None, list[Problem]]:
    """Scaffold data/platforms/<fresh id>.yaml; checked before anything is written."""
    folder = data_dir / "platforms"
    existing = [p.stem for p in folder.glob("*.y*ml")] if folder.is_dir() else []
    new_id = next_platform_id(existing)
    target = folder / f"{new_id}.yaml"
    text = scaffold_text(new_id, new)
    doc, problems = parse_yaml(text.encode("utf-8"), display_path(target))
    if doc is None:
        return None, problems
    sources = load_sources(data_dir)
    trial = replace(sources, platforms=sources.platforms + (doc,))
    result = validate(trial, today)
    own = [p for p in result.problems if p.file == doc.file and p.is_error]
    if own:
        return None, own
    from generator.write import create_exclusive

    problems = create_exclusive(target, text, display_path(target))
    return (None, problems) if problems else (display_path(target), [])


# -- build ------------------------------------------------------------------------------

SITE_MARKER = ".registry-site"


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    ok: bool
    pages: int = 0
    indexed: int = 0


def site_config(config_file: Path) -> tuple[SiteConfig | None, list[Problem]]:
    from generator.render import SiteConfig

    doc, problems = load_file(config_file, display_path(config_file))
    if doc is None:
        return None, problems
    data = doc.data if isinstance(doc.data, dict) else {}
    reg = (data.get("extra") or {}).get("registry") or {}
    return SiteConfig(
        site_url=str(data.get("site_url") or ""),
        authority=str(reg.get("authority") or "保定市工业和信息化局"),
        repository=str(reg.get("repository") or ""),
        branch=str(reg.get("branch") or "main"),
    ), []


def _refuse_foreign_out(out_dir: Path, sources: Iterable[tuple[Path, str]] = ()) -> list[Problem]:
    """Never swap away a folder that is not a previous build (say `--out data`), nor
    build into a source folder (the staging copy of docs/ would copy itself forever)."""
    out = out_dir.resolve()
    for source, what in sources:
        if out == source.resolve() or source.resolve() in out.parents:
            return [Problem(display_path(out_dir), None, "build.out-in-sources",
                            f"输出目录 {display_path(out_dir)} 位于{what} {display_path(source)} 之内，未生成",
                            "请把网站生成到源文件以外的目录（默认 site/）")]
    if not out_dir.exists():
        return []
    if out_dir.is_dir() and ((out_dir / SITE_MARKER).is_file() or not any(out_dir.iterdir())):
        return []
    return [Problem(display_path(out_dir), None, "build.out-not-site",
                    f"输出目录 {display_path(out_dir)} 已存在，且不是本工具生成的网站，未覆盖",
                    "请指定一个新目录或以前生成网站的目录（默认 site/）")]


def build(data_dir: Path, out_dir: Path, today: date, config_file: Path = Path("mkdocs.yml"),
          docs_dir: Path = Path("docs/content")) -> BuildResult:
    """validate -> model -> render (pages, then the theme's shells through MkDocs) ->
    index (Pagefind) and the downloads -> write (swap the staging folder into place)."""
    problems = _refuse_foreign_out(out_dir, ((data_dir, "数据目录"), (docs_dir, "页面源文件目录")))
    if problems:
        return BuildResult(tuple(problems), False)
    result = validate_dir(data_dir, today)
    if not result.ok or result.registry is None:
        return BuildResult(result.problems, False)
    problems = list(result.problems)
    site, found = site_config(config_file)
    if site is None:
        return BuildResult(tuple(problems + found), False)
    try:
        with Staging(out_dir) as staging:
            return _build_site(result.registry, site, data_dir, config_file, docs_dir, today, staging, problems)
    except BuildLocked:
        return BuildResult(tuple(problems) + (Problem(
            display_path(out_dir), None, "build.locked",
            f"另一个构建正在写入 {display_path(out_dir)}，本次未生成",
            "请等另一个 registry build（或 registry serve）结束后再试"),), False)
    except OSError as exc:
        return BuildResult(tuple(problems) + (_io_problem(out_dir, exc),), False)


def _io_problem(out_dir: Path, exc: OSError) -> Problem:
    where = display_path(Path(exc.filename)) if isinstance(exc.filename, str) else display_path(out_dir)
    reason = {errno.ENOSPC: "磁盘空间不足", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
              errno.EROFS: "磁盘为只读", errno.ENOTDIR: "路径中有一段是文件而不是目录",
              errno.EEXIST: "路径中有一段是文件而不是目录", errno.EDQUOT: "超出磁盘配额"}
    why = reason.get(exc.errno or 0, exc.strerror or str(exc))
    return Problem(display_path(out_dir), None, "build.io", f"无法写入网站：{why}（{where}），原网站保持不变",
                   "请检查输出目录所在的磁盘和权限后重新生成")


def _build_site(registry: model.Registry, site: SiteConfig, data_dir: Path, config_file: Path,
                docs_dir: Path, today: date, staging: Staging, problems: list[Problem]) -> BuildResult:
    from concurrent.futures import ThreadPoolExecutor

    from generator.export import exports
    from generator.index import run_pagefind, search_glob
    from generator.render import render_site
    from generator.render.shell import Shell, fill_pages, html_path, plan
    from generator.render.sitemap import SITEMAP, SITEMAP_GZ, site_files
    from generator.render.theme import run_mkdocs

    # render: every generated page, then the theme around them (MkDocs builds the
    # hand-written pages and one shell per kind of generated page)
    pages = render_site(registry, site)
    shells = plan(pages)
    staging.copy_docs(docs_dir)
    for rel, text in shells.sources.items():
        staging.write_doc(rel, text)
    for kind in ("platform", "announcement"):
        staging.copy_doc(SCHEMA_DIR / f"{kind}.schema.json", f"schemas/{kind}.schema.json")
    for ann in registry.announcements:
        for att in ann.attachments:
            staging.copy_doc(data_dir / "attachments" / att.file, f"attachments/{att.file}")
    found = run_mkdocs(config_file, staging.docs, staging.site, today)
    problems += found
    if any(p.is_error for p in found):
        return BuildResult(tuple(problems), False)
    built = {url: Shell(staging.read_site(html_path(url)), url) for url in shells.shells}
    for rel, html in fill_pages(pages, shells.shell_of, built):
        staging.write_site(rel, html)
    for url in shells.shells:
        staging.remove_site(url)
    hand_written = {paths.source_url(p.relative_to(docs_dir).as_posix()): _marked_for_search(p.read_text(encoding="utf-8"))
                    for p in sorted(docs_dir.rglob("*.md"))}
    for rel in (SITEMAP, SITEMAP_GZ):
        staging.remove_site(rel)
    dated = [(p.url, p.lastmod) for p in pages] + [(url, None) for url in hand_written]
    for rel, data in site_files(site.site_url, dated).items():
        staging.write_site(rel, data)
    staging.write_site(SITE_MARKER, b"")

    # index, with the downloads made meanwhile (Pagefind runs in its own process)
    marked = {html_path(url): is_marked for url, is_marked in hand_written.items()}
    marked.update({html_path(p.url): p.searchable for p in pages})
    expected = sum(marked.values())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind") as pool:
        indexing = pool.submit(run_pagefind, staging.site, expected, search_glob(marked))
        downloads = exports(registry, site.site_url)
        indexed = indexing.result()
    problems += indexed.problems
    if indexed.problems:
        return BuildResult(tuple(problems), False, len(pages), indexed.pages)
    for rel, data in downloads.items():
        staging.write_site(rel, data)

    # write
    staging.commit()
    return BuildResult(tuple(problems), True, len(pages), indexed.pages)


def _marked_for_search(markdown: str) -> bool:
    """Whether a hand-written page's front matter asks for it to be indexed (`pagefind: true`)."""
    if not markdown.startswith("---\n"):
        return False
    head = markdown[4:].split("\n---", 1)[0]
    return "pagefind: true" in head.splitlines()
