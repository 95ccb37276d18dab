"""Record files of one side of `registry diff`, and how the two sides' files pair up.

Pure functions over the bytes `gitread` read: parse each record once, rebuild the
`Sources` the validator takes, and pair base and head files (same path; moved, as git
saw it or by the same id; deleted; added).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from generator import schemas
from generator.diff.gitread import ATTACHMENT_DIR, SINGLE_FILES, Tree, record_kind
from generator.load import Document, Sources, parse_yaml
from generator.report import Problem


@dataclass(frozen=True)
class Record:
    """One record file on one side; `doc` is None when the file does not parse."""

    rel: str
    kind: str
    file: str
    raw: bytes
    doc: Document | None
    problems: tuple[Problem, ...] = ()

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
        return (
            one_line(value) if isinstance(value, str) and value.strip() else (self.id or self.stem)
        )

    def line(self, path: Sequence[str | int]) -> int | None:
        return self.doc.line(path) if self.doc is not None else None


Parsed = tuple[Document | None, tuple[Problem, ...]]


def records_of(
    tree: Tree, prefix: str, known: Mapping[tuple[str, bytes], Parsed] | None = None
) -> dict[str, Record]:
    """Record files parsed; `known` holds files already parsed, by (file, bytes)."""
    known = known or {}
    out = {}
    for rel, raw in sorted(tree.files.items()):
        kind = record_kind(rel)
        if kind:
            file = prefix + rel
            if (file, raw) in known:
                doc, problems = known[file, raw]
            else:
                doc, found = parse_yaml(raw, file)
                problems = tuple(found)
            out[rel] = Record(rel, kind, file, raw, doc, problems)
    return out


def parsed(records: Mapping[str, Record]) -> dict[tuple[str, bytes], Parsed]:
    return {(r.file, r.raw): (r.doc, r.problems) for r in records.values()}


def sources_of(tree: Tree, records: Mapping[str, Record], prefix: str) -> Sources:
    """What `load_sources` gives for a data folder, from one side's git blobs."""
    problems: list[Problem] = []
    docs: dict[str, list[Document]] = {"platform": [], "announcement": []}
    platform_files = 0
    for rel, rec in sorted(records.items()):
        platform_files += rec.kind == "platform"
        if not rel.endswith(".yaml"):
            continue  # .yml: refused by gitread
        problems += rec.problems
        if rec.doc is not None:
            docs[rec.kind].append(rec.doc)
    singles: list[Document | None] = []
    for name in SINGLE_FILES:
        raw = tree.files.get(name)
        if raw is None:
            doc = None
            problems.append(
                Problem(prefix + name, None, "load.missing", f"缺少文件 {prefix + name}")
            )
        else:
            doc, found = parse_yaml(raw, prefix + name)
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
        platform_files=platform_files,
        associations=singles[3],
    )


# ------------------------------------------------------------------------ naming


def one_line(text: Any) -> str:
    """Whitespace (line breaks included) collapsed: one value, one line."""
    return " ".join(str(text).split())


def canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def event_types() -> dict[str, str]:
    return schemas.enum_labels("platform", ["history", 0, "type"])


def announcement_types() -> dict[str, str]:
    return schemas.enum_labels("announcement", ["type"])


def describe(rec: Record) -> str:
    """平台“name”（id） / 公告“title”（date 类型）, for messages."""
    if rec.kind == "platform":
        return f"平台“{rec.name}”（{rec.id or rec.stem}）"
    kind = announcement_types().get(str(rec.data.get("type")), "公告")
    return f"公告“{rec.name}”（{one_line(rec.data.get('date', ''))} {kind}）"


def event_name(event: Any) -> str:
    """“2023-09-01 公示”: an event named by date and Chinese type label."""
    if not isinstance(event, dict):
        return one_line(event)
    kind = str(event.get("type", ""))
    return f"{one_line(event.get('date', ''))} {event_types().get(kind, one_line(kind))}"


def history_of(rec: Record) -> list[Any] | None:
    value = rec.data.get("history")
    return value if isinstance(value, list) else None


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: a key one side does not have
MISSING: Any = _Missing()


class Year(int):
    """An indicators row, keyed by its year rather than its position in the list."""


def changed_paths(
    before: Any, after: Any, path: tuple[str | int, ...] = ()
) -> list[tuple[str | int, ...]]:
    """Leaf paths where two plain values differ (lists compare whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in sorted(before.keys() | after.keys(), key=str):
            if before.get(key, MISSING) != after.get(key, MISSING):
                out += changed_paths(
                    before.get(key, MISSING), after.get(key, MISSING), path + (key,)
                )
        return out
    return [path] if before != after else []


def field_title(kind: str, path: Sequence[str | int]) -> str:
    """“联系方式 › 服务电话”: the schema title of every step of the path."""
    parts = []
    for k, part in enumerate(path):
        if isinstance(part, Year):
            parts.append(f"{part}年度")
        elif isinstance(part, str):
            schema_path = [0 if isinstance(p, Year) else p for p in path[: k + 1]]
            parts.append(schemas.title(kind, schema_path))
    return " › ".join(parts)


# ------------------------------------------------------------------------ pairing


@dataclass(frozen=True)
class Pairing:
    """How the record files of base and head correspond."""

    common: tuple[tuple[Record, Record], ...]
    renamed: tuple[tuple[Record, Record], ...]
    deleted: tuple[Record, ...]
    added: tuple[Record, ...]


def pair_records(
    base: Mapping[str, Record], new: Mapping[str, Record], moved: Sequence[tuple[str, str]] = ()
) -> Pairing:
    """Same path: the same record. A file gone from the base is the added file of
    the same kind that git saw it move to (`moved`, from `git diff -M`), else the one
    with its id; otherwise it was deleted."""
    common = tuple((base[r], new[r]) for r in sorted(base.keys() & new.keys()))
    gone = {r: base[r] for r in sorted(base.keys() - new.keys())}
    added = {r: new[r] for r in sorted(new.keys() - base.keys())}
    renamed = []
    for old_rel, new_rel in moved:
        old, cand = gone.get(old_rel), added.get(new_rel)
        if old is not None and cand is not None and old.kind == cand.kind:
            renamed.append((old, cand))
            del gone[old_rel], added[new_rel]
    deleted = []
    for old in gone.values():
        match = next(
            (
                a
                for a in added.values()
                if a.kind == old.kind and old.id is not None and a.id == old.id
            ),
            None,
        )
        if match is None:
            deleted.append(old)
        else:
            renamed.append((old, match))
            del added[match.rel]
    renamed.sort(key=lambda pair: pair[0].rel)
    return Pairing(common, tuple(renamed), tuple(deleted), tuple(added.values()))
