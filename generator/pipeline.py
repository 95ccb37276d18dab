"""validate / build / diff as compositions of the stages."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from generator import model, paths
from generator.cache import ValidationCache, open_cache
from generator.load import Document, Sources, display_path, load_file, load_sources, parse_yaml
from generator.report import Problem
from generator.schemas import SCHEMA_DIR
from generator.validate import eligibility, history, notices, records
from generator.validate.context import Context, file_stem, problem, real_date
from generator.validate.records import PLACEHOLDER
from generator.validate.schema import check_shape
from generator.workdays import Calendar, UnknownYearError, arrangements_from_data
from generator.write import Staging

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


def _shape(kind: str, doc: Document, cache: ValidationCache | None) -> list[Problem]:
    return check_shape(kind, doc) if cache is None else cache.shape(kind, doc, check_shape)


def _shape_ok(kind: str, docs: Iterable[Document], problems: list[Problem],
              cache: ValidationCache | None = None) -> list[Document]:
    good = []
    for doc in docs:
        found = _shape(kind, doc, cache)
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


RULE_SETS: Sequence[Sequence[Any]] = (records.RULES, history.RULES, eligibility.RULES, notices.RULES)


#: Rules whose problems about a platform depend only on that platform's file and on what
#: all platforms share (announcements, counties, rules, calendar, attachments, the day):
#: the validation cache may answer them file by file. A rule that compares platforms with
#: each other must not be listed; a rule not listed always runs on every record.
PER_RECORD_RULES = frozenset(
    f"generator.validate.{module}.{name}"
    for module, names in (
        ("records", ("check_id_matches_filename", "check_uscc_code", "check_dates_real",
                     "check_dates_not_future", "check_county_exists", "check_recommender",
                     "check_announcement_references", "check_indicator_years_unique",
                     "check_no_placeholder")),
        ("history", ("check_first_event", "check_order", "check_sequence",
                     "check_certified_after_publicity", "check_renamed", "check_annual_reports_unique",
                     "check_failed_review_revoked", "check_review_overdue", "check_annual_reports")),
        ("eligibility", ("check_eligibility_at_publicity",)),
    )
    for name in names
)


def _run_rules(ctx: Context, cache: ValidationCache | None) -> list[Problem]:
    rules = [rule for rule_set in RULE_SETS for rule in rule_set]
    if cache is None:
        return [p for rule in rules for p in rule(ctx)]
    return cache.run_rules(ctx, rules, PER_RECORD_RULES)


def validate(sources: Sources, today: date, cache: ValidationCache | None = None,
             with_model: bool = True) -> Validated:
    problems = list(sources.problems)
    platforms = _shape_ok("platform", sources.platforms, problems, cache)
    announcements = _shape_ok("announcement", sources.announcements, problems, cache)
    singles = {}
    for kind, doc in (("counties", sources.counties), ("rules", sources.rules), ("calendar", sources.calendar)):
        singles[kind] = doc if doc is not None and not _collect(_shape(kind, doc, cache), problems) else None
    if singles["counties"] is None or singles["rules"] is None:
        return Validated(tuple(problems), None)
    calendar = _calendar(singles["calendar"], problems)
    rules = model.rules_from_data(singles["rules"].data)
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
    )
    _publicity_ends(ctx, problems)
    problems.extend(_run_rules(ctx, cache))
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
    """Validate a data folder, with the validation cache beside it (generator/cache.py)."""
    # Nearly everything a run allocates (documents, lines, facts, cache entries) lives to
    # its end and holds no reference cycle: the cyclic collector would only walk it, ten
    # full passes over millions of objects in a cold run at 10,000 records (0.6 s; 0.2 s
    # warm). Off while the run lasts; peak memory measured the same with it off.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _validate_dir(data_dir, today, with_model)
    finally:
        if collecting:
            gc.enable()


def _validate_dir(data_dir: Path, today: date, with_model: bool) -> Validated:
    cache = open_cache(data_dir)
    if cache is None:
        return validate(load_sources(data_dir), today, None, with_model)
    cache.prefetch(data_dir)
    try:
        result = validate(load_sources(data_dir, cache.parse), today, cache, with_model)
    finally:
        cache.close()
    cache.save()
    return result


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
    registry = result.registry
    from concurrent.futures import ThreadPoolExecutor

    from generator.export import exports
    from generator.index import run_pagefind, search_glob

    staging = Staging(out_dir)
    try:
        staging.copy_tree(docs_dir)
        pages = write_pages(registry, site, staging)
        for kind in ("platform", "announcement"):
            staging.copy_file(SCHEMA_DIR / f"{kind}.schema.json", f"schemas/{kind}.schema.json")
        for ann in registry.announcements:
            for att in ann.attachments:
                staging.copy_file(data_dir / "attachments" / att.file, f"attachments/{att.file}")
        staging.write_bytes(SITE_MARKER, b"")
        found = run_mkdocs(config_file, staging.docs, staging.site, today)
        problems += found
        if any(p.is_error for p in found):
            staging.discard()
            return BuildResult(tuple(problems), False)
        (staging.site / SITE_MARKER).write_bytes(b"")
        marked = {p.relative_to(docs_dir).as_posix(): _marked_for_search(p.read_text(encoding="utf-8"))
                  for p in sorted(docs_dir.rglob("*.md"))}
        expected = sum(pages.values()) + sum(marked.values())
        marked.update(pages)
        glob = search_glob({_html_path(rel): is_marked for rel, is_marked in marked.items()})
        # The downloads are not pages and Pagefind does not need them: they are made here
        # while Pagefind (its own process) indexes, on the CPU it leaves, and in this
        # process (a forked one would copy the model as reference counts change).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind") as pool:
            indexing = pool.submit(run_pagefind, staging.site, expected, glob)
            downloads = exports(registry, site.site_url)
            indexed = indexing.result()
        problems += indexed.problems
        if indexed.problems:
            staging.discard()
            return BuildResult(tuple(problems), False, len(pages), indexed.pages)
        # Written where MkDocs would have copied them from the docs folder, and after
        # it, so that they win over a hand-written file of the same name as before.
        for rel, data in downloads.items():
            target = staging._inside(staging.site, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    return BuildResult(tuple(problems), True, len(pages), indexed.pages)


def write_pages(registry: model.Registry, site: SiteConfig, staging: Staging) -> dict[str, bool]:
    """Render every generated page into the staging docs folder, on every core (each
    process writes the pages it renders); docs-relative path -> marked for search."""
    from generator.forkmap import fork_map
    from generator.render import Renderer

    renderer = Renderer(registry, site)

    def one(job: tuple[str, str, dict[str, Any]]) -> tuple[str, bool]:
        rel = paths.source_md(job[0])
        text = renderer.render_job(job)
        staging.write_text(rel, text)
        return rel, _marked_for_search(text)

    return dict(fork_map(one, renderer.jobs()))


def _html_path(source: str) -> str:
    """The page MkDocs (use_directory_urls) writes for a Markdown source path."""
    return paths.source_url(source) + "index.html"


def _marked_for_search(markdown: str) -> bool:
    """Whether a page's front matter asks for it to be indexed (`pagefind: true`)."""
    if not markdown.startswith("---\n"):
        return False
    head = markdown[4:].split("\n---", 1)[0]
    return "pagefind: true" in head.splitlines()


def run_mkdocs(config_file: Path, docs: Path, site: Path, today: date) -> list[Problem]:
    """One MkDocs build in-process; its warnings become problems, its errors stop the build."""
    import logging
    import os

    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator import mkbuild

    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("mkdocs")
    handler = _Collect(logging.WARNING)
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.WARNING)
    env_saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    # sitemap dates from the build day, not the clock: same data + day = same bytes
    os.environ["SOURCE_DATE_EPOCH"] = str(int(datetime.combine(today, time()).replace(tzinfo=UTC).timestamp()))
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    problems: list[Problem] = []
    try:
        cfg = load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site))
        mkbuild.build(cfg)
    except (MkDocsException, OSError) as exc:
        problems.append(Problem(display_path(config_file), None, "build.mkdocs", f"MkDocs 构建失败：{exc}"))
    finally:
        logger.handlers, logger.propagate, _level = saved[0], saved[1], logger.setLevel(saved[2])
        for k, v in env_saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    for rec in records:
        severity = "error" if rec.levelno >= logging.ERROR else "warning"
        problems.append(Problem("mkdocs", None, "build.mkdocs", rec.getMessage(), severity=severity))
    return problems
