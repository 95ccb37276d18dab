"""The built site: real MkDocs + Pagefind builds checked with HTML selectors.

Builds are shared per module (`-m build` selects them): the shipped data twice (the
second one only for determinism), the hostile corpus once, and a few builds that must
fail without touching the previous site. The fast tests at the top render the hostile
corpus without MkDocs.

The hostile corpus (tests/fixtures/hostile/) holds records that replace some shipped
ones: its platforms/, announcements/ and attachments/ are laid over a copy of data/.
Every `internal:` field of those records carries a canary string ("zqcanary...") that
must appear nowhere in the built site.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import json
import posixpath
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator import model, paths, pipeline, schemas
from generator.load import load_file
from generator.pages import Pages, PagesMade
from generator.render import render_pages

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs" / "content"
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
SEARCH_JS = Path(__file__).resolve().parent / "pagefind_search.mjs"
TODAY = date(2026, 11, 29)
CANARY = "zqcanary"


def mkdocs_settings() -> dict[str, Any]:
    doc, problems = load_file(CONFIG, "mkdocs.yml")
    assert doc is not None, problems
    return doc.data


SITE_NAME = mkdocs_settings()["site_name"]


@dataclass(frozen=True)
class Sources:
    """The build's inputs: a snapshot taken once per module, so that every build in it
    reads the same files even while someone edits the working tree."""

    data: Path
    config: Path
    docs: Path


@pytest.fixture(scope="module")
def src(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    root = tmp_path_factory.mktemp("sources")
    shutil.copyfile(CONFIG, root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", root / "docs")  # content/ and the theme overrides
    shutil.copytree(DATA, root / "data")
    return Sources(root / "data", root / "mkdocs.yml", root / "docs" / "content")


def build(src: Sources, out: Path, data: Path | None = None) -> pipeline.BuildResult:
    return pipeline.build(data or src.data, out, TODAY, src.config, src.docs)


def errors(result: pipeline.BuildResult) -> list[str]:
    return [str(p) for p in result.problems if p.is_error]


def hostile_data(data: Path, dest: Path) -> Path:
    """data/ with the hostile records laid over it."""
    shutil.copytree(data, dest)
    for part in ("platforms", "announcements", "attachments"):
        shutil.copytree(HOSTILE / part, dest / part, dirs_exist_ok=True)
    shutil.copy(
        HOSTILE / "associations.yaml", dest / "associations.yaml"
    )  # lists bd-0008's recommender
    return dest


def registry_of(data: Path) -> model.Registry:
    result = pipeline.validate_dir(data, TODAY)
    assert result.registry is not None, [str(p) for p in result.problems if p.is_error]
    return result.registry


def overlay_ids(kind: str) -> list[str]:
    return sorted(p.stem for p in (HOSTILE / kind).glob("*.yaml"))


# -- HTML -------------------------------------------------------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and (cls is None or cls in n.attrs.get("class", "").split())
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def runs(self) -> Iterator[str]:
        """Every text node (adjacent character data merged), entities decoded."""
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield from child.runs()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.attribute_lists: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.attribute_lists.append((tag, attrs))
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attribute_lists.append((tag, attrs))
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node is not self.root and node.tag != tag:
            node = node.parent
        if node is not None and node is not self.root and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        children = self.current.children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


@dataclass
class Page:
    url: str  # site-relative, "platforms/bd-0001/"
    raw: str
    root: Node
    attribute_lists: list[tuple[str, list[tuple[str, str | None]]]]


def parse(raw: str, url: str = "") -> Page:
    builder = _TreeBuilder()
    builder.feed(raw)
    builder.close()
    return Page(url, raw, builder.root, builder.attribute_lists)


def page_url(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    return rel.removesuffix("index.html")


def html_pages(site: Path) -> dict[str, Page]:
    return {
        page_url(site, p): parse(p.read_text(encoding="utf-8"), page_url(site, p))
        for p in sorted(site.rglob("*.html"))
        if "pagefind" not in p.relative_to(site).parts
    }


def resolve(page: str, href: str) -> str:
    """Site-relative target of a relative link on a page."""
    target = urlsplit(href).path
    base = page if page.endswith("/") or page == "" else posixpath.dirname(page) + "/"
    joined = posixpath.normpath(posixpath.join("/" + base, target))
    out = joined.lstrip("/")
    if target.endswith("/") and out:
        out += "/"
    return "" if out == "." else out


def site_file(site: Path, target: str) -> Path:
    path = site / target
    return path / "index.html" if path.is_dir() else path


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def decoded_files(site: Path) -> Iterator[tuple[str, str]]:
    """Every file's text, also inside gzip files (Pagefind, sitemap) and zip files (xlsx)."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        data = path.read_bytes()
        blobs = [(rel, data)]
        if data[:2] == b"\x1f\x8b":
            blobs.append((rel + " (gunzip)", gzip.decompress(data)))
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                blobs.extend((f"{rel}:{name}", z.read(name)) for name in z.namelist())
        for name, blob in blobs:
            text = blob.decode("utf-8", "replace").replace("\u200b", "")  # Pagefind's word breaks
            yield name, text
            yield name + " (unescaped)", html.unescape(text)


def pagefind_search(site: Path, searches: list[dict[str, Any]]) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: Pagefind's search cannot run outside a browser")
    proc = subprocess.run(
        ["node", str(SEARCH_JS), str(site), json.dumps(searches, ensure_ascii=False)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# -- the hostile corpus, rendered without MkDocs (fast) ----------------------------------------

# Each is literally in the hostile records, and none can come from a template.
MARKUP_MARKERS = [
    "<script",
    "<img",
    "<svg",
    "javascript:",
    'evil.example"',
    "onerror=",
    "onload=",
    "onclick=",
    "{{",
    "{%",
    "--8<--",
    "data-pagefind-body",
    'data-pagefind-filter="x',
    "</title>",
    "<b>",
    "<i>",
    "<!--",
    "<![CDATA",
    "<?php",
]


@pytest.fixture(scope="module")
def hostile_dir(src: Sources, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_data(src.data, tmp_path_factory.mktemp("hostile") / "data")


def test_hostile_corpus_validates_and_carries_canaries(hostile_dir: Path) -> None:
    registry_of(hostile_dir)
    for kind in ("platforms", "announcements"):
        for record_id in overlay_ids(kind):
            text = (HOSTILE / kind / f"{record_id}.yaml").read_text(encoding="utf-8")
            assert "<script>" in text or "{{ config" in text or "<img" in text, record_id
    for record_id in overlay_ids("platforms"):
        internal = yaml.safe_load(
            (HOSTILE / "platforms" / f"{record_id}.yaml").read_text(encoding="utf-8")
        )["internal"]
        assert {"contact_person", "mobile", "notes"} <= internal.keys()
        assert all(CANARY in str(v) for v in internal.values()), record_id


#: the elements templates make on purpose: a platform's QR code image (its src and size are
#: fixed; the alt text is escaped) and the statistics charts (SVG built by ElementTree from
#: counts and configured names, checked in tests/test_opendata.py)
TEMPLATE_ELEMENTS = re.compile(
    r'<img src="qr\.svg" width="116" height="116" alt="[^"<>]*">'
    r'|<svg xmlns="http://www\.w3\.org/2000/svg" class="reg-chart" .*?</svg>',
    re.DOTALL,
)


def test_hostile_markdown_has_no_markup_from_records(hostile_dir: Path) -> None:
    pages = render_pages(registry_of(hostile_dir), pipeline.site_config(CONFIG)[0])
    for rel, text in pages.items():
        body = text.split("\n---\n", 1)[1]  # the front matter holds the title as a YAML string
        body = TEMPLATE_ELEMENTS.sub("", body)
        for marker in MARKUP_MARKERS:
            assert marker not in body, f"{rel}: {marker!r}"
        assert CANARY not in text, rel
    assert any("&#60;script&#62;" in text for text in pages.values())


# -- one real build of the shipped data ----------------------------------------------------------


@pytest.fixture(scope="module")
def site(src: Sources, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "site"
    result = build(src, out)
    assert result.ok, errors(result)
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    return html_pages(site)


@pytest.fixture(scope="module")
def registry(src: Sources) -> model.Registry:
    return registry_of(src.data)


@pytest.fixture(scope="module")
def generated(registry: model.Registry) -> set[str]:
    """URLs of the pages `render_pages` makes (the rest are hand-written)."""
    urls = set()
    for rel in render_pages(registry, pipeline.site_config(CONFIG)[0]):
        urls.add(paths.source_url(rel))
    return urls


@pytest.mark.build
def test_every_page_kind_at_its_url(site: Path, registry: model.Registry) -> None:
    p, a = registry.platforms[0], registry.announcements[0]
    urls = [
        paths.HOME,
        paths.PLATFORMS,
        paths.platform(p.id),
        paths.ANNOUNCEMENTS,
        paths.announcement(a.id),
        paths.LISTS,
        paths.year_list(registry.years[0]),
        paths.COUNTIES,
        paths.county(p.county),
        paths.CATEGORIES,
        paths.category(p.categories[0]),
        paths.CONDITIONS,
        paths.DATA,
        paths.SEARCH,
    ]
    for url in urls:
        assert site_file(site, url).is_file(), url
    for f in (
        paths.FEED,
        paths.PLATFORMS_JSON,
        paths.PLATFORMS_CSV,
        paths.PLATFORMS_XLSX,
        paths.ANNOUNCEMENTS_JSON,
        "sitemap.xml",
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
    ):
        assert (site / f).is_file(), f
    for q in registry.platforms:
        assert site_file(site, paths.platform(q.id)).is_file(), q.id  # revoked ones included
    for ann in registry.announcements:
        assert site_file(site, paths.announcement(ann.id)).is_file(), ann.id
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert paths.absolute(pipeline.site_config(CONFIG)[0].site_url, paths.platform(p.id)) in sitemap


@pytest.mark.build
def test_guide_page(site: Path, src: Sources) -> None:
    if not (src.docs / "guide" / "index.md").is_file():
        pytest.skip("docs/content/guide/index.md has not landed yet")
    assert site_file(site, paths.GUIDE).is_file()


@pytest.mark.build
def test_every_page_is_chinese(pages: dict[str, Page]) -> None:
    for url, page in pages.items():
        assert page.root.one("html").attrs.get("lang", "").startswith("zh"), url


@pytest.mark.build
def test_platform_page(pages: dict[str, Page], registry: model.Registry) -> None:
    p = next(x for x in registry.platforms if x.id == "bd-0001")
    root = pages[paths.platform(p.id)].root
    article = root.one("article", "reg-platform")
    assert article.one("h1").text() == p.name
    assert root.one("title").text() == f"{p.name} - {SITE_NAME}"
    status = article.one("p", "reg-status-line")
    assert status.one(cls="reg-status").text().strip() == model.Status.CERTIFIED.value
    cert = p.certification(TODAY)
    assert cert is not None and cert.certificate in [n.text() for n in article.all(cls="reg-code")]
    facts = article.text()
    review = p.next_review(TODAY)
    assert review is not None and f"{review.year}年{review.month}月{review.day}日" in facts
    services = article.one("dl", "reg-services")
    titles = [dt.text() for dt in services.all("dt")]
    items = [dd.text() for dd in services.all("dd")]
    assert titles == ["信息服务", "技术服务"]
    assert items == ["、".join(v) for _, v in p.services]
    timeline = article.one("ol", "reg-timeline")
    assert len(timeline.all("li")) == len(p.history)
    linked = {resolve(paths.platform(p.id), a.attrs["href"]) for a in timeline.all("a")}
    assert linked == {paths.announcement(e.announcement) for e in p.history if e.announcement}


@pytest.mark.build
def test_revoked_pages_are_marked(pages: dict[str, Page], registry: model.Registry) -> None:
    revoked = [p for p in registry.platforms if p.status(TODAY) is model.Status.REVOKED]
    assert {p.id for p in revoked} >= {"bd-0002", "bd-0003"}
    for p in revoked:
        root = pages[paths.platform(p.id)].root
        assert root.all("article", "reg-platform--revoked"), p.id
        banner = root.one(cls="reg-revoked-banner").text()
        event = p.revocation(TODAY)
        assert (
            event is not None
            and f"{event.date.year}年{event.date.month}月{event.date.day}日撤销" in banner
        )
        assert root.one(cls="reg-status-line").text().strip().endswith("已撤销")
    for p in registry.platforms:
        if p not in revoked:
            assert not pages[paths.platform(p.id)].root.all(cls="reg-revoked-banner"), p.id


@pytest.mark.build
def test_contact_page_cites_the_measures_of_the_data(site: Path) -> None:
    """The hand-written 联系我们 page cites the publicity article of data/rules.yaml."""
    text = parse((site / "contact" / "index.html").read_text(encoding="utf-8")).root.text()
    assert (
        "请在公示期内以实名、书面形式提出（《保定市中小企业公共服务示范平台认定管理办法》第十二条）"
        in text
    )


@pytest.mark.build
def test_publicity_announcement(pages: dict[str, Page], registry: model.Registry) -> None:
    root = pages[paths.announcement("2026-publicity")].root
    notice = root.one("article", "reg-notice--publicity").text()
    # 11-09 (Mon) .. 11-13 (Fri), 11-16, 11-17: seven working days
    assert "公示期为7个工作日，自2026年11月9日至2026年11月17日。" in notice
    assert "公示期已结束。" in notice
    assert "请在公示期内以实名、书面形式提出，并提供必要的证明材料" in notice
    contact = root.one("dl", "reg-contact-lines")  # one line each (issue 13)
    assert [dt.text() for dt in contact.all("dt")] == [
        "受理部门",
        "联系电话",
        "电子邮箱",
        "通信地址",
    ]
    assert contact.all("dd")[0].text() == "保定市工业和信息化局中小企业科"
    listed = [
        resolve(paths.announcement("2026-publicity"), a.attrs["href"])
        for a in root.one("table", "reg-table").all("a")
    ]
    assert listed == [paths.platform(p.id) for p, _ in registry.listed_in("2026-publicity")]


RECORD_URL = re.compile(r"^(platforms|announcements|lists|counties|categories)/[^/]+/$")


@pytest.mark.build
def test_record_pages_stay_out_of_the_nav(site: Path, pages: dict[str, Page]) -> None:
    url = paths.platform("bd-0001")
    nav = pages[url].root.one("nav", "md-nav--primary")
    targets = [resolve(url, a.attrs["href"]) for a in nav.all("a") if "href" in a.attrs]
    assert paths.PLATFORMS in targets and paths.ANNOUNCEMENTS in targets
    assert not [t for t in targets if RECORD_URL.match(t)]
    assert len(targets) <= 15
    for record in ("platforms/bd-0001/", "announcements/2026-publicity/", "counties/130602/"):
        size = site_file(site, record).stat().st_size
        assert size < 64_000, f"{record} is {size} bytes: is every record in the navigation?"


@pytest.mark.build
def test_links_between_generated_pages_resolve(
    site: Path, pages: dict[str, Page], generated: set[str]
) -> None:
    broken = []
    for url in sorted(generated):
        page = pages[url]
        for node in page.root.iter():
            for attr in ("href", "src", "action"):
                value = node.attrs.get(attr)
                if not value or urlsplit(value).scheme or value.startswith(("#", "//")):
                    continue
                if not site_file(site, resolve(url, value)).is_file():
                    broken.append(f"{url}: <{node.tag} {attr}={value!r}>")
    assert not broken, "\n".join(broken)


# Material's bundle names these hosts, and loads them only when a browser lacks
# ResizeObserver (every browser since 2020 has it), when a page has a Mermaid diagram
# (none has), or when mkdocs.yml sets repo_url (it does not).
THEME_FALLBACKS = {
    "https://unpkg.com/resize-observer-polyfill",
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
}
FOREIGN = re.compile(
    r"fonts\.googleapis|fonts\.gstatic|unpkg|jsdelivr|cdn\.|cdnjs|googletagmanager|google-analytics|baidu\.com/hm"
)
CSS_LOAD = re.compile(
    r"""(@import\s*(url\()?\s*["']?|url\(\s*["']?)\s*((https?:)?//[^"')\s]+)""", re.IGNORECASE
)
LOADING = {
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
    "track": "src",
}


@pytest.mark.build
def test_nothing_loads_from_other_hosts(
    site: Path, pages: dict[str, Page], registry: model.Registry, generated: set[str]
) -> None:
    settings = pipeline.site_config(CONFIG)[0]
    assert "repo_url" not in mkdocs_settings()
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js"):
            continue
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            text = html.unescape(text)
        problems.extend(f"{rel}: {found.group(0)}" for found in CSS_LOAD.finditer(text))
        named = {
            m.group(0)
            for m in re.finditer(r"(https?:)?//[\w.-]+[^\s\"'`)]*", text)
            if FOREIGN.search(m.group(0))
        }
        if rel.startswith("assets/javascripts/bundle."):
            named -= THEME_FALLBACKS
        problems.extend(f"{rel}: {h}" for h in sorted(named))
    websites = {p.contact.website for p in registry.platforms if p.contact.website}
    for url, page in pages.items():
        for tag, attr in LOADING.items():
            for node in page.root.all(tag):
                value = node.attrs.get(attr, "")
                if node.tag == "link" and "canonical" in node.attrs.get("rel", "").split():
                    assert value.startswith(settings.site_url), (url, value)
                elif urlsplit(value).scheme or value.startswith("//"):
                    problems.append(f"{url}: <{tag} {attr}={value!r}>")
        for node in page.root.iter():
            if "url(" in node.attrs.get("style", "") and "//" in node.attrs["style"]:
                problems.append(f"{url}: style={node.attrs['style']!r}")
        if url in generated:  # hand-written pages may link anywhere they like
            for a in page.root.all("a"):
                href = a.attrs.get("href", "")
                if (
                    urlsplit(href).scheme in ("http", "https")
                    and href not in websites
                    and not href.startswith(settings.repository.rstrip("/") + "/")
                ):
                    problems.append(f"{url}: <a href={href!r}>")
    assert not problems, "\n".join(problems)


@pytest.mark.build
def test_internal_notes_are_nowhere(site: Path, src: Sources) -> None:
    secrets = []
    for path in sorted((src.data / "platforms").glob("*.yaml")):
        internal = yaml.safe_load(path.read_text(encoding="utf-8")).get("internal") or {}
        secrets += [str(v) for v in internal.values() if v]
    assert secrets, "the shipped data has internal notes to look for"
    for name, text in decoded_files(site):
        for secret in secrets:
            assert secret not in text, f"internal note of the data in {name}: {secret[:30]}"


# -- search ------------------------------------------------------------------------------------


def platforms_offering(registry: model.Registry, item: str) -> set[str]:
    return {
        paths.platform(p.id)
        for p in registry.platforms
        if any(item in items for _, items in p.services)
    }


@pytest.mark.build
def test_chinese_search(site: Path, registry: model.Registry) -> None:
    cert = next(x for x in registry.platforms if x.id == "bd-0001").certification(TODAY)
    assert cert is not None
    terms = ["检验检测", "创业辅导", "竞秀区", cert.certificate]
    out = pagefind_search(site, [{"term": t} for t in terms])
    found = {
        t: [r["url"].lstrip("/") for r in rs] for t, rs in zip(terms, out["searches"], strict=False)
    }
    inspection = platforms_offering(registry, "检验检测")
    assert len(inspection) >= 2 and inspection <= set(found["检验检测"])
    coaching = platforms_offering(registry, "创业辅导")
    assert coaching and coaching <= set(found["创业辅导"])
    assert paths.platform("bd-0006") in found["竞秀区"]  # the only platform in 竞秀区
    assert paths.platform("bd-0001") in found[cert.certificate]


@pytest.mark.build
def test_search_filters(site: Path, registry: model.Registry) -> None:
    counties = {c.code: c.name for c in registry.counties}
    out = pagefind_search(
        site,
        [
            {"term": "平台", "filters": {"county": "竞秀区"}},
            {"term": "平台", "filters": {"status": model.Status.REVOKED.value}},
            {"term": None, "filters": {"category": "创业服务"}},
            {"term": None, "filters": {"year": "2021"}},
        ],
    )
    filters = out["filters"]
    assert set(filters) == {"county", "category", "status", "year"}
    assert set(filters["county"]) == {counties[p.county] for p in registry.platforms}
    assert set(filters["status"]) == {p.status(TODAY).value for p in registry.platforms}
    assert set(filters["year"]) == {str(y) for y in registry.years}
    assert set(filters["category"]) == {title for title, _ in schemas.service_categories().values()}
    county, revoked, entrepreneurship, year = (
        {r["url"].lstrip("/") for r in rs} for rs in out["searches"]
    )
    assert county == {paths.platform(p.id) for p in registry.platforms if p.county == "130602"}
    assert revoked == {
        paths.platform(p.id) for p in registry.platforms if p.status(TODAY) is model.Status.REVOKED
    }
    assert entrepreneurship == {
        paths.platform(p.id) for p in registry.platforms if "entrepreneurship" in p.categories
    }
    assert year == {paths.platform(p.id) for p in registry.platforms if p.certified_year == 2021}


@pytest.mark.build
def test_fragments_carry_each_platforms_filters(site: Path, registry: model.Registry) -> None:
    titles = {key: title for key, (title, _) in schemas.service_categories().items()}
    fragments = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        fragments[data["url"].lstrip("/")] = data
    for p in registry.platforms:
        frag = fragments[paths.platform(p.id)]
        expected = {
            "county": [registry.county_name(p.county)],
            "status": [p.status(TODAY).value],
            "category": sorted(titles[k] for k in p.categories),
        }
        if p.certification(TODAY):
            expected["year"] = [str(p.certified_year)]
        assert {k: sorted(v) for k, v in frag["filters"].items()} == {
            k: sorted(v) for k, v in expected.items()
        }, p.id
        assert p.name in frag["content"].replace("\u200b", "")


# -- determinism -------------------------------------------------------------------------------


@pytest.mark.build
def test_two_builds_are_byte_identical(site: Path, src: Sources, tmp_path: Path) -> None:
    """Everything but Pagefind's bundle is the same byte for byte; Pagefind writes filter
    values in hash-map order and numbers pages as the file system lists them, so its
    bundle is compared by what it answers."""
    out = tmp_path / "again"
    result = build(src, out)
    assert result.ok, errors(result)
    first, second = file_hashes(site), file_hashes(out)
    first = {k: v for k, v in first.items() if not k.startswith("pagefind/")}
    second = {k: v for k, v in second.items() if not k.startswith("pagefind/")}
    assert sorted(first) == sorted(second)
    assert [f for f in first if first[f] != second[f]] == []
    queries = [{"term": q} for q in ("检验检测", "融资", "竞秀区", "创业辅导")]
    assert pagefind_search(site, queries) == pagefind_search(out, queries)


# -- the hostile corpus, built -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(src: Sources, hostile_dir: Path) -> Path:
    out = hostile_dir.parent / "site"
    result = build(src, out, hostile_dir)
    assert result.ok, errors(result)
    return out


@pytest.fixture(scope="module")
def hostile_pages(hostile_site: Path) -> dict[str, Page]:
    return html_pages(hostile_site)


def visible(text: str) -> str:
    return re.sub(r"[\n\r\t]", " ", text)


def scripts(page: Page) -> list[tuple[str, str]]:
    return [(n.attrs.get("src", ""), n.text()) for n in page.root.all("script")]


@pytest.mark.build
def test_hostile_records_make_no_markup(
    hostile_pages: dict[str, Page], pages: dict[str, Page]
) -> None:
    assert hostile_pages.keys() == pages.keys()
    for url, page in hostile_pages.items():
        clean = pages[url]
        assert scripts(page) == scripts(clean), url  # only the theme's scripts
        assert len(page.root.all("svg")) == len(clean.root.all("svg")), url
        # only the template's images (a platform's QR code), the same as with clean data
        assert [i.attrs.get("src") for i in page.root.all("img")] == [
            i.attrs.get("src") for i in clean.root.all("img")
        ], url
        bodies = [
            n for _, attrs in page.attribute_lists for n, _ in attrs if n == "data-pagefind-body"
        ]
        assert len(bodies) == clean.raw.count("data-pagefind-body") <= 1, url
        ignored = [
            n for _, attrs in page.attribute_lists for n, _ in attrs if n == "data-pagefind-ignore"
        ]
        assert len(ignored) == clean.raw.count("data-pagefind-ignore"), url  # only the template's
        for tag, attrs in page.attribute_lists:
            for name, value in attrs:
                assert not name.startswith("on"), (url, tag, name)
                assert not name.startswith("data-pagefind-") or name in (
                    "data-pagefind-body",
                    "data-pagefind-filter",
                    "data-pagefind-weight",
                    "data-pagefind-meta",
                    "data-pagefind-ignore",
                ), (url, name)
                if name == "data-pagefind-filter":
                    assert value in ("status", "county", "category", "year"), (url, value)
                if name == "data-pagefind-meta":  # record text cannot add a field (no comma)
                    assert (
                        value.split(":")[0] in ("k", "状态", "所在县（市、区）")
                        and "," not in value
                    ), (url, value)
                if name in ("href", "src", "action", "formaction"):
                    assert (
                        not (value or "")
                        .strip()
                        .lower()
                        .startswith(("javascript:", "data:", "vbscript:"))
                    ), (url, value)
                    assert "evil.example" not in (value or ""), url
                assert name not in ("class", "id") or "onclick" not in (value or ""), url


@pytest.mark.build
def test_hostile_text_shows_literally(hostile_pages: dict[str, Page], hostile_dir: Path) -> None:
    def shown(url: str, value: str) -> None:
        want = visible(value)
        runs = list(hostile_pages[url].root.runs())
        assert any(want in run for run in runs), f"{url}: {want[:60]!r} not shown literally"

    for pid in overlay_ids("platforms"):
        rec = yaml.safe_load(
            (hostile_dir / "platforms" / f"{pid}.yaml").read_text(encoding="utf-8")
        )
        url = paths.platform(pid)
        root = hostile_pages[url].root
        assert root.one("h1").text() == rec["name"]
        assert root.one("title").text() == f"{rec['name']} - {SITE_NAME}"
        for value in [
            rec["operator"]["name"],
            rec["contact"]["address"],
            *model.split_paragraphs(rec["description"]),
        ]:
            shown(url, value)
        if rec["recommender"]["type"] == "association":
            shown(url, rec["recommender"]["name"])
        for e in rec["history"]:
            for key in ("note", "certificate", "from", "to"):
                if key in e:
                    shown(url, e[key])
        shown(paths.PLATFORMS, rec["name"])
        shown(paths.county(rec["county"]), rec["name"])
    for aid in overlay_ids("announcements"):
        rec = yaml.safe_load(
            (hostile_dir / "announcements" / f"{aid}.yaml").read_text(encoding="utf-8")
        )
        url = paths.announcement(aid)
        assert hostile_pages[url].root.one("h1").text() == rec["title"]
        assert hostile_pages[url].root.one("title").text() == f"{rec['title']} - {SITE_NAME}"
        # the body's line breaks are kept on the page (issue 13: contact lines one per line)
        lines = [line for para in model.split_paragraphs(rec["body"]) for line in para.split("\n")]
        for value in [*lines, rec["contact"]["department"], rec["contact"]["address"]]:
            shown(url, value)
        for key in ("doc_number", "issuer"):
            if key in rec:
                shown(url, rec[key])
        for att in rec.get("attachments", []):
            shown(url, att["title"])
        shown(paths.ANNOUNCEMENTS, rec["title"])


def test_direction_override_is_refused(hostile_dir: Path, tmp_path: Path) -> None:
    """A right-to-left override left open in a record never reaches a page: validation
    refuses it (the renderer's own closing of overrides is tested in test_render.py)."""
    data = tmp_path / "data"
    shutil.copytree(hostile_dir, data)
    path = data / "announcements" / "2026-publicity.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('中小企业科"', '中小企业科\\u202E"', 1), encoding="utf-8")
    result = pipeline.validate_dir(data, TODAY)
    assert result.registry is None
    assert [(p.rule, p.path) for p in result.problems if p.is_error] == [
        ("records.invisible-char", ("contact", "department"))
    ]


@pytest.mark.build
def test_hostile_title_is_escaped_in_the_head(hostile_pages: dict[str, Page]) -> None:
    raw = hostile_pages[paths.platform("bd-0012")].raw
    head = raw[raw.index("<title>") + len("<title>") : raw.index("</title>")]
    assert "<" not in head and "&lt;/title&gt;&lt;script&gt;" in head
    assert "&amp;lt;script&amp;gt;" in head  # the record's own "&lt;script&gt;", shown as typed


@pytest.mark.build
def test_hostile_text_neither_includes_nor_expands(hostile_pages: dict[str, Page]) -> None:
    readme = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if len(line) > 30
    ]
    config_dump = ("markdown_extensions", "mdx_configs", "theme_dir", "docs_dir", "site_dir")
    urls = [paths.platform(i) for i in overlay_ids("platforms")]
    urls += [paths.announcement(i) for i in overlay_ids("announcements")]
    for url in urls:
        raw = hostile_pages[url].raw
        for leak in (*readme, *config_dump):
            assert leak not in raw, f"{url}: {leak!r}"
    runs = list(hostile_pages[paths.platform("bd-0012")].root.runs())
    assert any("{{ config }}" in run for run in runs) and any(
        '--8<-- "README.md"' in run for run in runs
    )


@pytest.mark.build
def test_canaries_are_nowhere(hostile_site: Path) -> None:
    checked = 0
    for name, text in decoded_files(hostile_site):
        assert CANARY not in text.lower(), f"an internal: field reached {name}"
        checked += 1
    assert checked > 100


@pytest.mark.build
def test_hostile_search_results_are_text(hostile_site: Path) -> None:
    out = pagefind_search(hostile_site, [{"term": "alert"}, {"term": CANARY + "cp0003"}])
    found, canary = out["searches"]
    assert paths.platform("bd-0003") in {r["url"].lstrip("/") for r in found}
    for r in found:
        assert re.sub(r"</?mark>", "", r["excerpt"]).count("<") == 0, r["excerpt"]
    assert not [r["url"] for r in canary if CANARY in (r["excerpt"] + r["title"]).lower()]


# -- a failed build keeps the previous site ----------------------------------------------------


@pytest.fixture
def old_site(site: Path, tmp_path: Path) -> Path:
    out = tmp_path / "public"
    shutil.copytree(site, out)
    return out


def assert_untouched(out: Path, before: dict[str, str]) -> None:
    assert file_hashes(out) == before
    assert not list(out.parent.glob(f".{out.name}-build-*")), "a staging folder was left behind"


@pytest.mark.build
def test_invalid_data_keeps_the_site(old_site: Path, src: Sources, tmp_path: Path) -> None:
    before = file_hashes(old_site)
    broken = tmp_path / "data"
    shutil.copytree(src.data, broken)
    record = broken / "platforms" / "bd-0001.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace('county: "130671"', 'county: "999999"'),
        encoding="utf-8",
    )
    result = build(src, old_site, broken)
    assert not result.ok and any(p.rule == "references.county" for p in result.problems)
    assert_untouched(old_site, before)


@pytest.mark.build
def test_incomplete_index_keeps_the_site(
    old_site: Path, src: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = file_hashes(old_site)
    finish = Pages.finish

    def every_page_marked(self: Pages) -> PagesMade:  # expect every page in the index
        made = finish(self)
        made.marked = dict.fromkeys(made.marked, True)
        return made

    monkeypatch.setattr(Pages, "finish", every_page_marked)
    result = build(src, old_site)
    assert not result.ok and [p.rule for p in result.problems if p.is_error] == [
        "build.index-incomplete"
    ]
    assert_untouched(old_site, before)


@pytest.mark.build
def test_crash_in_a_stage_keeps_the_site(
    old_site: Path, src: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = file_hashes(old_site)

    def crash(*args: Any) -> PagesMade:  # the build process fails while its children work
        raise RuntimeError("disk full")

    monkeypatch.setattr(Pages, "finish", crash)
    with pytest.raises(RuntimeError):
        build(src, old_site)
    assert_untouched(old_site, before)


def test_out_must_be_a_previous_site(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = pipeline.build(DATA, folder, TODAY, CONFIG, DOCS)
    assert not result.ok and [p.rule for p in result.problems] == ["build.out-not-site"]
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert not list(tmp_path.glob(".documents-build-*"))
    a_file = tmp_path / "site.txt"
    a_file.write_text("x")
    result = pipeline.build(DATA, a_file, TODAY, CONFIG, DOCS)
    assert [p.rule for p in result.problems] == ["build.out-not-site"] and a_file.read_text() == "x"


def test_out_inside_the_sources_is_refused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    for out, rule_dir in ((docs / "site", docs), (docs / "assets", docs), (DATA / "site", DATA)):
        result = pipeline.build(DATA, out, TODAY, CONFIG, docs)
        assert [p.rule for p in result.problems] == ["build.out-in-sources"], out
        assert not out.exists() or out == docs / "assets"
        assert not list(rule_dir.glob(".*-build-*"))
