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
`<textarea>`) nor `markdown=` attributes.

List pages (all platforms, by county, category, year) are several top-level elements
with only newlines between them. For those, the real HtmlBlockPreprocessor parser runs
on a skeleton of the page, each element emptied (`<div>x</div>`), and the stash then
gets the real elements' text: the same answer, without scanning the rows of the
tables. The elements are found by counting their tag name, which is exact only for
clean HTML: a page with anything that could make html.parser see a tag differently
(`<` or `>` inside an attribute value, `/>`, comments, backticks, CDATA elements...)
goes the usual way, and so does a page whose skeleton does not give one stashed block
per element. Everything else goes the usual way too. The output is the same HTML
either way; tests/test_benchmarks.py compares whole builds.

MkDocs's own scan of raw HTML for anchor ids runs before this one, unchanged. It is a
Python-Markdown extension, not an MkDocs plugin: Zensical reads it from mkdocs.yml too.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.htmlparser import HTMLExtractor
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor

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


# -- pages of several top-level elements (the lists) -------------------------------------------

_START = re.compile(r"<([a-z][a-z0-9]*)(?=[\s>])")
#: what could make html.parser read a tag where a simple scan does not, or the reverse
_UNSAFE = re.compile(r"""<[!?]|</(?![a-z])|<(?:script|style|pre|textarea)\b|markdown=|`|/>|='|="[^"]*[<>]|=[^\s"'>]*<""")


def top_level_blocks(text: str, block_level: Any) -> list[tuple[str, str]] | None:
    """The page as ("\n"-only separator, "") and (tag, element text) parts, or None.

    Every element starts at the beginning of a line with a block-level tag and ends
    with the end tag that brings the count of that tag name back to zero, followed by
    the end of its line; only newlines lie between elements. None for anything else.
    """
    lower = text.lower()  # html.parser reads tag names in any case
    if _UNSAFE.search(lower):
        return None
    parts: list[tuple[str, str]] = []
    pos, end = 0, len(text)
    while pos < end:
        if text[pos] == "\n":
            stop = pos
            while stop < end and text[stop] == "\n":
                stop += 1
            parts.append(("", text[pos:stop]))
            pos = stop
            continue
        if pos and text[pos - 1] != "\n":
            return None
        start = _START.match(lower, pos)
        if start is None:
            return None
        tag = start.group(1)
        if not block_level(tag) or tag == "hr":
            return None
        depth = 0
        for m in re.compile(rf"<(/?){tag}(?=[\s>])").finditer(lower, pos):
            if m.group(1):
                close = lower.find(">", m.end())
                if close < 0 or lower[m.end():close].strip():
                    return None
                depth -= 1
                if depth == 0:
                    stop = close + 1
                    break
            else:
                depth += 1
        else:
            return None
        if stop < end and text[stop] != "\n":
            return None
        parts.append((tag, text[pos:stop]))
        pos = stop
    return parts


def _stash_blocks(md: Markdown, text: str) -> list[str] | None:
    """HtmlBlockPreprocessor's answer for a page of top-level elements, computed on a
    skeleton (each element emptied) and given the real elements' text afterwards."""
    parts = top_level_blocks(text, md.is_block_level)
    if not parts or not any(tag for tag, _ in parts):
        return None
    skeleton = "".join(f"<{tag}>x</{tag}>" if tag else chunk for tag, chunk in parts)
    blocks = [chunk for tag, chunk in parts if tag]
    stash = md.htmlStash
    first = stash.html_counter
    parser = HTMLExtractor(md)
    parser.feed(skeleton)
    parser.close()
    made = stash.rawHtmlBlocks[first:]
    tags = [tag for tag, _ in parts if tag]
    if len(made) != len(blocks) or any(
        not isinstance(raw, str) or raw.rstrip("\n") != f"<{tag}>x</{tag}>" for raw, tag in zip(made, tags)
    ):
        del stash.rawHtmlBlocks[first:]  # not what we thought: leave the page to Markdown
        stash.html_counter = first
        return None
    for i, (raw, block) in enumerate(zip(made, blocks)):
        stash.rawHtmlBlocks[first + i] = block + raw[len(raw.rstrip("\n")):]
    return "".join(parser.cleandoc).split("\n")


class _WholeElementPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if type(self.md.preprocessors["html_block"]) is not HtmlBlockPreprocessor:
            return lines  # another extension (md_in_html) reads raw HTML its own way
        text = "\n".join(lines)
        element = whole_element(text)
        if element is not None:
            placeholder = self.md.htmlStash.store(element + "\n")
            return ["", placeholder, "", ""]
        return _stash_blocks(self.md, text) or lines


class WholeElementExtension(Extension):
    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "before_anchor_scan": [
                False,
                (
                    "Run before MkDocs's scan of raw HTML for anchor ids, which then sees only "
                    "placeholders: a third of MkDocs's time on these pages. Only while MkDocs "
                    "does not validate links to anchors (validation.links.anchors: ignore), "
                    "since the ids inside the generated HTML are then not known to MkDocs."
                ),
            ],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        # after normalize_whitespace (30); before html_block (20), and before or after
        # MkDocs's anchor scan (21)
        priority = 25 if self.getConfig("before_anchor_scan") else 20.5
        md.preprocessors.register(_WholeElementPreprocessor(md), "registry_whole_element", priority)


def makeExtension(**kwargs: Any) -> WholeElementExtension:
    return WholeElementExtension(**kwargs)
