"""The second registry under examples/ (a fictional 示林市): another bureau reuses the
project by editing data and configuration only. Its own authority, region, thresholds,
periods and articles must come out in what it publishes, and nothing of Baoding's.

Checked here: validation (its articles, periods and authority in the messages), the
model (its review interval), every generated page, every download and feed, and (marked
`build`) the whole output of a `registry build` of it, byte by byte. A guard keeps the
shared code, templates, theme and schemas free of Baoding's names and articles.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import zipfile
from collections.abc import Iterable
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
ARTICLE = re.compile(r"第[一二三四五六七八九十百]+条")


def _yaml(path: Path) -> Any:
    doc, problems = load_file(path, path.name)
    assert doc is not None, problems
    return doc.data


def _rules(data_dir: Path) -> model.Rules:
    return model.rules_from_data(_yaml(data_dir / "rules.yaml"))


def _articles(rules: model.Rules) -> set[str]:
    """Every article a registry's rules.yaml cites, as 第N条 (items such as （三） dropped)."""
    texts = [rules.publicity_article, rules.review_article, rules.annual_report_article]
    texts += vars(rules.articles).values()
    texts += [t.article for t in rules.thresholds]
    return {a for text in texts for a in ARTICLE.findall(text)}


BAODING_RULES = _rules(ROOT / "data")
SHILIN_RULES = _rules(EXAMPLE / "data")
#: Baoding's articles that Shilin's measures do not have (the others are cited by both)
BAODING_ONLY_ARTICLES = sorted(_articles(BAODING_RULES) - _articles(SHILIN_RULES))
BAODING_COUNTIES = [c["name"] for c in _yaml(ROOT / "data" / "counties.yaml")["counties"]]
#: what must never show in Shilin's output: Baoding's city, authority (full and short
#: name), measures, counties, telephone area code and the articles Shilin lacks
BAODING = (
    "保定",
    "baoding",
    "工信局",
    "0312-",
    _yaml(ROOT / "mkdocs.yml")["extra"]["registry"]["authority"],
    BAODING_RULES.authority,
    BAODING_RULES.county_department,
    BAODING_RULES.measures,
    *BAODING_COUNTIES,
    *BAODING_ONLY_ARTICLES,
)
#: Shilin's own wording, which must show instead
SHILIN_AUTHORITY = "示林市经济和信息化局"


def test_the_example_differs_from_baoding() -> None:
    """The proof is only as good as the differences: authority, measures, articles."""
    assert SHILIN_RULES.authority == "市经信局" != BAODING_RULES.authority
    assert SHILIN_RULES.county_department != BAODING_RULES.county_department
    assert SHILIN_RULES.measures != BAODING_RULES.measures
    assert len(BAODING_ONLY_ARTICLES) >= 6, BAODING_ONLY_ARTICLES
    assert {"第十二条", "第十七条", "第十八条", "第二十一条"} <= set(BAODING_ONLY_ARTICLES)
    assert SHILIN_RULES.articles != BAODING_RULES.articles
    assert _settings()["extra"]["registry"]["authority"] == SHILIN_AUTHORITY


def test_articles_are_cited_only_when_given() -> None:
    assert model.cite("第十三条", "", "第十七条") == "（第十三条、第十七条）"
    assert model.cite("第九条", "第十二条", sep="至") == "（第九条至第十二条）"
    assert model.cite("", "") == "" and model.lead("") == ""
    assert model.lead("第十八条", "第二十一条") == "第十八条、第二十一条："
    assert (model.cn_count(2), model.cn_count(3), model.cn_count(10)) == ("两", "三", "十")
    assert model.cn_count(12) == "12"
    # rules without articles or names (a test's Rules): plain wording, no empty brackets
    bare = model.Rules("办法", 7, "", 3, "", "03-31", "", ())
    for status in model.Status:
        meaning = bare.status_meaning(status)
        assert "（）" not in meaning and "第" not in meaning, meaning
        assert "保定" not in meaning and "工信局" not in meaning
    assert "认定机关正在评审" in bare.status_meaning(model.Status.RECOMMENDED)
    # Baoding's own wording is unchanged: its rules.yaml gives the same texts as before
    assert BAODING_RULES.status_meaning(model.Status.RECOMMENDED) == (
        "已由县（市、区）工信部门或全市性行业协会推荐，市工信局正在评审（第九条至第十二条）。"
    )
    assert BAODING_RULES.status_meaning(model.Status.REVIEW_DUE) == (
        "认定或上次复核已满三年，应当复核；复核结果公布前仍保留称号（第十七条）。"
    )


def _carries_nothing_of_baoding(where: str, text: str) -> None:
    for word in BAODING:
        assert word not in text, (where, word)


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


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_validation_messages_cite_its_articles_and_authority(tmp_path: Path) -> None:
    """Broken copies of the example: each message names Shilin's article and authority."""
    data = tmp_path / "data"
    shutil.copytree(EXAMPLE / "data", data)
    sl1, sl2 = data / "platforms" / "sl-0001.yaml", data / "platforms" / "sl-0002.yaml"
    notice = data / "announcements" / "2026-publicity.yaml"
    # a county recommending another county's platform; an association not on the list
    _edit(
        sl2,
        'recommender: {type: county, code: "139921"}',
        'recommender: {type: county, code: "139901"}',
    )
    _edit(
        sl1,
        'recommender: {type: county, code: "139901"}',
        "recommender: {type: association, name: 示林市某协会}",
    )
    # a failed 不定期测评 with no follow-up; a second certification round in 2023
    _edit(
        sl1,
        "  - {date: 2024-04-20, type: annual_report, year: 2023}",
        "  - {date: 2024-04-20, type: annual_report, year: 2023}\n  - {date: 2024-05-06, type: evaluated, kind: all, result: failed, findings: 收费未公示}",
    )
    second = data / "announcements" / "2023-certification-2.yaml"
    second.write_text(
        (data / "announcements" / "2023-certification.yaml")
        .read_text(encoding="utf-8")
        .replace("id: 2023-certification", "id: 2023-certification-2")
        .replace("date: 2023-10-09", "date: 2023-12-01"),
        encoding="utf-8",
    )
    _edit(
        sl1,
        "announcement: 2023-certification, certificate: SL-2023-01}",
        "announcement: 2023-certification, certificate: SL-2023-01}\n  - {date: 2023-12-01, type: annual_report, year: 2022, announcement: 2023-certification-2}",
    )
    # a publicity notice that states another period and gives no way to object in writing
    _edit(notice, "公示期为5个工作日", "公示期为7个工作日")
    _edit(notice, "  email: zxqk@example.org\n", "")
    _edit(notice, "  address: 示林市东湖区示例路1号\n", "")
    problems = pipeline.validate_dir(data, TODAY).problems
    by_rule = {p.rule: f"{p.message} {p.hint}" for p in problems}
    expected = {
        "references.recommender": ("第八条：县（市、区）经济和信息化主管部门负责", "第二十二条"),
        "references.association": ("第二十二条：",),
        "warnings.supervision-no-follow-up": ("第十九条：市经信局不定期测评不合格",),
        "warnings.two-rounds": ("第十一条：",),
        "notices.period-days": ("（第十条）",),
        "notices.no-contact": ("第十条：",),
    }
    for rule, words in expected.items():
        assert rule in by_rule, (rule, sorted(by_rule))
        for word in words:
            assert word in by_rule[rule], (rule, word, by_rule[rule])
    for p in problems:
        _carries_nothing_of_baoding(p.rule, f"{p.file} {p.message} {p.hint}")


def test_model_uses_its_rules(example: model.Registry) -> None:
    statuses = {p.id: example.status(p) for p in example.platforms}
    assert statuses == {
        "sl-0001": model.Status.REVIEW_DUE,  # certified 2023-10-09, reviews every 2 years
        "sl-0002": model.Status.PUBLICITY,  # 5 working days from 2026-11-25
        "sl-0003": model.Status.REVOKED,
    }


def test_downloads_carry_nothing_of_baoding(example: model.Registry, site: SiteConfig) -> None:
    publisher = Publisher.from_settings(site.extra)
    assert publisher.authority == SHILIN_AUTHORITY
    out = export.exports(example, site.site_url, publisher)
    assert len(out) > 20
    for path, data in out.items():
        _carries_nothing_of_baoding(path, _text(path, data))
    feed = out[paths.FEED].decode("utf-8")
    assert "tag:shilin.example.org,2026:announcement/2026-publicity" in feed
    assert "示林市中小企业公共服务示范平台公告" in feed
    # 2026-publicity names no issuer: the site's authority issued it
    assert f"<name>{SHILIN_AUTHORITY}</name>" in feed
    notice = out[paths.announcement_json("2026-publicity")].decode("utf-8")
    assert f'"issuer": "{SHILIN_AUTHORITY}"' in notice
    calendar = _text(paths.CALENDAR, out[paths.CALENDAR])
    assert "第十条" in calendar and "第十五条" in calendar and "第十四条" in calendar
    assert "DTSTART;VALUE=DATE:20270430" in calendar  # its annual-report due day
    package = out[paths.DATAPACKAGE].decode("utf-8")
    assert "示林市中小企业公共服务示范平台管理办法" in package


def test_pages_carry_nothing_of_baoding(example: model.Registry, site: SiteConfig) -> None:
    pages = render_pages(example, site)
    shilin = _articles(SHILIN_RULES)
    for rel, text in pages.items():
        _carries_nothing_of_baoding(rel, text)
        # the only articles cited are the example's own (its rules.yaml)
        assert set(ARTICLE.findall(text)) <= shilin, (rel, set(ARTICLE.findall(text)) - shilin)
    home = pages[paths.source_md(paths.HOME)]
    assert "<h1>示林市中小企业公共服务示范平台名录</h1>" in home
    assert f"本名录公开{SHILIN_AUTHORITY}依据《示林市中小企业公共服务示范平台管理办法》" in home
    assert "查询、监督（第十三条）" in home and "## 监督检查（第十九条）" in home
    assert "市经信局正在评审（第八条至第十条）" in home  # a status meaning
    assert "认定或上次复核已满两年" in home
    conditions = pages[paths.source_md(paths.CONDITIONS)]
    for words in (
        "## 第六条 基本条件",
        "## 第七条 服务功能要求",
        "第十九条：县（市、区）经济和信息化主管部门定期检查、市经信局不定期测评",
        "第二十二条：名单内的全市性行业协会可以直接向市经信局推荐",
    ):
        assert words in conditions, words
    notice = pages[paths.source_md(paths.announcement("2026-publicity"))]
    assert f"<td>{SHILIN_AUTHORITY}</td>" in notice and "证明材料（第十条）" in notice
    assert "市经信局发布的" in pages[paths.source_md(paths.ANNOUNCEMENTS)]
    assert "》第三条规定" in pages[paths.source_md(paths.CATEGORIES)]


def _files(folder: Path) -> Iterable[tuple[str, bytes]]:
    """Every file under `folder` as bytes, gzip files (Pagefind's index) uncompressed."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            yield path.relative_to(folder).as_posix(), data


@pytest.mark.build
def test_example_builds(tmp_path: Path) -> None:
    """A whole `registry build` of the example, with the repository's theme and pages but
    its own editing guide (docs/content/guide is each registry's own); nothing of Baoding's
    in any byte of the output."""
    shutil.copyfile(EXAMPLE / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.rmtree(tmp_path / "docs" / "content" / "guide")
    shutil.copytree(EXAMPLE / "docs", tmp_path / "docs", dirs_exist_ok=True)
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    result = pipeline.build(
        tmp_path / "data",
        tmp_path / "site",
        TODAY,
        tmp_path / "mkdocs.yml",
        tmp_path / "docs" / "content",
    )
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    for p in result.problems:
        _carries_nothing_of_baoding(p.rule, f"{p.file} {p.message} {p.hint}")
    site = tmp_path / "site"
    assert (site / paths.platform_json("sl-0001")).is_file()
    assert (site / paths.DATAPACKAGE).is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "示林市中小企业公共服务示范平台名录" in home  # its site_name
    assert f"主办单位：{SHILIN_AUTHORITY}" in home  # the footer
    contact = (site / "contact" / "index.html").read_text(encoding="utf-8")
    assert (
        "（《示林市中小企业公共服务示范平台管理办法》第十条）" in contact
    )  # its publicity article
    files = list(_files(site))
    assert len(files) > 50
    for rel, data in files:
        for word in BAODING:
            assert word.encode("utf-8") not in data, (rel, word)
    text = b"".join(data for _, data in files).decode("utf-8", "replace")
    for word in ("市经信局", "第十九条", "第二十二条", "示林市中小企业公共服务示范平台管理办法"):
        assert word in text, word


def test_publisher_from_settings() -> None:
    assert Publisher.from_settings({}) == Publisher()
    p = Publisher.from_settings(
        {"subject": "某市示范平台", "tag_date": 2026, "authority": ""}, authority="某局"
    )
    assert (p.subject, p.tag_date, p.authority) == ("某市示范平台", "2026", "某局")
    assert p.tag("x") == "tag:registry.example,2026:x"
    assert (p.feed_title, p.registry_title) == ("某市示范平台公告", "某市示范平台名录")


#: what every registry shares: the generator's code and templates, the theme, the
#: shipped assets and the record schemas (rules.schema.json gives examples of articles)
SHARED = [
    *sorted((ROOT / "generator").rglob("*.py")),
    *sorted((ROOT / "generator").rglob("*.j2")),
    *sorted((ROOT / "docs" / "overrides").rglob("*.html")),
    *sorted((ROOT / "docs" / "content" / "assets").glob("*.*")),
    *sorted((ROOT / "schemas").glob("*.json")),
]


@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shared_files_name_no_city(path: Path) -> None:
    """Baoding lives in data/, mkdocs.yml and the hand-written guide only: its name, its
    authority and its counties do not creep back into what another registry reuses."""
    text = path.read_text(encoding="utf-8")
    for word in ("保定", "工信局", *BAODING_COUNTIES):
        assert word not in text, word


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in SHARED
        if p.suffix in (".j2", ".html") or (p.name != "rules.schema.json" and p.suffix == ".json")
    ],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_shared_texts_cite_no_article(path: Path) -> None:
    """Templates, theme and record schemas cite articles from data/rules.yaml only."""
    assert not ARTICLE.findall(path.read_text(encoding="utf-8"))
