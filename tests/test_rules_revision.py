"""Revising the measures, correction notices and re-application after revocation."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator import pipeline

DATA = Path(__file__).resolve().parent.parent / "data"
TODAY = date(2026, 11, 29)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(data: Path, today: date = TODAY) -> list[str]:
    result = pipeline.validate_dir(data, today)
    return [
        f"{p.file.split('/data/')[-1]}:{p.line}: {p.message} [{p.rule}]"
        for p in result.problems
        if p.is_error
    ]


SATISFACTION = '{id: satisfaction, kind: minimum, article: 第七条（三）, title: 用户满意度, text: 用户满意度在80％以上, indicator: satisfaction, min: 80, unit: "%"}'


def test_raising_a_threshold_without_dates_applies_to_every_past_application(data: Path) -> None:
    _edit(data / "rules.yaml", 'min: 80, unit: "%"}', 'min: 95, unit: "%"}')
    errors = _errors(data)
    assert errors and all("[eligibility.satisfaction]" in e for e in errors)


def test_a_revision_with_effective_dates_leaves_earlier_applications_alone(data: Path) -> None:
    revised = (
        SATISFACTION.replace("}", ", effective_until: 2027-01-01}")
        + "\n  - "
        + SATISFACTION.replace("min: 80", "min: 95")
        .replace("80％", "95％")
        .replace("}", ", effective_from: 2027-01-01}")
    )
    _edit(data / "rules.yaml", SATISFACTION, revised)
    assert _errors(data) == []
    # an application publicised from 2027 on is measured by the new condition
    before = pipeline.check_platform(data, "bd-0016", date(2026, 11, 30), TODAY).report or ""
    after = pipeline.check_platform(data, "bd-0016", date(2027, 3, 1), TODAY).report or ""
    assert "用户满意度在80％以上" in before and "95％" not in before
    assert "用户满意度在95％以上" in after and "80％" not in after


def test_a_corrected_event_refers_only_to_a_correction_notice(data: Path) -> None:
    _edit(
        data / "platforms" / "bd-0010.yaml",
        "type: corrected, announcement: 2026-correction",
        "type: corrected, announcement: 2025-certification",
    )
    errors = _errors(data)
    assert any("[references.announcement-type]" in e and "更正公告" in e for e in errors), errors


def test_reapplying_after_revocation_under_a_new_record_is_allowed(data: Path) -> None:
    old = (data / "platforms" / "bd-0003.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(old)
    head, _ = old.split("history:", 1)
    new = (
        head.replace("id: bd-0003", "id: bd-0017")
        + "history:\n  - {date: 2027-03-01, type: recommended}\nindicators: []\n"
    )
    (data / "platforms" / "bd-0017.yaml").write_text(new, encoding="utf-8")
    errors = _errors(data, date(2027, 6, 1))
    assert not [e for e in errors if "uscc.unique" in e or "names.unique" in e], errors
    assert errors == [], errors
    assert doc["operator"]["uscc"] in new
