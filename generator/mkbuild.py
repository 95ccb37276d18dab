"""MkDocs's build, with its pages built on every core.

`mkdocs.commands.build.build` reads, converts and renders every page in one process.
A page's HTML depends only on the page itself and on what every page shares (the
config, the file list, the navigation, the theme), so once those exist the pages can
be built in any order, in several processes. This module runs the same steps as
MkDocs 1.6's `build` (same functions, same order of everything written), except that
the pages are dealt out to one forked child per core (page i to child i mod n, so the
few big list pages are shared too), each reading and rendering its own:

    parent: on_config, on_pre_build, clean site_dir, files, theme env, on_files,
            navigation, on_nav, read the pages in the navigation
    children (fork): read + render their part of the other pages, build their part
            of all pages (template, write)
    parent: on_env, static files, theme and extra templates, post_build

The parent reads the navigation's pages before it forks because every page shows the
navigation. Warnings and errors the children log are sent back and logged again by the
parent in the order a one-process build logs them (reading phase by page, then the
templates, then the building phase by page), so the messages and their order do not
change. The site is the same byte for byte (tests compare).

It falls back to MkDocs's own build where that is not safe or not possible: no `fork`
(Windows), one core, `strict` mode, plugins that have page events, anchor links
validated (their check needs every page's HTML in one process); and when anything
fails on the way, MkDocs's own build runs again so that the failure is reported
exactly as MkDocs reports it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from functools import partial
from typing import Any

from generator import forkmap

# (phase, page index, order, logger name, level, message); phases sort like a one-process build
_READ, _TEMPLATES, _BUILD = 0, 1, 2
_PAGE_EVENTS = (
    "on_pre_page", "on_page_markdown", "on_page_content", "on_page_context", "on_post_page",
    "on_page_read_source", "on_env", "on_post_build", "on_post_template", "on_template_context",
)


def _parallel_ok(config: Any, processes: int) -> bool:
    if processes < 2 or not hasattr(os, "fork") or config.strict:
        return False
    if config.validation.links.anchors >= logging.WARNING:
        return False
    events = getattr(config.plugins, "events", {})
    return not any(events.get(name[3:]) for name in _PAGE_EVENTS)


def build(config: Any, processes: int | None = None) -> None:
    """Build the site of a loaded MkDocs config, on `processes` cores (default: all)."""
    from mkdocs.commands.build import build as mkdocs_build

    processes = forkmap.workers() if processes is None else processes
    if not _parallel_ok(config, processes) or not _Build(config, processes).run():
        # Where it cannot run on several cores, or something failed on the way (a page
        # that does not build, a child that died): MkDocs's own build, which stops and
        # reports exactly as MkDocs does (messages, their order, the exception).
        mkdocs_build(config)


class _Records(logging.Handler):
    """Collects what MkDocs logs, tagged with the phase and page it belongs to."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.phase, self.index = _READ, 0
        self.items: list[tuple[int, int, int, str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.items.append((self.phase, self.index, len(self.items), record.name,
                           record.levelno, record.getMessage()))


class _Build:
    def __init__(self, config: Any, processes: int) -> None:
        self.config, self.processes = config, processes
        self.logger = logging.getLogger("mkdocs")

    def run(self) -> bool:
        """Build the site; False (nothing logged) if anything failed on the way."""
        from mkdocs import utils
        from mkdocs.commands.build import (
            _build_extra_template,
            _build_theme_template,
            _populate_page,
        )
        from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation
        from mkdocs.structure.pages import Page

        config = self.config
        inclusion = InclusionLevel.is_included
        records = _Records()
        saved = self.logger.handlers[:], self.logger.propagate
        # from here on, what MkDocs logs is kept and logged again in one-process order
        self.logger.handlers, self.logger.propagate = [records], False
        try:
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            utils.clean_directory(config.site_dir)
            files = get_files(config)
            env = config.theme.get_env()
            files.add_files_from_theme(env, config)
            files = config.plugins.on_files(files, config=config)
            set_exclusions(files, config)
            nav = get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)

            doc_files = files.documentation_pages(inclusion=inclusion)
            for file in doc_files:
                if file.page is None and file.inclusion.is_not_in_nav():
                    Page(None, file, config)
            in_nav = {id(page.file) for page in nav.pages}
            env.globals["registry_sidebar"] = _Sidebars(in_nav)
            for index, file in enumerate(doc_files):
                if id(file) in in_nav:
                    records.index = index
                    _populate_page(file.page, config, files)

            if not self._fork(forkmap.split(len(doc_files), self.processes), doc_files, in_nav, files, nav, env, records):
                return self._restore(saved, records, replay=False)

            env = config.plugins.on_env(env, config=config, files=files)
            records.phase, records.index = _TEMPLATES, 0
            files.copy_static_files(inclusion=inclusion)
            for template in config.theme.static_templates:
                _build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                _build_extra_template(template, files, config, nav)
        except Exception:  # noqa: BLE001 — the one-process build runs again and reports it
            return self._restore(saved, records, replay=False)
        self._restore(saved, records, replay=True)
        config.plugins.on_post_build(config=config)
        return True

    def _restore(self, saved: tuple[Any, ...], records: _Records, replay: bool) -> bool:
        """Give the logger back; log what was collected, in one-process order, if `replay`."""
        self.logger.handlers, self.logger.propagate = saved[0], saved[1]
        if replay:
            for _phase, _index, _order, name, level, message in sorted(records.items):
                logging.getLogger(name).log(level, "%s", message)
        records.items.clear()
        return replay

    def _fork(self, parts: list[range], doc_files: Sequence[Any], in_nav: set[int], files: Any,
              nav: Any, env: Any, records: _Records) -> bool:
        """Build each part in a forked child and merge their log records; False if one failed."""
        with forkmap.Children() as children:
            for part in parts:
                children.start(partial(_child, part, doc_files, in_nav, self.config, files, nav, env))
            found = children.results()
        if any(not isinstance(items, list) for items in found):
            return False
        for items in found:
            records.items.extend(items)
        return True


class _Sidebars:
    """The sidebar block of pages outside the navigation, rendered once per kind of page.

    For a page that is not in the navigation, Material's sidebars depend on the page
    only through: the folder of its URL (the navigation's links are relative to it),
    its `hide` list and its table of contents. Pages that agree on those get the same
    HTML, so it is rendered for the first and reused for the others. Pages in the
    navigation (their item is active, their table of contents sits in it) are always
    rendered. Called from docs/overrides/main.html as `{% call registry_sidebar(page) %}`.
    """

    def __init__(self, in_nav: set[int]) -> None:
        self.in_nav = in_nav  # id() of the File of every page in the navigation
        self.done: dict[Any, str] = {}

    def __call__(self, page: Any, caller: Any) -> str:
        if page is None or not getattr(page, "file", None) or id(page.file) in self.in_nav:
            return str(caller())
        meta = page.meta or {}
        hide = meta.get("hide")
        key = (page.url.rstrip("/").rpartition("/")[0], repr(hide), _toc_key(page.toc),
               page.is_homepage)
        html = self.done.get(key)
        if html is None:
            html = self.done[key] = str(caller())
        return html


def _toc_key(items: Any) -> tuple[Any, ...]:
    return tuple((item.title, item.url, item.level, _toc_key(item.children)) for item in items)


def _child(part: range, doc_files: Sequence[Any], in_nav: set[int], config: Any, files: Any,
           nav: Any, env: Any) -> list[Any]:  # pragma: no cover — runs in a forked child
    """Read and build the pages of `part`; what MkDocs logged meanwhile."""
    from mkdocs.commands.build import _build_page, _populate_page

    records = _Records()
    logger = logging.getLogger("mkdocs")
    logger.handlers, logger.propagate = [records], False
    for index in part:
        file = doc_files[index]
        if id(file) not in in_nav:
            records.index = index
            _populate_page(file.page, config, files)
    records.phase = _BUILD
    for index in part:
        file = doc_files[index]
        records.index = index
        _build_page(file.page, config, doc_files, nav, env, excluded=file.inclusion.is_excluded())
        # written: nothing reads this page's text again in this child (anchor links are
        # not validated here), so its memory goes now instead of when the child exits
        file.page.markdown = file.page.content = None
    return records.items
