"""Problems are values: every stage returns them, the CLI prints them once.

One message shape everywhere (STYLE.md 3):
    data/platforms/bd-0007.yaml:14: 第七条（三）用户满意度应在80%以上，2023年度为75% [rule eligibility.satisfaction]
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]
PathItem = str | int


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    rule: str
    message: str
    hint: str = ""
    severity: Severity = "error"
    path: tuple[PathItem, ...] = field(default=(), compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def problem_to_json(p: Problem) -> dict[str, object]:
    """A problem as a JSON object (how the pages process hands its problems over)."""
    return asdict(p)


def problem_from_json(d: dict[str, Any]) -> Problem:
    """The problem `problem_to_json` wrote."""
    path = tuple(part for part in d.get("path", ()) if isinstance(part, str | int))
    return Problem(
        str(d["file"]),
        int(d["line"]) if isinstance(d.get("line"), int) else None,
        str(d["rule"]),
        str(d["message"]),
        str(d.get("hint", "")),
        "warning" if d.get("severity") == "warning" else "error",
        path,
    )


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: categories of characters never printed as they are: controls, format characters
#: (zero-width, direction overrides...), line/paragraph separators, surrogates
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _unsafe(ch: str) -> bool:
    code = ord(ch)
    return (
        unicodedata.category(ch) in _UNSAFE_CATEGORIES
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def inert(text: str) -> str:
    """text with every character that could act on a terminal, a log or the reader's eye
    (controls, line breaks, zero-width and direction characters, noncharacters) shown as
    an escape: \\n, \\r, \\t or <U+XXXX>. Anything else is left as it is."""
    if text.isprintable():
        return text
    return "".join(
        (_ESCAPES.get(ch) or f"<U+{ord(ch):04X}>") if not ch.isprintable() and _unsafe(ch) else ch
        for ch in text
    )


def _inert_problem(p: Problem) -> Problem:
    return replace(
        p, file=inert(p.file), rule=inert(p.rule), message=inert(p.message), hint=inert(p.hint)
    )


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def _sort_key(p: Problem) -> tuple[str, int, str, str]:
    return (p.file, p.line or 0, p.rule, p.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=_sort_key)


def _printable(problems: Iterable[Problem]) -> list[Problem]:
    """sort_problems, with every text made inert (record text is data, never control)."""
    return [_inert_problem(p) for p in sort_problems(problems)]


def format_text(problems: Iterable[Problem], *, summary: bool = True) -> str:
    """`file:line: message [rule id]` lines, then (for validation) a closing count."""
    problems = _printable(problems)
    lines: list[str] = []
    for p in problems:
        prefix = "" if p.is_error else "警告："
        lines.append(_not_a_command(f"{p.location()}: {prefix}{p.message} [rule {p.rule}]"))
        if p.hint:
            lines.append(f"    提示：{p.hint}")
    if summary:
        lines.append(_summary_line(problems))
    return "\n".join(lines) + "\n"


def _not_a_command(line: str) -> str:
    """The line, with its first colon escaped when it would start with `::` (leading spaces
    aside): the GitHub Actions runner reads such a line of a CI log as a workflow command."""
    if line.lstrip().startswith("::"):
        return line.replace(":", "<U+003A>", 1)
    return line


def _summary_line(problems: list[Problem]) -> str:
    n_err = sum(1 for p in problems if p.is_error)
    n_warn = len(problems) - n_err
    if n_err:
        return f"发现 {n_err} 个错误，{n_warn} 个警告。请按上面的提示修改后再提交。"
    if n_warn:
        return f"校验通过，有 {n_warn} 个警告。"
    return "校验通过，没有发现问题。"


def _gh_escape(value: str, *, prop: bool = False) -> str:
    """A workflow command's data (or, with prop, a property value) escaped as the Actions
    runner unescapes it: no record text can end the command or start another one."""
    value = inert(value)
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands: annotations on the changed lines."""
    out: list[str] = []
    for p in _printable(problems):
        props = [f"file={_gh_escape(p.file, prop=True)}"]
        if p.line:
            props.append(f"line={p.line}")
        props.append(f"title={_gh_escape(p.rule, prop=True)}")
        msg = p.message + (f"（提示：{p.hint}）" if p.hint else "")
        out.append(f"::{p.severity} {','.join(props)}::{_gh_escape(msg)}")
    return "".join(line + "\n" for line in out) + format_text(problems).splitlines()[-1] + "\n"


def format_json(problems: Iterable[Problem]) -> str:
    items = []
    for p in _printable(problems):
        d = asdict(p)
        # a key the loader could not read as text (reported as load.key-type or
        # load.merge-key) stands in the path as null
        d["path"] = [
            inert(part) if isinstance(part, str) else part if isinstance(part, int) else None
            for part in p.path
        ]
        items.append(d)
    n_err = sum(1 for p in items if p["severity"] == "error")
    return (
        json.dumps(
            {"errors": n_err, "warnings": len(items) - n_err, "problems": items},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}
