"""The pages issue 14 added, in Chromium: the statistics page (static SVG charts and
tables), a platform's QR code, and the printable plaque."""

from __future__ import annotations

import re

import pytest
from browserkit import Browsing, serious_axe_violations

from generator import paths
from generator.model import HOLDS_TITLE, Registry

pytestmark = pytest.mark.browser

SIDEWAYS = "() => document.scrollingElement.scrollWidth - window.innerWidth"


def _clean(b: Browsing) -> list[str]:
    problems = [f"request to another host: {u}" for u in b.watch.foreign]
    problems += [f"console error: {e}" for e in b.watch.errors]
    problems += [
        f"axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
        for v in serious_axe_violations(b)
    ]
    return problems


def test_statistics_page(desktop: Browsing) -> None:
    page = desktop.page
    desktop.open(paths.STATISTICS)
    charts = page.evaluate(
        """() => [...document.querySelectorAll('svg.reg-chart')].map(s => {
             const r = s.getBoundingClientRect();
             return {w: r.width, h: r.height, label: s.getAttribute('aria-labelledby'),
                     title: s.querySelector('title').textContent};
           })"""
    )
    assert len(charts) == 4 and all(c["w"] > 300 and c["h"] > 50 for c in charts), charts
    assert not _clean(desktop)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(SIDEWAYS) <= 1, "the statistics page scrolls sideways on a phone"
    widths = page.evaluate(
        "() => [...document.querySelectorAll('svg.reg-chart')].map(s => s.getBoundingClientRect().width)"
    )
    assert all(0 < w <= 390 for w in widths), widths


def test_platform_page_shows_its_qr_code(desktop: Browsing, registry: Registry) -> None:
    p = min(registry.platforms, key=lambda p: p.id)
    page = desktop.page
    desktop.open(paths.platform(p.id))
    img = page.locator(".reg-opendata__qr img")
    assert img.is_visible()
    assert page.evaluate("() => document.querySelector('.reg-opendata__qr img').naturalWidth") > 0
    assert not _clean(desktop)


def test_plaque_prints_on_one_page(desktop: Browsing, registry: Registry) -> None:
    p = next(
        p
        for p in sorted(registry.platforms, key=lambda p: p.id)
        if registry.status(p) in HOLDS_TITLE
    )
    page = desktop.page
    desktop.open(paths.platform_plaque(p.id))
    assert p.name in page.inner_text("main")
    assert not _clean(desktop)
    page.emulate_media(media="print")
    assert not page.locator(".noprint").is_visible()
    assert page.locator("main svg").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
