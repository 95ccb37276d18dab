"""The validate stage as one function: shape (JSON Schema), then every rule of meaning, then
the model when nothing is wrong. Errors are values: all of them are collected and returned."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from generator import model
from generator.load import Document, Sources, load_sources
from generator.report import Problem
from generator.validate import eligibility, history, measures, notices, records
from generator.validate.context import Context, file_stem, problem, real_date
from generator.validate.schema import check_shape
from generator.workdays import Calendar, UnknownYearError, arrangements_from_data


@dataclass(frozen=True)
class Validated:
    """The outcome of validation: all problems, and the model when there are no errors."""

    problems: tuple[Problem, ...]
    registry: model.Registry | None
    #: no errors, and the model was not asked for (`with_model=False`)
    passed: bool = False
    #: Sources.digest of what was read (by `validate_dir`)
    digest: str = ""

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


def calendar_from(doc: Document | None, problems: list[Problem]) -> Calendar:
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
            problem(
                doc,
                ["years", i, kind, j],
                "dates.real",
                f"日期“{text}”不存在",
                "请检查月份和日期，格式为 YYYY-MM-DD",
            )
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
                problem(
                    doc,
                    ["publicity", "start"],
                    "workdays.unknown-year",
                    str(exc),
                    f"公示期从 {start.isoformat()} 起算，延伸到了{exc.year}年",
                )
            )


RULE_SETS: Sequence[Sequence[Any]] = (
    records.RULES,
    history.RULES,
    eligibility.RULES,
    measures.RULES,
    notices.RULES,
)


def _run_rules(ctx: Context) -> list[Problem]:
    return [p for rule_set in RULE_SETS for rule in rule_set for p in rule(ctx)]


def validate_dir(data_dir: Path, today: date, with_model: bool = True) -> Validated:
    """Validate a data folder from its files (no cache: every file read and checked)."""
    # Nearly everything a run allocates (documents, lines, problems) lives to its end and
    # holds no reference cycle: the cyclic collector would only walk it, over and over.
    # Off while the run lasts (measured in benchmarks/README.md).
    collecting = gc.isenabled()
    gc.disable()
    try:
        sources = load_sources(data_dir)
        return dataclasses.replace(validate(sources, today, with_model), digest=sources.digest)
    finally:
        if collecting:
            gc.enable()


def validate(sources: Sources, today: date, with_model: bool = True) -> Validated:
    problems = list(sources.problems)
    platforms = _shape_ok("platform", sources.platforms, problems)
    announcements = _shape_ok("announcement", sources.announcements, problems)
    singles = {}
    for kind, doc in (
        ("counties", sources.counties),
        ("rules", sources.rules),
        ("calendar", sources.calendar),
    ):
        singles[kind] = (
            doc if doc is not None and not _collect(check_shape(kind, doc), problems) else None
        )
    if singles["counties"] is None or singles["rules"] is None:
        return Validated(tuple(problems), None)
    calendar = calendar_from(singles["calendar"], problems)
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
        associations=measures.associations(
            assoc, check_shape("associations", assoc) if assoc else [], problems
        ),
    )
    _publicity_ends(ctx, problems)
    problems.extend(_run_rules(ctx))
    shaped_everything = len(platforms) == len(sources.platforms) and len(announcements) == len(
        sources.announcements
    )
    if any(p.is_error for p in problems) or not shaped_everything:
        return Validated(tuple(problems), None)
    if not with_model:
        return Validated(tuple(problems), None, passed=True)
    return Validated(tuple(problems), _model(ctx))


def _unusable_announcements(sources: Sources, shaped: list[Document]) -> frozenset[str]:
    """Ids of announcement files that exist but failed to load or to pass the schema."""
    good = {id(d) for d in shaped}
    ids = {
        str(d.data.get("id") or file_stem(d.file))
        if isinstance(d.data, dict)
        else file_stem(d.file)
        for d in sources.announcements
        if id(d) not in good
    }
    ids |= {
        PurePosixPath(p.file).stem
        for p in sources.problems
        if PurePosixPath(p.file).parent.name == "announcements"
    }
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
