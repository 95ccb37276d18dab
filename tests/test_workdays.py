"""Official working days and N-working-day publicity periods.

Expected dates follow the State Council notices (国务院办公厅关于YYYY年部分节假日安排的通知);
each case spells out the count so a reader can check it against the notice.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.workdays import (
    Calendar,
    UnknownYearError,
    YearArrangement,
    arrangements_from_data,
)

ROOT = Path(__file__).resolve().parent.parent
D = date.fromisoformat

# Clearly fictional: a made-up 2027 used only to show that extra years are honoured.
# It is NOT the official 2027 arrangement.
FICTIONAL_2027 = YearArrangement(
    year=2027,
    holidays=frozenset({D("2027-01-01"), D("2027-01-06")}),
    workdays=frozenset({D("2027-01-09")}),
)


@pytest.fixture(scope="module")
def cal() -> Calendar:
    return Calendar()


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        # The notice example: 9/27, 9/29 (Sunday make-up), 9/30, 10/8, 10/9, 10/10, 10/11.
        ("2024-09-27", 7, "2024-10-11"),
        # 2024 Spring Festival, off 2/10-2/17, make-up Sundays 2/4 and 2/18:
        # 2/2, 2/4, 2/5, 2/6, 2/7, 2/8, 2/9 (除夕 is a working day in the notice).
        ("2024-02-02", 7, "2024-02-09"),
        # 2/7, 2/8, 2/9, 2/18 (Sunday make-up), 2/19.
        ("2024-02-07", 5, "2024-02-19"),
        # 2025 Spring Festival, off 1/28-2/4, make-up 1/26 (Sun) and 2/8 (Sat):
        # 1/24, 1/26, 1/27, 2/5, 2/6, 2/7, 2/8.
        ("2025-01-24", 7, "2025-02-08"),
        # 2025 National Day + Mid-autumn, off 10/1-10/8, make-up 9/28 (Sun) and 10/11 (Sat):
        # 9/26, 9/28, 9/29, 9/30, 10/9, 10/10, 10/11.
        ("2025-09-26", 7, "2025-10-11"),
        # 2026 Spring Festival, off 2/15-2/23, make-up 2/14 and 2/28 (both Sat):
        # 2/12, 2/13, 2/14, 2/24, 2/25, 2/26, 2/27, 2/28, 3/2.
        ("2026-02-12", 9, "2026-03-02"),
        # 2026 Mid-autumn 9/25-9/27 off, make-up 9/20 (Sun):
        # 9/18, 9/20, 9/21, 9/22, 9/23, 9/24, 9/28.
        ("2026-09-18", 7, "2026-09-28"),
        # 2026 National Day, off 10/1-10/7, make-up 10/10 (Sat):
        # 9/30, 10/8, 10/9, 10/10, 10/12.
        ("2026-09-30", 5, "2026-10-12"),
        # Starting on a holiday: 10/1-10/7 are off, so counting starts on 10/8:
        # 10/8, 10/9, 10/10, 10/11, 10/12 (Saturday make-up), 10/14, 10/15.
        # (Not 10/14: the make-up Saturday counts but Sunday 10/13 does not.)
        ("2024-10-01", 7, "2024-10-15"),
        # Starting on an ordinary Saturday: counting starts on Monday.
        ("2024-03-02", 1, "2024-03-04"),
    ],
)
def test_end_of_period(cal: Calendar, start: str, n: int, end: str) -> None:
    assert cal.end_of_period(D(start), n) == D(end)


@pytest.mark.parametrize(
    "day", ["2024-09-27", "2024-09-29", "2025-10-11", "2026-02-14", "2026-03-02"]
)
def test_one_day_period_on_a_working_day_is_that_day(cal: Calendar, day: str) -> None:
    assert cal.end_of_period(D(day), 1) == D(day)


# 2026 as both the official notice (国务院办公厅 2025-11-04) and chinesecalendar 1.11 give it.
OFFICIAL_2026_OFF = [
    *(f"2026-02-{d}" for d in range(15, 24)),
    *(f"2026-10-0{d}" for d in range(1, 8)),
]
OFFICIAL_2026_MAKE_UP = ["2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"]


@pytest.mark.parametrize("day", OFFICIAL_2026_OFF)
def test_2026_days_off(cal: Calendar, day: str) -> None:
    assert not cal.is_workday(D(day))


@pytest.mark.parametrize("day", OFFICIAL_2026_MAKE_UP)
def test_2026_make_up_days(cal: Calendar, day: str) -> None:
    assert cal.is_workday(D(day))


@pytest.mark.parametrize("n", [0, -1])
def test_period_needs_at_least_one_day(cal: Calendar, n: int) -> None:
    with pytest.raises(ValueError):
        cal.end_of_period(D("2024-09-27"), n)


def test_period_reaching_an_unknown_year_names_the_year_and_the_file(cal: Calendar) -> None:
    with pytest.raises(UnknownYearError) as raised:
        cal.end_of_period(D("2026-12-28"), 10)
    assert raised.value.year == 2027
    assert "2027年" in str(raised.value)
    assert "data/calendar.yaml" in str(raised.value)


def test_period_inside_a_known_year_does_not_touch_the_unknown_one(cal: Calendar) -> None:
    # 12/28, 12/29, 12/30, 12/31: the answer is known although 2027 is not.
    assert cal.end_of_period(D("2026-12-28"), 4) == D("2026-12-31")


def test_extra_arrangement_makes_an_unknown_year_work() -> None:
    cal = Calendar([FICTIONAL_2027])
    # 12/28, 12/29, 12/30, 12/31, (1/1 off), 1/4, 1/5, (1/6 off), 1/7, 1/8,
    # 1/9 (fictional Saturday make-up), 1/11.
    assert cal.end_of_period(D("2026-12-28"), 10) == D("2027-01-11")
    assert 2027 in cal.known_years()
    assert 2026 in cal.known_years()


def test_extra_arrangement_wins_over_the_package() -> None:
    no_holidays_2024 = YearArrangement(2024, frozenset(), frozenset())
    cal = Calendar([no_holidays_2024])
    assert cal.is_workday(D("2024-10-01"))
    assert not cal.is_workday(D("2024-09-29"))
    assert not Calendar().is_workday(D("2024-10-01"))


def test_a_date_listed_in_a_neighbouring_years_notice_is_honoured() -> None:
    # The 2012 notice made Saturday 2011-12-31 a make-up day; a notice may reach back.
    cal = Calendar([YearArrangement(2027, frozenset(), frozenset({D("2026-12-26")}))])
    assert cal.is_workday(D("2026-12-26"))


def test_duplicate_years_and_contradictory_days_are_rejected() -> None:
    with pytest.raises(ValueError):
        Calendar([FICTIONAL_2027, FICTIONAL_2027])
    with pytest.raises(ValueError):
        YearArrangement(2027, frozenset({D("2027-01-09")}), frozenset({D("2027-01-09")}))


def test_arrangements_from_data() -> None:
    data = {
        "years": [
            {
                "year": 2027,
                "source": {"title": "测试用虚构安排（国务院办公厅通知格式）", "date": "2026-11-12"},
                "holidays": ["2027-01-01", "2027-01-06"],
                "workdays": ["2027-01-09"],
            }
        ]
    }
    assert arrangements_from_data(data) == [FICTIONAL_2027]
    assert arrangements_from_data({"years": []}) == []


def _schema() -> dict:
    return json.loads((ROOT / "schemas" / "calendar.schema.json").read_text(encoding="utf-8"))


def test_calendar_data_file_is_valid_and_names_its_schema() -> None:
    text = (ROOT / "data" / "calendar.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/calendar.schema.json\n")
    data = yaml.safe_load(text)
    jsonschema.Draft202012Validator(_schema()).validate(data)
    # No year is loaded until someone has copied it from the official notice.
    assert arrangements_from_data(data) == []


@pytest.mark.parametrize(
    ("entry", "valid"),
    [
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "holidays": ["2027-01-01"],
                "workdays": [],
            },
            True,
        ),
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "holidays": ["2027-1-1"],
                "workdays": [],
            },
            False,
        ),
        ({"year": 2027, "holidays": ["2027-01-01"], "workdays": []}, False),
        # the source names the notice: its title and its date are both required
        ({"year": 2027, "source": "通知", "holidays": ["2027-01-01"], "workdays": []}, False),
        (
            {
                "year": 2027,
                "source": {"title": "国务院办公厅关于2027年部分节假日安排的通知"},
                "holidays": ["2027-01-01"],
            },
            False,
        ),
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11",
                },
                "holidays": [],
            },
            False,
        ),
        # by festival, as `registry calendar add` writes it
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "festivals": [{"name": "元旦", "holidays": ["2027-01-01"], "workdays": []}],
            },
            True,
        ),
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "festivals": [{"name": "元旦", "holidays": [], "workdays": []}],
            },
            False,
        ),
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "festivals": [{"name": "除夕", "holidays": ["2027-02-05"], "workdays": []}],
            },
            False,
        ),
        (
            {
                "year": 1999,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "holidays": ["1999-01-01"],
                "workdays": [],
            },
            False,
        ),
        (
            {
                "year": 2027,
                "source": {
                    "title": "国务院办公厅关于2027年部分节假日安排的通知",
                    "date": "2026-11-12",
                },
                "holidays": ["2027-01-01"],
                "workdays": [],
                "x": 1,
            },
            False,
        ),
    ],
)
def test_schema_shape(entry: dict, valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    assert validator.is_valid({"years": [entry]}) is valid


def _titled_nodes(node: object) -> list[dict]:
    if isinstance(node, list):
        return [n for item in node for n in _titled_nodes(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if "type" in node else []
    return found + [n for key, v in node.items() if key != "enum" for n in _titled_nodes(v)]


def test_schema_has_chinese_title_and_description_everywhere() -> None:
    for node in _titled_nodes(_schema()):
        for key in ("title", "description"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in node.get(key, "")), (key, node)
