"""Generated pages inside the theme: one placeholder page ("shell") per kind of page.

The generator renders every generated page's HTML itself (templates/). MkDocs and
mkdocs-material build only the hand-written pages plus one placeholder page per kind
of generated page, so that the header, navigation, footer and assets of every page come
from the theme through its public build; each generated page is then the HTML of its
kind's shell with three markers filled in: the title, the URL (canonical link) and the
content. docs/overrides/main.html prints the markers for pages whose front matter has
`registry_shell` (and prints nothing else of the page there).

What a shell may share: for a page that is not in the navigation, Material's page
depends on the page only through its title, URL, content and front matter (hidden
sidebars, searchable), and on its URL's folder through the relative links of the
navigation. So record pages of one folder and one front matter share a shell placed
in that folder (`platforms/_shell/` for `platforms/bd-0007/`; "_" cannot start an id).
A page at the top of the site ("", "platforms/", "conditions/"...) is in the navigation
(its entry marked active, its headings in the table of contents): MkDocs builds it from
its Markdown like a hand-written page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import escape

from generator import paths
from generator.render import RenderedPage, front_matter

SHELL = "_shell"
TITLE = "REGISTRY-SHELL-TITLE"
URL = "REGISTRY-SHELL-URL"
CONTENT = "<!--REGISTRY-SHELL-CONTENT-->"
_MARKERS = re.compile("(" + "|".join(re.escape(m) for m in (TITLE, URL, CONTENT)) + ")")


class ShellError(ValueError):
    """The theme did not print a shell's markers as expected (docs/overrides/main.html)."""


def shell_url(url: str) -> str | None:
    """The URL of the shell a page is filled into; None for a top-level page."""
    parts = url.rstrip("/").split("/")
    if url in ("", "/") or len(parts) < 2:
        return None
    parts[1] = SHELL
    return "/".join(parts) + "/"


@dataclass
class ShellPlan:
    """What MkDocs builds for the generated pages, and which shell each page goes into."""

    #: docs-relative Markdown path -> source, for MkDocs: the shells and the top-level pages
    sources: dict[str, str] = field(default_factory=dict)
    #: URL of a page built from a shell -> URL of its shell
    shell_of: dict[str, str] = field(default_factory=dict)
    #: the shells' URLs (removed from the site once filled)
    shells: list[str] = field(default_factory=list)


def plan(pages: Sequence[RenderedPage]) -> ShellPlan:
    """The Markdown sources MkDocs builds for `pages`."""
    result = ShellPlan()
    by_key: dict[tuple[str, str], str] = {}
    for page in pages:
        base = shell_url(page.url)
        if base is None:
            result.sources[paths.source_md(page.url)] = page.markdown()
            continue
        key = (base, json.dumps(page.meta, ensure_ascii=False))
        url = by_key.get(key)
        if url is None:
            url, n = base, 1
            while url in result.shells:  # another front matter in the same folder
                n += 1
                url = base.removesuffix("/") + f"-{n}/"
            by_key[key] = url
            result.shells.append(url)
            result.sources[paths.source_md(url)] = str(
                front_matter(TITLE, **dict(page.meta), registry_shell=True)
            )
        result.shell_of[page.url] = url
    return result


class Shell:
    """The built HTML of a placeholder page, cut at its markers."""

    def __init__(self, html: str, url: str) -> None:
        self.parts = _MARKERS.split(html)
        found = self.parts[1::2]
        if found.count(CONTENT) != 1 or TITLE not in found:
            raise ShellError(
                f"页面外壳 {url} 中没有找到标题或内容的位置（docs/overrides/main.html 的 registry_shell 部分）"
            )

    def fill(self, page: RenderedPage) -> str:
        values = {TITLE: str(escape(page.title)), URL: str(escape(page.url)), CONTENT: page.body}
        out = self.parts[:]
        for i in range(1, len(out), 2):
            out[i] = values[out[i]]
        return "".join(out)


def html_path(url: str) -> str:
    """The file a page URL is served from (use_directory_urls)."""
    return url + "index.html"


def fill_pages(
    pages: Iterable[RenderedPage], shell_of: dict[str, str], shells: dict[str, Shell]
) -> Iterable[tuple[str, str]]:
    """(site-relative HTML path, HTML) of every page built from a shell."""
    for page in pages:
        if page.url in shell_of:
            yield html_path(page.url), shells[shell_of[page.url]].fill(page)
