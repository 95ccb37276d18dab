"""Page weight: many visitors read on phones, on slow or metered connections.

Bytes on the wire as Chromium counts them (response headers and the body as sent,
gzip where the server compresses as GitHub Pages does), from an empty cache; a file
the browser takes from its cache counts nothing. The numbers, with the uncompressed size of
each file, are written to tests/screenshots/weights.json.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browserkit import DESKTOP, Browsing, Findings, wait_for_search

from generator import paths

pytestmark = pytest.mark.browser

PLATFORM_PAGE_BUDGET = 300 * 1024
FIRST_SEARCH_BUDGET = 200 * 1024


class Traffic:
    """Every response the tab received, its page's and its workers' (Pagefind fetches its
    index from a worker, which a CDP session on the page would not see)."""

    def __init__(self, b: Browsing) -> None:
        self.site = b.site
        self.seen: list[tuple[str, int, int]] = []  # url, bytes on the wire, uncompressed body
        b.context.on("requestfinished", self._finished)

    def _finished(self, request: Any) -> None:
        sizes = request.sizes()
        response = request.response()
        cached = (
            response is not None
            and response.from_service_worker is False
            and sizes["responseHeadersSize"] <= 0
        )
        wire = 0 if cached else sizes["responseBodySize"] + max(sizes["responseHeadersSize"], 0)
        body = len(response.body()) if response is not None and response.status == 200 else 0
        self.seen.append((request.url, wire, body))

    def since(self, start: int) -> dict[str, Any]:
        new = self.seen[start:]
        files: dict[str, dict[str, int]] = {}
        for url, wire, body in new:  # a file fetched twice (Pagefind's worker script) adds up
            file = files.setdefault(
                "/" + (self.site.path_of(url) or url), {"transferred": 0, "uncompressed": 0}
            )
            file["transferred"] += wire
            file["uncompressed"] += body
        return {
            "transferred": sum(w for _, w, _ in new),
            "uncompressed": sum(b for _, _, b in new),
            "requests": len(new),
            "files": files,
        }


def test_platform_page_and_first_search_are_light(
    built_site: Path, open_context: Callable[..., Browsing]
) -> None:
    # The heaviest platform page of the build (longest history and indicator table).
    heaviest = max(
        (built_site / "platforms").glob("*/index.html"),
        key=lambda f: (f.stat().st_size, f.parent.name),
    )
    b = open_context(DESKTOP, guard=False)  # no request routing: it would bypass the HTTP cache
    traffic = Traffic(b)

    b.open(paths.platform(heaviest.parent.name))
    b.page.wait_for_load_state("networkidle")
    first = traffic.since(0)

    before = len(traffic.seen)
    box = b.page.locator("#reg-header-q")
    box.fill("检验检测")
    box.press("Enter")
    wait_for_search(b.page)
    b.page.wait_for_load_state("networkidle")
    search = traffic.since(before)

    findings = Findings("weights.json")
    findings.data = {
        "platform_page": {"page": paths.platform(heaviest.parent.name), **first},
        "first_search": {"query": "检验检测", **search},
        "budgets": {"platform_page": PLATFORM_PAGE_BUDGET, "first_search": FIRST_SEARCH_BUDGET},
    }
    findings.save()
    summary = (
        f"platform page {first['transferred'] / 1024:.1f} KB on the wire "
        f"({first['uncompressed'] / 1024:.1f} KB uncompressed, {first['requests']} requests); "
        f"first search adds {search['transferred'] / 1024:.1f} KB "
        f"({search['uncompressed'] / 1024:.1f} KB uncompressed, {search['requests']} requests)"
    )
    print(summary)
    assert not b.watch.foreign, b.watch.foreign
    assert first["transferred"] <= PLATFORM_PAGE_BUDGET, summary
    assert search["transferred"] <= FIRST_SEARCH_BUDGET, summary
