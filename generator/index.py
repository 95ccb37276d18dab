"""index: the Pagefind search index (extended build, which segments Chinese words).

One run over the whole built site (the service API costs 100 ms a call; the
directory run indexes ~500 pages a second). Only pages whose templates mark
`data-pagefind-body` are indexed; record text cannot produce that attribute.

Pagefind is used through its command line only, and its bundle is published as it
writes it. That bundle is the one part of the site that is not byte-for-byte the same
from one build to the next (Pagefind writes filter values in hash-map order and numbers
pages in the order the file system lists them); what it answers is the same, which the
build tests check by searching two builds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator import paths
from generator.report import Problem

_INDEXED = re.compile(r"Indexed (\d+) pages?")


@dataclass(frozen=True)
class IndexResult:
    pages: int
    problems: tuple[Problem, ...]
    output: str


def pagefind_command(site_dir: Path, glob: str | None = None) -> list[str]:
    # Code blocks are the guide's YAML examples: sample records that would otherwise
    # compete with the real platform pages in the results.
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-subdir",
        "pagefind",
        "--exclude-selectors",
        "pre",
    ]
    return command + ["--glob", glob] if glob else command


def search_glob(marked: Mapping[str, bool]) -> str | None:
    """A Pagefind `--glob` naming only the pages marked for search.

    `marked` maps the HTML path of every page of the site (relative, "platforms/bd-0007/
    index.html") to whether it is marked. Pagefind indexes only marked pages anyway (they
    carry data-pagefind-body), but it reads and parses every page first: the big
    unmarked lists (all platforms, by county, category and year) cost a third of its
    time at 10,000 platforms. A folder pattern ("platforms/*/index.html") is used only
    when every page it matches is marked; otherwise the page is named itself.
    """

    def folder_pattern(path: str) -> str:
        parts = path.split("/")
        return "/".join([*parts[:-2], "*", parts[-1]]) if len(parts) >= 3 else path

    # a pattern matches exactly the paths that have it as their folder pattern
    all_marked: dict[str, bool] = {}
    for path, is_marked in marked.items():
        pattern = folder_pattern(path)
        all_marked[pattern] = all_marked.get(pattern, True) and is_marked
    chosen = {
        folder_pattern(path) if all_marked[folder_pattern(path)] else path
        for path, is_marked in marked.items()
        if is_marked
    }
    if not chosen:
        return None
    return min(chosen) if len(chosen) == 1 else "{" + ",".join(sorted(chosen)) + "}"


def run_pagefind(site_dir: Path, expected_pages: int, glob: str | None = None) -> IndexResult:
    env = {**os.environ, "PAGEFIND_SITE": str(site_dir)}
    try:
        proc = subprocess.run(
            pagefind_command(site_dir, glob),
            capture_output=True,
            text=True,
            env=env,
            timeout=1800,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return IndexResult(
            0, (Problem("pagefind", None, "build.pagefind", f"无法运行 Pagefind：{exc}"),), ""
        )
    output = proc.stdout + proc.stderr
    found = _INDEXED.search(output)
    pages = int(found.group(1)) if found else 0
    problems: list[Problem] = []
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-8:])
        problems.append(
            Problem(
                "pagefind",
                None,
                "build.pagefind",
                f"Pagefind 建立搜索索引失败（退出码 {proc.returncode}）",
                tail,
            )
        )
    elif pages < expected_pages:
        problems.append(
            Problem(
                "pagefind",
                None,
                "build.index-incomplete",
                f"搜索索引只收录了 {pages} 个页面，应为 {expected_pages} 个",
                "有页面没有进入搜索索引，网站未更新；请检查页面模板中的 data-pagefind-body",
            )
        )
    return IndexResult(pages, tuple(problems), output)


def marked_for_search(markdown: str) -> bool:
    """Whether a hand-written page's front matter asks for it to be indexed (`pagefind: true`)."""
    if not markdown.startswith("---\n"):
        return False
    head = markdown[4:].split("\n---", 1)[0]
    return "pagefind: true" in head.splitlines()


def hand_written_marks(docs_dir: Path) -> dict[str, bool]:
    """The URL of every hand-written page under `docs_dir` and whether it is marked."""
    return {
        paths.source_url(p.relative_to(docs_dir).as_posix()): marked_for_search(
            p.read_text(encoding="utf-8")
        )
        for p in sorted(docs_dir.rglob("*.md"))
    }
