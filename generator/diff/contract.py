"""The append-only contract of the data, checked on a pairing of base and head records.

Ids never change and are never reused, record files are never deleted or renamed, a
platform's history only grows at its end, and a published announcement stays as it
was published (attachments may be appended). One function a rule; each returns
Problems (rules ``diff.*``) and touches nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any, Literal

from generator import schemas
from generator.diff.records import (
    Pairing,
    Record,
    canon,
    changed_paths,
    describe,
    event_name,
    field_title,
    history_of,
    one_line,
)
from generator.report import Problem


def check_deleted(pairing: Pairing, rev: str, today: date) -> list[Problem]:
    problems = []
    for old in pairing.deleted:
        restore = f"请恢复文件：git checkout {rev} -- {old.file}"
        if old.kind == "announcement" and published(old, today):
            problems.append(
                Problem(
                    old.file,
                    None,
                    "diff.announcement-deleted",
                    f"{describe(old)}已经发布，记录文件不能删除",
                    f"{restore}。已发布的公告保持原样；如需更正或撤回，请另发一则公告（新文件、新编号）说明",
                )
            )
        else:
            what = (
                "平台不再具备称号时，请在 history 末尾追加 revoked（撤销）事件"
                if old.kind == "platform"
                else "公告有误时请另发一则公告说明"
            )
            problems.append(
                Problem(
                    old.file,
                    None,
                    "diff.deleted",
                    f"{describe(old)}的记录文件被删除；记录文件永不删除",
                    f"{restore}。{what}",
                )
            )
    return problems


def check_renamed(pairing: Pairing) -> list[Problem]:
    return [
        Problem(
            new.file,
            new.line(["id"]) or 1,
            "diff.renamed",
            f"{describe(old)}的记录文件被改名：{old.file} → {new.file}；文件名就是编号，永不更改",
            f"请把文件改回 {old.file}（git mv {new.file} {old.file}），编号（id）也保持“{old.id or old.stem}”",
        )
        for old, new in pairing.renamed
    ]


def check_id_changed(pairing: Pairing) -> list[Problem]:
    problems = []
    for old, new in pairing.common:
        if old.id is not None and new.doc is not None and new.id != old.id:
            shown = "（已删除）" if new.id is None else f"“{one_line(new.id)}”"
            problems.append(
                Problem(
                    new.file,
                    new.line(["id"]),
                    "diff.id-changed",
                    f"{describe(old)}的编号由“{old.id}”改为{shown}；编号一经使用永不更改",
                    f"请把 id 改回“{old.id}”。需要新记录时请新建文件（registry new 会分配新编号）",
                )
            )
    return problems


def check_id_reused(
    pairing: Pairing, base: Mapping[str, Record], deleted_before: Iterable[str]
) -> list[Problem]:
    """New files must not take an id the base uses or that an earlier commit deleted."""
    used: dict[str, str] = {}
    for rec in base.values():
        for key in (rec.stem, rec.id):
            if key:
                used.setdefault(key, f"已由 {rec.file}（{describe(rec)}）使用")
    for file in deleted_before:
        used.setdefault(
            PurePosixPath(file).stem, f"曾在以前的版本中由 {file} 使用（该文件已被删除）"
        )
    problems = []
    for new in pairing.added:
        for key in dict.fromkeys(k for k in (new.id, new.stem) if k):
            if key in used:
                problems.append(
                    Problem(
                        new.file,
                        new.line(["id"]) or 1,
                        "diff.id-reused",
                        f"新文件 {new.file} 使用的编号“{key}”{used[key]}；编号永不复用",
                        "请换一个从未用过的编号（registry new 会自动分配），文件名与 id 保持一致",
                    )
                )
                break
    return problems


# ------------------------------------------------------------- history (append-only)

_HISTORY_EDIT_HINT = (
    "历史只增不改：请把这条事件恢复原样；如原记录有误，请在 history 末尾追加一条 "
    "corrected（更正）事件，在 note 中写明更正了什么、为什么"
)
_HISTORY_REMOVE_HINT = (
    "历史只增不改，已记录的事件不能删除：请恢复这条事件；如原记录有误，请在 history 末尾"
    "追加一条 corrected（更正）事件，在 note 中写明更正了什么、为什么"
)
_HISTORY_ORDER_HINT = (
    "新事件只能追加在 history 末尾，已有事件的顺序不能改变；如原记录有误，请在末尾追加一条 "
    "corrected（更正）事件说明"
)


@dataclass(frozen=True)
class HistoryIssue:
    kind: Literal["edited", "moved", "removed", "inserted"]
    base_index: int | None
    new_index: int | None
    fields: tuple[str, ...] = ()


def _same_date_type(a: Any, b: Any) -> bool:
    return (
        isinstance(a, dict)
        and isinstance(b, dict)
        and ((a.get("date"), a.get("type")) == (b.get("date"), b.get("type")))
    )


def align_history(base: Sequence[Any], new: Sequence[Any]) -> tuple[list[HistoryIssue], list[int]]:
    """Why `new` does not start with `base`, and which new events are appended.

    The contract is simple (base must be a prefix of new); the work here is only to
    explain a violation the way a person made it: an event edited, moved, removed or
    a new one slipped in between, one issue each, not one per shifted position.
    """
    if list(new[: len(base)]) == list(base):
        return [], list(range(len(base), len(new)))
    bk, nk = [canon(e) for e in base], [canon(e) for e in new]
    matcher = difflib.SequenceMatcher(None, bk, nk, autojunk=False)
    matched_base: set[int] = set()
    anchors: set[int] = set()  # new positions that stand for base events
    for block in matcher.get_matching_blocks():
        matched_base.update(range(block.a, block.a + block.size))
        anchors.update(range(block.b, block.b + block.size))
    free = [j for j in range(len(new)) if j not in anchors]
    pending = [i for i in range(len(base)) if i not in matched_base]
    found: dict[int, HistoryIssue] = {}

    def take(i: int, j: int, kind: Literal["edited", "moved"]) -> None:
        fields = ()
        if kind == "edited" and isinstance(base[i], dict) and isinstance(new[j], dict):
            keys = sorted(base[i].keys() | new[j].keys(), key=str)
            fields = tuple(k for k in keys if base[i].get(k) != new[j].get(k))
        found[i] = HistoryIssue(kind, i, j, fields)
        free.remove(j)
        anchors.add(j)

    for i in pending:  # the very same event, elsewhere: moved
        j = next((j for j in free if nk[j] == bk[i]), None)
        if j is not None:
            take(i, j, "moved")
    for i in pending:  # same day, same type, other details: edited
        j = (
            next((j for j in free if _same_date_type(new[j], base[i])), None)
            if i not in found
            else None
        )
        if j is not None:
            take(i, j, "edited")
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():  # in place of it: edited
        if tag == "replace":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=False):
                if i not in found and j in free:
                    take(i, j, "edited")
    issues = [found.get(i) or HistoryIssue("removed", i, None) for i in pending]
    last_anchor = max(anchors, default=-1)
    appended = [j for j in free if j > last_anchor]
    issues += [HistoryIssue("inserted", None, j) for j in free if j < last_anchor]
    return issues, appended


def check_history(pairing: Pairing) -> list[Problem]:
    problems = []
    for old, new in (*pairing.common, *pairing.renamed):
        base_events = history_of(old)
        if old.kind != "platform" or base_events is None or new.doc is None:
            continue
        new_events = history_of(new) or []
        issues, _ = align_history(base_events, new_events)
        for issue in issues:
            problems.append(_history_problem(old, new, base_events, new_events, issue))
    return problems


def _history_problem(
    old: Record,
    new: Record,
    base_events: Sequence[Any],
    new_events: Sequence[Any],
    issue: HistoryIssue,
) -> Problem:
    who = describe(new if new.data.get("name") else old)
    # Indices are set for every kind that uses them (see align_history); -1 never prints.
    i = issue.base_index if issue.base_index is not None else -1
    j = issue.new_index if issue.new_index is not None else -1
    if issue.kind == "removed":
        return Problem(
            new.file,
            new.line(["history"]),
            "diff.history-removed",
            f"{who}的历史事件“{event_name(base_events[i])}”（原第 {i + 1} 条）被删除；历史只增不改",
            _HISTORY_REMOVE_HINT,
        )
    line = new.line(["history", j])
    if issue.kind == "inserted":
        return Problem(
            new.file,
            line,
            "diff.history-edited",
            f"{who}的历史中，新事件“{event_name(new_events[j])}”插在了已有事件之间；历史只能在末尾追加",
            _HISTORY_ORDER_HINT,
        )
    event = event_name(base_events[i])
    if issue.kind == "moved":
        return Problem(
            new.file,
            line,
            "diff.history-edited",
            f"{who}的历史事件“{event}”的位置被改变（原第 {i + 1} 条，现第 {j + 1} 条）；"
            "已有事件的顺序不能改变",
            _HISTORY_ORDER_HINT,
        )
    titles = "、".join(schemas.title("platform", ["history", 0, str(k)]) for k in issue.fields)
    return Problem(
        new.file,
        line,
        "diff.history-edited",
        f"{who}的历史事件“{event}”被修改（{titles or '内容'}）；历史只增不改",
        _HISTORY_EDIT_HINT,
    )


# --------------------------------------------------------- announcements (frozen)

_CORRIGENDUM_HINT = (
    "已发布的公告保持发布时的原样，错别字也不在原文上改：请恢复原内容，另发一则更正公告"
    "（新文件、新编号）说明更正的内容。唯一允许的修改是在 attachments 末尾补充附件"
)


def published(rec: Record, today: date) -> bool:
    """Announcements dated on or before the day are public and frozen."""
    try:
        return date.fromisoformat(str(rec.data.get("date"))) <= today
    except ValueError:
        return False


def check_announcements(pairing: Pairing, today: date) -> list[Problem]:
    problems = []
    for old, new in pairing.common:
        if old.kind != "announcement" or not published(old, today) or new.doc is None:
            continue
        # Attachments may be added afterwards: the signed, stamped PDF of the notice
        # usually arrives days after the text went up. Those already listed stay.
        before = dict(old.data)
        after = dict(new.data)
        old_files = before.pop("attachments", None) or []
        new_files = after.pop("attachments", None) or []
        before.pop("id", None)  # a changed id is diff.id-changed
        after.pop("id", None)
        for path in changed_paths(before, after):
            problems.append(
                Problem(
                    new.file,
                    new.line(path),
                    "diff.announcement-changed",
                    f"{describe(old)}已经发布，不能再修改“{field_title('announcement', path)}”",
                    _CORRIGENDUM_HINT,
                )
            )
        if not isinstance(old_files, list) or not isinstance(new_files, list):
            continue
        for i, item in enumerate(old_files):
            if i >= len(new_files) or new_files[i] != item:
                shown = one_line(item.get("title", "")) if isinstance(item, dict) else ""
                problems.append(
                    Problem(
                        new.file,
                        new.line(["attachments", i] if i < len(new_files) else ["attachments"]),
                        "diff.announcement-changed",
                        f"{describe(old)}已经发布，其附件“{shown}”不能修改或删除",
                        _CORRIGENDUM_HINT,
                    )
                )
    return problems
