"""Browser tests: one real build of the shipped data, served over HTTP, one Chromium.

The site is built once per session (`generator.pipeline.build`, --today 2026-11-29)
into a temporary folder and served the way GitHub Pages serves it: under the path of
`site_url` in mkdocs.yml (/platform-registry/), gzip for text files, the site's own
404.html with status 404 for a missing page. Serving under the project path is what
catches a root-absolute URL that works on a laptop and breaks on the real host.

Every request a tab makes, its workers' included, is recorded, and a test fails on one
to any host but the local server (the site must load nothing from other hosts:
DESIGN.md). Most tests share one desktop tab (`desktop`); a test that needs other
settings (no JavaScript, an empty cache) opens its own context (`open_context`), whose
requests to other hosts are also aborted.

Without Chromium (/usr/bin/chromium or `chromium` on PATH) every browser test is
skipped with the reason; nothing else is a reason to skip.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import (
    CHROMIUM,
    DATA,
    DESKTOP,
    LAUNCH_ARGS,
    NO_CHROMIUM,
    ROOT,
    TODAY,
    Browsing,
    Findings,
    PagesHandler,
    Site,
    Watch,
    site_prefix,
)

from generator import paths, schemas
from generator.model import Registry, Status

#: Every kind of page the site has; a test that takes `kind` runs once for each.
KINDS: list[str] = [
    "home",
    "platforms",
    *(f"platform-{s.slug}" for s in Status),
    "announcements",
    *(f"announcement-{t}" for t in schemas.enum("announcement", ["type"])),
    "lists",
    "year",
    "counties",
    "county",
    "categories",
    "category",
    "conditions",
    "data",
    "guide",
    "search",
    "contact",
    "sitemap",
    "404",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM:
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(skip)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "kind" in metafunc.fixturenames:
        metafunc.parametrize("kind", KINDS)


# -- the site --------------------------------------------------------------------


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The model of the shipped data, for what the pages should show."""
    from generator.pipeline import validate_dir

    result = validate_dir(DATA, TODAY)
    assert result.registry is not None, "\n".join(p.message for p in result.problems if p.is_error)
    return result.registry


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.pipeline import build

    out = tmp_path_factory.mktemp("browser") / "site"
    result = build(
        DATA, out, TODAY, config_file=ROOT / "mkdocs.yml", docs_dir=ROOT / "docs" / "content"
    )
    errors = [f"{p.file}:{p.line}: {p.message}" for p in result.problems if p.is_error]
    assert result.ok, "build failed:\n" + "\n".join(errors)
    return out


@pytest.fixture(scope="session")
def site(built_site: Path) -> Iterator[Site]:
    handler = type("Handler", (PagesHandler,), {"prefix": site_prefix()})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(built_site))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(built_site, f"http://127.0.0.1:{server.server_address[1]}", handler.prefix)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def page_paths(registry: Registry, built_site: Path) -> dict[str, str]:
    """Site-relative path of one page of each kind in KINDS (absent: no such page in the data)."""
    today = registry.today
    found: dict[str, str] = {
        "home": paths.HOME,
        "platforms": paths.PLATFORMS,
        "announcements": paths.ANNOUNCEMENTS,
        "lists": paths.LISTS,
        "counties": paths.COUNTIES,
        "categories": paths.CATEGORIES,
        "conditions": paths.CONDITIONS,
        "data": paths.DATA,
        "search": paths.SEARCH + "?q=检验检测",
        "contact": "contact/",
        "sitemap": "sitemap/",
        "404": "no-such-page/",
    }
    for p in sorted(registry.platforms, key=lambda p: p.id):
        found.setdefault(f"platform-{p.status(today).slug}", paths.platform(p.id))
    for a in sorted(registry.announcements, key=lambda a: a.id):
        found.setdefault(f"announcement-{a.type}", paths.announcement(a.id))
    if registry.years:
        found["year"] = paths.year_list(registry.years[-1])
    counties = [
        c.code for c in registry.counties if any(p.county == c.code for p in registry.platforms)
    ]
    if counties:
        found["county"] = paths.county(counties[0])
    categories = [
        k
        for k in schemas.service_categories()
        if any(k in p.categories for p in registry.platforms)
    ]
    if categories:
        found["category"] = paths.category(categories[0])
    if (built_site / paths.GUIDE / "index.html").is_file():
        found["guide"] = paths.GUIDE
    return found


@pytest.fixture
def kind_path(kind: str, page_paths: dict[str, str]) -> str:
    if kind not in page_paths:
        pytest.skip(f"the shipped data has no page of kind {kind!r}")
    return page_paths[kind]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_context(browser: Any, site: Site) -> Iterator[Callable[..., Browsing]]:
    """Factory: open_context(viewport=..., **context options) -> Browsing; closed after the test.

    guard=True routes every request through the test, which aborts those to other hosts;
    Playwright then bypasses the HTTP cache, so a test that measures caching passes
    guard=False and relies on the recorded requests alone.
    """
    opened: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP, guard: bool = True, **options: Any) -> Browsing:
        options.setdefault("locale", "zh-CN")
        options.setdefault("timezone_id", "Asia/Shanghai")
        context = browser.new_context(viewport=viewport, **options)
        opened.append(context)
        watch = Watch(site)
        if guard:
            context.route("**/*", watch.route)
        page = watch.attach(context.new_page())
        return Browsing(context, page, watch, site)

    yield make
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def desktop_tab(browser: Any, site: Site) -> Iterator[Browsing]:
    """One desktop tab for the whole session: a new tab costs a renderer process, which
    is most of a short test's time. Each test gets it through `desktop`, reset.

    Its requests are recorded, not routed: routing would switch off the HTTP cache, and
    a visitor's browser caches the site's CSS and scripts from page to page.
    """
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    watch = Watch(site)
    page = watch.attach(context.new_page())
    yield Browsing(context, page, watch, site)
    context.close()


@pytest.fixture
def desktop(desktop_tab: Browsing) -> Iterator[Browsing]:
    """The desktop tab at 1280 px with an empty record of requests and console errors."""
    desktop_tab.watch.reset()
    desktop_tab.page.set_viewport_size(DESKTOP)
    desktop_tab.page.emulate_media(media="screen")
    yield desktop_tab
    desktop_tab.page.goto("about:blank")


@pytest.fixture(scope="session")
def tap_findings() -> Iterator[Findings]:
    findings = Findings("tap-targets.json")
    yield findings
    if findings.data:
        findings.save()
