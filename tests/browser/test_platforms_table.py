"""The platforms table on /platforms/: filters and sorting in the page, and all of it
without JavaScript. Expected rows come from the model of the shipped data."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, urlsplit

import pytest
from browserkit import DESKTOP, PHONE, Browsing
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from generator import paths
from generator.model import Platform, Registry

pytestmark = pytest.mark.browser

SHOWN_IDS = """() => [...document.querySelectorAll('#reg-platforms tbody tr')]
  .filter(row => !row.hidden && row.checkVisibility())
  .map(row => row.querySelector('a').getAttribute('href').replace(/\\/$/, '').split('/').pop())"""


def ids(platforms: Iterable[Platform]) -> list[str]:
    return sorted(p.id for p in platforms)


def count_text(shown: int, total: int) -> str:
    return f"共 {total} 个平台" if shown == total else f"符合条件的平台 {shown} 个（共 {total} 个）"


def check(b: Browsing, expected: list[str], total: int) -> None:
    # The page filters after the event that changed the form (a reset only after the
    # browser has put the defaults back), so wait until the rows settle, then compare.
    with contextlib.suppress(PlaywrightTimeout):
        b.page.wait_for_function(
            f"want => JSON.stringify(({SHOWN_IDS})().sort()) === JSON.stringify(want)",
            arg=expected,
            timeout=5000,
        )
    assert sorted(b.page.evaluate(SHOWN_IDS)) == expected
    assert (
        b.page.locator("#reg-filter-count")
        .inner_text()
        .startswith(count_text(len(expected), total))
    )


def test_filters_narrow_the_rows_without_reloading(registry: Registry, desktop: Browsing) -> None:
    page = desktop.page
    desktop.open(paths.PLATFORMS)
    platforms = registry.platforms
    total = len(platforms)
    check(desktop, ids(platforms), total)
    page.evaluate("window.__sameDocument = true")
    loads = len(desktop.watch.documents)

    county = Counter(p.county for p in platforms).most_common(1)[0][0]
    page.select_option("#f-county", county)
    check(desktop, ids(p for p in platforms if p.county == county), total)
    assert parse_qs(urlsplit(page.url).query) == {"county": [county]}, (
        "a filtered view can be shared"
    )

    page.select_option("#f-county", "")
    status = Counter(p.status(registry.today).slug for p in platforms).most_common(1)[0][0]
    page.select_option("#f-status", status)
    page.select_option("#f-category", "technology")
    check(
        desktop,
        ids(
            p
            for p in platforms
            if p.status(registry.today).slug == status and "technology" in p.categories
        ),
        total,
    )

    page.click("#reg-filters button[type=reset]")
    year = registry.years[0]
    page.select_option("#f-year", str(year))
    check(desktop, ids(p for p in platforms if p.certified_year == year), total)

    page.click("#reg-filters button[type=reset]")
    page.fill("#f-q", "检验")
    check(
        desktop, ids(p for p in platforms if "检验" in p.name or "检验" in p.operator.name), total
    )

    page.fill("#f-q", "无此平台")
    check(desktop, [], total)
    assert "请放宽筛选条件" in page.locator("#reg-filter-count").inner_text()

    page.click("#reg-filters button[type=reset]")
    check(desktop, ids(platforms), total)
    assert urlsplit(page.url).query == ""
    assert page.evaluate("window.__sameDocument") is True, "filtering reloaded the page"
    assert len(desktop.watch.documents) == loads, "filtering requested a page"
    assert not desktop.watch.errors, desktop.watch.errors


def test_a_shared_filtered_address_opens_filtered(registry: Registry, desktop: Browsing) -> None:
    county = Counter(p.county for p in registry.platforms).most_common(1)[0][0]
    desktop.open(f"{paths.PLATFORMS}?county={county}")
    assert desktop.page.locator("#f-county").input_value() == county
    check(
        desktop, ids(p for p in registry.platforms if p.county == county), len(registry.platforms)
    )


def column(b: Browsing, index: int) -> list[str]:
    return b.page.evaluate(
        "(i) => [...document.querySelectorAll('#reg-platforms tbody tr')].map(r => r.cells[i].textContent.trim())",
        index,
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_sorting_by_a_header_button(viewport: dict[str, int], desktop: Browsing) -> None:
    page = desktop.page
    page.set_viewport_size(viewport)  # on a phone the header row is a row of sort buttons
    desktop.open(paths.PLATFORMS)
    heads = page.locator("#reg-platforms thead th")
    names = [heads.nth(i).inner_text().strip() for i in range(heads.count())]
    assert page.locator("#reg-platforms thead th:not([data-sort]) button").count() == 0
    name_col, year_col = names.index("平台名称"), names.index("认定年度")

    before = column(desktop, name_col)
    by_name = heads.nth(name_col)
    by_name.locator("button.reg-sort").click()
    assert by_name.get_attribute("aria-sort") == "ascending"
    ascending = column(desktop, name_col)
    collated = page.evaluate("(xs) => [...xs].sort(new Intl.Collator('zh-CN').compare)", before)
    assert ascending == collated != before

    by_name.locator("button.reg-sort").click()
    assert by_name.get_attribute("aria-sort") == "descending"
    assert column(desktop, name_col) == list(reversed(collated))

    by_year = heads.nth(year_col)
    by_year.locator("button.reg-sort").click()
    assert by_year.get_attribute("aria-sort") == "ascending"
    assert by_name.get_attribute("aria-sort") is None, "only one column is sorted at a time"
    years = [int(y) if y.isdigit() else 0 for y in column(desktop, year_col)]
    assert years == sorted(years)
    assert len(desktop.watch.documents) == 1 and not desktop.watch.errors


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_without_javascript_every_row_is_there(
    viewport: dict[str, int], registry: Registry, open_context: Callable[..., Browsing]
) -> None:
    b = open_context(viewport, java_script_enabled=False)
    b.open(paths.PLATFORMS)
    rows = b.page.locator("#reg-platforms tbody tr")
    assert rows.count() == len(registry.platforms)  # 16 in the shipped data
    hidden = [i for i in range(rows.count()) if not rows.nth(i).is_visible()]
    assert not hidden, f"rows not visible without JavaScript: {hidden}"
    assert b.page.locator("#reg-filters").is_hidden(), "filters that cannot work stay hidden"
    assert b.page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1")
