"""What the meaning rules see: the schema-valid documents, indexed once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any, NamedTuple

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
    #: data/associations.yaml's entries (articles.association); None when there is no usable list
    #: (missing or broken: reported elsewhere), and then the rules on associations are silent
    associations: list[Mapping[str, Any]] | None = None

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
    if (
        not file
        or file.endswith(("/", "/."))
        or "//" in file
        or "/./" in file
        or file.startswith("./")
    ):
        return PurePosixPath(file).stem
    name = file.rpartition("/")[2]
    i = name.rfind(".")
    return name[:i] if 0 < i < len(name) - 1 else name


def fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class PlatformFacts(NamedTuple):
    """What the rules that compare platforms with each other read of one platform file.

    A function of the file alone (its display path and its data), so the validation
    cache can keep it per file and answer those rules without loading the documents.
    Lines are those `problem()` would give for the paths the rules point at.
    """

    file: str
    id: Any
    #: the file is not named after its id: a copy, blamed rather than the original
    copy: bool
    #: some history event is a revocation (ids aside, a revoked record does not count as taken)
    revoked: bool
    name: Any
    #: operator.uscc, normalised
    uscc: str
    id_line: int | None
    name_line: int | None
    uscc_line: int | None
    #: every history event's `announcement` (None for events without one), once each
    announcements: tuple[Any, ...]
    #: certified events with a certificate number: (event index, number, line of it)
    certificates: tuple[tuple[int, Any, int | None], ...]
    county: Any
    #: recommender.code when a county recommended the platform, else None
    recommender: Any
    #: recommended events with a real date: (event index, year, line of the event)
    recommended: tuple[tuple[int, int, int | None], ...]
    #: days (ordinals) of revocations for fraud with a real date, in history order
    frauds: tuple[int, ...]
    #: operator.name and its line
    operator: Any
    operator_line: int | None
    #: name and operator.name as compared for near-duplicates (text.name_key)
    name_key: Any
    operator_key: Any


def facts_copies_last(ctx: Context) -> list[PlatformFacts]:
    """The platforms' facts, files not named after their id last, then by file: the order
    in which the uniqueness rules meet them (the copy is blamed, not the original).
    Sorted once per Context; the rules that use it do not change the list."""
    found = ctx.__dict__.get("_copies_last")
    if found is None:
        found = sorted(
            (platform_facts(doc) for doc in ctx.platforms), key=lambda f: (f.copy, f.file)
        )
        ctx.__dict__["_copies_last"] = found
    return found


def platform_facts(doc: Document) -> PlatformFacts:
    """The PlatformFacts of a schema-valid platform document, worked out once."""
    found = doc.__dict__.get("_facts")
    if found is None:
        found = _facts(doc)
        doc.__dict__["_facts"] = found  # a frozen dataclass, but not slotted: a memo beside it
    return found


def _facts(doc: Document) -> PlatformFacts:
    from generator.uscc import normalise
    from generator.validate.text import name_key

    data = doc.data
    line = doc.line
    history = data["history"]
    rec = data["recommender"]
    county_rec = rec["type"] == "county"
    revoked = False
    announcements: dict[Any, None] = {}
    certificates = []
    recommended = []
    frauds = []
    for i, e in enumerate(history):
        kind = e["type"]
        announcements[e.get("announcement")] = None
        if kind == "recommended":
            if county_rec:
                d = real_date(e["date"])
                if d is not None:
                    recommended.append((i, d.year, line(("history", i))))
        elif kind == "revoked":
            revoked = True
            if e.get("reason") == "fraud":
                d = real_date(e["date"])
                if d:
                    frauds.append(d.toordinal())
        elif kind == "certified":
            cert = e.get("certificate")
            if cert:
                certificates.append((i, cert, line(("history", i, "certificate"))))
    return PlatformFacts(
        doc.file,
        data["id"],
        data["id"] != file_stem(doc.file),
        revoked,
        data["name"],
        normalise(data["operator"]["uscc"]),
        line(("id",)),
        line(("name",)),
        line(("operator", "uscc")),
        tuple(announcements),
        tuple(certificates),
        data["county"],
        rec["code"] if county_rec else None,
        tuple(recommended),
        tuple(frauds),
        data["operator"]["name"],
        line(("operator", "name")),
        name_key(data["name"]),
        name_key(data["operator"]["name"]),
    )
