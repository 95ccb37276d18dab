"""What a change does, in words: the readable Markdown summary of `registry diff`.

Record text (names, titles, values) is untrusted: it ends up in a GitHub comment, so
it is only ever printed inside code spans or fenced code blocks, where GitHub renders
no HTML, links, mentions, emoji or issue references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from generator import model, report, schemas
from generator.diff.contract import align_history
from generator.diff.gitread import SINGLE_FILES, Tree
from generator.diff.records import (
    MISSING,
    Pairing,
    Record,
    Year,
    announcement_types,
    canon,
    changed_paths,
    field_title,
    history_of,
    one_line,
)
from generator.report import Problem

#: Text fields whose schema allows more than this many characters (description,
#: body, notes) are summarised as "changed" rather than printed; so is any value
#: with a line break, or one longer than this.
LONG_TEXT = 200


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


def other_file_changes(base_tree: Tree, new_tree: Tree, prefix: str) -> tuple[tuple[str, str], ...]:
    out = []
    for name in SINGLE_FILES:
        before, after = base_tree.files.get(name), new_tree.files.get(name)
        if before != after:
            how = "新增" if before is None else "删除" if after is None else "修改"
            out.append((prefix + name, how))
    return tuple(out)


def summarise(
    pairing: Pairing,
    statuses: tuple[StatusChange, ...] = (),
    status_note: str = "",
    other_files: tuple[tuple[str, str], ...] = (),
) -> Changes:
    new_events = []
    fields = []
    for old, new in pairing.common:
        if old.kind == "platform" and history_of(old) is not None and new.doc is not None:
            new_history = history_of(new) or []
            _, appended = align_history(history_of(old) or [], new_history)
            if appended:
                new_events.append(NewEvents(new, tuple(new_history[j] for j in appended)))
        found = field_changes(old, new)
        if found:
            fields.append(RecordChange(new, tuple(found)))
    added_platforms = tuple(r for r in pairing.added if r.kind == "platform")
    for rec in added_platforms:
        if history_of(rec):
            new_events.append(NewEvents(rec, tuple(history_of(rec) or [])))
    return Changes(
        new_platforms=added_platforms,
        new_events=tuple(sorted(new_events, key=lambda n: (n.record.kind, n.record.rel))),
        statuses=statuses,
        status_note=status_note,
        other_files=other_files,
        fields=tuple(fields),
        new_announcements=tuple(
            sorted(
                (r for r in pairing.added if r.kind == "announcement"),
                key=lambda r: (str(r.data.get("date", "")), r.rel),
            )
        ),
    )


def field_changes(old: Record, new: Record) -> list[FieldChange]:
    if old.doc is None or new.doc is None:
        return []
    before = {k: v for k, v in old.data.items() if k not in ("id", "history")}
    after = {k: v for k, v in new.data.items() if k not in ("id", "history")}
    out = []
    for path in changed_paths(_by_year(before), _by_year(after)):
        a, b = _get(_by_year(before), path), _get(_by_year(after), path)
        label = field_title(old.kind, path)
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
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(x, dict)
            and isinstance(x.get("year"), int)
            and not isinstance(x.get("year"), bool)
            for x in value
        )
    ):
        years = [x["year"] for x in value]
        if len(set(years)) == len(years):
            return {Year(x["year"]): {k: v for k, v in x.items() if k != "year"} for x in value}
    return value


def _get(value: Any, path: Sequence[Any]) -> Any:
    for part in path:
        if not isinstance(value, dict):
            return MISSING
        value = value.get(part, MISSING)
    return value


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value.strip())


def _long_field(kind: str, path: Sequence[Any]) -> bool:
    node = schemas.subschema(kind, [0 if isinstance(p, Year) else p for p in path]) or {}
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
        if old.kind == "platform" and history_of(old) != history_of(new):
            return True
    return any(r.kind == "announcement" for r in (*pairing.deleted, *pairing.added)) or any(
        old.kind == "announcement" for old, _ in pairing.renamed
    )


def status_changes(
    pairing: Pairing,
    base_registry: model.Registry | None,
    new_registry: model.Registry | None,
    today: date,
) -> tuple[tuple[StatusChange, ...], str]:
    if base_registry is None:
        return (), "基准版本的数据未通过校验，无法推算原状态，此处不列出状态变化。"
    if new_registry is None:
        return (), "工作区数据未通过校验，无法推算新状态，此处不列出状态变化。"
    before = {p.id: p.status(today) for p in base_registry.platforms}
    after = {p.id: p.status(today) for p in new_registry.platforms}
    out = []
    for _old, new in pairing.common:
        if (
            new.kind == "platform"
            and new.id in before
            and new.id in after
            and before[new.id] != after[new.id]
        ):
            out.append(StatusChange(new, before[new.id], after[new.id]))
    return tuple(out), ""


# ------------------------------------------------------------------------ render


def code(text: Any) -> str:
    """Record text as an inline code span: inert in GitHub Markdown.

    Inside a code span GitHub renders no HTML, links, autolinks, @mentions, #refs or
    emoji. Line breaks are collapsed (a span cannot hold one) and the fence is one
    backtick longer than any run of backticks in the text, so the text cannot end it.
    """
    text = one_line(text)
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
    if value is MISSING or value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return code("、".join(str(v) for v in value))
    if isinstance(value, (dict, list)):
        return code(canon(value))
    return code(value)


@dataclass(frozen=True)
class View:
    """What rendering needs besides the changes: names and derived dates."""

    today: date
    counties: Mapping[str, str]
    announcement_titles: Mapping[str, str]
    registry: model.Registry | None


def _platform_head(rec: Record) -> str:
    return f"{code(rec.name)}（{_token(rec.id or rec.stem)}）"


def _new_platform_line(rec: Record, view: View) -> str:
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
            department = view.registry.rules.county_department if view.registry else "主管部门"
            who = f"{code(view.counties.get(rec_code, rec_code))}{department}"
        parts.append(f"{schemas.title('platform', ['recommender'])} {who}")
    if view.registry is not None:
        found = next((p for p in view.registry.platforms if p.id == rec.id), None)
        if found is not None:
            parts.append(f"状态 {found.status(view.today).value}")
    return f"- {_platform_head(rec)}：" + "；".join(parts)


def _event_line(event: Any, view: View) -> str:
    if not isinstance(event, dict):
        return f"  - {code(canon(event))}"
    labels = {
        k: schemas.enum_labels("platform", ["history", 0, k])
        for k in ("type", "result", "reason", "level")
    }
    kind = str(event.get("type", ""))
    head = f"{_token(event.get('date', ''))} {labels['type'].get(kind) or code(kind)}"

    def title(key: str) -> str:
        return schemas.title("platform", ["history", 0, key])

    details = []
    ann = event.get("announcement")
    if ann is not None:
        ann_title = view.announcement_titles.get(str(ann))
        details.append(
            f"公告 {code(ann_title)}（{_token(ann)}）"
            if ann_title
            else f"{title('announcement')} {_token(ann)}"
        )
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
        details.append(
            f"{title('note')} " + ("（较长，请在文件中查看）" if _is_long(note) else _value(note))
        )
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
                f"{code(a.get('title', ''))}（{code(a.get('file', ''))}）"
                if isinstance(a, dict)
                else code(a)
                for a in new[len(old) :]
            )
            return f"  - {change.label}：新增 {added}"
        return f"  - {change.label}：已修改"
    return f"  - {change.label}：{_value(change.old)} → {_value(change.new)}"


def _announcement_line(rec: Record, view: View) -> str:
    data = rec.data
    kind = str(data.get("type", ""))
    line = (
        f"- {_token(data.get('date', ''))} {announcement_types().get(kind) or code(kind)}："
        f"{code(rec.name)}（{_token(rec.id or rec.stem)}）"
    )
    pub = data.get("publicity")
    if isinstance(pub, dict):
        found = view.registry.announcement(rec.id or "") if view.registry is not None else None
        if found is not None and found.publicity_end is not None:
            line += f"；公示期 {found.publicity_start} 至 {found.publicity_end}"
        else:
            line += f"；公示期自 {_token(pub.get('start', ''))} 起 {_value(pub.get('working_days'))} 个工作日"
    return line


def render(
    rev: str,
    today: date,
    changes: Changes,
    view: View,
    problems: Sequence[Problem],
    validation: Sequence[Problem],
) -> str:
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
        out += [
            f"- {_platform_head(s.record)}：{s.old.value} → {s.new.value}" for s in changes.statuses
        ]
        if changes.status_note:
            out.append(changes.status_note)
    if changes.fields:
        out += ["", "### 字段变更", ""]
        for rc in changes.fields:
            what = "平台" if rc.record.kind == "platform" else "公告"
            out.append(
                f"- {what} {code(rc.record.name)}（{_token(rc.record.id or rc.record.stem)}）"
            )
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
            "已发布的公告不再修改；数据目录中只有普通的数据文件。请按提示改正：\n\n"
        )
        text += fenced(report.format_text(problems))
    return text


def _verdict(problems: Sequence[Problem]) -> str:
    # the report's last line, without its "see the hints above" (here they are below)
    return report.format_text(problems).splitlines()[-1].split("。")[0] + "。"
