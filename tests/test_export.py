"""Open data and the Atom feed (generator/export/), from the shipped data and a hostile registry.

The artefacts added for issue 14 (schemas, data package, calendar, QR codes, statistics)
are checked by independent libraries in tests/test_opendata.py."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import yaml

from generator import export, model, paths, pipeline
from tests.conftest import SHIPPED_PUBLISHER

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TODAY = date(2026, 11, 29)
SITE = "https://gxj.example.gov.cn/registry/"
ATOM = "{http://www.w3.org/2005/Atom}"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def out(registry: model.Registry) -> dict[str, bytes]:
    return export.exports(registry, SITE, SHIPPED_PUBLISHER)


def _platforms_json(out: dict[str, bytes]) -> dict:
    return json.loads(out[paths.PLATFORMS_JSON].decode("utf-8"))


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def _xlsx_sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def _xlsx_text(value: object) -> str:
    """A read-back XLSX value in the CSV's spelling."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _xlsx_parts_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in sorted(z.namelist()))


def _all_text(out: dict[str, bytes]) -> str:
    parts = []
    for path, data in sorted(out.items()):
        parts.append(_xlsx_parts_text(data) if path.endswith(".xlsx") else data.decode("utf-8-sig"))
    return "\n".join(parts)


# -- what is exported ---------------------------------------------------------------------


def test_every_output_path(registry: model.Registry, out: dict[str, bytes]) -> None:
    expected = {
        paths.PLATFORMS_JSON,
        paths.PLATFORMS_CSV,
        paths.PLATFORMS_XLSX,
        paths.ANNOUNCEMENTS_JSON,
        paths.ANNOUNCEMENTS_CSV,
        paths.HISTORY_CSV,
        paths.STATISTICS_CSV,
        paths.DATAPACKAGE,
        paths.INDEX_JSON,
        paths.FEED,
        paths.CALENDAR,
    }
    expected |= {
        paths.export_schema(n)
        for n in ("platforms", "platform", "announcements", "announcement", "index")
    }
    for y in registry.years:
        expected |= {paths.year_csv(y), paths.year_xlsx(y), paths.year_json(y)}
    for p in registry.platforms:
        expected |= {paths.platform_json(p.id), paths.platform_calendar(p.id)}
        expected |= {paths.platform_qr(p.id), paths.platform_plaque(p.id)}
    expected |= {paths.announcement_json(a.id) for a in registry.announcements}
    assert set(out) == expected
    assert registry.years  # the shipped data has batches
    assert all(isinstance(v, bytes) and v for v in out.values())


def test_deterministic(registry: model.Registry, out: dict[str, bytes]) -> None:
    again = export.exports(pipeline.validate_dir(DATA, TODAY).registry, SITE, SHIPPED_PUBLISHER)
    assert again.keys() == out.keys()
    for path, data in out.items():
        assert again[path] == data, path


def test_xlsx_has_no_clock_in_it(out: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(out[paths.PLATFORMS_XLSX])) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 29, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2026-11-29T00:00:00Z") == 2  # created and modified


# -- platforms.json -----------------------------------------------------------------------


def test_platforms_json(registry: model.Registry, out: dict[str, bytes]) -> None:
    doc = _platforms_json(out)
    assert out[paths.PLATFORMS_JSON].endswith(b"}\n")
    assert doc["schema_version"] == "1.0"
    assert doc["generated_for"] == "2026-11-29"
    assert doc["publisher"] == "保定市工业和信息化局"
    assert doc["license"] == "CC BY 4.0"
    assert doc["source"] == SITE
    records = doc["platforms"]
    assert len(records) == len(registry.platforms)
    assert [r["id"] for r in records] == sorted(p.id for p in registry.platforms)
    assert set(records[0]) <= set(doc["fields"])
    by_id = {p.id: p for p in registry.platforms}
    for r in records:
        p = by_id[r["id"]]
        status = registry.status(p)
        assert (r["status"], r["status_code"]) == (status.value, status.slug)
        assert r["url"] == f"{SITE}platforms/{p.id}/"
        assert r["certified_year"] == p.certified_year
        nr = p.next_review(TODAY)
        assert r["next_review"] == (nr.isoformat() if nr else None)
        assert r["county"]["name"] == registry.county_name(p.county)
        assert r["categories"] == list(p.categories)
        assert "internal" not in r and "indicators" not in r
        assert all({"date", "type", "type_label", "announcement"} <= set(h) for h in r["history"])
        if status in model.HOLDS_TITLE:
            assert r["certificate"] and r["certified_on"]


def test_statuses_in_shipped_data(out: dict[str, bytes]) -> None:
    statuses = {r["status"] for r in _platforms_json(out)["platforms"]}
    # The sample data is written to show every state on this day.
    assert {"已认定", "待复核", "已撤销", "未予认定"} <= statuses


def test_revoked_platform(registry: model.Registry, out: dict[str, bytes]) -> None:
    revoked = [r for r in _platforms_json(out)["platforms"] if r["status_code"] == "revoked"]
    assert revoked
    for r in revoked:
        assert r["revoked_on"] and r["revocation_reason"] and r["revocation_reason_code"]
        assert r["next_review"] is None
    fraud = next(r for r in revoked if r["id"] == "bd-0003")
    assert (fraud["revoked_on"], fraud["revocation_reason"], fraud["revocation_reason_code"]) == (
        "2025-06-16",
        "弄虚作假",
        "fraud",
    )
    last = fraud["history"][-1]
    assert last["type"] == "revoked" and last["reason_label"] == "弄虚作假"
    assert last["announcement"] == "2025-revocation"
    holding = [r for r in _platforms_json(out)["platforms"] if r["status_code"] != "revoked"]
    assert all(r["revoked_on"] is None and r["revocation_reason"] is None for r in holding)


def test_renamed_and_association(out: dict[str, bytes]) -> None:
    by_id = {r["id"]: r for r in _platforms_json(out)["platforms"]}
    assert by_id["bd-0006"]["former_names"] == ["保定市示例工业设计服务平台"]
    renamed = next(h for h in by_id["bd-0006"]["history"] if h["type"] == "renamed")
    assert renamed["from"] == "保定市示例工业设计服务平台"
    assert by_id["bd-0008"]["recommender"] == {
        "type": "association",
        "name": "保定市示例中小企业服务协会",
    }
    assert by_id["bd-0001"]["recommender"]["type"] == "county"


# -- announcements.json ---------------------------------------------------------------------


def test_announcements_json(registry: model.Registry, out: dict[str, bytes]) -> None:
    doc = json.loads(out[paths.ANNOUNCEMENTS_JSON])
    anns = doc["announcements"]
    assert doc["generated_for"] == "2026-11-29"
    assert len(anns) == len(registry.announcements)
    keys = [(a["date"], a["id"]) for a in anns]
    assert keys == sorted(keys, key=lambda k: (-date.fromisoformat(k[0]).toordinal(), k[1]))
    for a in anns:
        listed = registry.listed_in(a["id"])
        assert [(p["id"], p["event_type"]) for p in a["platforms"]] == [
            (p.id, e.type) for p, e in listed
        ]
        assert a["url"] == f"{SITE}announcements/{a['id']}/"
        assert (a["publicity"] is None) == (a["type"] != "publicity")
    pub = next(a for a in anns if a["id"] == "2024-publicity")
    assert pub["publicity"] == {"start": "2024-09-27", "working_days": 7, "end": "2024-10-11"}
    assert pub["platforms"]


# -- CSV ------------------------------------------------------------------------------------


def test_platforms_csv(registry: model.Registry, out: dict[str, bytes]) -> None:
    data = out[paths.PLATFORMS_CSV]
    assert data.startswith(BOM)
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    rows = _csv_rows(data)
    assert tuple(rows[0]) == export.HEADER
    assert rows[0][:4] == ["编号", "平台名称", "运营单位", "统一社会信用代码"]
    body = rows[1:]
    assert [r[0] for r in body] == sorted(p.id for p in registry.platforms)
    by_id = {p.id: p for p in registry.platforms}
    for r in body:
        p = by_id[r[0]]
        assert r[1] == p.name
        assert r[3] == p.operator.uscc
        assert r[6] == registry.status(p).value
        assert r[14] == f"{SITE}platforms/{p.id}/"
    bd3 = next(r for r in body if r[0] == "bd-0003")
    assert (bd3[6], bd3[10]) == ("已撤销", "2025-06-16")


def test_platforms_xlsx_matches_csv(out: dict[str, bytes]) -> None:
    ws = _xlsx_sheet(out[paths.PLATFORMS_XLSX])
    rows = [[_xlsx_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    assert rows == _csv_rows(out[paths.PLATFORMS_CSV])
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:O{ws.max_row}"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    uscc = [ws.cell(row=r, column=4) for r in range(2, ws.max_row + 1)]
    assert all(c.data_type == "s" for c in uscc)  # text, never a rounded number


def test_xlsx_column_widths_skip_only_what_cannot_be_widest() -> None:
    """The widths measured with shortcuts are the widest display width of each column
    plus 2, between 8 and 60, as measuring every cell gives."""
    from generator.export import tables

    def every_cell(table: tables.Table) -> list[float]:
        widths = []
        for i, head in enumerate(table.header):
            texts = [head] + [tables.csv_text(r[i]) for r in table.rows]
            widest = max(tables._display_width(t) for t in texts)
            widths.append(float(min(max(widest + 2, 8), 60)))
        return widths

    long_cjk = "保定市" * 12  # 72 wide: capped
    table = tables.Table(
        ("编号", "名称", "a", "日期", "长", "混合"),
        [
            ("bd-1", "平台", None, date(2026, 1, 2), "x", "ab"),
            ("bd-22", "abcdefghij", None, None, long_cjk, "平台abc"),
            ("bd-333", "平台名称", "=1+1", date(2026, 12, 31), "y", "abcdefg"),
            ("b", "abcdefghijklmnop", 12345, None, "平" * 5, "平平平平"),
        ],
    )
    widths = tables._column_widths(table)
    assert widths == every_cell(table)
    assert widths[4] == 60 and widths[2] == 8 and widths[1] == 18  # capped, floor, ASCII


def test_year_files_hold_that_batch(registry: model.Registry, out: dict[str, bytes]) -> None:
    for y in registry.years:
        batch = sorted(p.id for p in registry.platforms if p.certified_year == y)
        assert batch
        assert [r[0] for r in _csv_rows(out[paths.year_csv(y)])[1:]] == batch
        ws = _xlsx_sheet(out[paths.year_xlsx(y)])
        assert [c.value for c in ws["A"]][1:] == batch
        assert all(r[8] == str(y) for r in _csv_rows(out[paths.year_csv(y)])[1:])


# -- feed -------------------------------------------------------------------------------------


def test_feed(registry: model.Registry, out: dict[str, bytes]) -> None:
    root = ET.fromstring(out[paths.FEED])
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    assert root.findtext(f"{ATOM}title") == "保定市中小企业公共服务示范平台公告"
    # tag: URIs (RFC 4151), not the site's URL: the ids survive a move of the site
    assert root.findtext(f"{ATOM}id") == "tag:baoding-gxj.github.io,2025:announcements"
    newest = max(a.date for a in registry.announcements)
    assert root.findtext(f"{ATOM}updated") == f"{newest.isoformat()}T00:00:00+08:00"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": f"{SITE}feed.xml", "alternate": SITE}
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(registry.announcements)
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True)
    by_url = {}
    for e in entries:
        ann_id = e.findtext(f"{ATOM}id").removeprefix(
            "tag:baoding-gxj.github.io,2025:announcement/"
        )
        assert registry.announcement(ann_id) is not None
        by_url[ann_id] = e
        html_links = [
            link.get("href")
            for link in e.findall(f"{ATOM}link")
            if link.get("rel") == "alternate" and link.get("type") == "text/html"
        ]
        assert html_links == [f"{SITE}announcements/{ann_id}/"]
        # each entry names the platforms it concerns, in the announcement's order
        related = [
            (link.get("href"), link.get("title"))
            for link in e.findall(f"{ATOM}link")
            if link.get("rel") == "related"
        ]
        expected_related = list(
            dict.fromkeys(
                (f"{SITE}platforms/{p.id}/", p.name) for p, _ in registry.listed_in(ann_id)
            )
        )
        assert related == expected_related
        assert e.find(f"{ATOM}content").get("type") == "text"
        assert e.findtext(f"{ATOM}author/{ATOM}name") == "保定市工业和信息化局"
        assert e.findtext(f"{ATOM}summary")
    hrefs = [el.get("href") for el in root.iter() if el.get("href") is not None]
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert any(
        link.get("rel") == "related" for link in by_url["2024-publicity"].findall(f"{ATOM}link")
    )
    pub = by_url["2024-publicity"]
    n = len({p.id for p, _ in registry.listed_in("2024-publicity")})
    assert pub.findtext(f"{ATOM}summary") == (
        f"公示期为7个工作日，自2024年9月27日至2024年10月11日。拟认定名单共{n}个平台。"
    )
    cert = by_url["2024-certification"]
    assert not cert.findtext(f"{ATOM}summary").endswith("：")  # not the salutation


# -- what must never be exported --------------------------------------------------------------


def _strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [str(node)] if node not in (None, "") else []


def test_internal_notes_never_exported(out: dict[str, bytes]) -> None:
    secrets = []
    for f in sorted((DATA / "platforms").glob("*.yaml")):
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        secrets += _strings(raw.get("internal", {}))
    assert len(secrets) >= 6  # the shipped data does carry staff notes
    text = _all_text(out)
    for s in secrets:
        assert s not in text and html.escape(s) not in text, s
    assert "内部备注" not in text


# -- hostile record text ----------------------------------------------------------------------

HOSTILE_NAME = '<script>alert(1)</script>=HYPERLINK("http://x")'
HOSTILE_OPERATOR = '=HYPERLINK("http://evil.example","点击")'
HOSTILE_ADDRESS = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_PHONE = "+86 312 5000000"
HOSTILE_TITLE = "关于]]></title><script>alert(1)</script>的公示 & <![CDATA[x]]> \"q\" 'a'"
HOSTILE_BODY = "各有关单位：\n\n-1+1 </content><entry>&amp;&lt; ]]>\n\n第三段"
HOSTILE_ISSUER = "</name></author><x>=1+1"


def _hostile_registry() -> model.Registry:
    ann = model.Announcement(
        id="2026-hostile",
        type="certification",
        title=HOSTILE_TITLE,
        date=date(2026, 5, 6),
        issuer=HOSTILE_ISSUER,
        doc_number="-2",
        contact=model.AnnouncementContact("科室<b>", "0312-1"),
        body=HOSTILE_BODY,
        source="data/announcements/2026-hostile.yaml",
    )
    raw = {
        "id": "bd-9999",
        "name": HOSTILE_NAME,
        "operator": {
            "name": HOSTILE_OPERATOR,
            "uscc": "911306715678123414",
            "established": "2010-01-01",
        },
        "county": "130602",
        "services": {"technology": ["检验检测"]},
        "description": "<img src=x onerror=alert(1)> {{ x }} [链接](javascript:alert(1))",
        "contact": {
            "address": HOSTILE_ADDRESS,
            "phone": HOSTILE_PHONE,
            "website": "https://x.example/?a=1&b=<2>",
        },
        "recommender": {"type": "county", "code": "130602"},
        "history": [
            {"date": "2026-01-05", "type": "recommended"},
            {
                "date": "2026-05-06",
                "type": "certified",
                "announcement": "2026-hostile",
                "certificate": "=1+1",
            },
        ],
    }
    platform = model.platform_from_data(raw, "data/platforms/bd-9999.yaml", {})
    rules = model.Rules("办法", 7, "第十二条", 3, "第十七条", "03-31", "第十六条", ())
    counties = (model.County("130602", "竞秀区", "district"),)
    return model.build_registry(TODAY, (platform,), (ann,), counties, rules)


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return export.exports(_hostile_registry(), SITE, SHIPPED_PUBLISHER)


def test_formula_guard() -> None:
    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert export.neutralise(trigger + "1+1") == "'" + trigger + "1+1"
    for safe in ("保定", "0312-5000618", "bd-0001", "https://x.example/", "<b>", ""):
        assert export.neutralise(safe) == safe


def test_hostile_json_round_trips(hostile: dict[str, bytes]) -> None:
    p = json.loads(hostile[paths.PLATFORMS_JSON])["platforms"][0]
    assert p["name"] == HOSTILE_NAME
    assert p["operator"]["name"] == HOSTILE_OPERATOR
    assert p["certificate"] == "=1+1"
    a = json.loads(hostile[paths.ANNOUNCEMENTS_JSON])["announcements"][0]
    assert (a["title"], a["body"], a["issuer"]) == (HOSTILE_TITLE, HOSTILE_BODY, HOSTILE_ISSUER)
    assert a["platforms"] == [
        {
            "id": "bd-9999",
            "name": HOSTILE_NAME,
            "event_type": "certified",
            "event_type_label": "认定",
            "url": f"{SITE}platforms/bd-9999/",
        }
    ]


def test_hostile_csv_neutralised(hostile: dict[str, bytes]) -> None:
    for path in (paths.PLATFORMS_CSV, paths.year_csv(2026)):
        header, row = _csv_rows(hostile[path])
        cells = dict(zip(header, row, strict=False))
        assert cells["平台名称"] == HOSTILE_NAME  # starts with "<": not a formula, kept as is
        assert cells["运营单位"] == "'" + HOSTILE_OPERATOR
        assert cells["地址"] == "'" + HOSTILE_ADDRESS
        assert cells["联系电话"] == "'" + HOSTILE_PHONE
        assert cells["证书编号"] == "'=1+1"
        assert not any(export.is_formula_like(c) for c in row)


def test_hostile_xlsx_is_text(hostile: dict[str, bytes]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(hostile[paths.PLATFORMS_XLSX])).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    values = {ws.cell(row=1, column=c.column).value: c for c in cells if c.row == 2}
    assert values["平台名称"].value == HOSTILE_NAME
    assert values["运营单位"].value == HOSTILE_OPERATOR
    assert values["证书编号"].value == "=1+1"
    assert values["运营单位"].quotePrefix and values["地址"].quotePrefix
    assert not values["编号"].quotePrefix
    sheet_xml = _xlsx_parts_text(hostile[paths.PLATFORMS_XLSX])
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_hostile_feed_escaped(hostile: dict[str, bytes]) -> None:
    data = hostile[paths.FEED]
    assert b"<script>" not in data and b"<x>" not in data
    root = ET.fromstring(data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    e = entries[0]
    assert e.findtext(f"{ATOM}title") == HOSTILE_TITLE
    assert e.findtext(f"{ATOM}content") == HOSTILE_BODY
    assert e.findtext(f"{ATOM}author/{ATOM}name") == HOSTILE_ISSUER
    assert e.findtext(f"{ATOM}summary") == "-1+1 </content><entry>&amp;&lt; ]]>"
    assert {el.tag for el in root.iter()} <= {
        f"{ATOM}{t}"
        for t in (
            "feed",
            "title",
            "id",
            "updated",
            "link",
            "author",
            "name",
            "entry",
            "published",
            "category",
            "summary",
            "content",
            "rights",
        )
    }
    related = [link for link in e.findall(f"{ATOM}link") if link.get("rel") == "related"]
    assert [link.get("title") for link in related] == [HOSTILE_NAME]


def test_control_characters_cannot_break_xml_or_xlsx() -> None:
    reg = _hostile_registry()
    p = reg.platforms[0]
    bad = replace(p, name="平台\x01名称\x0b")
    ann = replace(reg.announcements[0], title="标题\x02", body="正文\x1f\r\n\r\n第二段")
    reg2 = model.build_registry(TODAY, (bad,), (ann,), reg.counties, reg.rules)
    out = export.exports(reg2, SITE, SHIPPED_PUBLISHER)
    root = ET.fromstring(out[paths.FEED])
    e = root.find(f"{ATOM}entry")
    assert e.findtext(f"{ATOM}title") == "标题"
    assert e.findtext(f"{ATOM}content") == "正文\n\n第二段"
    ws = _xlsx_sheet(out[paths.PLATFORMS_XLSX])
    assert ws["B2"].value == "平台名称"
