"""`registry diff --base REV`: what a pull request changes, and whether it only appends.

The data contract says ids never change and are never reused, record files are never
deleted, a platform's history is append-only and a published announcement stays as
it was published. A reviewer cannot be expected to see all of that in a YAML diff,
so this compares the data of commit REV with the working tree (as git would commit
it: `gitread`), and

- writes a readable Chinese summary in Markdown, by platform name, for the pull
  request comment: new platforms, new events, status changes, changed fields, new
  announcements, and the validation result of the working tree;
- reports every change the contract forbids as a Problem (rules ``diff.*``), and
  refuses a base that is not an ancestor of HEAD (history rewritten or the branch
  behind it) and any entry of the data folder that is not a plain data file.

Stages, as everywhere in this package: load (`gitread`, the only module that runs
git; both sides come from git objects, neither from files on disk) -> compare
(`records`, `contract`: pure functions) -> render (`summary`: Markdown text). The CLI
prints the text and maps the outcome to an exit status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generator import pipeline, report
from generator.diff import gitread
from generator.diff.contract import (
    check_announcements,
    check_deleted,
    check_history,
    check_id_changed,
    check_id_reused,
    check_renamed,
)
from generator.diff.gitread import BaseUnreadable, Tree
from generator.diff.records import pair_records, parsed, records_of, sources_of
from generator.diff.summary import (
    StatusChange,
    View,
    code,
    fenced,
    other_file_changes,
    render,
    status_changes,
    statuses_may_differ,
    summarise,
)
from generator.load import Sources
from generator.report import Problem

HEAD_SIDE = "工作区"


@dataclass(frozen=True)
class DiffOutcome:
    text: str
    problems: tuple[Problem, ...] = ()
    validation: tuple[Problem, ...] = field(default=())
    #: the base could not be read (bad revision, no git): exit status 2
    usage_error: bool = False

    @property
    def ok(self) -> bool:
        return not self.usage_error and not self.problems and not report.errors(self.validation)


@dataclass(frozen=True)
class Sides:
    """Everything read from git for one comparison."""

    base: Tree
    head: Tree
    #: (old, new) paths git saw moved
    moved: tuple[tuple[str, str], ...] = ()
    #: record paths deleted by some commit up to the base (for "never reused")
    deleted_before: frozenset[str] = frozenset()


def diff_against(data_dir: Path, rev: str, today: date) -> DiffOutcome:
    """Compare the data at `rev` with the working tree: summary text and problems."""
    prefix = gitread.shown_prefix(data_dir)
    refused = gitread.data_folder_refusal(data_dir)
    if refused is not None:
        return _refused(rev, refused)
    try:
        commit = gitread.resolve_commit(data_dir, rev)
        if not gitread.is_ancestor(data_dir, commit):
            return _refused(rev, _not_ancestor(prefix, rev))
        base_oid = gitread.commit_tree(data_dir, commit)
        head_oid = gitread.work_tree(data_dir)
        sides = Sides(
            base=gitread.read_tree(data_dir, base_oid, f"基准版本（{rev}）"),
            head=gitread.read_tree(data_dir, head_oid, HEAD_SIDE),
            moved=gitread.moves(data_dir, base_oid, head_oid),
            deleted_before=gitread.deleted_before(data_dir, commit),
        )
    except BaseUnreadable as exc:
        return DiffOutcome(
            f"## 数据变更摘要\n\n无法读取基准版本 {code(rev)}：{code(str(exc))}\n\n"
            "请确认分支或提交存在（例如 origin/main），并且在仓库中运行；"
            "CI 中需要用 fetch-depth: 0 取得完整历史。\n",
            usage_error=True,
        )
    return compare(rev, today, prefix, sides)


def _not_ancestor(prefix: str, rev: str) -> Problem:
    return Problem(
        prefix.rstrip("/") or ".",
        None,
        "diff.not-ancestor",
        f"基准版本“{rev}”不是当前提交（HEAD）的祖先：当前提交不是在它之上继续的，"
        "可能改写了历史（强制推送、变基），也可能当前分支落后于它；只增不改无法据此检查",
        "只能与当前提交的祖先比较。请先把基准分支合并进来（git merge origin/main）再比较；"
        "发布时出现这条，说明已发布的提交不在 main 的历史中，请维护人员查明原因",
    )


def _refused(rev: str, problem: Problem) -> DiffOutcome:
    text = (
        f"## 数据变更摘要\n\n未与基准版本 {code(rev)} 比较：见下方说明。\n\n"
        "### 不允许的变更\n\n" + fenced(report.format_text([problem]))
    )
    return DiffOutcome(text, (problem,))


def _merge_refusals(base: Iterable[Problem], head: Sequence[Problem]) -> list[Problem]:
    """The head's refusals, and the base's that the head does not repeat."""
    seen = {(p.file, p.rule) for p in head}
    return [*head, *(p for p in base if (p.file, p.rule) not in seen)]


def compare(rev: str, today: date, prefix: str, sides: Sides) -> DiffOutcome:
    # Parse each file once: a base file with the head's bytes is the same document.
    new = records_of(sides.head, prefix)
    base = records_of(sides.base, prefix, parsed(new))
    pairing = pair_records(base, new, sides.moved)
    problems = [
        *_merge_refusals(sides.base.refused, sides.head.refused),
        *check_deleted(pairing, rev, today),
        *check_renamed(pairing),
        *check_id_changed(pairing),
        *check_id_reused(
            pairing,
            base,
            [prefix + rel for rel in sorted(sides.deleted_before - sides.base.files.keys())],
        ),
        *check_history(pairing),
        *check_announcements(pairing, today),
    ]
    new_sources = sources_of(sides.head, new, prefix)
    validated = pipeline.validate(new_sources, today)
    statuses: tuple[StatusChange, ...] = ()
    note = ""
    if statuses_may_differ(pairing, sides.base, sides.head):
        base_registry = pipeline.validate(sources_of(sides.base, base, prefix), today).registry
        statuses, note = status_changes(pairing, base_registry, validated.registry, today)
    changes = summarise(pairing, statuses, note, other_file_changes(sides.base, sides.head, prefix))
    view = View(
        today=today,
        counties=_county_names(new_sources),
        announcement_titles={
            r.id: r.name for r in new.values() if r.kind == "announcement" and r.id
        },
        registry=validated.registry,
    )
    problems = report.sort_problems(problems)
    text = render(rev, today, changes, view, problems, validated.problems)
    return DiffOutcome(text, tuple(problems), tuple(validated.problems))


def _county_names(sources: Sources) -> dict[str, str]:
    data = sources.counties.data if sources.counties is not None else None
    rows = data.get("counties") if isinstance(data, dict) else None
    return {
        str(c["code"]): str(c["name"])
        for c in (rows if isinstance(rows, list) else [])
        if isinstance(c, dict) and "code" in c and "name" in c
    }


__all__ = ["BaseUnreadable", "DiffOutcome", "Sides", "code", "compare", "diff_against", "fenced"]
