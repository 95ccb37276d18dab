"""`registry calendar add YEAR`: a data/calendar.yaml skeleton for a year the holiday
calendar does not know, in the structure of the State Council's notice.

The notice (国务院办公厅关于YYYY年部分节假日安排的通知) has one item per festival, each
with its days off and its make-up working days (调休上班). The skeleton has those items
empty and the notice's date as a placeholder: it fails validation until staff have
copied every day from the notice, so an unfinished year can never count a period.
An existing year is never overwritten; the rest of the file is kept byte for byte.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from generator.load import display_path, load_file
from generator.report import Problem
from generator.workdays import known_package_years

#: the festivals of the notice, in its order (一、元旦 …… 七、国庆节)
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_NUMERALS = "一二三四五六七"
HEADER = "# yaml-language-server: $schema=../schemas/calendar.schema.json\n"
_EMPTY_YEARS = re.compile(r"^years:[ \t]*\[\][ \t]*(#.*)?$", re.MULTILINE)
_YEARS = re.compile(r"^years:[ \t]*(#.*)?$", re.MULTILINE)
_TOP_KEY = re.compile(r"^[^\s#-]", re.MULTILINE)


def skeleton(year: int) -> str:
    """The YAML of one `years` item (indented for the list), to be filled from the notice."""
    lines = [
        f"  # {year}年：逐项照《国务院办公厅关于{year}年部分节假日安排的通知》原文填写，不要按往年推算。",
        "  # 填完以前校验会报错（通知日期未填、放假日为空），公示期不会按未填完的安排计算。",
        f"  - year: {year}",
        "    source:",
        f"      title: 国务院办公厅关于{year}年部分节假日安排的通知",
        '      date: "（待补充：通知发布日期 YYYY-MM-DD）"',
        f"      # number: 国办发明电〔{year - 1}〕N号",
        "      # url: https://www.gov.cn/……",
        "    festivals:",
    ]
    lines += [
        "      # 每个节日对应通知的一条：“X月X日至X日放假调休，共N天”的 N 天逐日写进 holidays，",
        '      # “X月X日（周X）上班”写进 workdays（没有就保留 []）；日期写成带引号的 "YYYY-MM-DD"。',
    ]
    for numeral, name in zip(_NUMERALS, FESTIVALS, strict=True):
        lines += [
            f"      # {numeral}、{name}",
            f"      - name: {name}",
            "        holidays: []",
            "        workdays: []",
        ]
    lines.append(
        "      # 通知把中秋节、国庆节合为一条时，删去上面两项中的一项，另一项改为 name: 中秋节、国庆节"
    )
    return "\n".join(lines) + "\n"


def add_year(data_dir: Path, year: int) -> tuple[Path | None, list[Problem]]:
    """Append the skeleton of `year` to data_dir/calendar.yaml; (path, []) when written."""
    path = data_dir / "calendar.yaml"
    shown = display_path(path)
    if year in known_package_years():
        return None, [
            Problem(
                shown,
                None,
                "calendar.year-known",
                f"{year}年的节假日安排 chinesecalendar 已经收录，不必录入",
                "只有 chinesecalendar 不含的年份才需要写进 calendar.yaml",
            )
        ]
    if not path.exists():
        return _write(path, HEADER + "years:\n" + skeleton(year))
    doc, problems = load_file(path, shown)
    if doc is None:
        return None, problems
    years = doc.data.get("years") if isinstance(doc.data, dict) else None
    if not isinstance(years, list):
        return None, [
            Problem(
                shown,
                None,
                "calendar.add-failed",
                "calendar.yaml 中没有 years 列表，无法自动添加",
                "请先改正 calendar.yaml（registry validate 会指出问题）",
            )
        ]
    for i, entry in enumerate(years):
        if isinstance(entry, dict) and entry.get("year") == year:
            return None, [
                Problem(
                    shown,
                    doc.line(("years", i)),
                    "calendar.year-exists",
                    f"calendar.yaml 中已有{year}年的安排，不会覆盖",
                    "要修改已录入的年份，请直接编辑该项并按通知核对",
                )
            ]
    text = path.read_text(encoding="utf-8")
    if m := _EMPTY_YEARS.search(text):
        new = text[: m.start()] + "years:\n" + skeleton(year) + text[m.end() :].lstrip("\n")
    elif (m := _YEARS.search(text)) and not _TOP_KEY.search(text, m.end()):
        new = text.rstrip("\n") + "\n" + skeleton(year)
    else:
        return None, [
            Problem(
                shown,
                None,
                "calendar.add-failed",
                "calendar.yaml 的 years 不是文件中最后一项，无法自动添加",
                "请把 years 移到文件末尾，或按编辑指南手工添加",
            )
        ]
    return _write(path, new)


def _write(path: Path, text: str) -> tuple[Path | None, list[Problem]]:
    """Write atomically: a failed write leaves the old file as it was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".calendar-", suffix=".yaml")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        return None, [
            Problem(
                display_path(path), None, "calendar.add-failed", f"无法写入文件：{exc.strerror}"
            )
        ]
    return path, []
