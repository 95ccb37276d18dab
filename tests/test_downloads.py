"""The downloads process (generator/downloads.py): what it makes, and each way it can stop
a build (data changed meanwhile, a dead process, a write error) as a problem, never a
traceback. Runs the real process on the shipped data (about two seconds each)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from generator import paths
from generator.downloads import Downloads
from generator.validate.run import validate_dir

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"
TODAY = date(2026, 11, 29)

pytestmark = pytest.mark.build


def _digest() -> str:
    return validate_dir(DATA, TODAY).digest


def test_makes_every_download_for_the_data_it_read(tmp_path: Path) -> None:
    with Downloads(DATA, CONFIG, TODAY, tmp_path / "downloads", tmp_path) as downloads:
        made = downloads.finish(_digest())
    assert made.problems == []
    assert paths.PLATFORMS_JSON in made.files and paths.CALENDAR in made.files
    assert all((tmp_path / "downloads" / rel).is_file() for rel in made.files)
    assert made.seconds["exports"] > 0


def test_data_changed_meanwhile_stops_the_build(tmp_path: Path) -> None:
    with Downloads(DATA, CONFIG, TODAY, tmp_path / "downloads", tmp_path) as downloads:
        made = downloads.finish("the digest of other files")
    assert made.files == []
    assert [p.rule for p in made.problems] == ["build.data-changed"]
    assert "数据目录中的文件被修改" in made.problems[0].message


def test_a_dead_process_is_a_problem_naming_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = Downloads(DATA, CONFIG, TODAY, tmp_path / "downloads", tmp_path)
    monkeypatch.setattr(
        downloads, "_command", [sys.executable, "-c", "raise MemoryError('out of memory')"]
    )
    with downloads:
        made = downloads.finish(_digest())
    assert [p.rule for p in made.problems] == ["build.downloads"]
    assert "MemoryError: out of memory" in made.problems[0].message


def test_a_write_error_is_build_io(tmp_path: Path) -> None:
    # the folder to write into cannot be made: its parent does not exist
    missing = tmp_path / "gone" / "downloads"
    with Downloads(DATA, CONFIG, TODAY, missing, tmp_path) as downloads:
        made = downloads.finish(_digest())
    assert [p.rule for p in made.problems] == ["build.io"]
    message = made.problems[0].message
    assert "目录不存在" in message and "No such file" not in message  # worded in Chinese
