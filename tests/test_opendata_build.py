"""Issue 14 on a real build: what `registry build` writes is what the independent tools
accept (`frictionless validate`, jsonschema, icalendar), and the pages link to it."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import jsonschema
import pytest

from generator import model, paths, pipeline

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, model.Registry]:
    from datetime import date

    root = tmp_path_factory.mktemp("opendata")
    shutil.copyfile(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "data", root / "data")
    today = date(2026, 11, 29)
    result = pipeline.build(
        root / "data", root / "site", today, root / "mkdocs.yml", root / "docs" / "content"
    )
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    registry = pipeline.validate_dir(root / "data", today).registry
    assert registry is not None
    return root / "site", registry


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.imgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))
        elif tag == "img":
            self.imgs.append(dict(attrs))


def _links(site: Path, url: str) -> Links:
    parser = Links()
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return parser


def _target(url: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(url, href))


def test_frictionless_validate_passes_on_the_data_folder(
    built: tuple[Path, model.Registry],
) -> None:
    site, _ = built
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "frictionless",
            "validate",
            ".",
        ],  # the folder: it finds datapackage.json
        check=False,
        cwd=site / "data",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "VALID" in run.stdout and "INVALID" not in run.stdout


def test_every_built_json_matches_the_schema_on_the_site(
    built: tuple[Path, model.Registry],
) -> None:
    site, registry = built
    checked = 0
    for path in sorted(site.rglob("*.json")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("schemas/", "pagefind/")) or rel == paths.DATAPACKAGE:
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        name = doc["$schema"].rsplit("/", 1)[1]
        schema = json.loads((site / paths.EXPORT_SCHEMAS / name).read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        )
        errors = [e.message for e in validator.iter_errors(doc)]
        assert not errors, (rel, errors[:3])
        checked += 1
    assert checked == 3 + len(registry.years) + len(registry.platforms) + len(
        registry.announcements
    )


def test_calendar_parses(built: tuple[Path, model.Registry]) -> None:
    site, registry = built
    cal = icalendar.Calendar.from_ical((site / paths.CALENDAR).read_bytes())
    assert len(cal.walk("VEVENT")) > len(registry.announcements)
    for p in registry.platforms:
        icalendar.Calendar.from_ical((site / paths.platform_calendar(p.id)).read_bytes())


def test_platform_page_links_its_data(built: tuple[Path, model.Registry]) -> None:
    site, registry = built
    for p in registry.platforms:
        url = paths.platform(p.id)
        page = _links(site, url)
        targets = {_target(url, a["href"] or ""): a for a in page.links if a.get("href")}
        for want in (
            paths.platform_json(p.id),
            paths.platform_calendar(p.id),
            paths.platform_plaque(p.id),
        ):
            assert want in targets, (p.id, want)
            assert (site / want).is_file()
        assert targets[paths.platform_json(p.id)].get("type") == "application/json"
        qr = [i for i in page.imgs if _target(url, i["src"] or "") == paths.platform_qr(p.id)]
        assert qr and qr[0]["alt"] and (site / paths.platform_qr(p.id)).is_file()


def test_data_page_links_every_artefact(built: tuple[Path, model.Registry]) -> None:
    site, registry = built
    page = _links(site, paths.DATA)
    targets = {_target(paths.DATA, a["href"] or "") for a in page.links if a.get("href")}
    wanted = {
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
        paths.STATISTICS.rstrip("/"),
    }
    wanted |= {
        paths.export_schema(n)
        for n in ("platforms", "platform", "announcements", "announcement", "index")
    }
    for y in registry.years:
        wanted |= {paths.year_csv(y), paths.year_xlsx(y), paths.year_json(y)}
    assert wanted <= targets, wanted - targets
    for t in wanted:
        assert (site / t).is_file() or (site / t / "index.html").is_file(), t
    text = (site / paths.DATA / "index.html").read_text(encoding="utf-8")
    assert "用 Excel 打开" in text and "从文本/CSV" in text


def test_home_links_calendar_and_statistics(built: tuple[Path, model.Registry]) -> None:
    site, _ = built
    page = _links(site, paths.HOME)
    targets = {_target(".", a["href"] or "") for a in page.links if a.get("href")}
    assert paths.CALENDAR in targets and paths.STATISTICS.rstrip("/") in targets


def test_statistics_page_is_static(built: tuple[Path, model.Registry]) -> None:
    site, _ = built
    html = (site / paths.STATISTICS / "index.html").read_text(encoding="utf-8")
    main = html.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
    assert main.count('class="reg-chart"') == 4
    assert "<script" not in main
    hosts = set(re.findall(r'(?:src|href)="(https?://[^/"]+)', main))
    assert hosts <= set(), hosts


def test_announcement_page_links_its_data(built: tuple[Path, model.Registry]) -> None:
    site, registry = built
    for a in registry.announcements:
        url = paths.announcement(a.id)
        links = [x for x in _links(site, url).links if x.get("type") == "application/json"]
        assert [_target(url, x["href"] or "") for x in links] == [paths.announcement_json(a.id)]
        assert (site / paths.announcement_json(a.id)).is_file()


def test_plaque_refers_only_to_files_of_the_site(built: tuple[Path, model.Registry]) -> None:
    site, registry = built
    for p in registry.platforms:
        rel = paths.platform_plaque(p.id)
        text = (site / rel).read_text(encoding="utf-8")
        refs = re.findall(r'<(?:link|a)\b[^>]*\bhref="([^"]+)"', text)
        local = [h for h in refs if not h.startswith("https://")]
        assert local and all((site / _target(posixpath.dirname(rel), h)).exists() for h in local), (
            local
        )
        assert [h for h in refs if h.startswith("https://")] == [
            f"https://baoding-gxj.github.io/platform-registry/platforms/{p.id}/"  # canonical
        ]
