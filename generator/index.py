"""index: the Pagefind search index (extended build, which segments Chinese words).

One run over the whole built site (the service API costs 100 ms a call; the
directory run indexes ~500 pages a second). Only pages whose templates mark
`data-pagefind-body` are indexed; record text cannot produce that attribute.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.report import Problem

_INDEXED = re.compile(r"Indexed (\d+) pages?")


@dataclass(frozen=True)
class IndexResult:
    pages: int
    problems: tuple[Problem, ...]
    output: str


def pagefind_command(site_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", "pagefind"]


def run_pagefind(site_dir: Path, expected_pages: int) -> IndexResult:
    env = {**os.environ, "PAGEFIND_SITE": str(site_dir)}
    try:
        proc = subprocess.run(
            pagefind_command(site_dir), capture_output=True, text=True, env=env, timeout=1800, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return IndexResult(0, (Problem("pagefind", None, "build.pagefind", f"无法运行 Pagefind：{exc}"),), "")
    output = proc.stdout + proc.stderr
    found = _INDEXED.search(output)
    pages = int(found.group(1)) if found else 0
    problems: list[Problem] = []
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-8:])
        problems.append(Problem("pagefind", None, "build.pagefind", f"Pagefind 建立搜索索引失败（退出码 {proc.returncode}）", tail))
    elif pages < expected_pages:
        problems.append(
            Problem(
                "pagefind", None, "build.index-incomplete",
                f"搜索索引只收录了 {pages} 个页面，应为 {expected_pages} 个",
                "有页面没有进入搜索索引，网站未更新；请检查页面模板中的 data-pagefind-body",
            )
        )
    return IndexResult(pages, tuple(problems), output)
