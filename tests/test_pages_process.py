"""The pages process (generator/pages.py): what it makes and answers, and each way it can
stop a build (invalid data, a dead process, a write error, its build gone) as problems,
never a traceback. The process tests run the real process on the shipped data."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest

from generator.pages import Pages, make
from generator.report import Problem, problem_from_json, problem_to_json
from generator.validate.run import validate_dir
from generator.write import Folders

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"
DOCS = ROOT / "docs" / "content"
TODAY = date(2026, 11, 29)


def test_problems_cross_as_json_unchanged() -> None:
    problems = [
        Problem(
            "data/platforms/bd-0007.yaml", 14, "eligibility.satisfaction", "第七条（三）", "提示"
        ),
        Problem("data/x.yaml", None, "load.key-type", "说明\n<U+202E>", "", "warning", ("a", 2)),
    ]
    back = [problem_from_json(json.loads(json.dumps(problem_to_json(p)))) for p in problems]
    assert back == problems and [p.path for p in back] == [p.path for p in problems]


@pytest.mark.build
def test_makes_every_page_and_answers_what_to_index(tmp_path: Path) -> None:
    with Pages(DATA, CONFIG, DOCS, TODAY, tmp_path) as pages:
        made = pages.finish()
    expected = validate_dir(DATA, TODAY)
    assert made.ok and made.digest == expected.digest
    assert made.problems == list(expected.problems)  # the warnings, as validate gives them
    assert made.marked["platforms/bd-0001/index.html"] is True
    assert made.marked["platforms/index.html"] is False
    assert all((tmp_path / "site" / rel).is_file() for rel in made.marked)
    assert made.pages > 0 and made.seconds["render"] > 0


@pytest.mark.build
def test_invalid_data_answers_its_problems_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "platforms" / "bd-0001.yaml").write_text("id: [", encoding="utf-8")
    root = tmp_path / "staging"
    root.mkdir()
    with Pages(data, CONFIG, DOCS, TODAY, root) as pages:
        made = pages.finish()
    assert not made.ok and made.problems == list(validate_dir(data, TODAY).problems)
    assert any(p.is_error for p in made.problems)
    assert not (root / "site").exists()


@pytest.mark.build
def test_a_dead_process_is_a_problem_naming_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = Pages(DATA, CONFIG, DOCS, TODAY, tmp_path)
    monkeypatch.setattr(pages, "_command", [sys.executable, "-c", "raise MemoryError('oom')"])
    with pages:
        made = pages.finish()
    assert not made.ok and [p.rule for p in made.problems] == ["build.pages"]
    assert "MemoryError: oom" in made.problems[0].message


@pytest.mark.build
def test_a_write_error_is_answered_and_worded_as_build_io(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Folders, rel: str, data: str | bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.site / rel))

    monkeypatch.setattr(Folders, "write_site", full)  # the first page written fails
    answer = make(DATA, CONFIG, DOCS, TODAY, tmp_path, parent=os.getppid())
    assert answer["reason"] == "io" and answer["errno"] == errno.ENOSPC and not answer["ok"]
    # the parent's side: the same answer read back from a process
    pages = Pages(DATA, CONFIG, DOCS, TODAY, tmp_path)
    line = json.dumps(answer, ensure_ascii=False)
    monkeypatch.setattr(pages, "_command", [sys.executable, "-c", f"print({line!r})"])
    with pages:
        made = pages.finish()
    assert not made.ok and [p.rule for p in made.problems if p.is_error] == ["build.io"]
    assert "磁盘空间不足" in made.problems[-1].message


def test_a_process_whose_build_is_gone_writes_nothing(tmp_path: Path) -> None:
    gone = tmp_path / "staging"  # removed by the build before the process got there
    answer = make(DATA, CONFIG, DOCS, TODAY, gone, parent=-1)
    assert answer["reason"] == "orphan" and not answer["ok"]
    assert not gone.exists()
