"""Search as a visitor uses it: the header box, Pagefind on /search/, its filters.

The expected platforms come from the model of the shipped data, never from the index:
a term is "about" a platform when it is in its name, its operator's name, its county,
a service item or category it offers, or its certificate number.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import yaml
from browserkit import DATA, Browsing, serious_axe_violations, wait_for_search

from generator import paths, schemas
from generator.model import Platform, Registry

pytestmark = pytest.mark.browser

CATEGORIES = schemas.service_categories()
#: Pagefind filter keys (data-pagefind-filter in the page templates) and the labels
#: the search page shows for them.
FILTER_LABELS = {
    "category": "服务类别",
    "county": "县（市、区）",
    "status": "状态",
    "year": "认定年度",
}


def certificate_from_data() -> tuple[str, str]:
    """The first certificate number in data/platforms/*.yaml and its platform id."""
    for file in sorted((DATA / "platforms").glob("*.yaml")):
        record = yaml.safe_load(file.read_text(encoding="utf-8"))
        for event in record.get("history", []):
            if event.get("type") == "certified" and event.get("certificate"):
                return str(event["certificate"]), str(record["id"])
    pytest.skip("no certificate number in data/platforms")


def county_term(registry: Registry) -> str:
    names = [registry.county_name(p.county) for p in registry.platforms]
    return "竞秀区" if "竞秀区" in names else min(names)


def about(registry: Registry, p: Platform, term: str) -> bool:
    certificates = [e.certificate for e in p.history if e.certificate]
    services = [item for _, items in p.services for item in items]
    categories = [CATEGORIES[k][0] for k in p.categories]
    haystack = [p.name, p.operator.name, registry.county_name(p.county), *services, *categories]
    return any(term in text for text in haystack) or term in certificates


def search_from_header(b: Browsing, term: str) -> str:
    """Type the term in the header search box of the home page, press Enter; the result message."""
    b.open(paths.HOME)
    box = b.page.locator("#reg-header-q")
    box.fill(term)
    box.press("Enter")
    b.page.wait_for_url(lambda url: b.site.path_of(url).startswith(paths.SEARCH))
    assert parse_qs(urlsplit(b.page.url).query).get("q") == [term]
    return wait_for_search(b.page)


def result_count(message: str) -> int:
    found = re.search(r"找到\s*(\d+)\s*个", message)
    return int(found.group(1)) if found else 0


def wait_for_count_other_than(page: Any, total: int) -> None:
    page.wait_for_function(
        "(total) => { const m = document.querySelector('.pagefind-ui__message');"
        " const n = m && m.textContent.match(/找到\\s*(\\d+)/); return n && Number(n[1]) !== total; }",
        arg=total,
    )


def results(b: Browsing) -> list[tuple[str, str]]:
    """(title, site-relative path) of every result shown."""
    links = b.page.locator(".pagefind-ui__result-link")
    return [
        (
            links.nth(i).inner_text().strip(),
            b.site.path_of(urljoin(b.page.url, links.nth(i).get_attribute("href") or "")),
        )
        for i in range(links.count())
    ]


@pytest.mark.parametrize("what", ["检验检测", "融资", "创业辅导", "county", "certificate"])
def test_header_search_shows_the_right_platform_first(
    what: str, registry: Registry, desktop: Browsing
) -> None:
    if what == "certificate":
        term, platform_id = certificate_from_data()
        expected = {paths.platform(platform_id)}
    else:
        term = county_term(registry) if what == "county" else what
        expected = {paths.platform(p.id) for p in registry.platforms if about(registry, p, term)}
    assert expected, f"no platform in the data is about {term}"
    names = {paths.platform(p.id): p.name for p in registry.platforms}

    message = search_from_header(desktop, term)
    desktop.page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    shown = results(desktop)
    assert shown, f"{term}: no results ({message})"
    title, path = shown[0]
    listing = "\n".join(f"  {t} -> /{p}" for t, p in shown)
    assert path in expected, (
        f"{term}: first result is {title} (/{path}), expected one of {sorted(expected)}:\n{listing}"
    )
    assert title == names[path], (
        f"{term}: first result title {title!r} is not the platform's name {names[path]!r}"
    )
    assert desktop.page.locator("#reg-header-q").input_value() == term, (
        "the header box should keep the query"
    )
    assert desktop.page.locator("#reg-search-status[role=status]").text_content() == message, (
        "not announced"
    )

    # The result link works where the site really lives (under the site_url path).
    desktop.page.locator(".pagefind-ui__result-link").first.click()
    desktop.page.wait_for_load_state("load")
    assert desktop.site.path_of(desktop.page.url) == path
    assert desktop.page.locator("article h1").inner_text().strip() == names[path]
    assert not desktop.watch.errors, desktop.watch.errors


def filter_matches(registry: Registry, p: Platform, name: str, value: str) -> bool:
    if name == "county":
        return registry.county_name(p.county) == value
    if name == "category":
        return value in [CATEGORIES[k][0] for k in p.categories]
    if name == "status":
        return p.status(registry.today).value == value
    return str(p.certified_year) == value


@pytest.mark.parametrize("name", list(FILTER_LABELS))
def test_search_filters_narrow_the_results(
    name: str, registry: Registry, desktop: Browsing
) -> None:
    page = desktop.page
    desktop.open(paths.SEARCH + "?q=平台")
    total = result_count(wait_for_search(page))
    assert total > 1

    block = page.locator("details.pagefind-ui__filter-block").filter(
        has=page.locator(f"input[name='{name}']")
    )
    summary = block.locator("summary")
    assert summary.inner_text().strip() == FILTER_LABELS[name], "filters are labelled in Chinese"
    summary.click()
    labels = block.locator("label.pagefind-ui__filter-label")
    values = []
    for i in range(labels.count()):
        value, count = re.fullmatch(r"(.*) \((\d+)\)", labels.nth(i).inner_text().strip()).groups()
        values.append((int(count), value, i))
    narrower = [v for v in values if 0 < v[0] < total]
    assert narrower, f"{name}: no filter value narrows {total} results: {values}"
    count, value, index = max(narrower)
    labels.nth(index).click()
    wait_for_count_other_than(page, total)
    narrowed = result_count(page.locator(".pagefind-ui__message").inner_text())
    assert narrowed == count < total, f"{name}={value}: {narrowed} results, the filter said {count}"

    more = page.locator(".pagefind-ui__button")  # 加载更多结果
    while more.is_visible():
        more.click()
    # Pagefind UI adds result rows one by one as their fragments arrive: wait for all
    page.wait_for_function(
        "n => document.querySelectorAll('.pagefind-ui__result-link').length >= n",
        arg=narrowed,
        timeout=10_000,
    )
    shown = results(desktop)
    assert len(shown) == narrowed
    by_path = {paths.platform(p.id): p for p in registry.platforms}
    wrong = [
        f"{t} (/{p})"
        for t, p in shown
        if p not in by_path or not filter_matches(registry, by_path[p], name, value)
    ]
    assert not wrong, f"{name}={value}: results that do not match: {wrong}"


def test_a_query_without_results_says_what_to_try(desktop: Browsing) -> None:
    message = search_from_header(desktop, "qzxvkjw")
    assert "未找到" in message, message
    assert desktop.page.locator("#reg-search-status[role=status]").text_content() == message, (
        "not announced"
    )
    assert desktop.page.locator(".pagefind-ui__result").count() == 0
    tips = desktop.page.locator("#reg-search-tips")
    assert tips.is_visible()
    assert tips.locator(f"a[href$='{paths.PLATFORMS}']").count() >= 1, (
        "the tips point to the platforms list"
    )
    box = tips.bounding_box()
    assert box is not None and box["y"] < desktop.page.viewport_size["height"], (
        "the tips are on the first screen"
    )


def test_search_page_with_filters_open_passes_axe(desktop: Browsing) -> None:
    page = desktop.page
    desktop.open(paths.SEARCH + "?q=平台")
    total = result_count(wait_for_search(page))
    for summary in page.locator("summary.pagefind-ui__filter-name").all():
        summary.click()
    page.locator("label.pagefind-ui__filter-label").first.click()
    wait_for_count_other_than(page, total)
    violations = serious_axe_violations(desktop)
    assert not violations, "\n".join(f"{v['impact']} {v['id']}: {v['nodes']}" for v in violations)
    assert not desktop.watch.errors, desktop.watch.errors
