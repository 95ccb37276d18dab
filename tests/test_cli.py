"""The command line: workdays, check, new, usage errors (exit 2), all in-process.

The one real-process check of the console script is in test_validate.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import cli, pipeline
from generator.uscc import make_uscc

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-29"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`registry ARGS` in-process: (exit status, stdout, stderr). argparse exits via SystemExit."""
    try:
        code = cli.main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------- workdays


def test_workdays_counts_the_national_day_holiday(capsys: pytest.CaptureFixture[str]) -> None:
    """The 2024 publicity notice: 7 working days from 9月27日 end on 10月11日."""
    code, out, err = run(["workdays", "2024-09-27", "7", "--data", str(ROOT / "data")], capsys)
    assert (code, out, err) == (0, "2024-10-11\n", "")


def test_workdays_unknown_year_names_the_calendar_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(
        FIXTURES / "invalid" / "workdays.unknown-year"
    )  # data/calendar.yaml: years: []
    code, out, err = run(["workdays", "2026-12-25", "7"], capsys)
    assert code == 1
    assert err == ""
    first = out.splitlines()[0]
    assert first.startswith("data/calendar.yaml: 2027年的节假日安排未知")
    assert (
        "请按国务院办公厅发布的2027年部分节假日安排通知补充 data/calendar.yaml（registry calendar add 2027 生成该年的骨架）"
        in first
    )
    assert first.endswith("[rule workdays.unknown-year]")


def test_unknown_year_names_the_calendar_file_of_the_data_folder_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --data elsewhere, the message names that folder's calendar.yaml, not data/'s."""
    import shutil

    shutil.copytree(FIXTURES / "invalid" / "workdays.unknown-year" / "data", tmp_path / "other")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["workdays", "2026-12-25", "7", "--data", "other"], capsys)
    assert code == 1
    assert out.startswith("other/calendar.yaml: 2027年的节假日安排未知")
    assert (
        "补充 other/calendar.yaml（registry calendar add 2027 生成该年的骨架）。"
        in out.splitlines()[0]
    )
    code, out, _ = run(["validate", "--data", "other", "--today", "2026-11-29"], capsys)
    assert code == 1
    assert "chinesecalendar 不含该年，other/calendar.yaml 也没有" in out
    assert "data/calendar.yaml" not in out


def test_workdays_refuses_a_wrong_calendar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A calendar.yaml with a mistake is reported, never silently left out of the count."""
    monkeypatch.chdir(FIXTURES / "invalid" / "calendar.invalid")
    code, out, _ = run(["workdays", "2024-09-27", "7"], capsys)
    assert code == 1
    assert (
        out.splitlines()[0]
        == (FIXTURES / "invalid" / "calendar.invalid" / "expected.txt")
        .read_text(encoding="utf-8")
        .splitlines()[0]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["workdays", "2024-13-01", "7"], "参数 start：日期“2024-13-01”无效，格式应为 YYYY-MM-DD"),
        (["workdays", "2024-09-27", "0"], "参数 n：工作日数至少为1"),
        (["workdays", "2024-09-27", "七"], "参数 n：“七”不是整数"),
        (["workdays", "2024-09-27"], "缺少必填参数：n"),
        (
            ["validate", "--format", "xml"],
            "参数 --format：“xml”不是可选的值，可选：github、json、text",
        ),
        (["validate", "--today", "明天"], "参数 --today：日期“明天”无效，格式应为 YYYY-MM-DD"),
        (["validate", "--bogus"], "不认识的参数：--bogus"),
    ],
)
def test_bad_arguments_exit_2_in_chinese(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == f"registry：参数错误：{message}"


# ------------------------------------------------------------------------- check


def test_check_eligible_platform_cites_articles_7_and_8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(["check", "bd-0001", "--data", "data"], capsys)
    assert (code, err) == (0, "")
    marks = [line.strip() for line in out.splitlines() if line.strip().startswith(("✔", "✘"))]
    assert marks, out
    assert all(line.startswith("✔ 符合") for line in marks), out
    assert any("第七条（一）" in line for line in marks)
    assert any("第七条（三）要求用户满意度在80％以上" in line for line in marks)
    assert any(line.startswith("✔ 符合  第八条（") for line in marks)
    assert out.splitlines()[-1].endswith("全部符合。")


def test_check_failing_platform_shows_required_and_actual(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FIXTURES / "invalid" / "eligibility.satisfaction")
    code, out, err = run(["check", "bd-0001"], capsys)
    assert (code, err) == (1, "")
    lines = [line.strip() for line in out.splitlines()]
    assert "✘ 不符合  第七条（三）要求用户满意度在80％以上，2023年度为75%" in lines
    assert sum(line.startswith("✘") for line in lines) == 1
    assert lines[-1] == "共核对 12 项，1 项不符合。"


def test_check_on_another_day_uses_that_years_indicators(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FIXTURES / "valid" / "minimal")
    code, out, _ = run(["check", "bd-0001", "--on", "2023-09-04"], capsys)
    # 2022 has only smes_served filled in: every other condition is missing data
    assert code == 1
    assert "按2023-09-04申报核对" in out
    assert (
        "✘ 不符合  第七条（一）要求资产总额不低于150万元，2022年度指标中没有填写“资产总额”" in out
    )


def test_check_unknown_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FIXTURES / "valid" / "minimal")
    code, out, err = run(["check", "bd-9999"], capsys)
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == (
        "data/platforms/bd-9999.yaml: 没有编号为“bd-9999”的平台 [rule check.unknown-id]"
    )


def test_check_platform_file_that_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file is there but saved as GBK: say so, not "no such platform"."""
    monkeypatch.chdir(FIXTURES / "invalid" / "load.encoding")
    code, out, err = run(["check", "bd-0002"], capsys)
    assert (code, err) == (1, "")
    assert (
        out.splitlines()[0]
        == "data/platforms/bd-0002.yaml:3: 文件不是 UTF-8 编码 [rule load.encoding]"
    )
    assert "check.unknown-id" not in out


def test_check_without_rules_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(FIXTURES / "invalid" / "load.missing")  # no data/rules.yaml
    code, out, err = run(["check", "bd-0001"], capsys)
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "data/rules.yaml: 缺少文件 data/rules.yaml [rule load.missing]"


def test_check_with_broken_rules_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "valid" / "minimal" / "data", tmp_path / "data")
    rules = tmp_path / "data" / "rules.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("thresholds:", "thresholdz:"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "bd-0001"], capsys)
    assert (code, err) == (1, "")
    assert (
        "data/rules.yaml:25: 不认识的字段“thresholdz” [rule schema.additionalProperties]"
        in out.splitlines()
    )


# --------------------------------------------------------------------------- new


def _new_args(**overrides: str) -> list[str]:
    values = {
        "name": "竞秀区示例工业设计公共服务平台",
        "operator": "保定示例新创工业设计有限公司",
        "uscc": make_uscc("91130602", "MA0ABC12"),
        "established": "2015-03-02",
        "county": "130602",
        "address": "保定市竞秀区示例路1号",
        "phone": "0312-5555555",
        "recommended": "2026-11-20",
        **overrides,
    }
    return ["new", "--data", "data", *(f"--{k}={v}" for k, v in values.items())]


@pytest.fixture
def shipped_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of the shipped data/, as the working directory."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data" / "platforms"


@pytest.fixture
def minimal_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of the small valid fixture (bd-0001..bd-0003): quicker to validate."""
    shutil.copytree(FIXTURES / "valid" / "minimal" / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data" / "platforms"


def test_new_creates_the_next_id_and_it_validates(
    shipped_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(p.name for p in shipped_copy.iterdir())
    assert before[-1] == "bd-0016.yaml"
    code, out, err = run(_new_args(), capsys)
    assert (code, err) == (0, "")
    assert out.startswith("已创建 data/platforms/bd-0017.yaml")
    text = (shipped_copy / "bd-0017.yaml").read_text(encoding="utf-8")
    assert "id: bd-0017\n" in text
    assert 'name: "竞秀区示例工业设计公共服务平台"' in text
    code, out, _ = run(["validate", "--data", "data", "--today", TODAY], capsys)
    assert code == 0, out
    # valid; the only remark on it is that its description is still the placeholder
    assert [line for line in out.splitlines() if "bd-0017" in line] == [
        line for line in out.splitlines() if "[rule records.placeholder]" in line
    ]
    assert "[rule records.placeholder]" in out


def test_new_refuses_a_bad_uscc_and_writes_nothing(
    minimal_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = make_uscc("91130602", "MA0ABC12")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = sorted(minimal_copy.iterdir())
    code, out, err = run(_new_args(uscc=bad), capsys)
    assert (code, err) == (1, "")
    assert "[rule uscc.check]" in out
    assert out.splitlines()[0].startswith(
        f"data/platforms/bd-0004.yaml:6: 统一社会信用代码“{bad}”有误"
    )
    assert sorted(minimal_copy.iterdir()) == before


def test_new_refuses_an_unknown_county(
    minimal_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(minimal_copy.iterdir())
    code, out, _ = run(_new_args(county="130699"), capsys)
    assert code == 1
    assert "[rule references.county]" in out
    assert sorted(minimal_copy.iterdir()) == before


def test_new_text_cannot_break_the_yaml(
    minimal_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = '示例平台: "引号" #不是注释 &a *b'
    code, out, _ = run(_new_args(name=name), capsys)
    assert code == 0, out
    code, out, _ = run(["validate", "--data", "data", "--today", TODAY], capsys)
    assert code == 0, out


def test_new_never_overwrites(
    minimal_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = minimal_copy / "bd-0001.yaml"
    original = existing.read_bytes()
    monkeypatch.setattr(pipeline, "next_platform_id", lambda ids, prefix="bd-": "bd-0001")
    code, out, _ = run(_new_args(), capsys)
    assert code == 1
    assert "bd-0001" in out
    assert existing.read_bytes() == original
