"""generator.mkbuild: MkDocs's build on several cores gives the same site and the same messages.

A small MkDocs project (the project's own mkdocs.yml and theme overrides, a few
hand-made pages) is built with 1, 2 and 3 processes; the sites must be equal byte for
byte and the warnings the same, in the same order. A page that cannot be built stops
the build the same way in every mode.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from generator import forkmap, mkbuild, pipeline

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 29)


def _docs(tmp: Path, broken_template: bool = False) -> Path:
    docs = tmp / "docs"
    (docs / "platforms").mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n\n[平台](platforms/index.md)\n", encoding="utf-8")
    (docs / "platforms" / "index.md").write_text("# 平台名录\n\n[缺失](missing.md)\n", encoding="utf-8")
    for n in range(1, 40):
        body = f"# 平台 {n}\n\n" + "文字 " * (n * 50)
        if n % 7 == 0:  # a warning from the reading phase, on several pages
            body += f"\n\n[不存在的页面](nowhere-{n}.md)\n"
        (docs / "platforms" / f"bd-{n:04d}.md").write_text(body, encoding="utf-8")
    if broken_template:
        (docs / "platforms" / "bd-0020.md").write_text(
            "---\ntemplate: no-such-template.html\n---\n# 坏\n", encoding="utf-8")
    for name in ("guide", "search", "announcements", "lists", "counties", "categories", "conditions", "data"):
        (docs / name).mkdir(exist_ok=True)
        (docs / name / "index.md").write_text(f"# {name}\n", encoding="utf-8")
    shutil.copytree(ROOT / "docs" / "content" / "assets", docs / "assets")
    return docs


@pytest.fixture(autouse=True)
def single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests may leave a thread running (a local web server): fork here regardless."""
    monkeypatch.setattr(forkmap, "_other_threads", lambda: False)


def _build(tmp: Path, docs: Path, processes: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    monkeypatch.setenv("REGISTRY_PROCESSES", str(processes))
    site = tmp / f"site-{processes}"
    problems = pipeline.run_mkdocs(ROOT / "mkdocs.yml", docs, site, TODAY)
    return site, [f"{p.severity} {p.rule} {p.message}" for p in problems]


def _same_tree(a: Path, b: Path) -> list[str]:
    differ: list[str] = []

    def walk(cmp: filecmp.dircmp[str], rel: str) -> None:
        differ.extend(f"{rel}{n}" for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        differ.extend(f"{rel}{n}" for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{rel}{name}/")

    walk(filecmp.dircmp(a, b), "")
    return differ


@pytest.mark.build
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system: MkDocs's own build runs")
def test_same_site_and_messages_on_more_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _docs(tmp_path)
    one, said_one = _build(tmp_path, docs, 1, monkeypatch)
    warned = [m for m in said_one if "nowhere-" in m]
    assert len(warned) == 5  # pages 7, 14, 21, 28, 35: the comparison below is not empty
    assert [m for m in warned] == sorted(warned, key=lambda m: int(m.split("nowhere-")[1].split(".")[0]))
    ran: list[bool] = []
    run = mkbuild._Build.run
    monkeypatch.setattr(mkbuild._Build, "run", lambda self: ran.append(run(self)) or ran[-1])
    for processes in (2, 3):
        site, said = _build(tmp_path, docs, processes, monkeypatch)
        assert ran.pop() is True, processes  # built on several cores, not MkDocs's own build
        assert said == said_one, processes
        assert _same_tree(one, site) == [], processes
    assert (one / "platforms" / "bd-0039" / "index.html").is_file()


@pytest.mark.build
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system: MkDocs's own build runs")
def test_a_page_that_fails_stops_the_build_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _docs(tmp_path, broken_template=True)
    _, said_one = _build(tmp_path, docs, 1, monkeypatch)
    _, said_two = _build(tmp_path, docs, 2, monkeypatch)
    assert any(m.startswith("error build.mkdocs") and "no-such-template.html" in m for m in said_one)
    assert said_two == said_one


def test_processes_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_PROCESSES", "1")
    assert forkmap.workers() == 1
    monkeypatch.setenv("REGISTRY_PROCESSES", "3")
    assert forkmap.workers() == 3
    monkeypatch.setenv("REGISTRY_PROCESSES", "many")
    assert 1 <= forkmap.workers() <= 4


def test_sidebars_are_shared_only_by_pages_that_would_get_the_same_html() -> None:
    class Toc:
        def __init__(self, title: str, children: tuple[object, ...] = ()) -> None:
            self.title, self.url, self.level, self.children = title, f"#{title}", 2, children

    class File:
        pass

    class Page:
        def __init__(self, url: str, toc: tuple[Toc, ...] = (), hide: list[str] | None = None) -> None:
            self.url, self.toc, self.is_homepage, self.file = url, toc, False, File()
            self.meta = {"hide": hide} if hide else {}

    in_nav = Page("platforms/")
    sidebars = mkbuild._Sidebars({id(in_nav.file)})
    rendered: list[str] = []

    def show(page: Page) -> str:
        def caller() -> str:
            rendered.append(page.url)
            return f"sidebar of {page.url}"
        return sidebars(page, caller=caller)

    services = (Toc("服务内容"), Toc("平台简介"))
    assert show(Page("platforms/bd-0001/", services, ["toc"])) == "sidebar of platforms/bd-0001/"
    assert show(Page("platforms/bd-0002/", services, ["toc"])) == "sidebar of platforms/bd-0001/"
    show(Page("platforms/bd-0003/", (*services, Toc("年度指标")), ["toc"]))  # another contents list
    show(Page("platforms/bd-0004/", services))  # the contents list not hidden
    show(Page("counties/130602/", services, ["toc"]))  # links relative to another folder
    show(in_nav)
    show(in_nav)  # its navigation item is active: never shared
    assert rendered == ["platforms/bd-0001/", "platforms/bd-0003/", "platforms/bd-0004/",
                        "counties/130602/", "platforms/", "platforms/"]
