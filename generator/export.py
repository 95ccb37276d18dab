"""Open data and the Atom feed, computed from the model only.

`exports(registry, site_url)` returns every download as bytes keyed by its output path
(paths.py); the write stage puts them on disk. Nothing here reads the YAML, the disk or
the clock: the model has already dropped `internal:` notes, and the build day is
`registry.today`. The same registry gives byte-identical output, XLSX included.

Record text is untrusted at every boundary it crosses here:
- CSV: a cell that a spreadsheet would read as a formula (OWASP "CSV injection":
  = + - @ tab CR) gets a leading apostrophe.
- XLSX: every string is stored as a string (never a formula), and those same cells get
  Excel's quote prefix, so editing the cell cannot turn it into a formula either.
- Atom: built with ElementTree, which escapes; characters XML 1.0 cannot carry are
  dropped (the loader already rejects them, but the model can be built directly).
- JSON: json.dumps escapes.

Choices this module makes (not fixed by DESIGN.md):
- History, last_change, certificate and revocation are "as of registry.today": an event
  dated after the build day (validation warns about it) is not yet a fact, so it is left
  out, the same way the derived status ignores it. `certified_year` and the per-year
  files follow `Platform.certified_year` / `Registry.years`, like the /lists/<year>/ pages.
- `revoked_on`/`revocation_reason` are set only while the derived status is 已撤销.
- The feed summary of a non-publicity announcement is its first paragraph that is not
  the salutation ("各县（市、区）工业和信息化主管部门，各有关单位："), which every
  notice starts with and which would make every summary the same.
- In the XLSX, dates are real date cells (yyyy-mm-dd) so that Excel sorts and filters
  them; in the CSV they are ISO strings. Excel turns an all-digit 统一社会信用代码 in
  a CSV into a rounded number; the XLSX keeps it as text, so the XLSX is the download
  for Excel users.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any
from xml.etree import ElementTree as ET

from generator import paths, schemas
from generator.model import Announcement, Event, Platform, Registry, Status

SCHEMA_VERSION = "1.0"
PUBLISHER = "保定市工业和信息化局"
LICENSE = "CC BY 4.0"
FEED_TITLE = "保定市中小企业公共服务示范平台公告"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: Beijing time; announcements carry a date only, published at the start of that day.
UTC_OFFSET = "+08:00"


# -- labels from the schema (STYLE.md 4) -------------------------------------------------


@cache
def _event_labels(field: str) -> dict[str, str]:
    return schemas.enum_labels("platform", ["history", 0, field])


@cache
def _announcement_type_labels() -> dict[str, str]:
    return schemas.enum_labels("announcement", ["type"])


@cache
def _category_titles() -> dict[str, str]:
    return {key: title for key, (title, _items) in schemas.service_categories().items()}


def _label(field: str, value: str) -> str:
    return _event_labels(field).get(value, value)


# -- small helpers ----------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _or_none(text: str) -> str | None:
    return text or None


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _events(platform: Platform, today: date) -> tuple[Event, ...]:
    return platform.events_until(today)


def _sorted_announcements(registry: Registry) -> list[Announcement]:
    """Newest first; the same day in id order."""
    return sorted(registry.announcements, key=lambda a: (-a.date.toordinal(), a.id))


def _listed_platform_count(registry: Registry, ann_id: str) -> int:
    return len({p.id for p, _ in registry.listed_in(ann_id)})


# -- platforms.json ---------------------------------------------------------------------


def _title(*path: str | int) -> str:
    return schemas.title("platform", list(path))


def _field_descriptions() -> dict[str, str]:
    t = _title
    statuses = "；".join(f"{s.slug} {s.value}" for s in Status)
    categories = "；".join(f"{k} {v}" for k, v in _category_titles().items())
    return {
        "id": f"{t('id')}，永不更改、永不复用",
        "name": f"{t('name')}（现用名称）",
        "former_names": "曾用名称，按更名先后排列",
        "operator": f"{t('operator')}：name {t('operator', 'name')}，uscc "
        f"{t('operator', 'uscc')}，established {t('operator', 'established')}",
        "county": f"{t('county')}：code 行政区划代码，name 名称",
        "categories": f"服务类别（第六条）：{categories}",
        "services": f"{t('services')}：服务类别 -> 服务项目",
        "status": "状态，按 generated_for 当日由历史推算：" + "、".join(s.value for s in Status),
        "status_code": f"状态代码：{statuses}",
        "certificate": "证书编号（最近一次认定）",
        "certified_on": "认定日期（最近一次认定）",
        "certified_year": "认定年度（首次认定的批次）",
        "next_review": "下次复核日期：认定或上次复核合格满三年（第十七条）；已撤销的为 null",
        "revoked_on": "撤销日期，未撤销的为 null",
        "revocation_reason": f"{t('history', 0, 'reason')}（中文），未撤销的为 null",
        "revocation_reason_code": f"{t('history', 0, 'reason')}代码："
        + "；".join(f"{k} {v}" for k, v in _event_labels("reason").items()),
        "recommender": f"{t('recommender')}：type 类型（county 县（市、区）工信部门，"
        "association 全市性行业协会），code 推荐县代码，name 推荐县或协会名称",
        "contact": f"{t('contact')}：address 地址，phone 服务电话，website 网址，email 电子邮箱",
        "description": f"{t('description')}（纯文本）",
        "url": "平台页面地址",
        "history": f"{t('history')}，按时间顺序：date 日期，type 事件类型，type_label 事件类型（中文），"
        "announcement 相关公告编号，其余字段仅在有值时出现",
        "last_change": "最近一次事件的日期",
    }


def _recommender(registry: Registry, platform: Platform) -> dict[str, str]:
    rec = platform.recommender
    if rec.type == "county":
        return {"type": rec.type, "code": rec.code, "name": registry.county_name(rec.code)}
    return {"type": rec.type, "name": rec.name}


def _history_entry(event: Event) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": event.date.isoformat(),
        "type": event.type,
        "type_label": _label("type", event.type),
        "announcement": _or_none(event.announcement),
    }
    optional: Sequence[tuple[str, Any]] = (
        ("certificate", event.certificate),
        ("year", event.year),
        ("result", event.result),
        ("result_label", _label("result", event.result) if event.result else ""),
        ("reason", event.reason),
        ("reason_label", _label("reason", event.reason) if event.reason else ""),
        ("level", event.level),
        ("level_label", _label("level", event.level) if event.level else ""),
        ("from", event.from_name),
        ("to", event.to_name),
        ("note", event.note),
        ("publicity_end", _iso(event.publicity_end)),
    )
    entry.update((k, v) for k, v in optional if v not in (None, ""))
    return entry


def _revocation(registry: Registry, platform: Platform) -> Event | None:
    if registry.status(platform) is not Status.REVOKED:
        return None
    return platform.revocation(registry.today)


def platform_record(registry: Registry, platform: Platform, site_url: str) -> dict[str, Any]:
    today = registry.today
    status = registry.status(platform)
    cert = platform.certification(today)
    revoked = _revocation(registry, platform)
    events = _events(platform, today)
    c = platform.contact
    return {
        "id": platform.id,
        "name": platform.name,
        "former_names": list(platform.former_names),
        "operator": {
            "name": platform.operator.name,
            "uscc": platform.operator.uscc,
            "established": platform.operator.established.isoformat(),
        },
        "county": {"code": platform.county, "name": registry.county_name(platform.county)},
        "categories": list(platform.categories),
        "services": {k: list(items) for k, items in platform.services},
        "status": status.value,
        "status_code": status.slug,
        "certificate": _or_none(cert.certificate) if cert else None,
        "certified_on": _iso(cert.date) if cert else None,
        "certified_year": platform.certified_year,
        "next_review": _iso(platform.next_review(today)),
        "revoked_on": _iso(revoked.date) if revoked else None,
        "revocation_reason": _label("reason", revoked.reason) if revoked else None,
        "revocation_reason_code": _or_none(revoked.reason) if revoked else None,
        "recommender": _recommender(registry, platform),
        "contact": {
            "address": _or_none(c.address),
            "phone": _or_none(c.phone),
            "website": _or_none(c.website),
            "email": _or_none(c.email),
        },
        "description": platform.description,
        "url": paths.absolute(site_url, paths.platform(platform.id)),
        "history": [_history_entry(e) for e in events],
        "last_change": _iso(max((e.date for e in events), default=None)),
    }


def _envelope(registry: Registry, site_url: str) -> dict[str, Any]:
    """What every JSON download starts with: version, day, publisher, licence, source."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_for": registry.today.isoformat(),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "source": paths.absolute(site_url, paths.HOME),
    }


def platforms_json(registry: Registry, site_url: str) -> bytes:
    return _json(
        {
            **_envelope(registry, site_url),
            "fields": _field_descriptions(),
            "platforms": [
                platform_record(registry, p, site_url)
                for p in sorted(registry.platforms, key=lambda p: p.id)
            ],
        }
    )


# -- announcements.json -----------------------------------------------------------------


def announcement_record(registry: Registry, ann: Announcement, site_url: str) -> dict[str, Any]:
    publicity = None
    if ann.publicity_start is not None:
        publicity = {
            "start": ann.publicity_start.isoformat(),
            "working_days": ann.working_days,
            "end": _iso(ann.publicity_end),
        }
    c = ann.contact
    return {
        "id": ann.id,
        "type": ann.type,
        "type_label": _announcement_type_labels().get(ann.type, ann.type),
        "title": ann.title,
        "date": ann.date.isoformat(),
        "issuer": ann.issuer,
        "doc_number": _or_none(ann.doc_number),
        "publicity": publicity,
        "contact": {
            "department": c.department,
            "phone": c.phone,
            "email": _or_none(c.email),
            "address": _or_none(c.address),
        },
        "body": ann.body,
        "attachments": [
            {"title": a.title, "file": a.file, "sha256": a.sha256} for a in ann.attachments
        ],
        "url": paths.absolute(site_url, paths.announcement(ann.id)),
        "platforms": [
            {
                "id": p.id,
                "name": p.name,
                "event_type": e.type,
                "event_type_label": _label("type", e.type),
                "url": paths.absolute(site_url, paths.platform(p.id)),
            }
            for p, e in registry.listed_in(ann.id)
        ],
    }


def announcements_json(registry: Registry, site_url: str) -> bytes:
    return _json(
        {
            **_envelope(registry, site_url),
            "announcements": [
                announcement_record(registry, a, site_url) for a in _sorted_announcements(registry)
            ],
        }
    )


# -- table rows shared by CSV and XLSX --------------------------------------------------

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

Cell = str | int | date | None


def table_row(registry: Registry, platform: Platform, site_url: str) -> tuple[Cell, ...]:
    today = registry.today
    cert = platform.certification(today)
    revoked = _revocation(registry, platform)
    titles = _category_titles()
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


def _rows(
    registry: Registry, platforms: Iterable[Platform], site_url: str
) -> list[tuple[Cell, ...]]:
    return [table_row(registry, p, site_url) for p in sorted(platforms, key=lambda p: p.id)]


def _batch(registry: Registry, year: int) -> list[Platform]:
    return [p for p in registry.platforms if p.certified_year == year]


#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """OWASP CSV-injection defence: a leading apostrophe keeps the cell plain text."""
    return "'" + text if is_formula_like(text) else text


# -- CSV --------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def to_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with BOM (so Excel reads Chinese), CRLF line ends (RFC 4180)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows([_csv_text(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8-sig")


# -- XLSX -------------------------------------------------------------------------------

_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_widths(rows: Sequence[Sequence[Cell]]) -> list[float]:
    widths = []
    for i, head in enumerate(HEADER):
        texts = [head] + [_csv_text(r[i]) for r in rows]
        widths.append(float(min(max(max(_display_width(t) for t in texts) + 2, 8), 60)))
    return widths


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def to_xlsx(rows: Sequence[Sequence[Cell]], sheet_title: str, today: date, title: str) -> bytes:
    # imported here: openpyxl (and numpy, which it loads) take 0.4 s, which every
    # `registry validate` would otherwise pay through pipeline's import of this module
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append(list(HEADER))
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, str):
                text = _XLSX_ILLEGAL.sub("", value)
                cell.value = text
                # openpyxl reads a string starting with "=" as a formula; force text.
                cell.data_type = "s"
                if is_formula_like(text):
                    cell.quotePrefix = True
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = value
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{ws.max_row}"
    for i, width in enumerate(_column_widths(rows), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width

    props = wb.properties
    props.creator = PUBLISHER
    props.lastModifiedBy = PUBLISHER
    props.title = title
    props.description = f"{LICENSE}；数据日期 {today.isoformat()}"
    props.created = props.modified = _midnight(today)

    raw = io.BytesIO()
    # ExcelWriter rather than Workbook.save: save() stamps `modified` with the clock.
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
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


# -- Atom feed (RFC 4287) ---------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    # XML parsers turn CR and CRLF into LF; normalise so the text round-trips exactly.
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _xml_text(text)
    return el


def _atom_time(day: date) -> str:
    return f"{day.isoformat()}T00:00:00{UTC_OFFSET}"


def _is_salutation(paragraph: str) -> bool:
    return paragraph.rstrip().endswith(("：", ":")) and "\n" not in paragraph.strip()


def feed_summary(registry: Registry, ann: Announcement) -> str:
    if ann.publicity_start is not None and ann.publicity_end is not None:
        count = _listed_platform_count(registry, ann.id)
        return (
            f"公示期为{ann.working_days}个工作日，自{_cn_date(ann.publicity_start)}"
            f"至{_cn_date(ann.publicity_end)}。拟认定名单共{count}个平台。"
        )
    paragraphs = ann.paragraphs
    return next(
        (p for p in paragraphs if not _is_salutation(p)), paragraphs[0] if paragraphs else ""
    )


def atom_feed(registry: Registry, site_url: str) -> bytes:
    announcements = _sorted_announcements(registry)
    newest = max((a.date for a in announcements), default=registry.today)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh"})
    _sub(feed, "title", FEED_TITLE)
    _sub(feed, "id", paths.absolute(site_url, paths.ANNOUNCEMENTS))
    _sub(feed, "updated", _atom_time(newest))
    _sub(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=paths.absolute(site_url, paths.FEED),
    )
    _sub(feed, "link", rel="alternate", type="text/html", href=paths.absolute(site_url, paths.HOME))
    _sub(_sub(feed, "author"), "name", PUBLISHER)
    labels = _announcement_type_labels()
    for ann in announcements:
        url = paths.absolute(site_url, paths.announcement(ann.id))
        entry = _sub(feed, "entry")
        _sub(entry, "title", ann.title)
        _sub(entry, "id", url)
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", _atom_time(ann.date))
        _sub(entry, "updated", _atom_time(ann.date))
        _sub(_sub(entry, "author"), "name", ann.issuer)
        _sub(entry, "category", term=ann.type, label=labels.get(ann.type, ann.type))
        _sub(entry, "summary", feed_summary(registry, ann), type="text")
        _sub(entry, "content", ann.body, type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


# -- everything -------------------------------------------------------------------------


def exports(registry: Registry, site_url: str) -> dict[str, bytes]:
    """Every download and the feed: output path (paths.py) -> content."""
    today = registry.today
    out = {
        paths.PLATFORMS_JSON: platforms_json(registry, site_url),
        paths.ANNOUNCEMENTS_JSON: announcements_json(registry, site_url),
        paths.FEED: atom_feed(registry, site_url),
    }
    all_rows = _rows(registry, registry.platforms, site_url)
    out[paths.PLATFORMS_CSV] = to_csv(all_rows)
    out[paths.PLATFORMS_XLSX] = to_xlsx(
        all_rows, "示范平台", today, "保定市中小企业公共服务示范平台名录"
    )
    for year in registry.years:
        rows = _rows(registry, _batch(registry, year), site_url)
        out[paths.year_csv(year)] = to_csv(rows)
        out[paths.year_xlsx(year)] = to_xlsx(
            rows, f"{year}年度", today, f"{year}年度保定市中小企业公共服务示范平台认定名单"
        )
    return dict(sorted(out.items()))
