"""`registry diff --base REV`: what a pull request changes, and whether it only appends.

The data contract says ids never change and are never reused, record files are never
deleted, a platform's history is append-only and a published announcement stays as
it was published. A reviewer cannot be expected to see all of that in a YAML diff,
so this compares the data at REV (read from git objects) with the working tree and

- writes a readable Chinese summary in Markdown, by platform name, for the pull
  request comment: new platforms, new events, status changes, changed fields, new
  announcements, and the validation result of the working tree;
- reports every change the contract forbids as a Problem (rules ``diff.*``).

Stages, as everywhere in this package: load (``read_base`` and ``read_work_tree``, the
only functions here that touch git or the disk) -> compare (pure functions over
loaded documents) -> render (Markdown text). The CLI prints the text and maps the
outcome to an exit status.

Record text (names, titles, values) is untrusted: it ends up in a GitHub comment, so
it is only ever printed inside code spans or fenced code blocks, where GitHub renders
no HTML, links, mentions, emoji or issue references.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Literal

from generator import model, pipeline, report, schemas
from generator.load import Document, Sources, display_path, parse_yaml
from generator.report import Problem

RECORD_DIRS = {"platforms": "platform", "announcements": "announcement"}
RECORD_SUFFIXES = (".yaml", ".yml")
SINGLE_FILES = ("counties.yaml", "rules.yaml", "calendar.yaml")
ATTACHMENT_DIR = "attachments"

#: Git's default for rename detection: a deleted and an added file at least this
#: similar are one file moved.
RENAME_SIMILARITY = 0.5
#: Text fields whose schema allows more than this many characters (description,
#: body, notes) are summarised as "changed" rather than printed; so is any value
#: with a line break, or one longer than this.
LONG_TEXT = 200


# --------------------------------------------------------------------------- load
# The load step of `registry diff`. Only these functions run git or read files.


@dataclass(frozen=True)
class Tree:
    """The data files of one side, by path relative to the data directory."""

    files: Mapping[str, bytes]
    #: record paths deleted at some point in the base's history (for "never reused")
    deleted_before: frozenset[str] = frozenset()


class BaseUnreadable(Exception):
    """The base revision cannot be read: a usage error (exit status 2), not bad data."""


def _git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise BaseUnreadable("找不到 git 命令，请先安装 Git 并确认它在 PATH 中") from None
    except OSError as exc:
        raise BaseUnreadable(f"无法运行 git：{exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode("utf-8", "replace").split())
        raise BaseUnreadable(detail or f"git {args[0]} 退出码 {done.returncode}")
    return done.stdout


def read_base(data_dir: Path, rev: str) -> Tree:
    """The data directory as it is in commit `rev` (three git calls, no shell)."""
    if not rev or rev.startswith("-"):
        raise BaseUnreadable(f"“{rev}”不是有效的版本名")
    if not data_dir.is_dir():
        raise BaseUnreadable(f"数据目录 {display_path(data_dir)} 不存在")
    # Run inside the data directory: ls-tree and `log --relative` then name the files
    # relative to it, wherever the directory sits in the repository.
    listing = _git(["ls-tree", "-r", "-z", rev, "--", "."], data_dir)
    wanted: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind == "blob" and mode in ("100644", "100755") and _wanted(path):
            wanted[path] = oid
    files = _cat_blobs(wanted, data_dir)
    log = _git(
        ["log", "--relative", "--no-renames", "--diff-filter=D", "--name-only", "--format=",
         "-z", rev, "--", "."],
        data_dir,
    )
    deleted = {
        p for p in (chunk.strip(b"\n").decode("utf-8", "surrogateescape") for chunk in log.split(b"\0"))
        if p and _record_kind(p)
    }
    return Tree(MappingProxyType(files), frozenset(deleted))


def _cat_blobs(wanted: Mapping[str, str], cwd: Path) -> dict[str, bytes]:
    """All blobs in one `git cat-file --batch` call."""
    if not wanted:
        return {}
    paths = sorted(wanted)
    out = _git(["cat-file", "--batch"], cwd, "".join(f"{wanted[p]}\n" for p in paths).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        size = int(header[2])
        files[path] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return files


def read_work_tree(data_dir: Path) -> Tree:
    """The record files and single files of the working tree, as bytes."""
    files: dict[str, bytes] = {}
    for name in SINGLE_FILES:
        if (data_dir / name).is_file():
            files[name] = (data_dir / name).read_bytes()
    for folder in RECORD_DIRS:
        for path in sorted((data_dir / folder).glob("*")):
            rel = f"{folder}/{path.name}"
            if path.is_file() and _record_kind(rel):
                files[rel] = path.read_bytes()
    return Tree(MappingProxyType(files))


def _record_kind(rel: str) -> str | None:
    parts = PurePosixPath(rel).parts
    if len(parts) == 2 and parts[0] in RECORD_DIRS and rel.endswith(RECORD_SUFFIXES):
        return RECORD_DIRS[parts[0]]
    return None


def _wanted(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return bool(_record_kind(rel)) or rel in SINGLE_FILES or (
        len(parts) == 2 and parts[0] == ATTACHMENT_DIR
    )


# ------------------------------------------------------------------ base sources


def base_sources(tree: Tree, records: Mapping[str, Record], data_dir: Path) -> Sources:
    """What `load_sources` would have given for the base, from its git blobs."""
    problems: list[Problem] = []
    docs: dict[str, list[Document]] = {"platform": [], "announcement": []}
    for rel, rec in sorted(records.items()):
        if not rel.endswith(".yaml"):
            continue
        if rec.doc is None:  # the base is broken: enough to know it does not validate
            problems.append(Problem(rec.file, None, "load.syntax", "基准版本中的文件无法解析"))
        else:
            docs[rec.kind].append(rec.doc)
    singles: list[Document | None] = []
    for name in SINGLE_FILES:
        raw = tree.files.get(name)
        doc, found = (None, []) if raw is None else parse_yaml(raw, _shown(data_dir, name))
        problems += found
        singles.append(doc)
    attachments = {
        PurePosixPath(rel).name: hashlib.sha256(raw).hexdigest()
        for rel, raw in sorted(tree.files.items())
        if rel.startswith(f"{ATTACHMENT_DIR}/")
    }
    return Sources(
        platforms=tuple(docs["platform"]),
        announcements=tuple(docs["announcement"]),
        counties=singles[0],
        rules=singles[1],
        calendar=singles[2],
        attachments=MappingProxyType(attachments),
        problems=tuple(problems),
    )


def _shown(data_dir: Path, rel: str) -> str:
    return display_path(data_dir / rel)


# ----------------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """One record file on one side; `doc` is None when the file does not parse."""

    rel: str
    kind: str
    file: str
    raw: bytes
    doc: Document | None

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.doc.data if self.doc is not None else None
        return data if isinstance(data, dict) else {}

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def stem(self) -> str:
        return PurePosixPath(self.rel).stem

    @property
    def name(self) -> str:
        key = "name" if self.kind == "platform" else "title"
        value = self.data.get(key)
        return _one_line(value) if isinstance(value, str) and value.strip() else (self.id or self.stem)

    def line(self, path: Sequence[str | int]) -> int | None:
        return self.doc.line(path) if self.doc is not None else None


def records_of(tree: Tree, data_dir: Path,
               known: Mapping[tuple[str, bytes], Document | None] | None = None) -> dict[str, Record]:
    """Record files parsed; `known` holds documents already parsed, by (file, bytes)."""
    known = known or {}
    out = {}
    for rel, raw in sorted(tree.files.items()):
        kind = _record_kind(rel)
        if kind:
            file = _shown(data_dir, rel)
            doc = known[file, raw] if (file, raw) in known else parse_yaml(raw, file)[0]
            out[rel] = Record(rel, kind, file, raw, doc)
    return out


def _one_line(text: Any) -> str:
    """Whitespace (line breaks included) collapsed: one value, one line."""
    return " ".join(str(text).split())


def _describe(rec: Record) -> str:
    """平台“name”（id） / 公告“title”（date 类型）, for messages."""
    if rec.kind == "platform":
        return f"平台“{rec.name}”（{rec.id or rec.stem}）"
    kind = _announcement_types().get(str(rec.data.get("type")), "公告")
    return f"公告“{rec.name}”（{_one_line(rec.data.get('date', ''))} {kind}）"


def _event_types() -> dict[str, str]:
    return schemas.enum_labels("platform", ["history", 0, "type"])


def _announcement_types() -> dict[str, str]:
    return schemas.enum_labels("announcement", ["type"])


def _event_name(event: Any) -> str:
    """“2023-09-01 公示”: an event named by date and Chinese type label."""
    if not isinstance(event, dict):
        return _one_line(event)
    kind = str(event.get("type", ""))
    return f"{_one_line(event.get('date', ''))} {_event_types().get(kind, _one_line(kind))}"


# ------------------------------------------------------------------------ pairing


@dataclass(frozen=True)
class Pairing:
    """How the record files of base and working tree correspond."""

    common: tuple[tuple[Record, Record], ...]
    renamed: tuple[tuple[Record, Record], ...]
    deleted: tuple[Record, ...]
    added: tuple[Record, ...]


def pair_records(base: Mapping[str, Record], new: Mapping[str, Record]) -> Pairing:
    common = tuple((base[r], new[r]) for r in sorted(base.keys() & new.keys()))
    gone = [base[r] for r in sorted(base.keys() - new.keys())]
    added = {r: new[r] for r in sorted(new.keys() - base.keys())}
    renamed = []
    deleted = []
    for old in gone:
        match = _rename_target(old, [a for a in added.values() if a.kind == old.kind])
        if match is None:
            deleted.append(old)
        else:
            renamed.append((old, match))
            del added[match.rel]
    return Pairing(common, tuple(renamed), tuple(deleted), tuple(added.values()))


def _rename_target(old: Record, candidates: Sequence[Record]) -> Record | None:
    """The added file that is `old` moved: same id, else the most similar content."""
    for cand in candidates:
        if old.id is not None and cand.id == old.id:
            return cand
    best, best_ratio = None, RENAME_SIMILARITY
    old_lines = old.raw.decode("utf-8", "replace").splitlines()
    for cand in candidates:
        matcher = difflib.SequenceMatcher(
            None, old_lines, cand.raw.decode("utf-8", "replace").splitlines(), autojunk=False
        )
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = cand, ratio
    return best


# -------------------------------------------------------------- contract checks


def check_deleted(pairing: Pairing, rev: str, today: date) -> list[Problem]:
    problems = []
    for old in pairing.deleted:
        restore = f"请恢复文件：git checkout {rev} -- {old.file}"
        if old.kind == "announcement" and _published(old, today):
            problems.append(Problem(
                old.file, None, "diff.announcement-deleted",
                f"{_describe(old)}已经发布，记录文件不能删除",
                f"{restore}。已发布的公告保持原样；如需更正或撤回，请另发一则公告（新文件、新编号）说明",
            ))
        else:
            what = "平台不再具备称号时，请在 history 末尾追加 revoked（撤销）事件" if old.kind == "platform" \
                else "公告有误时请另发一则公告说明"
            problems.append(Problem(
                old.file, None, "diff.deleted",
                f"{_describe(old)}的记录文件被删除；记录文件永不删除",
                f"{restore}。{what}",
            ))
    return problems


def check_renamed(pairing: Pairing) -> list[Problem]:
    return [
        Problem(
            new.file, new.line(["id"]) or 1, "diff.renamed",
            f"{_describe(old)}的记录文件被改名：{old.file} → {new.file}；文件名就是编号，永不更改",
            f"请把文件改回 {old.file}（git mv {new.file} {old.file}），编号（id）也保持“{old.id or old.stem}”",
        )
        for old, new in pairing.renamed
    ]


def check_id_changed(pairing: Pairing) -> list[Problem]:
    problems = []
    for old, new in pairing.common:
        if old.id is not None and new.doc is not None and new.id != old.id:
            shown = "（已删除）" if new.id is None else f"“{_one_line(new.id)}”"
            problems.append(Problem(
                new.file, new.line(["id"]), "diff.id-changed",
                f"{_describe(old)}的编号由“{old.id}”改为{shown}；编号一经使用永不更改",
                f"请把 id 改回“{old.id}”。需要新记录时请新建文件（registry new 会分配新编号）",
            ))
    return problems


def check_id_reused(pairing: Pairing, base: Mapping[str, Record], deleted_before: Iterable[str]) -> list[Problem]:
    """New files must not take an id the base uses or that an earlier commit deleted."""
    used: dict[str, str] = {}
    for rec in base.values():
        for key in (rec.stem, rec.id):
            if key:
                used.setdefault(key, f"已由 {rec.file}（{_describe(rec)}）使用")
    for file in deleted_before:
        used.setdefault(PurePosixPath(file).stem, f"曾在以前的版本中由 {file} 使用（该文件已被删除）")
    problems = []
    for new in pairing.added:
        for key in dict.fromkeys(k for k in (new.id, new.stem) if k):
            if key in used:
                problems.append(Problem(
                    new.file, new.line(["id"]) or 1, "diff.id-reused",
                    f"新文件 {new.file} 使用的编号“{key}”{used[key]}；编号永不复用",
                    "请换一个从未用过的编号（registry new 会自动分配），文件名与 id 保持一致",
                ))
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


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _history(rec: Record) -> list[Any] | None:
    value = rec.data.get("history")
    return value if isinstance(value, list) else None


def _same_date_type(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and (
        (a.get("date"), a.get("type")) == (b.get("date"), b.get("type"))
    )


def align_history(base: Sequence[Any], new: Sequence[Any]) -> tuple[list[HistoryIssue], list[int]]:
    """Why `new` does not start with `base`, and which new events are appended.

    The contract is simple (base must be a prefix of new); the work here is only to
    explain a violation the way a person made it: an event edited, moved, removed or
    a new one slipped in between, one issue each, not one per shifted position.
    """
    if list(new[: len(base)]) == list(base):
        return [], list(range(len(base), len(new)))
    bk, nk = [_canon(e) for e in base], [_canon(e) for e in new]
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
        j = next((j for j in free if _same_date_type(new[j], base[i])), None) if i not in found else None
        if j is not None:
            take(i, j, "edited")
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():  # in place of it: edited
        if tag == "replace":
            for i, j in zip(range(i1, i2), range(j1, j2)):
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
        base_events = _history(old)
        if old.kind != "platform" or base_events is None or new.doc is None:
            continue
        new_events = _history(new) or []
        issues, _ = align_history(base_events, new_events)
        for issue in issues:
            problems.append(_history_problem(old, new, base_events, new_events, issue))
    return problems


def _history_problem(old: Record, new: Record, base_events: Sequence[Any], new_events: Sequence[Any],
                     issue: HistoryIssue) -> Problem:
    who = _describe(new if new.data.get("name") else old)
    # Indices are set for every kind that uses them (see align_history); -1 never prints.
    i = issue.base_index if issue.base_index is not None else -1
    j = issue.new_index if issue.new_index is not None else -1
    if issue.kind == "removed":
        return Problem(
            new.file, new.line(["history"]), "diff.history-removed",
            f"{who}的历史事件“{_event_name(base_events[i])}”（原第 {i + 1} 条）被删除；历史只增不改",
            _HISTORY_REMOVE_HINT,
        )
    line = new.line(["history", j])
    if issue.kind == "inserted":
        return Problem(
            new.file, line, "diff.history-edited",
            f"{who}的历史中，新事件“{_event_name(new_events[j])}”插在了已有事件之间；历史只能在末尾追加",
            _HISTORY_ORDER_HINT,
        )
    event = _event_name(base_events[i])
    if issue.kind == "moved":
        return Problem(
            new.file, line, "diff.history-edited",
            f"{who}的历史事件“{event}”的位置被改变（原第 {i + 1} 条，现第 {j + 1} 条）；"
            "已有事件的顺序不能改变",
            _HISTORY_ORDER_HINT,
        )
    titles = "、".join(schemas.title("platform", ["history", 0, str(k)]) for k in issue.fields)
    return Problem(
        new.file, line, "diff.history-edited",
        f"{who}的历史事件“{event}”被修改（{titles or '内容'}）；历史只增不改",
        _HISTORY_EDIT_HINT,
    )


# --------------------------------------------------------- announcements (frozen)

_CORRIGENDUM_HINT = (
    "已发布的公告保持发布时的原样，错别字也不在原文上改：请恢复原内容，另发一则更正公告"
    "（新文件、新编号）说明更正的内容。唯一允许的修改是在 attachments 末尾补充附件"
)


def _published(rec: Record, today: date) -> bool:
    """Announcements dated on or before the day are public and frozen."""
    try:
        return date.fromisoformat(str(rec.data.get("date"))) <= today
    except ValueError:
        return False


def check_announcements(pairing: Pairing, today: date) -> list[Problem]:
    problems = []
    for old, new in pairing.common:
        if old.kind != "announcement" or not _published(old, today) or new.doc is None:
            continue
        # Attachments may be added afterwards: the signed, stamped PDF of the notice
        # usually arrives days after the text went up. Those already listed stay.
        before = dict(old.data)
        after = dict(new.data)
        old_files = before.pop("attachments", None) or []
        new_files = after.pop("attachments", None) or []
        before.pop("id", None)  # a changed id is diff.id-changed
        after.pop("id", None)
        for path in _changed_paths(before, after):
            problems.append(Problem(
                new.file, new.line(path), "diff.announcement-changed",
                f"{_describe(old)}已经发布，不能再修改“{_field_title('announcement', path)}”",
                _CORRIGENDUM_HINT,
            ))
        if not isinstance(old_files, list) or not isinstance(new_files, list):
            continue
        for i, item in enumerate(old_files):
            if i >= len(new_files) or new_files[i] != item:
                shown = _one_line(item.get("title", "")) if isinstance(item, dict) else ""
                problems.append(Problem(
                    new.file, new.line(["attachments", i] if i < len(new_files) else ["attachments"]),
                    "diff.announcement-changed",
                    f"{_describe(old)}已经发布，其附件“{shown}”不能修改或删除",
                    _CORRIGENDUM_HINT,
                ))
    return problems


def _changed_paths(before: Any, after: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Leaf paths where two plain values differ (lists compare whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(before.keys() | after.keys(), key=str):
            if before.get(key, _MISSING) != after.get(key, _MISSING):
                out += _changed_paths(before.get(key, _MISSING), after.get(key, _MISSING), path + (key,))
        return out
    return [path] if before != after else []


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


def _field_title(kind: str, path: Sequence[str | int]) -> str:
    """“联系方式 › 服务电话”: the schema title of every step of the path."""
    parts = []
    for k, part in enumerate(path):
        if isinstance(part, _Year):
            parts.append(f"{part}年度")
        elif isinstance(part, str):
            schema_path = [0 if isinstance(p, _Year) else p for p in path[: k + 1]]
            parts.append(schemas.title(kind, schema_path))
    return " › ".join(parts)


class _Year(int):
    """An indicators row, keyed by its year rather than its position in the list."""


# ----------------------------------------------------------------------- changes


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Any
    new: Any
    how: Literal["value", "long", "hidden", "attachments"] = "value"


@dataclass(frozen=True)
class RecordChange:
    record: Record
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class NewEvents:
    record: Record
    events: tuple[Any, ...]


@dataclass(frozen=True)
class StatusChange:
    record: Record
    old: model.Status
    new: model.Status


@dataclass(frozen=True)
class Changes:
    new_platforms: tuple[Record, ...] = ()
    new_events: tuple[NewEvents, ...] = ()
    statuses: tuple[StatusChange, ...] = ()
    #: why statuses could not be compared, when they could not
    status_note: str = ""
    fields: tuple[RecordChange, ...] = ()
    new_announcements: tuple[Record, ...] = ()
    #: counties, rules, calendar: (file, "修改" | "新增" | "删除")
    other_files: tuple[tuple[str, str], ...] = ()

    @property
    def counts(self) -> tuple[int, int, int, int, int]:
        return (
            len(self.new_platforms),
            sum(len(n.events) for n in self.new_events),
            len(self.statuses),
            sum(len(r.fields) for r in self.fields),
            len(self.new_announcements),
        )


def other_file_changes(base_tree: Tree, new_tree: Tree, data_dir: Path) -> tuple[tuple[str, str], ...]:
    out = []
    for name in SINGLE_FILES:
        before, after = base_tree.files.get(name), new_tree.files.get(name)
        if before != after:
            how = "新增" if before is None else "删除" if after is None else "修改"
            out.append((_shown(data_dir, name), how))
    return tuple(out)


def summarise(pairing: Pairing, statuses: tuple[StatusChange, ...] = (), status_note: str = "",
              other_files: tuple[tuple[str, str], ...] = ()) -> Changes:
    new_events = []
    fields = []
    for old, new in pairing.common:
        if old.kind == "platform" and _history(old) is not None and new.doc is not None:
            new_history = _history(new) or []
            _, appended = align_history(_history(old) or [], new_history)
            if appended:
                new_events.append(NewEvents(new, tuple(new_history[j] for j in appended)))
        found = field_changes(old, new)
        if found:
            fields.append(RecordChange(new, tuple(found)))
    added_platforms = tuple(r for r in pairing.added if r.kind == "platform")
    for rec in added_platforms:
        if _history(rec):
            new_events.append(NewEvents(rec, tuple(_history(rec) or [])))
    return Changes(
        new_platforms=added_platforms,
        new_events=tuple(sorted(new_events, key=lambda n: (n.record.kind, n.record.rel))),
        statuses=statuses,
        status_note=status_note,
        other_files=other_files,
        fields=tuple(fields),
        new_announcements=tuple(sorted(
            (r for r in pairing.added if r.kind == "announcement"),
            key=lambda r: (str(r.data.get("date", "")), r.rel),
        )),
    )


def field_changes(old: Record, new: Record) -> list[FieldChange]:
    if old.doc is None or new.doc is None:
        return []
    before = {k: v for k, v in old.data.items() if k not in ("id", "history")}
    after = {k: v for k, v in new.data.items() if k not in ("id", "history")}
    out = []
    for path in _changed_paths(_by_year(before), _by_year(after)):
        a, b = _get(_by_year(before), path), _get(_by_year(after), path)
        label = _field_title(old.kind, path)
        if path[0] == "internal":
            # Staff-only notes never reach the site; keep them out of the comment too.
            out.append(FieldChange(label, None, None, "hidden"))
        elif path == ("attachments",):
            out.append(FieldChange(label, a, b, "attachments"))
        elif _is_long(a) or _is_long(b) or _long_field(old.kind, path):
            out.append(FieldChange(label, None, None, "long"))
        else:
            out.append(FieldChange(label, a, b))
    return out


def _by_year(value: Any) -> Any:
    """Indicators as {year: row} so that a new year reads as one addition."""
    if isinstance(value, dict):
        return {k: _by_year(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(
        isinstance(x, dict) and isinstance(x.get("year"), int) and not isinstance(x.get("year"), bool)
        for x in value
    ):
        years = [x["year"] for x in value]
        if len(set(years)) == len(years):
            return {_Year(x["year"]): {k: v for k, v in x.items() if k != "year"} for x in value}
    return value


def _get(value: Any, path: Sequence[Any]) -> Any:
    for part in path:
        if not isinstance(value, dict):
            return _MISSING
        value = value.get(part, _MISSING)
    return value


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value.strip())


def _long_field(kind: str, path: Sequence[Any]) -> bool:
    node = schemas.subschema(kind, [0 if isinstance(p, _Year) else p for p in path]) or {}
    return node.get("type") == "string" and int(node.get("maxLength", 0)) > LONG_TEXT


def statuses_may_differ(pairing: Pairing, base_tree: Tree, new_tree: Tree) -> bool:
    """Whether any inputs of the derived status changed: histories, announcements
    (publicity periods), rules (review interval) or the calendar.

    When none did, statuses on the day are equal on both sides and the base need not
    be validated at all (that is most of the run time of a small pull request).
    """
    for name in SINGLE_FILES:
        if name != "counties.yaml" and base_tree.files.get(name) != new_tree.files.get(name):
            return True
    for old, new in pairing.common:
        if old.kind == "announcement" and old.raw != new.raw:
            return True
        if old.kind == "platform" and _history(old) != _history(new):
            return True
    return any(r.kind == "announcement" for r in (*pairing.deleted, *pairing.added)) or any(
        old.kind == "announcement" for old, _ in pairing.renamed
    )


def status_changes(pairing: Pairing, base_registry: model.Registry | None,
                   new_registry: model.Registry | None, today: date) -> tuple[tuple[StatusChange, ...], str]:
    if base_registry is None:
        return (), "基准版本的数据未通过校验，无法推算原状态，此处不列出状态变化。"
    if new_registry is None:
        return (), "工作区数据未通过校验，无法推算新状态，此处不列出状态变化。"
    before = {p.id: p.status(today) for p in base_registry.platforms}
    after = {p.id: p.status(today) for p in new_registry.platforms}
    out = []
    for old, new in pairing.common:
        if new.kind == "platform" and new.id in before and new.id in after and before[new.id] != after[new.id]:
            out.append(StatusChange(new, before[new.id], after[new.id]))
    return tuple(out), ""


# ------------------------------------------------------------------------ render


def code(text: Any) -> str:
    """Record text as an inline code span: inert in GitHub Markdown.

    Inside a code span GitHub renders no HTML, links, autolinks, @mentions, #refs or
    emoji. Line breaks are collapsed (a span cannot hold one) and the fence is one
    backtick longer than any run of backticks in the text, so the text cannot end it.
    """
    text = _one_line(text)
    if not text:
        return "（空）"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


def _token(text: Any) -> str:
    """Ids and dates print plain when they are just that; anything else as code."""
    value = str(text)
    return value if _PLAIN.fullmatch(value) else code(value)


def fenced(text: str, info: str = "text") -> str:
    """A fenced code block no content can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}\n"


def _value(value: Any) -> str:
    if value is _MISSING or value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return code("、".join(str(v) for v in value))
    if isinstance(value, (dict, list)):
        return code(_canon(value))
    return code(value)


@dataclass(frozen=True)
class _View:
    """What rendering needs besides the changes: names and derived dates."""

    today: date
    counties: Mapping[str, str]
    announcement_titles: Mapping[str, str]
    registry: model.Registry | None


def _platform_head(rec: Record) -> str:
    return f"{code(rec.name)}（{_token(rec.id or rec.stem)}）"


def _new_platform_line(rec: Record, view: _View) -> str:
    data = rec.data
    county = str(data.get("county", ""))
    parts = [f"{schemas.title('platform', ['county'])} {code(view.counties.get(county, county))}"]
    recommender = data.get("recommender")
    if isinstance(recommender, dict):
        if recommender.get("type") == "association":
            label = schemas.enum_labels("platform", ["recommender", "type"]).get("association", "")
            who = f"{code(recommender.get('name', ''))}（{label}）"
        else:
            rec_code = str(recommender.get("code", ""))
            who = f"{code(view.counties.get(rec_code, rec_code))}工信部门"
        parts.append(f"{schemas.title('platform', ['recommender'])} {who}")
    if view.registry is not None:
        found = next((p for p in view.registry.platforms if p.id == rec.id), None)
        if found is not None:
            parts.append(f"状态 {found.status(view.today).value}")
    return f"- {_platform_head(rec)}：" + "；".join(parts)


def _event_line(event: Any, view: _View) -> str:
    if not isinstance(event, dict):
        return f"  - {code(_canon(event))}"
    labels = {k: schemas.enum_labels("platform", ["history", 0, k]) for k in ("type", "result", "reason", "level")}
    kind = str(event.get("type", ""))
    head = f"{_token(event.get('date', ''))} {labels['type'].get(kind) or code(kind)}"

    def title(key: str) -> str:
        return schemas.title("platform", ["history", 0, key])

    details = []
    ann = event.get("announcement")
    if ann is not None:
        ann_title = view.announcement_titles.get(str(ann))
        details.append(f"公告 {code(ann_title)}（{_token(ann)}）" if ann_title else f"{title('announcement')} {_token(ann)}")
    for key in ("certificate", "year"):
        if key in event:
            details.append(f"{title(key)} {_value(event[key])}")
    for key in ("result", "reason", "level"):
        if key in event:
            value = str(event[key])
            details.append(f"{title(key)} {labels[key].get(value) or code(value)}")
    if "from" in event or "to" in event:
        details.append(f"{_value(event.get('from'))} → {_value(event.get('to'))}")
    if "note" in event:
        note = event["note"]
        details.append(f"{title('note')} " + ("（较长，请在文件中查看）" if _is_long(note) else _value(note)))
    return f"  - {head}" + ("：" + "；".join(details) if details else "")


def _field_line(change: FieldChange) -> str:
    if change.how == "hidden":
        return f"  - {change.label}：已修改（内部信息，此处不显示内容）"
    if change.how == "long":
        return f"  - {change.label}：已修改（长文本，请在“文件变更”中查看）"
    if change.how == "attachments":
        old = change.old if isinstance(change.old, list) else []
        new = change.new if isinstance(change.new, list) else []
        if new[: len(old)] == old and len(new) > len(old):
            added = "、".join(
                f"{code(a.get('title', ''))}（{code(a.get('file', ''))}）" if isinstance(a, dict) else code(a)
                for a in new[len(old):]
            )
            return f"  - {change.label}：新增 {added}"
        return f"  - {change.label}：已修改"
    return f"  - {change.label}：{_value(change.old)} → {_value(change.new)}"


def _announcement_line(rec: Record, view: _View) -> str:
    data = rec.data
    kind = str(data.get("type", ""))
    line = (f"- {_token(data.get('date', ''))} {_announcement_types().get(kind) or code(kind)}："
            f"{code(rec.name)}（{_token(rec.id or rec.stem)}）")
    pub = data.get("publicity")
    if isinstance(pub, dict):
        found = view.registry.announcement(rec.id or "") if view.registry is not None else None
        if found is not None and found.publicity_end is not None:
            line += f"；公示期 {found.publicity_start} 至 {found.publicity_end}"
        else:
            line += f"；公示期自 {_token(pub.get('start', ''))} 起 {_value(pub.get('working_days'))} 个工作日"
    return line


def render(rev: str, today: date, changes: Changes, view: _View,
           problems: Sequence[Problem], validation: Sequence[Problem]) -> str:
    out = ["## 数据变更摘要", ""]
    n_platforms, n_events, n_status, n_fields, n_anns = changes.counts
    if any(changes.counts) or changes.other_files:
        out.append(
            f"与基准版本 {code(rev)} 相比（状态按 {today.isoformat()} 推算）：新增平台 {n_platforms} 个，"
            f"新事件 {n_events} 条，状态变化 {n_status} 个，字段变更 {n_fields} 处，新增公告 {n_anns} 则。"
        )
    else:
        out.append(f"与基准版本 {code(rev)} 相比，平台和公告数据没有变化。")
    if problems:
        out[-1] += f"发现 {len(problems)} 处不允许的变更，见文末。"
    if changes.new_platforms:
        out += ["", "### 新增平台", ""]
        out += [_new_platform_line(r, view) for r in changes.new_platforms]
    if changes.new_events:
        out += ["", "### 新事件", ""]
        for group in changes.new_events:
            out.append(f"- {_platform_head(group.record)}")
            out += [_event_line(e, view) for e in group.events]
    if changes.statuses or (changes.status_note and any(changes.counts)):
        out += ["", "### 状态变化", ""]
        out += [f"- {_platform_head(s.record)}：{s.old.value} → {s.new.value}" for s in changes.statuses]
        if changes.status_note:
            out.append(changes.status_note)
    if changes.fields:
        out += ["", "### 字段变更", ""]
        for rc in changes.fields:
            what = "平台" if rc.record.kind == "platform" else "公告"
            out.append(f"- {what} {code(rc.record.name)}（{_token(rc.record.id or rc.record.stem)}）")
            out += [_field_line(f) for f in rc.fields]
    if changes.new_announcements:
        out += ["", "### 新增公告", ""]
        out += [_announcement_line(r, view) for r in changes.new_announcements]
    if changes.other_files:
        out += ["", "### 其他数据文件", ""]
        out += [f"- {code(file)}：{how}（请审核人逐行查看）" for file, how in changes.other_files]
    out += ["", "### 校验结果", ""]
    out.append(f"工作区数据按 {today.isoformat()} 校验：{_verdict(validation)}")
    text = "\n".join(out) + "\n"
    if validation:
        text += "\n" + fenced(report.format_text(validation))
    if problems:
        text += (
            "\n### 不允许的变更\n\n"
            "数据只增不改：记录文件不删除、不改名，编号不改、不复用，历史事件只在末尾追加，"
            "已发布的公告不再修改。请按提示改正：\n\n"
        )
        text += fenced(report.format_text(problems))
    return text


def _verdict(problems: Sequence[Problem]) -> str:
    # the report's last line, without its "see the hints above" (here they are below)
    return report.format_text(problems).splitlines()[-1].split("。")[0] + "。"


# ----------------------------------------------------------------------- command


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


def diff_against(data_dir: Path, rev: str, today: date) -> DiffOutcome:
    """Compare the data at `rev` with the working tree: summary text and problems."""
    try:
        base_tree = read_base(data_dir, rev)
    except BaseUnreadable as exc:
        return DiffOutcome(
            f"## 数据变更摘要\n\n无法读取基准版本 {code(rev)}：{code(str(exc))}\n\n"
            "请确认分支或提交存在（例如 origin/main），并且在仓库中运行；"
            "CI 中需要用 fetch-depth: 0 取得完整历史。\n",
            usage_error=True,
        )
    new_tree = read_work_tree(data_dir)
    new_sources = pipeline.load_sources(data_dir)
    return compare(rev, today, data_dir, base_tree, new_tree, new_sources)


def compare(rev: str, today: date, data_dir: Path, base_tree: Tree, new_tree: Tree,
            new_sources: Sources) -> DiffOutcome:
    # Parse each file once: the working tree's documents come from the sources loaded
    # for validation, and a base file with the same bytes is the same document.
    loaded = {d.file: d for d in (*new_sources.platforms, *new_sources.announcements)}
    new = records_of(new_tree, data_dir, {
        (file, raw): loaded[file]
        for rel, raw in new_tree.files.items()
        if (file := _shown(data_dir, rel)) in loaded
    })
    base = records_of(base_tree, data_dir, {(r.file, r.raw): r.doc for r in new.values()})
    pairing = pair_records(base, new)
    problems = [
        *check_deleted(pairing, rev, today),
        *check_renamed(pairing),
        *check_id_changed(pairing),
        *check_id_reused(pairing, base, [
            _shown(data_dir, rel) for rel in sorted(base_tree.deleted_before - base_tree.files.keys())
        ]),
        *check_history(pairing),
        *check_announcements(pairing, today),
    ]
    validated = pipeline.validate(new_sources, today)
    statuses: tuple[StatusChange, ...] = ()
    note = ""
    if statuses_may_differ(pairing, base_tree, new_tree):
        base_registry = pipeline.validate(base_sources(base_tree, base, data_dir), today).registry
        statuses, note = status_changes(pairing, base_registry, validated.registry, today)
    changes = summarise(pairing, statuses, note, other_file_changes(base_tree, new_tree, data_dir))
    view = _View(
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


__all__ = ["DiffOutcome", "code", "compare", "diff_against", "fenced", "read_base", "read_work_tree"]
