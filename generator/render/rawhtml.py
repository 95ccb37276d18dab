"""Markdown extension: a page that is one generated HTML element skips the HTML scan.

Record pages (platform.md.j2, announcement.md.j2) are a single `<article>` element
of escaped, well-formed HTML. Python-Markdown finds such a raw HTML block by running
every tag of it through html.parser (HtmlBlockPreprocessor), which is most of what
MkDocs spends on these pages: 10,000 platforms are 10,000 x 5-10 KB of HTML. When a
page is exactly one such element, this preprocessor stores it in the HTML stash as
HtmlBlockPreprocessor would (the element's text and one newline) without scanning it.

Only a page that certainly parses as one raw block takes this path: it starts with
`<article` at the beginning of a line and ends with `</article>`, contains no other
`<article` or `</article`, and nothing html.parser treats specially (comments,
declarations, processing instructions, CDATA, `<script>`, `<style>`, `<pre>`,
`<textarea>`) nor `markdown=` attributes. Everything else goes the usual way. The
output is the same HTML either way; tests/test_benchmarks.py compares whole builds.

MkDocs's own scan of raw HTML for anchor ids runs before this one, unchanged. It is a
Python-Markdown extension, not an MkDocs plugin: Zensical reads it from mkdocs.yml too.
"""

from __future__ import annotations

from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

_TAG = "article"
_SPECIAL = ("<!", "<?", "<script", "<style", "<pre", "<textarea", "markdown=")


def whole_element(text: str) -> str | None:
    """The page's one raw HTML element, or None if the page is anything else."""
    body = text.strip("\n")
    if not body.startswith("<" + _TAG) or body[len(_TAG) + 1 : len(_TAG) + 2] not in (" ", ">", "\n"):
        return None
    if not body.endswith(f"</{_TAG}>"):
        return None
    lower = body.lower()  # html.parser reads tag names in any case
    if lower.count("<" + _TAG) != 1 or lower.count(f"</{_TAG}") != 1:
        return None
    if any(s in lower for s in _SPECIAL):
        return None
    return body


class _WholeElementPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        element = whole_element("\n".join(lines))
        if element is None:
            return lines
        placeholder = self.md.htmlStash.store(element + "\n")
        return ["", placeholder, "", ""]


class WholeElementExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # after normalize_whitespace (30) and MkDocs's anchor scan (21), before html_block (20)
        md.preprocessors.register(_WholeElementPreprocessor(md), "registry_whole_element", 20.5)


def makeExtension(**kwargs: Any) -> WholeElementExtension:
    return WholeElementExtension(**kwargs)
