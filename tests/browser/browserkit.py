"""Helpers for the browser tests: the test web server, request/console watching, axe-core.

Fixtures live in conftest.py; this module holds what tests import by name.
"""

from __future__ import annotations

import gzip
import http.server
import json
import posixpath
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
TODAY = date(2026, 11, 29)
SCREENSHOTS = ROOT / "tests" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 320, "height": 640}


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = _chromium()
NO_CHROMIUM = "Chromium not found (/usr/bin/chromium or `chromium` on PATH); install it with `apt-get install -y chromium`"


def site_prefix() -> str:
    """The path the site lives under on its host, from site_url in mkdocs.yml."""
    from generator.pipeline import site_config

    config, problems = site_config(ROOT / "mkdocs.yml")
    assert config is not None, problems
    prefix = urlsplit(config.site_url).path or "/"
    return prefix if prefix.endswith("/") else prefix + "/"


_COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
)


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site like GitHub Pages: under a path prefix, gzip, 404.html on a miss."""

    prefix = "/"
    #: The tests' own files, outside the site's path: axe-core, served so that the
    #: browser caches it and compiles it once rather than on every page.
    AXE_PATH = "/__tests__/axe.min.js"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        if url_path == self.AXE_PATH and AXE.is_file():
            return self._send(200, "text/javascript", AXE.read_bytes(), send_body)
        if url_path + "/" == self.prefix:
            return self._redirect(self.prefix)
        if not url_path.startswith(self.prefix):
            return self._not_found(send_body)
        rest = posixpath.normpath("/" + url_path[len(self.prefix) :])
        target = Path(self.translate_path(rest))
        if target.is_dir():
            if not url_path.endswith("/"):
                return self._redirect(url_path + "/")
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(send_body)
        self._send(200, self.guess_type(str(target)), target.read_bytes(), send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, send_body: bool) -> None:
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"Not Found"
        self._send(404, "text/html; charset=utf-8", body, send_body)

    def _send(self, status: int, ctype: str, body: bytes, send_body: bool) -> None:
        zipped = ctype.startswith(_COMPRESSIBLE) and "gzip" in self.headers.get(
            "Accept-Encoding", ""
        )
        if zipped:
            body = gzip.compress(body, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # what GitHub Pages sends
        if zipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


@dataclass(frozen=True)
class Site:
    root: Path  # the built site on disk
    origin: str  # http://127.0.0.1:<port>
    prefix: str  # /platform-registry/

    def url(self, path: str = "") -> str:
        """Absolute URL of a site-relative path such as 'platforms/bd-0001/'."""
        return self.origin + self.prefix + path.lstrip("/")

    def path_of(self, url: str) -> str:
        """Site-relative path of an absolute URL on this site ('' for other URLs)."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or not parts.path.startswith(
            self.prefix
        ):
            return ""
        return unquote(parts.path[len(self.prefix) :])


# -- the browser ------------------------------------------------------------


@dataclass
class Watch:
    """What a browser context did: requests to other hosts, console errors, documents loaded."""

    site: Site
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    expected_404: set[str] = field(default_factory=set)

    def reset(self) -> None:
        for found in (self.foreign, self.errors, self.documents):
            found.clear()
        self.expected_404.clear()

    def attach(self, page: Any) -> Any:
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        page.on("response", self._response)
        return page

    def _console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and where in self.expected_404:
            return
        self.errors.append(f"{msg.text} ({where})")

    def _request(self, request: Any) -> None:
        if not self._local(request.url) and request.url not in self.foreign:
            self.foreign.append(request.url)

    def _local(self, url: str) -> bool:
        return url.startswith((self.site.origin + "/", "data:", "blob:", "about:"))

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.documents.append(response.url)

    def route(self, route: Any) -> None:
        if self._local(route.request.url):
            route.continue_()
        else:
            self._request(route.request)
            route.abort()


@dataclass
class Browsing:
    """A browser context and its one tab (`page`), with what they did recorded (`watch`)."""

    context: Any
    page: Any
    watch: Watch
    site: Site

    def open(self, path: str, expect_status: int = 200) -> Any:
        url = self.site.url(path)
        if expect_status == 404:
            self.watch.expected_404.add(url)
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == expect_status, (
            f"{url}: HTTP {response.status if response else None}, expected {expect_status}"
        )
        return response


# -- shared checks ---------------------------------------------------------------------


def wait_for_search(page: Any) -> str:
    """Wait until Pagefind UI has answered; returns its message ('找到 3 个 … 的相关结果').

    The search page tries a query in stages (assets/searchterm.js); while it widens a
    query that found nothing, #reg-search is aria-busy and its message is not final.
    """
    page.wait_for_function(
        "() => { const m = document.querySelector('.pagefind-ui__message');"
        " return m && /找到|未找到/.test(m.textContent) && !document.querySelector('.pagefind-ui__loading')"
        " && !document.querySelector('#reg-search[aria-busy=true]'); }",
        timeout=10_000,
    )
    return page.locator(".pagefind-ui__message").inner_text()


def serious_axe_violations(b: Browsing) -> list[dict[str, Any]]:
    """axe-core (WCAG 2.0/2.1 A and AA rules) violations of impact serious or critical."""
    if not AXE.is_file():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci --ignore-scripts`")
    page = b.page
    page.add_script_tag(url=b.site.origin + PagesHandler.AXE_PATH)
    violations = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(1, 3).join(' '))}));
        }""",
        AXE_TAGS,
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


class Findings:
    """Numbers worth reading after a run, written as JSON into tests/screenshots/."""

    def __init__(self, name: str) -> None:
        self.path = SCREENSHOTS / name
        self.data: dict[str, Any] = {}

    def save(self) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps(self.data, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
