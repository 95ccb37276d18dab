"""The validation cache answers exactly what a run without it answers.

A warm run reads the index (facts, shape and per-record problems per file) and decodes
no document it does not need; these tests change, add, delete and copy files, change
what the per-record rules share (an announcement, rules.yaml, the day), lose the
documents' packs, and check every answer against a run with REGISTRY_NO_CACHE.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator import cache, pipeline, report

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 29)


def _run(data: Path, day: date, *, cached: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, bool]:
    if cached:
        monkeypatch.delenv("REGISTRY_NO_CACHE", raising=False)
    else:
        monkeypatch.setenv("REGISTRY_NO_CACHE", "1")
    result = pipeline.validate_dir(data, day, with_model=False)
    try:
        as_json = report.format_json(result.problems)
    except TypeError as exc:  # a merge-key fixture's path holds a key JSON cannot write (not the cache's doing)
        as_json = repr(exc)
    return report.format_text(result.problems), as_json, result.ok


def _same(data: Path, monkeypatch: pytest.MonkeyPatch, day: date = DAY) -> tuple[str, str, bool]:
    warm = _run(data, day, cached=True, monkeypatch=monkeypatch)
    assert warm == _run(data, day, cached=False, monkeypatch=monkeypatch)
    return warm


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files whose document a run decoded from the cache."""
    files: list[str] = []
    original = cache.ValidationCache._decode

    def counting(self: Any, entry: Any, key: str, raw: bytes, file: str) -> Any:
        files.append(file)
        return original(self, entry, key, raw, file)

    monkeypatch.setattr(cache.ValidationCache, "_decode", counting)
    return files


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_warm_run_decodes_no_unchanged_platform(
    data: Path, monkeypatch: pytest.MonkeyPatch, decoded: list[str]
) -> None:
    _same(data, monkeypatch)
    decoded.clear()
    with (data / "platforms" / "bd-0003.yaml").open("a", encoding="utf-8") as f:
        f.write("# a comment changes the bytes, not the meaning\n")
    _same(data, monkeypatch)
    cached_run = [f for f in decoded if "/platforms/" in f]
    assert cached_run == [], "an unchanged platform was decoded on a warm run"


def test_changed_added_deleted_and_copied_platforms(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    platforms = data / "platforms"
    _same(data, monkeypatch)
    # a changed platform that now shares another's name and USCC (cross-record rules)
    other = (platforms / "bd-0001.yaml").read_text(encoding="utf-8")
    name = next(line for line in other.splitlines() if line.startswith("name: "))
    uscc = next(line for line in other.splitlines() if line.strip().startswith("uscc: "))
    text = (platforms / "bd-0007.yaml").read_text(encoding="utf-8").splitlines()
    text = [name if line.startswith("name: ") else uscc if line.strip().startswith("uscc: ") else line for line in text]
    (platforms / "bd-0007.yaml").write_text("\n".join(text) + "\n", encoding="utf-8")
    out = _same(data, monkeypatch)
    assert "names.unique" in out[0] and "uscc.unique" in out[0]
    # a copy under a new file name: ids, names, USCCs, certificates, file name
    shutil.copy(platforms / "bd-0004.yaml", platforms / "bd-0099.yaml")
    out = _same(data, monkeypatch)
    assert "ids.filename" in out[0] and "history.certificate-unique" in out[0]
    _same(data, monkeypatch)  # and again, all from the cache
    # deleted: the duplicates go away, an announcement may lose its last reference
    (platforms / "bd-0099.yaml").unlink()
    (platforms / "bd-0001.yaml").unlink()
    out = _same(data, monkeypatch)
    assert "names.unique" not in out[0]
    # a file that no longer loads, then loads again
    saved = (platforms / "bd-0005.yaml").read_bytes()
    (platforms / "bd-0005.yaml").write_bytes(saved + b"\n  : [\n")
    _same(data, monkeypatch)
    (platforms / "bd-0005.yaml").write_bytes(saved)
    _same(data, monkeypatch)


def test_what_the_per_record_rules_share_invalidates_their_answers(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _same(data, monkeypatch)
    _edit(data / "announcements" / "2024-publicity.yaml", "working_days: 7", "working_days: 5")
    out = _same(data, monkeypatch)
    assert "announcement.publicity-days" in out[0]
    _edit(data / "rules.yaml", "indicator: satisfaction, min: 80", "indicator: satisfaction, min: 99")
    out = _same(data, monkeypatch)
    assert "eligibility." in out[0]
    _same(data, monkeypatch, date(2027, 6, 1))  # another day
    _same(data, monkeypatch)


def test_lost_or_damaged_packs_are_parsed_again(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _same(data, monkeypatch)
    folder = cache.cache_dir(data) / cache.code_version()
    packs = sorted(folder.glob("pack-*"))
    assert packs
    packs[0].write_bytes(b"not marshal")
    assert _same(data, monkeypatch, date(2027, 6, 1))  # another day: every document is read
    for pack in folder.glob("pack-*"):
        pack.unlink()
    assert _same(data, monkeypatch, date(2027, 6, 2))
    assert _same(data, monkeypatch) == first


def test_packs_are_merged_and_unused_ones_removed(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(data, monkeypatch)
    folder = cache.cache_dir(data) / cache.code_version()
    for i in range(cache._MAX_PACKS + 3):
        with (data / "platforms" / f"bd-000{1 + i % 9}.yaml").open("a", encoding="utf-8") as f:
            f.write(f"# run {i}\n")
        _same(data, monkeypatch)
        assert len(list(folder.glob("pack-*"))) <= cache._MAX_PACKS
    _same(data, monkeypatch, date(2027, 6, 1))  # every document, from the merged packs


def test_every_fixture_answers_the_same_after_a_day_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filled on one day, asked on another: every document comes out of the packs."""
    roots = sorted(p.parent.parent for p in (ROOT / "tests" / "fixtures").glob("*/*/data/rules.yaml"))
    assert roots
    for i, root in enumerate(roots):
        copy = tmp_path / str(i) / "data"
        shutil.copytree(root / "data", copy)
        _run(copy, DAY, cached=True, monkeypatch=monkeypatch)
        assert _run(copy, date(2027, 3, 1), cached=True, monkeypatch=monkeypatch) == _run(
            copy, date(2027, 3, 1), cached=False, monkeypatch=monkeypatch
        ), root
