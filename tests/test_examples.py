"""The second registry under examples/ (a fictional 示林市): another bureau reuses the
project by editing data and configuration only. Its own authority, region, thresholds,
periods and articles must come out in what it publishes, and nothing of Baoding's.

What is checked here is the part already driven by data and configuration: validation
(articles and periods from its rules.yaml), the model (its review interval), every
download and feed, and the data and statistics pages. tests/test_examples.py's build test
runs a whole `registry build` of it.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator import export, model, paths, pipeline
from generator.export import Publisher
from generator.load import load_file
from generator.render import SiteConfig, render_pages

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "shilin"
TODAY = date(2026, 11, 29)
BAODING = ("保定", "baoding", "第十二条", "第十七条", "第十六条", "0312")


def _settings() -> dict[str, Any]:
    doc, problems = load_file(EXAMPLE / "mkdocs.yml", "mkdocs.yml")
    assert doc is not None, problems
    return doc.data


@pytest.fixture(scope="module")
def example() -> model.Registry:
    result = pipeline.validate_dir(EXAMPLE / "data", TODAY)
    assert result.ok and result.registry is not None, [str(p) for p in result.problems]
    return result.registry


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    data = _settings()
    reg = data["extra"]["registry"]
    return SiteConfig(site_url=data["site_url"], authority=reg["authority"], extra=reg)


def _text(path: str, data: bytes) -> str:
    if path.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode("utf-8") for n in sorted(z.namelist()))
    if path.endswith(".ics"):  # unfold the lines (RFC 5545 3.1) so that no word is split
        return data.decode("utf-8").replace("\r\n ", "")
    return data.decode("utf-8-sig")


def test_validation_speaks_the_examples_measures() -> None:
    result = pipeline.validate_dir(EXAMPLE / "data", TODAY)
    assert result.ok
    # 2-year reviews under its 第十五条, not Baoding's three years under 第十七条
    overdue = [p for p in result.problems if p.rule == "warnings.review-overdue"]
    assert overdue and "第十五条" in overdue[0].message and "每2年" in overdue[0].message


def test_model_uses_its_rules(example: model.Registry) -> None:
    statuses = {p.id: example.status(p) for p in example.platforms}
    assert statuses == {
        "sl-0001": model.Status.REVIEW_DUE,  # certified 2023-10-09, reviews every 2 years
        "sl-0002": model.Status.PUBLICITY,  # 5 working days from 2026-11-25
        "sl-0003": model.Status.REVOKED,
    }


def test_downloads_carry_nothing_of_baoding(example: model.Registry, site: SiteConfig) -> None:
    publisher = Publisher.from_settings(site.extra)
    assert publisher.authority == "示林市经济和信息化局"
    out = export.exports(example, site.site_url, publisher)
    assert len(out) > 20
    for path, data in out.items():
        text = _text(path, data)
        for word in BAODING:
            assert word not in text, (path, word)
    feed = out[paths.FEED].decode("utf-8")
    assert "tag:shilin.example.org,2026:announcement/2026-publicity" in feed
    assert "示林市中小企业公共服务示范平台公告" in feed
    calendar = _text(paths.CALENDAR, out[paths.CALENDAR])
    assert "第十条" in calendar and "第十五条" in calendar and "第十四条" in calendar
    assert "DTSTART;VALUE=DATE:20270430" in calendar  # its annual-report due day
    package = out[paths.DATAPACKAGE].decode("utf-8")
    assert "示林市中小企业公共服务示范平台管理办法" in package


def test_open_data_pages_carry_nothing_of_baoding(
    example: model.Registry, site: SiteConfig
) -> None:
    pages = render_pages(example, site)
    for url in (paths.DATA, paths.STATISTICS):
        text = pages[paths.source_md(url)]
        for word in BAODING:
            assert word not in text, (url, word)
        assert "示林" in text or url == paths.STATISTICS
        # the only articles cited are the example's own (its rules.yaml)
        cited = set(re.findall(r"第[一二三四五六七八九十]+条", text))
        assert cited <= {
            example.rules.publicity_article,
            example.rules.review_article,
            example.rules.annual_report_article,
        }, (url, cited)


@pytest.mark.build
def test_example_builds(tmp_path: Path) -> None:
    """A whole `registry build` of the example, with the repository's pages and theme."""
    shutil.copyfile(EXAMPLE / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    result = pipeline.build(
        tmp_path / "data",
        tmp_path / "site",
        TODAY,
        tmp_path / "mkdocs.yml",
        tmp_path / "docs" / "content",
    )
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    site = tmp_path / "site"
    assert (site / paths.platform_json("sl-0001")).is_file()
    assert (site / paths.DATAPACKAGE).is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "示林市中小企业公共服务示范平台名录" in home  # its site_name


def test_publisher_from_settings() -> None:
    assert Publisher.from_settings({}) == Publisher()
    p = Publisher.from_settings(
        {"subject": "某市示范平台", "tag_date": 2026, "authority": ""}, authority="某局"
    )
    assert (p.subject, p.tag_date, p.authority) == ("某市示范平台", "2026", "某局")
    assert p.tag("x") == "tag:registry.example,2026:x"
    assert (p.feed_title, p.registry_title) == ("某市示范平台公告", "某市示范平台名录")
