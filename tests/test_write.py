"""The write stage: a build replaces the site whole or not at all, one build at a time.

The unit tests drive `generator.write.Staging` directly with small folders; the tests
marked `build` run real builds, including one killed with SIGKILL at several moments.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from generator import pipeline, write
from generator.write import BuildLocked, Staging, recover

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs" / "content"
TODAY = date(2026, 11, 29)


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def old_site(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    out.mkdir(parents=True)
    (out / pipeline.SITE_MARKER).write_bytes(b"")
    (out / "index.html").write_text("old")
    return out


def leftovers(out: Path) -> list[Path]:
    return list(out.parent.glob(f".{out.name}-build-*"))


def test_commit_swaps_the_whole_site(tmp_path: Path) -> None:
    out = old_site(tmp_path)
    with Staging(out) as staging:
        staging.write_site("index.html", "new")
        staging.commit()
    assert tree(out) == {"index.html": hashlib.sha256(b"new").hexdigest()}
    assert leftovers(out) == []


def test_leaving_without_commit_keeps_the_old_site(tmp_path: Path) -> None:
    out = old_site(tmp_path)
    before = tree(out)
    with pytest.raises(RuntimeError), Staging(out) as staging:
        staging.write_site("index.html", "new")
        raise RuntimeError("a stage failed")
    assert tree(out) == before and leftovers(out) == []


def test_interrupted_between_the_two_renames_puts_the_old_site_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C or SIGTERM (which the CLI turns into SystemExit) right after the old site
    was moved aside: leaving the staging folder puts it back."""
    out = old_site(tmp_path)
    before = tree(out)
    real_replace = os.replace
    calls = []

    def replace_then_stop(src: Path, dst: Path) -> None:
        calls.append(src)
        real_replace(src, dst)
        if len(calls) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), Staging(out) as staging:
        staging.write_site("index.html", "new")
        monkeypatch.setattr(write.os, "replace", replace_then_stop)
        staging.commit()
    assert tree(out) == before and leftovers(out) == []


def test_killed_between_the_two_renames_is_recovered_by_the_next_build(tmp_path: Path) -> None:
    """SIGKILL leaves no output folder and the old site in the staging folder's previous/:
    the next build puts it back before it starts."""
    out = old_site(tmp_path)
    before = tree(out)
    root = tmp_path / ".site-build-killed"
    (root / "site").mkdir(parents=True)
    (root / "site" / "index.html").write_text("half")
    os.replace(out, root / "previous")
    assert not out.exists()
    recover(out)
    assert tree(out) == before and leftovers(out) == []


def test_leftovers_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    out = old_site(tmp_path)
    before = tree(out)
    (tmp_path / ".site-build-abc" / "docs").mkdir(parents=True)
    with Staging(out):
        assert not (tmp_path / ".site-build-abc").exists()
    assert tree(out) == before and leftovers(out) == []


def test_a_second_build_of_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = old_site(tmp_path)
    with Staging(out):
        with pytest.raises(BuildLocked), Staging(out):
            pass
        result = pipeline.build(DATA, out, TODAY, CONFIG, DOCS)
    assert [p.rule for p in result.problems if p.is_error] == ["build.locked"]
    assert "另一个构建" in result.problems[-1].message
    assert (out / "index.html").read_text() == "old"


def test_output_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("keep")
    result = pipeline.build(DATA, a_file / "site", TODAY, CONFIG, DOCS)
    errors = [p for p in result.problems if p.is_error]
    assert [p.rule for p in errors] == ["build.io"]
    assert "是文件而不是目录" in errors[0].message
    assert a_file.read_text() == "keep"


@pytest.mark.build
def test_disk_full_keeps_the_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = old_site(tmp_path)
    before = tree(out)

    def full(self: Staging, rels: object) -> None:  # the downloads moved into the site
        raise OSError(errno.ENOSPC, "No space left on device", str(self.site))

    monkeypatch.setattr(Staging, "adopt_downloads", full)
    result = pipeline.build(DATA, out, TODAY, CONFIG, DOCS)
    errors = [p for p in result.problems if p.is_error]
    assert not result.ok and [p.rule for p in errors] == ["build.io"]
    assert "磁盘空间不足" in errors[0].message
    assert tree(out) == before and leftovers(out) == []


def _wait_for_orphans(folder: Path, seconds: float = 120) -> None:
    """A killed build's Pagefind process runs on until it has indexed (as it would after
    any crash); the next build removes what it wrote. Wait for it, as the next build would
    find it gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = False
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                busy = busy or str(folder).encode() in cmdline.read_bytes()
            except OSError:
                continue
        if not busy:
            return
        time.sleep(0.2)


def _build_command(out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator.cli",
        "build",
        "--data",
        str(DATA),
        "--out",
        str(out),
        "--today",
        TODAY.isoformat(),
        "--config",
        str(CONFIG),
    ]


@pytest.mark.build
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_the_old_or_the_new_site(tmp_path: Path, sig: signal.Signals) -> None:
    """Kill a real build at several moments; after the next run's recovery the folder is
    the old site or the new one, complete (Pagefind's bundle aside, see test_build)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    new = tmp_path / "reference"
    subprocess.run(_build_command(new), cwd=ROOT, env=env, check=True, capture_output=True)
    new_tree = {k: v for k, v in tree(new).items() if not k.startswith("pagefind/")}
    started = time.monotonic()
    subprocess.run(
        _build_command(tmp_path / "timing"), cwd=ROOT, env=env, check=True, capture_output=True
    )
    duration = time.monotonic() - started
    for i, fraction in enumerate((0.1, 0.4, 0.7, 0.85, 0.95, 1.2)):
        out = old_site(tmp_path / f"run{i}")
        old_tree = tree(out)
        proc = subprocess.Popen(
            _build_command(out),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        proc.send_signal(sig)
        proc.wait(timeout=120)
        _wait_for_orphans(out.parent)
        recover(out)
        now = {k: v for k, v in tree(out).items() if not k.startswith("pagefind/")}
        assert now in (old_tree, new_tree), f"killed at {fraction:.0%}: a mixed site"
        assert leftovers(out) == []
        shutil.rmtree(out.parent)


@pytest.mark.build
def test_theme_without_shell_markers_is_a_clear_error(tmp_path: Path) -> None:
    """An edited theme override that no longer prints the shell's markers stops the build
    with a message (not a traceback), and the previous site stays."""
    out = old_site(tmp_path / "out")
    before = tree(out)
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copyfile(CONFIG, root / "mkdocs.yml")
    main = root / "docs" / "overrides" / "main.html"
    main.write_text(
        main.read_text(encoding="utf-8").replace("<!--REGISTRY-SHELL-CONTENT-->", ""),
        encoding="utf-8",
    )
    result = pipeline.build(DATA, out, TODAY, root / "mkdocs.yml", root / "docs" / "content")
    assert not result.ok and [p.rule for p in result.problems if p.is_error] == ["build.shell"]
    assert tree(out) == before and leftovers(out) == []


@pytest.mark.parametrize(
    "rel", ["../x.html", "/tmp/x.html", "a/../../x.html", "a//x.html", "a/./x", "a\\..\\x", ""]
)
def test_write_file_refuses_a_path_that_is_not_plain_names(tmp_path: Path, rel: str) -> None:
    base = tmp_path / "site"
    base.mkdir()
    with pytest.raises(ValueError, match="outside the build folder"):
        write.write_file(base, rel, b"x")
    assert [p.name for p in tmp_path.rglob("*")] == ["site"]  # nothing written anywhere


def test_write_file_makes_the_folders_of_a_plain_path(tmp_path: Path) -> None:
    write.write_file(tmp_path, "platforms/bd-0001/qr.svg", "二维码")
    assert (tmp_path / "platforms/bd-0001/qr.svg").read_text(encoding="utf-8") == "二维码"
    gone = tmp_path / "gone"
    with pytest.raises(FileNotFoundError):  # a removed build folder is never made again
        write.write_file(gone, "a/b.json", b"{}", base_exists=True)
    assert not gone.exists()
