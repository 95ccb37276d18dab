"""What the meaning rules see: the schema-valid documents, indexed once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from generator.load import Document
from generator.model import Rules
from generator.report import Problem, Severity
from generator.workdays import Calendar


@dataclass
class Context:
    today: date
    platforms: list[Document]
    announcements: dict[str, Document]
    counties: Mapping[str, Mapping[str, Any]]
    rules: Rules
    calendar: Calendar
    attachments: Mapping[str, str]  # file name in data/attachments -> sha256 of its bytes
    #: announcement id -> last day of its publicity period (publicity announcements only)
    publicity_ends: dict[str, date] = field(default_factory=dict)
    #: False when some platform file could not be loaded or shaped: rules that need every
    #: record (e.g. "every announcement is referred to") then stay silent rather than
    #: blame the announcement for the broken file's missing reference.
    complete: bool = True
    #: every shaped announcement file; `announcements` keeps one document per id, so a
    #: second file with the same id shows only here (ids.filename, ids.unique)
    announcement_docs: list[Document] = field(default_factory=list)
    #: announcements whose file exists but could not be used (load or schema errors):
    #: references to them are not reported again as "does not exist"
    unusable_announcements: frozenset[str] = frozenset()

    def county_name(self, code: str) -> str:
        c = self.counties.get(code)
        return str(c["name"]) if c else code


def problem(
    doc: Document,
    path: Sequence[str | int],
    rule: str,
    message: str,
    hint: str = "",
    severity: Severity = "error",
) -> Problem:
    return Problem(doc.file, doc.line(path), rule, message, hint, severity, tuple(path))


#: answers of real_date for the texts seen so far: a registry has a few thousand distinct
#: dates and asks about each of them many times (every rule reads the history's dates)
_DATES: dict[str, date | None] = {}


def real_date(text: Any) -> date | None:
    if type(text) is str:
        try:
            return _DATES[text]
        except KeyError:
            pass
    try:
        day: date | None = date.fromisoformat(str(text))
    except ValueError:
        day = None
    if type(text) is str and len(_DATES) < 100_000:
        _DATES[text] = day
    return day


def file_stem(file: str) -> str:
    """PurePosixPath(file).stem without building a path for the usual display path."""
    if not file or file.endswith("/") or "//" in file or "/./" in file or file.startswith("./") or file.endswith("/."):
        return PurePosixPath(file).stem
    name = file.rpartition("/")[2]
    i = name.rfind(".")
    return name[:i] if 0 < i < len(name) - 1 else name


def fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
