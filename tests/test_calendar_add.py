"""`registry calendar add YEAR`: the skeleton of a year from the notice's structure."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator import calendar_add, cli, pipeline
from generator.workdays import known_package_years

ROOT = Path(__file__).resolve().parent.parent
#: a year the chinesecalendar package does not know, and will not for a long time
NEW = 2099


@pytest.fixture(autouse=True)
def _cold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_NO_CACHE", "1")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def fill(text: str, year: int) -> str:
    """What staff do with the skeleton: the notice's date and every festival's days."""
    text = text.replace('"（待补充：通知发布日期 YYYY-MM-DD）"', f'"{year - 1}-11-12"')
    days = {
        "元旦": f'["{year}-01-01"]',
        "春节": f'["{year}-02-09", "{year}-02-10"]',
        "清明节": f'["{year}-04-05"]',
        "劳动节": f'["{year}-05-03", "{year}-05-04"]',
        "端午节": f'["{year}-06-09"]',
        "中秋节": f'["{year}-09-15"]',
        "国庆节": f'["{year}-10-01", "{year}-10-04"]',
    }
    for name, listed in days.items():
        text = text.replace(
            f"- name: {name}\n        holidays: []", f"- name: {name}\n        holidays: {listed}"
        )
    return text.replace(
        f'holidays: ["{year}-02-09", "{year}-02-10"]\n        workdays: []',
        f'holidays: ["{year}-02-09", "{year}-02-10"]\n        workdays: ["{year}-02-07"]',
    )


def test_skeleton_follows_the_notice(data: Path) -> None:
    path, problems = calendar_add.add_year(data, NEW)
    assert path == data / "calendar.yaml" and problems == []
    text = path.read_text(encoding="utf-8")
    entry = yaml.safe_load(text)["years"][0]
    assert entry["year"] == NEW
    assert entry["source"]["title"] == f"国务院办公厅关于{NEW}年部分节假日安排的通知"
    assert [f["name"] for f in entry["festivals"]] == list(calendar_add.FESTIVALS)
    assert all(f["holidays"] == [] and f["workdays"] == [] for f in entry["festivals"])
    # the comments above `years` stay as they were
    before = (ROOT / "data" / "calendar.yaml").read_text(encoding="utf-8")
    assert text.startswith(before[: before.index("years: []")])


def test_unfilled_skeleton_does_not_validate_and_a_filled_one_counts(data: Path) -> None:
    calendar_add.add_year(data, NEW)
    result = pipeline.validate_dir(data, date(2026, 11, 29))
    errors = [p for p in result.problems if p.is_error]
    assert {p.rule for p in errors} == {
        "schema.pattern",
        "schema.minItems",
    }  # the date, the empty festivals
    assert all(p.file.endswith("calendar.yaml") for p in errors)
    path = data / "calendar.yaml"
    path.write_text(fill(path.read_text(encoding="utf-8"), NEW), encoding="utf-8")
    result = pipeline.validate_dir(data, date(2026, 11, 29))
    assert not [p for p in result.problems if p.is_error], result.problems
    # counted with the filled year: Friday 6 February and Saturday 7 (调休上班) are working
    # days, Sunday 8 is not, Monday 9 and Tuesday 10 are days off: the third is Wednesday 11
    end, problems = pipeline.period_end(data, date(NEW, 2, 6), 3)
    assert problems == [] and end == date(NEW, 2, 11)


def test_never_overwrites_a_year(data: Path) -> None:
    calendar_add.add_year(data, NEW)
    path = data / "calendar.yaml"
    before = path.read_bytes()
    again, problems = calendar_add.add_year(data, NEW)
    assert again is None and [p.rule for p in problems] == ["calendar.year-exists"]
    assert problems[0].line is not None
    assert path.read_bytes() == before
    # another year goes after it
    nxt, problems = calendar_add.add_year(data, NEW + 1)
    assert nxt == path and problems == []
    assert [e["year"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))["years"]] == [
        NEW,
        NEW + 1,
    ]
    assert path.read_bytes().startswith(before)


def test_a_year_the_package_knows_is_refused(data: Path) -> None:
    path = data / "calendar.yaml"
    before = path.read_bytes()
    known = max(known_package_years())
    out, problems = calendar_add.add_year(data, known)
    assert out is None and [p.rule for p in problems] == ["calendar.year-known"]
    assert path.read_bytes() == before


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    path, problems = calendar_add.add_year(tmp_path, NEW)
    assert problems == [] and path is not None
    assert path.read_text(encoding="utf-8").startswith(calendar_add.HEADER + "years:\n")


def test_years_not_last_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        'years:\n  - year: 2030\n    source: {title: 国务院办公厅关于2030年部分节假日安排的通知, date: "2029-11-01"}\n'
        '    holidays: ["2030-01-01"]\nextra: 1\n',
        encoding="utf-8",
    )
    before = path.read_bytes()
    out, problems = calendar_add.add_year(tmp_path, 2031)
    assert out is None and [p.rule for p in problems] == ["calendar.add-failed"]
    assert path.read_bytes() == before


def test_command(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["calendar", "add", str(NEW), "--data", str(data)]) == 0
    assert f"{NEW}年的骨架" in capsys.readouterr().out
    assert cli.main(["calendar", "add", str(NEW), "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "calendar.year-exists" in out and "没有改动" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["calendar", "add", "27", "--data", str(data)])
    assert exc.value.code == 2
    assert "2000至2100" in capsys.readouterr().err
