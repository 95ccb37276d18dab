"""Every page of the site, made by a process of its own (generator/child.py): validate ->
model -> render -> the theme (MkDocs) -> pages written into the staging folder's `site/`.

The build starts this process and the downloads process together and waits for both; it
then runs Pagefind and swaps the site into place. Run in a process that ends, the
memory of the model and of the rendered pages is given back before Pagefind, which
needs most of the build's peak memory, starts (benchmarks/README.md).

Its answer (the last line of its stdout): `{"ok": ..., "digest": ..., "problems":
[...], "marked": {html path: indexed?}, "pages": n, "seconds": {...}}`; `ok` is false
when the data has errors or the pages could not be made (the problems say why), and the
answer has `reason: "io"` (errno, strerror, filename) when a file could not be written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.child import (
    Child,
    answer_line,
    io_answer,
    orphaned,
    parser,
    seconds,
    write_problem,
)
from generator.load import display_path
from generator.report import Problem, problem_from_json, problem_to_json

if TYPE_CHECKING:
    from generator.model import Registry
    from generator.settings import SiteConfig
    from generator.write import Folders


@dataclass
class PagesMade:
    """What the pages process made: whether every page is written, the problems
    (validation's included), whether each page is to be indexed (by HTML path), how many
    pages were generated, the digest of the data read, its own timings."""

    ok: bool
    problems: list[Problem]
    digest: str = ""
    marked: dict[str, bool] = field(default_factory=dict)
    pages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class Pages(Child):
    """The pages process of one build (a context manager, see Child)."""

    def __init__(
        self, data_dir: Path, config_file: Path, docs_dir: Path, today: date, root: Path
    ) -> None:
        self.root = root
        args = ["--docs", str(docs_dir), "--root", str(root)]
        what = "生成网站页面"
        super().__init__("generator.pages", "pages", what, data_dir, config_file, today, root, args)

    def finish(self) -> PagesMade:
        """Wait for the process; what it made, or the problem that stops the build."""
        answer = self.answer()
        if answer is None:
            return PagesMade(False, [self.crashed()])
        problems = [problem_from_json(p) for p in answer.get("problems", [])]
        error = write_problem(answer, self.root)
        if error is not None:
            problems.append(error)
        marked = answer.get("marked") or {}
        return PagesMade(
            bool(answer.get("ok")) and error is None,
            problems,
            str(answer.get("digest", "")),
            {str(k): bool(v) for k, v in marked.items()},
            int(answer.get("pages", 0)),
            seconds(answer),
        )


# -- the child ------------------------------------------------------------------------------


class _Orphaned(Exception):
    """The build that started this process is gone."""


def make(
    data_dir: Path, config_file: Path, docs_dir: Path, today: date, root: Path, parent: int
) -> dict[str, Any]:
    """Validate the data, then write every page into `root`'s docs/ and site/ (root must
    exist). The answer the parent reads."""
    from generator.settings import site_config
    from generator.validate.run import validate_dir
    from generator.write import Folders

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    result = validate_dir(data_dir, today)
    seconds["validate"] = time.perf_counter() - started
    registry, digest, problems = result.registry, result.digest, list(result.problems)
    del result
    answer: dict[str, Any] = {"ok": False, "digest": digest, "seconds": seconds}
    if registry is not None:
        site, found = site_config(config_file)
        problems += found
        if site is not None:
            try:
                if not root.is_dir():  # the build is gone and took its folder
                    raise _Orphaned
                found, marked, pages = write_pages(
                    registry,
                    site,
                    data_dir,
                    config_file,
                    docs_dir,
                    today,
                    Folders(root),
                    parent,
                    seconds,
                )
            except _Orphaned:
                return {**answer, "reason": "orphan"}
            except OSError as exc:
                return {**io_answer(exc), **answer, "problems": _json(problems)}
            problems += found
            if marked is not None:
                answer.update(ok=True, marked=marked, pages=pages)
    seconds["total"] = time.perf_counter() - started
    return {**answer, "problems": _json(problems)}


def _json(problems: list[Problem]) -> list[dict[str, object]]:
    return [problem_to_json(p) for p in problems]


def write_pages(
    registry: Registry,
    site: SiteConfig,
    data_dir: Path,
    config_file: Path,
    docs_dir: Path,
    today: date,
    folders: Folders,
    parent: int,
    seconds: dict[str, float],
) -> tuple[list[Problem], dict[str, bool] | None, int]:
    """Every page into the staging folder's site: its problems, whether each page is to
    be indexed (by HTML path; None when the pages could not be made) and how many pages
    were generated. The time of render and MkDocs is added to `seconds`."""
    from generator import render
    from generator.index import hand_written_marks
    from generator.render import theme
    from generator.render.shell import Shell, ShellError, fill_pages, html_path, plan
    from generator.render.sitemap import SITEMAP, SITEMAP_GZ, site_files
    from generator.schemas import SCHEMA_DIR
    from generator.write import SITE_MARKER

    # render: every generated page, then the theme around them (MkDocs builds the
    # hand-written pages and one shell per kind of generated page)
    started = time.perf_counter()
    pages = render.render_site(registry, site)
    seconds["render"] = time.perf_counter() - started
    shells = plan(pages)
    folders.copy_docs(docs_dir)
    for rel, text in shells.sources.items():
        folders.write_doc(rel, text)
    for kind in ("platform", "announcement"):
        folders.copy_doc(SCHEMA_DIR / f"{kind}.schema.json", f"schemas/{kind}.schema.json")
    for ann in registry.announcements:
        for att in ann.attachments:
            folders.copy_doc(data_dir / "attachments" / att.file, f"attachments/{att.file}")
    rules = registry.rules
    measures = {"title": rules.measures, "publicity_article": rules.publicity_article}
    started = time.perf_counter()
    problems = theme.run_mkdocs(config_file, folders.docs, folders.site, today, measures)
    seconds["mkdocs"] = time.perf_counter() - started
    if any(p.is_error for p in problems):
        return problems, None, 0
    try:
        built = {url: Shell(folders.read_site(html_path(url)), url) for url in shells.shells}
    except ShellError as exc:  # the theme overrides no longer print the shell's markers
        problems.append(
            Problem(
                display_path(config_file),
                None,
                "build.shell",
                str(exc),
                "请维护人员核对 docs/overrides/main.html 的 content 与 site_meta 部分",
            )
        )
        return problems, None, 0
    for rel, html in fill_pages(pages, shells.shell_of, built):
        if orphaned(parent):
            raise _Orphaned
        folders.write_site(rel, html)
    for url in shells.shells:
        folders.remove_site(url)
    hand_written = hand_written_marks(docs_dir)
    for rel in (SITEMAP, SITEMAP_GZ):
        folders.remove_site(rel)
    dated = [(p.url, p.lastmod) for p in pages] + [(url, None) for url in hand_written]
    for rel, data in site_files(site.site_url, dated).items():
        folders.write_site(rel, data)
    folders.write_site(SITE_MARKER, b"")
    marked = {html_path(url): is_marked for url, is_marked in hand_written.items()}
    marked.update({html_path(p.url): p.searchable for p in pages})
    return problems, marked, len(pages)


def main(argv: list[str] | None = None) -> int:
    options = parser("registry build 的页面进程（由构建启动）")
    options.add_argument("--docs", type=Path, required=True)
    options.add_argument("--root", type=Path, required=True)
    args = options.parse_args(argv)
    answer_line(make(args.data, args.config, args.docs, args.today, args.root, args.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
