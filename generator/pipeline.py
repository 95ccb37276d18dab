"""The commands as sequences of the stages: load -> validate -> model -> render -> index ->
write. This module only puts the stages in order; each stage's work is in its own module
(ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from generator import model
from generator.load import Document, display_path, load_file, load_sources, parse_yaml
from generator.report import Problem, inert
from generator.scaffold import NewPlatform, next_platform_id, scaffold_text
from generator.settings import site_config
from generator.validate import eligibility
from generator.validate.context import real_date
from generator.validate.run import RULE_SETS, Validated, calendar_from, validate, validate_dir
from generator.validate.schema import check_shape
from generator.workdays import UnknownYearError
from generator.write import SITE_MARKER, BuildLocked, Staging, io_problem, refuse_foreign_out

__all__ = [
    "RULE_SETS",
    "SITE_MARKER",
    "NewPlatform",
    "Validated",
    "build",
    "check_platform",
    "new_platform",
    "period_end",
    "scaffold_text",
    "site_config",
    "validate",
    "validate_dir",
]


# -- commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutcome:
    problems: tuple[Problem, ...]
    report: str | None
    eligible: bool


def check_platform(data_dir: Path, platform_id: str, on: date | None, today: date) -> CheckOutcome:
    """The conditions report for one platform, article by article."""
    sources = load_sources(data_dir)
    result = validate(sources, today)
    found = [
        d for d in sources.platforms if isinstance(d.data, dict) and d.data.get("id") == platform_id
    ]
    if not found:
        file = display_path(data_dir / "platforms" / f"{platform_id}.yaml")
        unreadable = tuple(p for p in result.problems if p.file == file and p.is_error)
        if unreadable:  # the file is there but could not be read: say why, not "no such id"
            return CheckOutcome(unreadable, None, False)
        msg = Problem(
            file,
            None,
            "check.unknown-id",
            f"没有编号为“{platform_id}”的平台",
            "编号见 data/platforms/ 中的文件名",
        )
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
    text = eligibility.report(inert(f"{doc.data['name']}（{platform_id}）"), on, rules, findings)
    return CheckOutcome(own, text, all(f.ok for f in findings))


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
    calendar = calendar_from(doc, problems)
    if problems:  # never count with a calendar.yaml that is wrong
        return None, problems
    try:
        return calendar.end_of_period(start, n), problems
    except UnknownYearError as exc:
        return None, [Problem(display_path(path), None, "workdays.unknown-year", str(exc))]


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


@dataclass(frozen=True)
class BuildResult:
    problems: tuple[Problem, ...]
    ok: bool
    pages: int = 0
    indexed: int = 0


def build(
    data_dir: Path,
    out_dir: Path,
    today: date,
    config_file: Path = Path("mkdocs.yml"),
    docs_dir: Path = Path("docs/content"),
) -> BuildResult:
    """Two processes, started together: the pages (generator/pages.py: validate -> model
    -> render -> the theme's shells through MkDocs -> pages written) and the downloads
    (generator/downloads.py); then index (Pagefind) -> write (the downloads moved into
    the site, the staging folder swapped into place)."""
    from generator.downloads import Downloads
    from generator.index import run_pagefind, search_glob
    from generator.pages import Pages

    problems = refuse_foreign_out(out_dir, ((data_dir, "数据目录"), (docs_dir, "页面源文件目录")))
    if problems:
        return BuildResult(tuple(problems), False)
    try:
        with (
            Staging(out_dir) as staging,
            Downloads(data_dir, config_file, today, staging.downloads, staging.root) as downloads,
            Pages(data_dir, config_file, docs_dir, today, staging.root) as pages,
        ):
            site = pages.finish()
            problems += site.problems
            if not site.ok:
                return BuildResult(tuple(problems), False)
            made = downloads.finish(site.digest)
            problems += made.problems
            if made.problems:
                return BuildResult(tuple(problems), False, site.pages)
            # both processes have ended: Pagefind, most of a build's peak memory, runs
            # alone (benchmarks/README.md)
            marked = site.marked
            indexed = run_pagefind(staging.site, sum(marked.values()), search_glob(marked))
            problems += indexed.problems
            if indexed.problems:
                return BuildResult(tuple(problems), False, site.pages, indexed.pages)
            staging.adopt_downloads(made.files)
            staging.commit()
            return BuildResult(tuple(problems), True, site.pages, indexed.pages)
    except BuildLocked:
        problem = Problem(
            display_path(out_dir),
            None,
            "build.locked",
            f"另一个构建正在写入 {display_path(out_dir)}，本次未生成",
            "请等另一个 registry build（或 registry serve）结束后再试",
        )
        return BuildResult(tuple(problems) + (problem,), False)
    except OSError as exc:
        return BuildResult(tuple(problems) + (io_problem(out_dir, exc),), False)
