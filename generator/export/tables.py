"""CSV and XLSX: the platform lists (all, and per year), announcements, history, statistics.

Record text is untrusted here:
- CSV: a cell that a spreadsheet would read as a formula (OWASP "CSV injection":
  = + - @ tab CR) gets a leading apostrophe.
- XLSX: every string is stored as a string (never a formula), and those same cells get
  Excel's quote prefix, so editing the cell cannot turn it into a formula either.

Excel and the CSV: Excel opens a CSV by guessing each cell's type, so an all-digit
统一社会信用代码 (18 digits) becomes a number rounded to 15 digits, and a phone number
loses its leading 0. The CSV stays plain (it is for programs; the data page says so and
how to import it with text columns); the XLSX is the download for Excel users: every
string cell there is a string cell with the text number format "@", and dates are real
date cells (yyyy-mm-dd) so that Excel sorts and filters them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from generator import paths
from generator.export.common import (
    announcement_type_labels,
    category_titles,
    label,
    or_none,
    revocation,
    sorted_announcements,
    sorted_platforms,
)
from generator.model import Platform, Registry

Cell = str | int | date | None


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


# -- the platform list ------------------------------------------------------------------

HEADER = (
    "编号",
    "平台名称",
    "运营单位",
    "统一社会信用代码",
    "所在县（市、区）",
    "服务类别",
    "状态",
    "证书编号",
    "认定年度",
    "下次复核日期",
    "撤销日期",
    "联系电话",
    "地址",
    "网址",
    "页面地址",
)


def table_row(registry: Registry, platform: Platform, site_url: str) -> tuple[Cell, ...]:
    today = registry.today
    cert = platform.certification(today)
    revoked = revocation(registry, platform)
    titles = category_titles()
    return (
        platform.id,
        platform.name,
        platform.operator.name,
        platform.operator.uscc,
        registry.county_name(platform.county),
        "、".join(titles.get(k, k) for k in platform.categories),
        registry.status(platform).value,
        cert.certificate if cert else None,
        platform.certified_year,
        platform.next_review(today),
        revoked.date if revoked else None,
        platform.contact.phone,
        platform.contact.address,
        platform.contact.website,
        paths.absolute(site_url, paths.platform(platform.id)),
    )


def platform_table(registry: Registry, platforms: Iterable[Platform], site_url: str) -> Table:
    rows = [table_row(registry, p, site_url) for p in sorted_platforms(list(platforms))]
    return Table(HEADER, rows)


# -- announcements and history (the related tables of the data package) -----------------

ANNOUNCEMENT_HEADER = (
    "编号",
    "类型",
    "类型代码",
    "标题",
    "发布日期",
    "文号",
    "公示开始日期",
    "公示工作日数",
    "公示结束日期",
    "页面地址",
)


def announcement_table(registry: Registry, site_url: str) -> Table:
    labels = announcement_type_labels()
    rows: list[tuple[Cell, ...]] = [
        (
            a.id,
            labels.get(a.type, a.type),
            a.type,
            a.title,
            a.date,
            or_none(a.doc_number),
            a.publicity_start,
            a.working_days,
            a.publicity_end,
            paths.absolute(site_url, paths.announcement(a.id)),
        )
        for a in sorted_announcements(registry)
    ]
    return Table(ANNOUNCEMENT_HEADER, rows)


HISTORY_HEADER = (
    "平台编号",
    "序号",
    "日期",
    "事件类型",
    "事件类型代码",
    "公告编号",
    "证书编号",
    "结果代码",
    "撤销原因代码",
)


def history_table(registry: Registry) -> Table:
    """One row per event of every platform, as of the build day, in the records' order."""
    rows: list[tuple[Cell, ...]] = []
    for p in sorted_platforms(list(registry.platforms)):
        for e in p.events_until(registry.today):
            rows.append(
                (
                    p.id,
                    e.index + 1,
                    e.date,
                    label("type", e.type),
                    e.type,
                    or_none(e.announcement),
                    or_none(e.certificate),
                    or_none(e.result),
                    or_none(e.reason),
                )
            )
    return Table(HISTORY_HEADER, rows)


#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """OWASP CSV-injection defence: a leading apostrophe keeps the cell plain text."""
    return "'" + text if is_formula_like(text) else text


# -- CSV --------------------------------------------------------------------------------


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_texts(table: Table) -> list[list[str]]:
    """The text of each cell, as the CSV holds it."""
    return [[csv_text(v) for v in row] for row in table.rows]


def to_csv(table: Table, texts: list[list[str]] | None = None) -> bytes:
    """UTF-8 with BOM (so Excel reads Chinese), CRLF line ends (RFC 4180). `texts`:
    csv_texts(table), when made already."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(table.header)
    writer.writerows(csv_texts(table) if texts is None else texts)
    return buf.getvalue().encode("utf-8-sig")


# -- XLSX -------------------------------------------------------------------------------

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Excel's built-in "Text" number format: what is typed into the cell stays text too
TEXT_FORMAT = "@"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: Widest column, in characters of display width (two per CJK character)
_MAX_WIDTH = 60


def _column_widths(table: Table, texts: list[list[str]] | None = None) -> list[float]:
    """The widest text of each column plus 2, between 8 and 60. A text of n characters is
    at most 2n wide, so a text that cannot be wider than the widest so far is not
    measured, and a column stops being measured once it reaches the cap. `texts`:
    csv_texts(table), when made already."""
    widths = []
    for i, head in enumerate(table.header):
        widest = _display_width(head)
        for n, row in enumerate(table.rows):
            if widest + 2 >= _MAX_WIDTH:
                break
            text = csv_text(row[i]) if texts is None else texts[n][i]
            if 2 * len(text) > widest:
                widest = max(widest, _display_width(text))
        widths.append(float(min(max(widest + 2, 8), _MAX_WIDTH)))
    return widths


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def to_xlsx(
    table: Table,
    sheet_title: str,
    today: date,
    title: str,
    author: str,
    licence: str,
    texts: list[list[str]] | None = None,
) -> bytes:
    """The table as an XLSX workbook; `texts`: csv_texts(table), when made already (for
    the column widths)."""
    # imported here: `registry validate` never needs it
    import xlsxwriter

    raw = io.BytesIO()
    wb = xlsxwriter.Workbook(
        raw,
        {
            "in_memory": True,
            # every string stays a string: never read as a number, formula or link
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    text = wb.add_format({"num_format": TEXT_FORMAT})
    quoted = wb.add_format({"num_format": TEXT_FORMAT, "quote_prefix": True})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet(sheet_title)
    ws.write_row(0, 0, table.header, bold)
    for r, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, str):
                cleaned = _XLSX_ILLEGAL.sub("", value)
                ws.write_string(r, col, cleaned, quoted if is_formula_like(cleaned) else text)
            elif isinstance(value, date):
                ws.write_datetime(r, col, _midnight(value), day)
            elif value is not None:
                ws.write_number(r, col, value)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(table.rows), 1), len(table.header) - 1)
    for i, width in enumerate(_column_widths(table, texts)):
        ws.set_column(i, i, width)
    wb.set_properties(
        {
            "title": title,
            "author": author,
            "comments": f"{licence}；数据日期 {today.isoformat()}",
            "created": _midnight(today),  # no clock: the same data and day, the same bytes
        }
    )
    wb.close()
    return _fixed_zip(raw.getvalue(), today)


def _fixed_zip(data: bytes, today: date) -> bytes:
    """The same archive with fixed entry timestamps and attributes, order kept."""
    stamp = (today.year, today.month, today.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def table_files(
    registry: Registry, site_url: str, author: str, licence: str, subject: str
) -> dict[str, bytes]:
    """Every CSV and XLSX file. A year's list holds the rows of the whole list for its
    platforms (each platform's row and cell texts made once)."""
    today = registry.today
    out: dict[str, bytes] = {}
    everything = platform_table(registry, registry.platforms, site_url)
    texts = csv_texts(everything)
    out[paths.PLATFORMS_CSV] = to_csv(everything, texts)
    out[paths.PLATFORMS_XLSX] = to_xlsx(
        everything, "示范平台", today, f"{subject}名录", author, licence, texts
    )
    row_of = {row[0]: n for n, row in enumerate(everything.rows)}  # by platform id
    for year in registry.years:
        batch = sorted_platforms([p for p in registry.platforms if p.certified_year == year])
        picked = [row_of[p.id] for p in batch]
        table = Table(HEADER, [everything.rows[n] for n in picked])
        year_texts = [texts[n] for n in picked]
        out[paths.year_csv(year)] = to_csv(table, year_texts)
        out[paths.year_xlsx(year)] = to_xlsx(
            table,
            f"{year}年度",
            today,
            f"{year}年度{subject}认定名单",
            author,
            licence,
            year_texts,
        )
    out[paths.ANNOUNCEMENTS_CSV] = to_csv(announcement_table(registry, site_url))
    out[paths.HISTORY_CSV] = to_csv(history_table(registry))
    return out
