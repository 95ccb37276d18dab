"""Issue 14's artefacts, each checked by an independent library: jsonschema for the JSON
downloads, openpyxl for the XLSX cell types, frictionless for the data package, icalendar
for the calendars, zxing-cpp for the QR codes, feedparser for the Atom feed. Built from the
shipped data in memory (no MkDocs); tests/test_opendata_build.py checks a real build."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import icalendar
import jsonschema
import numpy as np
import openpyxl
import pytest
import zxingcpp
from frictionless import Package

from generator import export, model, paths, pipeline, schemas
from generator.export import qr, stats
from generator.render import SiteConfig, render_pages
from tests.conftest import SHIPPED_PUBLISHER
from tests.test_export import SITE, TODAY, _hostile_registry

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
OTHER_SITE = "https://registry.example.org/"


@pytest.fixture(scope="module")
def out(registry: model.Registry) -> dict[str, bytes]:
    return export.exports(registry, SITE, SHIPPED_PUBLISHER)


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return export.exports(_hostile_registry(), SITE, SHIPPED_PUBLISHER)


def _json(data: bytes) -> dict:
    return json.loads(data.decode("utf-8"))


# -- JSON Schema ---------------------------------------------------------------------------


def _validator(out: dict[str, bytes], name: str) -> jsonschema.Draft202012Validator:
    schema = _json(out[paths.export_schema(name)])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _schema_of(out: dict[str, bytes], path: str) -> str:
    """The export schema a JSON file names in its `$schema`."""
    url = _json(out[path])["$schema"]
    assert url.startswith(SITE + paths.EXPORT_SCHEMAS)
    return url.removeprefix(SITE + paths.EXPORT_SCHEMAS).removesuffix(".schema.json")


@pytest.mark.parametrize("which", ["out", "hostile"])
def test_every_json_export_matches_its_published_schema(
    which: str, request: pytest.FixtureRequest
) -> None:
    files: dict[str, bytes] = request.getfixturevalue(which)
    json_paths = [
        p for p in files if p.endswith(".json") and not p.startswith(paths.EXPORT_SCHEMAS)
    ]
    json_paths.remove(paths.DATAPACKAGE)  # described by the Data Package spec, checked below
    assert len(json_paths) >= 5
    seen = set()
    for path in json_paths:
        name = _schema_of(files, path)
        seen.add(name)
        errors = sorted(_validator(files, name).iter_errors(_json(files[path])), key=str)
        assert not errors, (path, [e.message for e in errors[:5]])
    assert seen == {"platforms", "platform", "announcements", "announcement", "index"}


def test_export_schemas_name_the_right_files(
    registry: model.Registry, out: dict[str, bytes]
) -> None:
    assert _schema_of(out, paths.PLATFORMS_JSON) == "platforms"
    assert all(_schema_of(out, paths.year_json(y)) == "platforms" for y in registry.years)
    assert _schema_of(out, paths.platform_json("bd-0001")) == "platform"
    assert _schema_of(out, paths.announcement_json("2024-publicity")) == "announcement"
    assert _schema_of(out, paths.INDEX_JSON) == "index"
    for name in ("platforms", "platform", "announcements", "announcement", "index"):
        s = _json(out[paths.export_schema(name)])
        assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert s["$id"] == SITE + paths.export_schema(name)


def test_export_schema_rejects_what_it_should(out: dict[str, bytes]) -> None:
    """The schema constrains: a wrong status, a missing field, an unknown field fail."""
    v = _validator(out, "platform")
    doc = _json(out[paths.platform_json("bd-0001")])
    assert v.is_valid(doc)
    for breaks in (
        lambda d: d["platform"].update(status="有效"),
        lambda d: d["platform"].pop("certificate"),
        lambda d: d["platform"].update(internal={"mobile": "1"}),
        lambda d: d["platform"]["history"][0].update(type="approved"),
        lambda d: d["platform"].update(next_review="2026/01/01"),
        lambda d: d.update(schema_version="2.0"),
    ):
        bad = json.loads(json.dumps(doc))
        breaks(bad)
        assert not v.is_valid(bad)


def test_export_schema_is_not_the_source_schema(out: dict[str, bytes]) -> None:
    """platforms.json is an export: its records do not match the source record schema
    (derived fields, no indicators); the export schema is the one that describes it."""
    source = jsonschema.Draft202012Validator(schemas.schema("platform"))
    record = _json(out[paths.PLATFORMS_JSON])["platforms"][0]
    assert not source.is_valid(record)
    assert _validator(out, "platforms").is_valid(_json(out[paths.PLATFORMS_JSON]))


def test_per_record_files_hold_the_same_records(
    registry: model.Registry, out: dict[str, bytes]
) -> None:
    all_platforms = {r["id"]: r for r in _json(out[paths.PLATFORMS_JSON])["platforms"]}
    for p in registry.platforms:
        one = _json(out[paths.platform_json(p.id)])
        assert one["platform"] == all_platforms[p.id]
        assert one["platform"]["json"] == SITE + f"platforms/{p.id}.json"
    all_anns = {a["id"]: a for a in _json(out[paths.ANNOUNCEMENTS_JSON])["announcements"]}
    for a in registry.announcements:
        assert _json(out[paths.announcement_json(a.id)])["announcement"] == all_anns[a.id]
    for y in registry.years:
        ids = [r["id"] for r in _json(out[paths.year_json(y)])["platforms"]]
        assert ids == sorted(p.id for p in registry.platforms if p.certified_year == y)


def test_index_lists_every_record_file(registry: model.Registry, out: dict[str, bytes]) -> None:
    index = _json(out[paths.INDEX_JSON])
    assert [e["id"] for e in index["platforms"]] == sorted(p.id for p in registry.platforms)
    assert {e["id"] for e in index["announcements"]} == {a.id for a in registry.announcements}
    for entry in index["platforms"] + index["announcements"]:
        for key in ("json", "calendar", "qr", "plaque"):
            if key in entry:
                assert entry[key].removeprefix(SITE) in out, entry[key]


# -- XLSX: Excel-safe text ----------------------------------------------------------------------


def test_xlsx_keeps_codes_and_phones_as_text(
    registry: model.Registry, out: dict[str, bytes]
) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(out[paths.PLATFORMS_XLSX])).worksheets[0]
    header = [c.value for c in ws[1]]
    digits_only = 0
    for name in ("统一社会信用代码", "联系电话", "证书编号", "编号"):
        col = header.index(name) + 1
        for r in range(2, ws.max_row + 1):
            cell = ws.cell(row=r, column=col)
            if cell.value is None:
                continue
            assert cell.data_type == "s", (name, r)
            assert cell.number_format == "@", (name, r)
            assert isinstance(cell.value, str)
            digits_only += name == "统一社会信用代码" and cell.value.isdigit()
    # the shipped data has all-digit codes, the ones Excel mangles when it opens the CSV
    assert digits_only >= 3
    by_id = {p.id: p for p in registry.platforms}
    for row in ws.iter_rows(min_row=2, values_only=True):
        assert row[header.index("统一社会信用代码")] == by_id[row[0]].operator.uscc
        assert row[header.index("联系电话")] == by_id[row[0]].contact.phone


# -- Frictionless data package ------------------------------------------------------------------


def _write(files: dict[str, bytes], folder: Path) -> None:
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def test_datapackage_validates_with_frictionless(
    registry: model.Registry, out: dict[str, bytes], tmp_path: Path
) -> None:
    _write(out, tmp_path)
    descriptor = _json(out[paths.DATAPACKAGE])
    report = Package(str(tmp_path / paths.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    names = [r["name"] for r in descriptor["resources"]]
    assert names[:4] == ["platforms", "announcements", "history", "statistics"]
    assert {f"platforms-{y}" for y in registry.years} <= set(names)
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["created"] == "2026-11-29T00:00:00+08:00"
    assert descriptor["sources"]
    history = next(r for r in descriptor["resources"] if r["name"] == "history")
    assert {fk["reference"]["resource"] for fk in history["schema"]["foreignKeys"]} == {
        "platforms",
        "announcements",
    }
    code = next(f for f in history["schema"]["fields"] if f["name"] == "事件类型代码")
    assert {"value": "certified", "label": "认定"} in code["categories"]
    assert set(code["constraints"]["enum"]) == set(schemas.enum("platform", ["history", 0, "type"]))


def test_datapackage_catches_a_broken_file(out: dict[str, bytes], tmp_path: Path) -> None:
    """The package is not vacuous: a history row naming an unknown platform, or a changed
    file, fails frictionless."""
    _write(out, tmp_path)
    csv_path = tmp_path / paths.HISTORY_CSV
    text = csv_path.read_bytes().replace(b"\r\nbd-0001,1,", b"\r\nbd-9999,1,", 1)
    assert text != out[paths.HISTORY_CSV]
    csv_path.write_bytes(text)
    report = Package(str(tmp_path / paths.DATAPACKAGE)).validate()
    assert not report.valid
    types = {e.type for task in report.tasks for e in task.errors}
    assert "hash-count" in types or "foreign-key" in types or "byte-count" in types


def test_hostile_datapackage_validates(hostile: dict[str, bytes], tmp_path: Path) -> None:
    _write(hostile, tmp_path)
    report = Package(str(tmp_path / paths.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


# -- iCalendar ----------------------------------------------------------------------------------


def _events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == len(cal.walk("VEVENT"))  # UIDs are unique
    return events


def test_calendar_has_every_deadline(registry: model.Registry, out: dict[str, bytes]) -> None:
    events = _events(out[paths.CALENDAR])
    tag = "tag:baoding-gxj.github.io,2025:"
    publicity = [a for a in registry.announcements if a.publicity_start]
    assert publicity
    for a in publicity:
        e = events[f"{tag}announcement/{a.id}/publicity"]
        assert e.decoded("DTSTART") == a.publicity_start
        assert e.decoded("DTEND") == a.publicity_end + timedelta(days=1)  # exclusive end
        assert f"公示期为{a.working_days}个工作日" in str(e["DESCRIPTION"])
        assert "第十二条" in str(e["DESCRIPTION"])
        assert str(e["URL"]) == f"{SITE}announcements/{a.id}/"
    reviews = 0
    for p in registry.platforms:
        due = p.next_review(TODAY)
        uid = f"{tag}platform/{p.id}/review/{due.isoformat()}" if due else None
        if due:
            reviews += 1
            assert events[uid].decoded("DTSTART") == due
            assert "第十七条" in str(events[uid]["DESCRIPTION"])
    assert reviews >= 5
    annual = [e for uid, e in events.items() if uid.startswith(f"{tag}annual-report/")]
    assert annual and all(e.decoded("DTSTART").strftime("%m-%d") == "03-31" for e in annual)
    assert all("第十六条" in str(e["DESCRIPTION"]) for e in annual)
    assert max(e.decoded("DTSTART").year for e in annual) == TODAY.year + 1


def test_calendar_uids_are_stable(registry: model.Registry, out: dict[str, bytes]) -> None:
    """The same UIDs from another site URL and from a later build day."""
    moved = export.exports(registry, OTHER_SITE, SHIPPED_PUBLISHER)
    assert _events(moved[paths.CALENDAR]).keys() == _events(out[paths.CALENDAR]).keys()
    later = pipeline.validate_dir(DATA, TODAY + timedelta(days=1)).registry
    again = export.exports(later, SITE, SHIPPED_PUBLISHER)
    assert _events(again[paths.CALENDAR]).keys() == _events(out[paths.CALENDAR]).keys()


def test_platform_calendar(registry: model.Registry, out: dict[str, bytes]) -> None:
    shared = _events(out[paths.CALENDAR])
    for p in registry.platforms:
        events = _events(out[paths.platform_calendar(p.id)])
        for uid, e in events.items():  # one event, one UID, wherever it appears
            if ":annual-report/" in uid or uid.endswith("/publicity"):
                assert e.to_ical() == shared[uid].to_ical(), uid
        publicity = {e.announcement for e in p.events_until(TODAY) if e.type == "publicity"}
        assert {u for u in events if u.endswith("/publicity")} == {
            f"tag:baoding-gxj.github.io,2025:announcement/{a}/publicity" for a in publicity
        }
        annual = sorted(e.decoded("DTSTART") for u, e in events.items() if ":annual-report/" in u)
        if p.certified_year:
            assert annual[0] == date(p.certified_year + 1, 3, 31)
        else:
            assert not annual
        revoked = p.revocation(TODAY)
        if revoked:
            assert annual[-1] <= revoked.date  # no deadline after the revocation
            assert not any("/review/" in u for u in events)
        elif annual:
            assert annual[-1] == date(TODAY.year + 1, 3, 31)


# -- QR codes and plaques ------------------------------------------------------------------------


def _raster(svg: bytes) -> np.ndarray:
    """Rasterise the code's SVG (qr.svg) in module units: a white background and one path of
    horizontal dark strokes (M/m moves, h draws); the rest of the image stays white."""
    root = ET.fromstring(svg)
    w, h = (int(float(v)) for v in root.get("viewBox").split()[2:])
    strokes = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("stroke")]
    assert len(strokes) == 1 and strokes[0].get("stroke") == "#000"
    d = strokes[0].get("d")
    img = np.full((h, w), 255, dtype=np.uint8)
    x = y = 0.0
    for cmd, a, b in re.findall(r"([MmHhVv])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", d):
        if cmd in "Mm":
            x, y = (float(a), float(b)) if cmd == "M" else (x + float(a), y + float(b))
        elif cmd in "Hh":
            end = float(a) if cmd == "H" else x + float(a)
            img[int(y), int(min(x, end)) : int(max(x, end))] = 0
            x = end
        else:
            raise AssertionError(f"unexpected path command {cmd}")
    return np.kron(img, np.ones((8, 8), dtype=np.uint8))


def test_qr_codes_decode_to_the_verification_page(
    registry: model.Registry, out: dict[str, bytes]
) -> None:
    for p in registry.platforms:
        svg = out[paths.platform_qr(p.id)]
        found = zxingcpp.read_barcodes(_raster(svg))
        assert [r.text for r in found] == [f"{SITE}platforms/{p.id}/"], p.id
        assert found[0].format == zxingcpp.BarcodeFormat.QRCode
        # a white background of its own: scannable on the theme's dark palette too
        assert b'<path fill="#fff" d="M0 0h' in svg


def test_qr_svg_draws_each_run_of_dark_modules_once() -> None:
    # rows of modules as zxing-cpp gives them: 0 dark, 255 light; the quiet zone (4) added
    rows = [b"\x00\xff\x00\x00", b"\xff\xff\xff\xff", b"\xff\x00\x00\x00", b"\x00" * 4]
    svg = qr.svg(rows, 'a <b> & "c"')
    root = ET.fromstring(svg)
    assert root.get("viewBox") == "0 0 48 48"  # (4 + 2 * 4) modules of 4 pixels
    assert root.find("{http://www.w3.org/2000/svg}title").text == 'a <b> & "c"'
    assert b'd="M4 4.5h1m1 0h2M5 6.5h3M4 7.5h4"' in svg
    assert _raster(svg)[::8, ::8][4:8, 4:8].tolist() == [
        [0, 255, 0, 0],
        [255, 255, 255, 255],
        [255, 0, 0, 0],
        [0, 0, 0, 0],
    ]


def test_plaque(registry: model.Registry, out: dict[str, bytes], hostile: dict[str, bytes]) -> None:
    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    for p in registry.platforms:
        page = Collect()
        page.feed(out[paths.platform_plaque(p.id)].decode("utf-8"))
        tags = [t for t, _ in page.tags]
        assert "svg" in tags and "script" not in tags and "img" not in tags
        assert not any(a.get("src") for _, a in page.tags)  # nothing fetched
        text = "".join(page.text)
        assert p.name in text and f"{SITE}platforms/{p.id}/" in text
        cert = p.certification(TODAY)
        if registry.status(p) in model.HOLDS_TITLE:
            assert cert.certificate in text and "不作为证明" not in text
        else:
            assert "不作为证明" in text
        back = [a["href"] for t, a in page.tags if t == "a"]
        assert back == ["./"]  # plaque.html lies in the page's folder
    raw = hostile[paths.platform_plaque("bd-9999")].decode("utf-8")
    assert "<script>" not in raw and "&lt;script&gt;" in raw


# -- statistics ----------------------------------------------------------------------------------


def test_statistics_numbers(registry: model.Registry, out: dict[str, bytes]) -> None:
    dims = {d.key: d for d in stats.statistics(registry)}
    assert dims["status"].total == len(registry.platforms)
    holding = [p for p in registry.platforms if registry.status(p) in model.HOLDS_TITLE]
    assert dims["county"].total == len(holding)
    assert dims["year"].total == sum(1 for p in registry.platforms if p.certified_year)
    rows = out[paths.STATISTICS_CSV].decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == sum(len(d.groups) for d in dims.values())


def test_statistics_page(registry: model.Registry) -> None:
    text = render_pages(registry, SiteConfig(site_url=SITE))[paths.source_md(paths.STATISTICS)]
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.DOTALL)
    dims = stats.statistics(registry)
    assert len(svgs) == len(dims) == 4
    for svg, dim in zip(svgs, dims, strict=True):
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        assert texts == [x for g in dim.groups for x in (g.label, str(g.count))]
        for g in dim.groups:  # the table repeats every number
            assert (
                f'<tr><th scope="row">{g.label}</th><td data-label="平台数">{g.count}</td></tr>'
                in text
            )


# -- Atom, read by feedparser -------------------------------------------------------------------


def test_feed_ids_are_tag_uris_stable_across_domains(
    registry: model.Registry, out: dict[str, bytes]
) -> None:
    feed = feedparser.parse(out[paths.FEED])
    assert not feed.bozo, feed.bozo_exception
    moved = feedparser.parse(export.exports(registry, OTHER_SITE, SHIPPED_PUBLISHER)[paths.FEED])
    ids = [e.id for e in feed.entries]
    assert ids == [e.id for e in moved.entries]
    assert all(
        re.fullmatch(r"tag:baoding-gxj\.github\.io,2025:announcement/[a-z0-9-]+", i) for i in ids
    )
    entry = next(e for e in feed.entries if e.id.endswith("/2024-certification"))
    named = [link.title for link in entry.links if link.rel == "related"]
    listed = list(dict.fromkeys(p.name for p, _ in registry.listed_in("2024-certification")))
    assert named == listed and named


# -- adoption files ------------------------------------------------------------------------------


def test_adoption_files() -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and "keepachangelog.com" in changelog
    assert re.search(
        rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE
    )
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "CC BY 4.0" in licence  # code and data, separately
    descriptor = _json(
        export.exports(pipeline.validate_dir(DATA, TODAY).registry, SITE, SHIPPED_PUBLISHER)[
            paths.DATAPACKAGE
        ]
    )
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for command in ("registry validate", "python -m pytest", "ruff check"):
        assert command in contributing
    security = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "registry diff" in security and "Report a vulnerability" in security


def test_calendar_reuse_gives_the_librarys_bytes(
    registry: model.Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events serialised once and reused across calendars: the same bytes as letting
    icalendar assemble every calendar itself."""
    from generator.export import ical

    fast = ical.calendar_files(registry, SITE, SHIPPED_PUBLISHER)

    def by_library(cal: icalendar.Calendar, events: list, done: dict) -> bytes:
        for pending in events:
            if pending is not None:
                uid, build = pending
                ev = build()
                assert str(ev["UID"]) == uid
                cal.add_component(ev)
        return cal.to_ical()

    monkeypatch.setattr(ical, "_assemble", by_library)
    assert ical.calendar_files(registry, SITE, SHIPPED_PUBLISHER) == fast


def test_no_annual_deadline_after_a_revocation(registry: model.Registry) -> None:
    from dataclasses import replace

    from generator.export import ical

    revoked = next(p for p in registry.platforms if p.revocation(TODAY))
    for day, last in (
        (date(2025, 2, 10), 2024),
        (date(2025, 3, 31), 2025),
        (date(2025, 4, 1), 2025),
    ):
        history = tuple(replace(e, date=day) if e.type == "revoked" else e for e in revoked.history)
        p = replace(revoked, history=history)
        events = _events(ical.platform_calendar(registry, p, SITE, SHIPPED_PUBLISHER))
        years = [int(u.rsplit("/", 1)[1]) for u in events if ":annual-report/" in u]
        assert max(years) == last, (day, years)
