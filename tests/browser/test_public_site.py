"""The public site as the public uses it (issue 13), on the shipped data.

Search finds every platform by each of its strings, on the site's own search box and
through pagefind.js; the home page's numbers link to views that list exactly that many;
lists put current holders first and revoked platforms last; notices are 政务公开
documents; and the conventions of Chinese government sites hold on every page (skip
link, 大字版, footer, 404 at any depth and base path, no sitemap.xml fetched).
What a page should show is worked out from the model, never read back from the site.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import pytest
from browserkit import (
    PHONE,
    ROOT,
    Browsing,
    PagesHandler,
    serious_axe_violations,
    wait_for_search,
)

from generator import paths, schemas
from generator.model import HOLDS_TITLE, Platform, Registry, Status
from generator.render import cn_date
from tests.conftest import SHIPPED_PUBLISHER

pytestmark = pytest.mark.browser

CATEGORIES = schemas.service_categories()
SEARCH_JS = ROOT / "tests" / "pagefind_search.mjs"


# -- what a term is about --------------------------------------------------------------


def strings_of(registry: Registry, p: Platform) -> list[str]:
    """Every string of a platform that search must find it by."""
    certificates = [e.certificate for e in p.history if e.certificate]
    items = [item for _, its in p.services for item in its]
    return [
        p.name,
        p.operator.name,
        p.contact.address,
        *certificates,
        *items,
        registry.county_name(p.county),
        *(CATEGORIES[k][0] for k in p.categories),
    ]


def about(registry: Registry, p: Platform, term: str) -> bool:
    squeeze = re.compile(r"[\s\-－—]+")
    want = squeeze.sub("", term).lower()
    return any(want in squeeze.sub("", s).lower() for s in strings_of(registry, p))


def search_terms(registry: Registry) -> list[tuple[str, str, str | None]]:
    """(what, term, platform id or None) for every record: each platform by its full name,
    operator, address and certificate numbers; every service item and county once."""
    terms: list[tuple[str, str, str | None]] = []
    shared: dict[str, str] = {}
    for p in registry.platforms:
        terms += [
            ("name", p.name, p.id),
            ("operator", p.operator.name, p.id),
            ("address", p.contact.address, p.id),
        ]
        terms += [("certificate", e.certificate, p.id) for e in p.history if e.certificate]
        for _, items in p.services:
            shared.update({item: "service item" for item in items})
        shared[registry.county_name(p.county)] = "county"
    return terms + [(what, term, None) for term, what in sorted(shared.items())]


def top3_problem(
    registry: Registry, what: str, term: str, pid: str | None, found: list[str]
) -> str | None:
    """None when the top 3 of `found` (site-relative paths) answer the term; else why not.

    A platform's own string: it is among the first three, or every one of the first three
    carries the same string (several platforms share an operator or an address). A shared
    string (service item, county): the first three are all platforms that carry it.
    """
    by_path = {paths.platform(p.id): p for p in registry.platforms}
    top = found[:3]
    relevant = [u in by_path and about(registry, by_path[u], term) for u in top]
    if pid is not None and paths.platform(pid) in top:
        return None
    if top and all(relevant) and (pid is None or len(top) == 3):
        return None
    return f"{what} {term!r}: top 3 are {top}" + (
        f", expected /{paths.platform(pid)}" if pid else ""
    )


# -- search through pagefind.js (Node), every record ------------------------------------


def node_search(site: Path, searches: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: Pagefind's search cannot run outside a browser")
    proc = subprocess.run(
        ["node", str(SEARCH_JS), str(site), "-"],
        input=json.dumps(searches),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["searches"]


def test_pagefind_js_finds_every_record_in_the_top_3(registry: Registry, built_site: Path) -> None:
    terms = search_terms(registry)
    answers = node_search(built_site, [{"term": t, "limit": 3} for _, t, _ in terms])
    problems = []
    for (what, term, pid), found in zip(terms, answers, strict=True):
        urls = [r["url"].lstrip("/") for r in found]
        problem = top3_problem(registry, what, term, pid, urls)
        if problem:
            problems.append(problem)
    assert not problems, f"{len(problems)} of {len(terms)} searches miss:\n" + "\n".join(problems)


def test_search_results_carry_status_and_county(registry: Registry, built_site: Path) -> None:
    answers = node_search(built_site, [{"term": p.name, "limit": 1} for p in registry.platforms])
    for p, found in zip(registry.platforms, answers, strict=True):
        meta = found[0]["meta"]
        assert meta.get("状态") == p.status(registry.today).value, (p.id, meta)
        assert meta.get("所在县（市、区）") == registry.county_name(p.county), (p.id, meta)


def test_staff_guide_is_not_in_the_public_index(registry: Registry, built_site: Path) -> None:
    # words that are all over the guide: its examples copy the sample records
    answers = node_search(
        built_site,
        [{"term": t} for t in ("编辑指南", "YAML", "history", registry.platforms[0].name)],
    )
    for found in answers:
        assert not [r["url"] for r in found if "/guide/" in r["url"]]


# -- the site's own search box -------------------------------------------------------------


def result_paths(b: Browsing) -> list[str]:
    links = b.page.locator(".pagefind-ui__result-link")
    return [
        b.site.path_of(urljoin(b.page.url, links.nth(i).get_attribute("href") or ""))
        for i in range(links.count())
    ]


def test_search_box_finds_every_record_in_the_top_3(registry: Registry, desktop: Browsing) -> None:
    problems = []
    terms = search_terms(registry)
    for what, term, pid in terms:
        desktop.open(paths.SEARCH + "?q=" + quote(term))
        message = wait_for_search(desktop.page)
        desktop.page.wait_for_function(
            "n => document.querySelectorAll('.pagefind-ui__result-link').length >= n",
            arg=1 if "找到" in message and "未找到" not in message else 0,
            timeout=10_000,
        )
        problem = top3_problem(registry, what, term, pid, result_paths(desktop))
        if problem:
            problems.append(f"{problem} ({message})")
    assert not problems, f"{len(problems)} of {len(terms)} searches miss:\n" + "\n".join(problems)
    assert not desktop.watch.errors, desktop.watch.errors


def test_each_result_shows_status_and_county(registry: Registry, desktop: Browsing) -> None:
    revoked = [p for p in registry.platforms if p.status(registry.today) == Status.REVOKED]
    p = (revoked or registry.platforms)[0]
    desktop.open(paths.SEARCH + "?q=" + quote(p.name))
    wait_for_search(desktop.page)
    first = desktop.page.locator(".pagefind-ui__result").first
    first.locator(".pagefind-ui__result-tag").first.wait_for()
    tags = [t.strip() for t in first.locator(".pagefind-ui__result-tag").all_inner_texts()]
    assert f"状态: {p.status(registry.today).value}" in tags, tags
    assert f"所在县（市、区）: {registry.county_name(p.county)}" in tags, tags
    assert not [t for t in tags if t.lower().startswith("k:")], "the key-string field is not shown"


# -- numbers that agree --------------------------------------------------------------------


def test_every_count_on_the_home_page_lists_exactly_that_many(desktop: Browsing) -> None:
    desktop.open(paths.HOME)
    links = desktop.page.locator("a.reg-count")
    counts = [
        (
            int(links.nth(i).get_attribute("data-count") or "-1"),
            links.nth(i).get_attribute("href") or "",
            links.nth(i).inner_text(),
        )
        for i in range(links.count())
    ]
    assert len(counts) >= 3, counts
    base = desktop.page.url
    for n, href, text in counts:
        assert str(n) in text, f"the link {text!r} does not show its number {n}"
        desktop.page.goto(urljoin(base, href))
        rows = desktop.page.locator("#reg-platforms tbody tr:not([hidden])")
        assert rows.count() == n, f"{text} ({href}) lists {rows.count()} platforms"
        assert f"{n} 个" in desktop.page.locator("#reg-filter-count").inner_text(), href


def standing(registry: Registry, p: Platform) -> int:
    s = p.status(registry.today)
    return 0 if s in HOLDS_TITLE else 3 if s == Status.REVOKED else 2 if s == Status.REJECTED else 1


@pytest.mark.parametrize("list_kind", ["county", "category"])
def test_lists_put_holders_first_and_revoked_last_marked(
    list_kind: str, registry: Registry, desktop: Browsing
) -> None:
    def members(key: str) -> list[Platform]:
        if list_kind == "county":
            return [p for p in registry.platforms if p.county == key]
        return [p for p in registry.platforms if key in p.categories]

    keys = [c.code for c in registry.counties] if list_kind == "county" else list(CATEGORIES)
    with_revoked = [
        k for k in keys if any(p.status(registry.today) == Status.REVOKED for p in members(k))
    ]
    if not with_revoked:
        pytest.skip(f"no {list_kind} page lists a revoked platform")
    key = max(with_revoked, key=lambda k: len(members(k)))
    desktop.open(paths.county(key) if list_kind == "county" else paths.category(key))
    by_name = {p.name: p for p in members(key)}
    rows = desktop.page.locator("#reg-list tbody tr")
    shown = [rows.nth(i).locator("td").first.inner_text().strip() for i in range(rows.count())]
    assert sorted(shown) == sorted(by_name), "the page lists exactly the platforms of its kind"
    ranks = [standing(registry, by_name[n]) for n in shown]
    assert ranks == sorted(ranks), (
        f"holders first, revoked last: {list(zip(shown, ranks, strict=False))}"
    )
    revoked_rows = desktop.page.locator("#reg-list tbody tr.reg-row--revoked")
    assert revoked_rows.count() == ranks.count(3)
    for i in range(revoked_rows.count()):
        row = revoked_rows.nth(i)
        assert row.locator(".reg-status--revoked").inner_text().strip() == Status.REVOKED.value
        name = row.locator("td a").first
        assert "line-through" in name.evaluate("a => getComputedStyle(a).textDecorationLine")


# -- notices as 政务公开 documents ------------------------------------------------------------


def test_a_notice_has_the_information_block_and_contact_lines(
    registry: Registry, desktop: Browsing
) -> None:
    notice = next(
        a for a in sorted(registry.announcements, key=lambda a: a.id) if a.type == "publicity"
    )
    desktop.open(paths.announcement(notice.id))
    page = desktop.page
    block = page.locator("table.reg-docinfo")
    labels = [t.strip() for t in block.locator("th").all_inner_texts()]
    for label in ("索引号", "发布机构", "成文日期", "发布日期", "文号", "主题分类"):
        assert label in labels, labels
    cells = dict(
        zip(labels, [t.strip() for t in block.locator("td").all_inner_texts()], strict=False)
    )
    assert cells["发布日期"] == cn_date(notice.date)
    # a notice that names no issuer is issued by the site's authority (mkdocs.yml)
    assert cells["发布机构"] == (notice.issuer or SHIPPED_PUBLISHER.authority) != ""
    if notice.index_no:
        assert cells["索引号"] == notice.index_no
    assert (
        f"自{cn_date(notice.publicity_start)}至{cn_date(notice.publicity_end)}"
        in page.locator(".reg-callout").inner_text()
    )

    lines = page.locator(".reg-callout dl.reg-contact-lines dd")
    tops = [lines.nth(i).bounding_box()["y"] for i in range(lines.count())]
    assert len(tops) >= 3 and len({round(t) for t in tops}) == len(tops), (
        "each contact on its own line"
    )
    tel = page.locator(".reg-contact-lines a[href^='tel:']").first
    assert re.sub(r"\D", "", notice.contact.phone) in (tel.get_attribute("href") or "")
    if notice.contact.email:
        assert (
            page.locator(f".reg-contact-lines a[href='mailto:{notice.contact.email}']").count() == 1
        )


def test_a_notice_prints_its_address_and_data_date(registry: Registry, desktop: Browsing) -> None:
    notice = max(registry.announcements, key=lambda a: a.id)
    desktop.open(paths.announcement(notice.id))
    page = desktop.page
    button = page.locator(".reg-print-button")
    assert button.is_visible(), "a print / PDF button"
    page.emulate_media(media="print")
    meta = page.locator(".reg-print-meta")
    assert meta.is_visible()
    text = meta.inner_text()
    assert paths.announcement(notice.id) in text and text.count("http") == 1, text
    assert cn_date(registry.today) in text, text
    for hidden in (".reg-print-button", ".md-footer", ".reg-skip", ".reg-large-toggle"):
        assert not page.locator(hidden).first.is_visible(), f"{hidden} printed"


def test_phones_and_emails_are_links(registry: Registry, desktop: Browsing) -> None:
    p = next(p for p in registry.platforms if p.contact.email)
    desktop.open(paths.platform(p.id))
    assert (
        desktop.page.locator(f"a[href='tel:{re.sub(r'[^0-9+]', '', p.contact.phone)}']").count()
        == 1
    )
    assert desktop.page.locator(f"a[href='mailto:{p.contact.email}']").count() == 1
    desktop.open("contact/")
    assert desktop.page.locator("article a[href^='tel:']").count() >= 1
    assert desktop.page.locator("article a[href^='mailto:']").count() >= 1


# -- government-site conventions --------------------------------------------------------------


def test_skip_link_is_the_first_tab_stop_and_moves_to_the_content(
    kind: str, kind_path: str, desktop: Browsing
) -> None:
    if kind == "404":
        desktop.open(kind_path, expect_status=404)
    else:
        desktop.open(kind_path)
    page = desktop.page
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.classList.contains('reg-skip'), document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused[0] and focused[1] == "跳到正文", f"{kind}: first tab stop is {focused}"
    assert page.locator(".reg-skip").first.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "reg-main", kind


def test_footer_names_the_site_owner_and_links_the_service_pages(desktop: Browsing) -> None:
    desktop.open(paths.platform("bd-0001"))
    footer = desktop.page.locator(".reg-footer")
    assert "主办单位：" in footer.inner_text()
    for label, path in (
        ("联系我们", "contact/"),
        ("网站地图", "sitemap/"),
        ("工作人员", paths.GUIDE),
    ):
        link = footer.locator("a", has_text=label)
        assert link.count() == 1, label
        href = urljoin(desktop.page.url, link.get_attribute("href") or "")
        assert desktop.site.path_of(href) == path, (label, href)
    nav = desktop.page.locator(".md-sidebar--primary").inner_text()
    assert "编辑指南" not in nav, "the staff guide is not in the public navigation"
    desktop.open("sitemap/")
    links = desktop.page.locator(".reg-sitemap a")
    targets = {
        desktop.site.path_of(urljoin(desktop.page.url, links.nth(i).get_attribute("href") or ""))
        for i in range(links.count())
    }
    for path in (paths.HOME, paths.PLATFORMS, paths.ANNOUNCEMENTS, paths.GUIDE, "contact/"):
        assert path in targets, path


def test_large_text_is_bigger_high_contrast_and_remembered(desktop: Browsing) -> None:
    page = desktop.page
    desktop.open(paths.platform("bd-0001"))
    page.evaluate("() => localStorage.removeItem('reg-large')")
    page.reload()

    def size():
        return page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)"
        )

    normal = size()
    toggle = page.locator("#reg-large-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert size() >= normal * 1.2, (normal, size())
    color = page.evaluate("() => getComputedStyle(document.querySelector('.md-typeset p')).color")
    assert color == "rgb(0, 0, 0)", color
    violations = serious_axe_violations(desktop)
    assert not violations, "\n".join(f"{v['impact']} {v['id']}: {v['nodes']}" for v in violations)
    desktop.open(paths.ANNOUNCEMENTS)  # another page: still large
    assert page.evaluate("() => document.documentElement.classList.contains('reg-large')")
    assert page.locator("#reg-large-toggle").get_attribute("aria-pressed") == "true"
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth + 1"), (
        "no sideways scroll"
    )
    page.locator("#reg-large-toggle").click()
    assert page.evaluate("() => localStorage.getItem('reg-large')") == "0"
    desktop.open(paths.HOME)
    assert not page.evaluate("() => document.documentElement.classList.contains('reg-large')")


def test_no_page_view_fetches_the_sitemap(page_paths: dict[str, str], desktop: Browsing) -> None:
    asked: list[str] = []
    desktop.page.on("request", lambda r: asked.append(r.url))
    for kind, path in sorted(page_paths.items()):
        desktop.open(path, expect_status=404 if kind == "404" else 200)
        desktop.page.wait_for_timeout(100)
    assert not [u for u in asked if u.split("?")[0].endswith(("sitemap.xml", "sitemap.xml.gz"))]
    assert not desktop.watch.foreign


# -- the 404 page at any depth and under any base path ------------------------------------------


@pytest.fixture(scope="module")
def elsewhere(built_site: Path) -> Iterator[dict[str, str]]:
    """The same site served at the root of a host and under another path."""
    servers = {}
    for name, prefix in (("root", "/"), ("other", "/preview/pr-7/")):
        handler = type("Handler", (PagesHandler,), {"prefix": prefix})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(built_site))
        )
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[name] = (server, f"http://127.0.0.1:{server.server_address[1]}{prefix}")
    yield {name: base for name, (_, base) in servers.items()}
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["site", "root", "other"])
@pytest.mark.parametrize("depth", ["nope", "a/b/c/d/e"])
def test_the_404_page_is_styled_and_its_links_work(
    where: str, depth: str, elsewhere: dict[str, str], browser: Any, desktop: Browsing
) -> None:
    base = desktop.site.url("") if where == "site" else elsewhere[where]
    context = browser.new_context(
        viewport=PHONE if depth == "nope" else {"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url))
        response = page.goto(base + depth + "/")
        assert response is not None and response.status == 404
        header = page.evaluate(
            "() => getComputedStyle(document.querySelector('.md-header')).backgroundColor"
        )
        assert header == "rgb(166, 27, 27)", "styled"
        assert "页面不存在" in page.locator("h1").inner_text()
        assert not [
            u for u in asked if not u.startswith("http://127.0.0.1") and not u.startswith("data:")
        ]
        link = page.locator("main a", has_text="平台名录")
        page.wait_for_function(
            "(b) => document.querySelector('main a[data-path=\"platforms/\"]').href === b + 'platforms/'",
            arg=base,
            timeout=5_000,
        )
        link.click()
        page.wait_for_load_state("load")
        assert page.url == base + "platforms/"
        assert page.locator("article h1").inner_text().strip() == "平台名录"
    finally:
        context.close()
