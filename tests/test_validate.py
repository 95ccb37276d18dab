"""registry validate: every rule fires on a fixture named after it, with the exact message.

Fixtures are found by directory (tests/fixtures/README.md): each folder is a small
data directory and an expected.txt of the lines `registry validate` must print.
The CLI runs in-process with the fixture folder as the working directory, so
paths print as `data/platforms/bd-0001.yaml`, exactly as a bureau editor sees them.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cli, load, pipeline, report, schemas
from generator.load import MAX_BYTES, load_file
from generator.uscc import make_uscc
from generator.validate import records, text
from generator.validate import schema as schema_check
from generator.validate.schema import check_shape

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL = FIXTURES / "valid" / "minimal"
DEFAULT_TODAY = "2026-11-29"

PROBLEM_LINE = re.compile(
    r"(?P<file>data/[^:\s]+)(?::(?P<line>\d+))?: (?P<warning>警告：)?(?P<message>.+) "
    r"\[rule (?P<rule>[a-z0-9]+\.[A-Za-z0-9_-]+)\]"
)
HINT_PREFIX = "    提示："
SUMMARY = re.compile(
    r"发现 \d+ 个错误，\d+ 个警告。请按上面的提示修改后再提交。|校验通过，(有 \d+ 个警告|没有发现问题)。"
)

#: rules about a whole file or folder: their problems have no line
NO_LINE = {
    "load.extension",
    "load.missing",
    "load.too-large",
    "load.io",
    "load.not-regular",
    "load.unexpected-file",
}


# ------------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    rule: str
    message: str
    warning: bool


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def problems(self) -> list[Problem]:
        return [parse(line) for line in self.lines if "[rule " in line]

    @property
    def error_rules(self) -> set[str]:
        return {p.rule for p in self.problems if not p.warning}


def parse(line: str) -> Problem:
    m = PROBLEM_LINE.fullmatch(line)
    assert m, f"not in the shape `file:line: message [rule id]`: {line!r}"
    return Problem(
        m["file"],
        int(m["line"]) if m["line"] else None,
        m["rule"],
        m["message"],
        bool(m["warning"]),
    )


def validate(
    cwd: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
    today: str = DEFAULT_TODAY,
) -> Run:
    monkeypatch.chdir(cwd)
    code = cli.main(["validate", "--data", "data", "--today", today, *extra])
    out, err = capsys.readouterr()
    return Run(code, out, err)


def fixture_dirs(kind: str) -> list[Path]:
    folder = FIXTURES / kind
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if (p / "data").is_dir())


#: fixtures that show a known bug: they fail until it is fixed, then the entry goes
KNOWN_BUGS: dict[str, str] = {}


def params(kind: str) -> list[Any]:
    return [
        pytest.param(
            d,
            id=d.name,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[d.name])]
            if d.name in KNOWN_BUGS
            else [],
        )
        for d in fixture_dirs(kind)
    ]


def rule_of(folder: Path) -> str:
    """`schema.type--county-unquoted` -> `schema.type`."""
    return folder.name.split("--")[0]


def today_of(folder: Path) -> str:
    path = folder / "today.txt"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else DEFAULT_TODAY


def expected_of(folder: Path) -> list[str]:
    text = (folder / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def assert_clean_output(run: Run) -> None:
    """No traceback, nothing on stderr, every line a problem, a hint or the summary."""
    assert run.err == "", run.err
    assert run.lines, "validate printed nothing"
    for line in run.lines[:-1]:
        if not line.startswith(HINT_PREFIX):
            parse(line)
    assert SUMMARY.fullmatch(run.lines[-1]), run.lines[-1]


def assert_expected_lines(run: Run, expected: list[str]) -> None:
    printed = set(run.lines)
    missing = [line for line in expected if line not in printed]
    assert not missing, "missing:\n" + "\n".join(missing) + "\n\nprinted:\n" + run.out


def copy_minimal(dest: Path) -> Path:
    shutil.copytree(MINIMAL / "data", dest / "data")
    return dest


def yaml_files(data: Path) -> Iterator[Path]:
    return (p for p in sorted(data.rglob("*.yaml")))


# ------------------------------------------------------------------- shipped data


def test_shipped_data_validates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = validate(ROOT, monkeypatch, capsys)
    assert_clean_output(run)
    assert run.code == 0, run.out
    assert run.error_rules == set(), run.out


# ----------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("folder", params("valid"))
def test_valid_fixture_has_no_problem(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = validate(folder, monkeypatch, capsys, today=today_of(folder))
    assert run.code == 0, run.out
    assert run.out == "校验通过，没有发现问题。\n"
    assert run.err == ""


@pytest.mark.parametrize("folder", params("invalid") + params("combined"))
def test_invalid_fixture(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = expected_of(folder)
    run = validate(folder, monkeypatch, capsys, today=today_of(folder))
    assert run.code == 1, run.out
    assert_clean_output(run)
    assert_expected_lines(run, expected)
    wanted = [parse(line) for line in expected if not line.startswith(HINT_PREFIX)]
    if folder.parent.name == "invalid":
        assert rule_of(folder) in {p.rule for p in wanted}, (
            "the folder names a rule that is not expected"
        )
    for p in wanted:
        assert (p.line is None) == (p.rule in NO_LINE), f"line number: {p}"
    unexpected = {p.rule for p in run.problems} - {p.rule for p in wanted}
    assert not unexpected, f"problems of other rules: {unexpected}\n{run.out}"


@pytest.mark.parametrize("folder", params("invalid") + params("warnings"))
def test_every_fixture_reads_the_same_in_json(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--format json never fails to write a problem (a key the loader could not read is null)."""
    text = validate(folder, monkeypatch, capsys, today=today_of(folder))
    run = validate(folder, monkeypatch, capsys, "--format", "json", today=today_of(folder))
    assert run.code == text.code and run.err == ""
    found = json.loads(run.out)
    assert [(p["rule"], p["line"]) for p in found["problems"]] == [
        (p.rule, p.line) for p in text.problems
    ]
    for p in found["problems"]:
        assert all(part is None or isinstance(part, (str, int)) for part in p["path"]), p


@pytest.mark.parametrize("folder", params("warnings"))
def test_warning_fixture(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = expected_of(folder)
    run = validate(folder, monkeypatch, capsys, today=today_of(folder))
    assert run.code == 0, run.out
    assert_clean_output(run)
    assert_expected_lines(run, expected)
    wanted = {parse(line).rule for line in expected if "[rule " in line}
    assert rule_of(folder) in wanted
    assert all(p.warning for p in run.problems), run.out
    assert {p.rule for p in run.problems} <= wanted, run.out
    assert run.lines[-1].startswith("校验通过，有 ")


def test_all_problems_in_one_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three defects in three files: all three reported, not just the first."""
    run = validate(FIXTURES / "combined" / "three-files", monkeypatch, capsys)
    assert run.code == 1
    errors = [p for p in run.problems if not p.warning]
    assert len({p.file for p in errors}) == 3, run.out
    assert len({p.rule for p in errors}) == 3, run.out
    assert run.lines[-1] == "发现 3 个错误，0 个警告。请按上面的提示修改后再提交。"


# -------------------------------------------------------- every rule has a fixture

#: rule ids the code can emit that no data folder can trigger in `registry validate`
NOT_FROM_DATA = {
    "load.io": "needs a file the OS refuses to read; the tests run as root, where "
    "permissions do not stop reads, and non-files are refused before reading (load.not-regular)",
    "check.unknown-id": "registry check only: tests/test_cli.py",
    "schema.unexplained": "the two JSON Schema validators agree on every schema: "
    "test_validators_that_disagree_still_refuse",
}
#: rule-id prefixes of other commands that live in the same modules
OTHER_COMMANDS = {"build.": "registry build only: tests/test_build.py"}
#: rules whose input is generated at test time instead of committed
GENERATED = {
    "load.too-large": "test_file_over_1_mb",
    "load.too-many-nodes": "test_file_with_too_many_values",
    "load.not-regular": "links, FIFOs and folders made in tmp_path: tests/test_load.py",
}
#: JSON Schema keywords that never produce an error of their own
SILENT_KEYWORDS = {
    "const": "only used inside if: conditions, which choose a branch and never report",
    "format": "jsonschema does not assert format by default; patterns do the checking",
}
_ASSERTIONS = {
    "required",
    "additionalProperties",
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
}
_RULE_ID = re.compile(r"[a-z][a-z0-9]*\.[a-z][a-z0-9_-]*")
_REPORTERS = {"Problem", "problem", "_report"}


def _strings(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _strings(value)


def _rule_literals(source: str) -> set[str]:
    """Rule ids in a module: literal arguments of Problem(...)/problem(...)/_report(...),
    and literals assigned to `rule` or to a *_RULES table."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in _REPORTERS:
                for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "rule")]:
                    found.update(_strings(arg))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {getattr(t, "id", "") for t in targets}
            if "rule" in names or any(n.endswith("_RULES") for n in names):
                found.update(_strings(node.value))
    return {s for s in found if _RULE_ID.fullmatch(s)}


def _schema_keywords(node: Any, parent_key: str = "") -> Iterator[str]:
    if node is False and parent_key != "additionalProperties":
        yield "false"
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _ASSERTIONS and parent_key != "properties":
                yield key
            yield from _schema_keywords(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_keywords(item, parent_key)


def rule_ids_the_code_can_emit() -> set[str]:
    """Rule-id literals of the validate stages, plus the ids made at run time."""
    sources = [
        *sorted((ROOT / "generator" / "load").glob("*.py")),
        ROOT / "generator" / "pipeline.py",
        *sorted((ROOT / "generator" / "validate").glob("*.py")),
    ]
    ids = set()
    for path in sources:
        for literal in _rule_literals(path.read_text(encoding="utf-8")):
            if not literal.startswith(tuple(OTHER_COMMANDS)):
                ids.add(literal)
    rules, problems = load_file(ROOT / "data" / "rules.yaml", "data/rules.yaml")
    assert rules is not None, problems
    ids |= {f"eligibility.{t['id']}" for t in rules.data["thresholds"]}
    for schema in sorted((ROOT / "schemas").glob("*.schema.json")):
        keywords = set(_schema_keywords(json.loads(schema.read_text(encoding="utf-8"))))
        ids |= {f"schema.{k}" for k in keywords - SILENT_KEYWORDS.keys()}
    return ids


def test_every_rule_has_a_fixture() -> None:
    emitted = rule_ids_the_code_can_emit()
    named = {rule_of(d) for kind in ("invalid", "warnings") for d in fixture_dirs(kind)}
    exempt = NOT_FROM_DATA.keys() | GENERATED.keys()
    assert not (emitted - named - exempt), "rules without a fixture folder"
    assert not (named - emitted), "fixture folders named after no rule the code emits"
    assert not (exempt - emitted), "allowlisted rules the code no longer emits"
    assert not (named & exempt), "a rule both allowlisted and covered by a folder"


def test_every_fixture_folder_is_complete() -> None:
    for kind in ("invalid", "warnings", "combined"):
        for folder in fixture_dirs(kind):
            assert (folder / "expected.txt").is_file(), folder
            assert expected_of(folder), f"{folder}/expected.txt is empty"
    for folder in fixture_dirs("valid"):
        assert not (folder / "expected.txt").exists(), folder


# --------------------------------------------------- inputs generated at test time


def test_file_over_1_mb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_minimal(tmp_path)
    big = tmp_path / "data" / "platforms" / "bd-0003.yaml"
    big.write_text(
        "id: bd-0003\ndescription: " + "很长的简介" * (MAX_BYTES // 15 + 1) + "\n", encoding="utf-8"
    )
    size = big.stat().st_size
    assert size > MAX_BYTES
    run = validate(tmp_path, monkeypatch, capsys)
    assert run.code == 1
    assert_clean_output(run)
    assert_expected_lines(
        run,
        [
            f"data/platforms/bd-0003.yaml: 文件太大（{size:,} 字节），"
            + "一个记录文件最多 1,048,576 字节（1 MB） [rule load.too-large]",
        ],
    )


def test_file_with_too_many_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real limit (100,000 values) is the loader's business (test_load.py); a lower
    # one keeps this end-to-end check quick.
    monkeypatch.setattr(load.strict, "MAX_NODES", 1_000)
    copy_minimal(tmp_path)
    path = tmp_path / "data" / "platforms" / "bd-0003.yaml"
    path.write_text("id: bd-0003\nindicators: [" + "0, " * 1_001 + "]\n", encoding="utf-8")
    run = validate(tmp_path, monkeypatch, capsys)
    assert run.code == 1
    assert_clean_output(run)
    assert_expected_lines(
        run,
        [
            "data/platforms/bd-0003.yaml:2: 文件中的值太多（超过 1,000 个） [rule load.too-many-nodes]",
        ],
    )


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (
            "02-29",
            (
                "data/platforms/bd-0001.yaml:17: 警告：第十六条：缺少2025年度工作总结"
                "（应于2026年2月28日前报送） [rule warnings.annual-report-missing]"
            ),
        ),
        ("02-30", None),
    ],
)
def test_annual_report_due_day_that_some_years_lack(
    due: str,
    expected: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(
        FIXTURES / "warnings" / "warnings.annual-report-missing" / "data", tmp_path / "data"
    )
    rules = tmp_path / "data" / "rules.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace('due: "03-31"', f'due: "{due}"'), encoding="utf-8"
    )
    run = validate(tmp_path, monkeypatch, capsys)
    assert run.code == 0
    assert_clean_output(run)
    if expected:
        assert_expected_lines(run, [expected])


# ------------------------------------------------------------- harmless variants

VARIANTS = {
    "bom": lambda raw: b"\xef\xbb\xbf" + raw,
    "crlf": lambda raw: raw.replace(b"\n", b"\r\n"),
    "bom+crlf": lambda raw: b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"),
}


def _resave(data: Path, variant: str) -> None:
    for path in yaml_files(data):
        path.write_bytes(VARIANTS[variant](path.read_bytes()))


@pytest.mark.parametrize("variant", VARIANTS)
def test_bom_and_crlf_are_harmless(
    variant: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Notepad and Windows editors save like this; the record is still the same record."""
    copy_minimal(tmp_path)
    _resave(tmp_path / "data", variant)
    run = validate(tmp_path, monkeypatch, capsys)
    assert run.code == 0, run.out
    assert run.out == "校验通过，没有发现问题。\n"


@pytest.mark.parametrize(
    "name",
    [
        "schema.type--county-unquoted",
        "load.duplicate-key",
        "history.order",
        "eligibility.satisfaction",
    ],
)
def test_bom_and_crlf_keep_line_numbers(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = FIXTURES / "invalid" / name
    shutil.copytree(folder / "data", tmp_path / "data")
    _resave(tmp_path / "data", "bom+crlf")
    run = validate(tmp_path, monkeypatch, capsys)
    assert run.code == 1
    assert_expected_lines(run, expected_of(folder))


# ------------------------------------------------------------------- robustness

_YAMLISH = st.lists(
    st.sampled_from(
        [
            "id: ",
            "name: ",
            "history:\n",
            "  - ",
            "- ",
            ": ",
            ":",
            "{",
            "}",
            "[",
            "]",
            ", ",
            "&a ",
            "*a",
            "!!str ",
            "!x ",
            "<<: ",
            '"',
            "'",
            "\n",
            "  ",
            "\t",
            "---\n",
            "...\n",
            "? ",
            "|\n",
            ">-\n",
            "2024-02-30",
            "130602",
            "911306715678123414",
            "bd-0001",
            "null",
            "~",
            "true",
            "0x1F",
            "1e999",
            "%YAML 1.2\n",
            "# 注释\n",
            "保定",
            "\ufeff",
            "\x00",
            "\x1b",
            "\u2028",
            "\r\n",
            "\\",
            "@",
            "`",
        ]
    ),
    max_size=60,
).map(lambda parts: "".join(parts).encode("utf-8"))
_JUNK = st.one_of(
    st.binary(max_size=400), st.text(max_size=200).map(lambda t: t.encode("utf-8")), _YAMLISH
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.lists(_JUNK, min_size=3, max_size=3))
def test_hostile_platform_files_never_crash(
    junk: list[bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not (tmp_path / "data").is_dir():
        copy_minimal(tmp_path)
    for name, raw in zip(("bd-0001", "bd-0002", "bd-0003"), junk, strict=True):
        (tmp_path / "data" / "platforms" / f"{name}.yaml").write_bytes(raw)
    run = validate(tmp_path, monkeypatch, capsys)
    assert run.code in (0, 1)
    assert_clean_output(run)
    if run.code == 1:
        assert run.error_rules


# ---------------------------------------------------------------- output formats


def test_format_github(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run = validate(FIXTURES / "combined" / "three-files", monkeypatch, capsys, "--format", "github")
    assert run.code == 1
    annotations = [line for line in run.lines if line.startswith("::")]
    assert len(annotations) == 3
    assert any(
        line.startswith(
            "::error file=data/platforms/bd-0001.yaml,line=8,title=schema.type::"
            "“所在县（市、区）”应为文本，实际为整数“130602”"
        )
        for line in annotations
    ), run.out
    assert (
        "::error file=data/announcements/2025-publicity.yaml,line=6,title=announcement.publicity-days::"
        "第十二条规定公示7个工作日，这里为5个" in annotations
    )
    assert run.lines[-1] == "发现 3 个错误，0 个警告。请按上面的提示修改后再提交。"


def test_format_github_without_line_and_for_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = validate(
        FIXTURES / "invalid" / "load.extension", monkeypatch, capsys, "--format", "github"
    )
    assert run.lines[0].startswith("::error file=data/platforms/bd-0003.yml,title=load.extension::")
    run = validate(
        FIXTURES / "warnings" / "dates.future", monkeypatch, capsys, "--format", "github"
    )
    assert run.code == 0
    assert run.lines[0].startswith(
        "::warning file=data/platforms/bd-0001.yaml,line=23,title=dates.future::"
    )


def test_format_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run = validate(FIXTURES / "combined" / "three-files", monkeypatch, capsys, "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert report["errors"] == 3
    assert report["warnings"] == 0
    found = {(p["file"], p["line"], p["rule"], p["severity"]) for p in report["problems"]}
    assert found == {
        ("data/announcements/2025-publicity.yaml", 6, "announcement.publicity-days", "error"),
        ("data/platforms/bd-0001.yaml", 8, "schema.type", "error"),
        ("data/platforms/bd-0002.yaml", 29, "eligibility.satisfaction", "error"),
    }
    county = next(p for p in report["problems"] if p["rule"] == "schema.type")
    assert county["path"] == ["county"]
    assert county["hint"] == '请给值加引号，例如 "130602"'


def test_format_json_counts_warnings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = validate(
        FIXTURES / "warnings" / "uscc.normalised", monkeypatch, capsys, "--format", "json"
    )
    assert run.code == 0
    report = json.loads(run.out)
    assert (report["errors"], report["warnings"]) == (0, 1)


# ------------------------------------------------------------------ end to end


def test_console_script_reports_bad_file_without_traceback() -> None:
    """The installed `registry` command, in a real process: exit 1, message, no traceback."""
    registry = shutil.which("registry")
    if registry is None:
        pytest.skip("console script `registry` is not installed (pip install -e .)")
    folder = FIXTURES / "invalid" / "load.encoding"
    proc = subprocess.run(
        [registry, "validate", "--data", "data", "--today", DEFAULT_TODAY],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert expected_of(folder)[0] in proc.stdout.splitlines()


def test_eligibility_failures_are_evaluate_without_the_conditions_met() -> None:
    """check_eligibility_at_publicity writes out only failing conditions (failures());
    they must be exactly evaluate()'s findings that are not ok, in the same order."""
    import copy
    import random
    from datetime import date

    from generator import model
    from generator.load import load_sources
    from generator.validate import eligibility

    rng = random.Random(3)
    roots = [
        ROOT,
        *sorted(p.parent.parent for p in (ROOT / "tests" / "fixtures").glob("*/*/data/rules.yaml")),
    ]
    checked = 0
    for root in roots:
        sources = load_sources(root / "data")
        try:
            thresholds = model.rules_from_data(sources.rules.data).thresholds  # type: ignore[union-attr]
        except Exception:
            continue
        for doc in sources.platforms:
            data = doc.data
            if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
                continue
            variants = [data]
            for _ in range(3):  # indicators made worse, missing or odd
                mutated = copy.deepcopy(data)
                rows = mutated.get("indicators") or []
                if rows:
                    row = rng.choice(rows)
                    key = rng.choice(sorted(row))
                    row[key] = (
                        rng.choice([0, -1, 1.5, None, "x", {"a": 1}])
                        if key != "year"
                        else row[key] + 1
                    )
                variants.append(mutated)
            for variant in variants:
                for on in (
                    date(2021, 9, 1),
                    date(2023, 1, 1),
                    date(2024, 9, 27),
                    date(2026, 11, 29),
                ):
                    try:
                        want = [
                            f for f in eligibility.evaluate(thresholds, variant, on) if not f.ok
                        ]
                    except (TypeError, KeyError, AttributeError):
                        continue
                    assert eligibility.failures(thresholds, variant, on) == want, (
                        root,
                        doc.file,
                        on,
                    )
                    checked += 1
    assert checked > 100


# ------------------------------------------------ ids and text (issue 12): unit checks


def _strings_at(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings_at(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings_at(value, (*path, i))


def _with(data: Any, path: tuple[str | int, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _shipped_documents() -> list[tuple[str, load.Document]]:
    sources = load.load_sources(ROOT / "data")
    docs = [("platform", d) for d in sources.platforms] + [
        ("announcement", d) for d in sources.announcements
    ]
    for kind in ("counties", "rules", "calendar", "associations"):
        doc = getattr(sources, kind)
        assert doc is not None, kind
        docs.append((kind, doc))
    return docs


def test_every_pattern_refuses_a_trailing_newline_in_both_validators() -> None:
    """JSON Schema's `pattern` is ECMA-262: `$` is the end of the text. Python's re would
    let "bd-0001\\n" through `^...$`; every patterned value of the shipped data with a
    newline appended is refused by jsonschema-rs, by the Python validator and so by
    check_shape (under the field's own rule), and full-width digits likewise."""
    covered: set[tuple[str, str]] = set()
    for kind, doc in _shipped_documents():
        for path, value in _strings_at(doc.data):
            node = schemas.subschema(kind, path) or {}
            if "pattern" not in node:
                continue
            covered.add((kind, node["pattern"]))
            variants = [value + "\n"]
            if any(c.isdigit() for c in value):
                variants.append(value.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}))
            for bad in variants:
                data = _with(doc.data, path, bad)
                assert not schema_check._fast_validator(kind).is_valid(data), (kind, path, bad)
                assert not schema_check._validator(kind).is_valid(data), (kind, path, bad)
                found = check_shape(kind, load.Document(doc.file, data, doc.lines))
                assert [p.rule for p in found if p.path == path] in (
                    ["schema.pattern"],
                    ["ids.pattern"],
                ), (kind, path, bad, found)
    assert {
        ("platform", r"^[a-z0-9][a-z0-9-]{2,63}$"),
        ("platform", r"^\d{4}-\d{2}-\d{2}$"),
        ("platform", r"^\d{6}$"),
        ("announcement", r"^[a-z0-9][a-z0-9-]{2,63}$"),
        ("associations", r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
    } <= covered, covered


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        ("^a$", "a", "a\n"),
        (r"^\d$", "3", "\u0663"),
        (r"^\d$", "3", "\uff13"),
        ("^a.c$", "abc", "a\nc"),
        ("b", "abc", "ac"),  # unanchored, as ECMA-262 says
    ],
)
def test_python_validator_reads_patterns_as_ecma_262(pattern: str, good: str, bad: str) -> None:
    import jsonschema
    import jsonschema_rs

    schema = {"type": "string", "pattern": pattern}
    strict = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, validators={"pattern": schema_check._ecma_pattern}
    )(schema)
    rust = jsonschema_rs.validator_for(schema)
    assert strict.is_valid(good) and rust.is_valid(good)
    assert not strict.is_valid(bad) and not rust.is_valid(bad)


def _schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schema_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_nodes(item)


def test_validators_that_disagree_still_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should jsonschema-rs refuse what the Python validator finds nothing wrong with, the
    file is refused all the same (it was let through when their patterns differed)."""
    doc, problems = load_file(
        MINIMAL / "data" / "platforms" / "bd-0001.yaml", "data/platforms/bd-0001.yaml"
    )
    assert doc is not None, problems
    assert check_shape("platform", doc) == []

    class Refuses:
        def is_valid(self, data: Any) -> bool:
            return False

    monkeypatch.setattr(schema_check, "_fast_validator", lambda kind: Refuses())
    assert [p.rule for p in check_shape("platform", doc)] == ["schema.unexplained"]


def test_long_text_fields_are_prose() -> None:
    """A field long enough to hold paragraphs may hold newlines: every string field with a
    maxLength of 1,000 or more is listed in text.PROSE_KEYS (a new one fails here)."""
    for kind in schemas.KINDS:

        def walk(node: Any, key: str) -> Iterator[str]:
            if isinstance(node, dict):
                if node.get("type") == "string" and node.get("maxLength", 0) >= 1000:
                    yield key
                for k, v in node.items():
                    yield from walk(v, k if isinstance(v, dict) and "type" in v else key)
            elif isinstance(node, list):
                for item in node:
                    yield from walk(item, key)

        assert set(walk(schemas.schema(kind), "")) <= text.PROSE_KEYS, kind


@pytest.mark.parametrize(
    ("char", "one_line", "prose"),
    [
        ("\x00", "control", "control"),
        ("\x1b", "control", "control"),
        ("\x7f", "control", "control"),
        ("\x85", "control", "control"),
        ("\x9b", "control", "control"),
        ("\r", "control", "control"),
        ("\n", "line", None),
        ("\t", "line", None),
        ("\u2028", "line", "line"),
        ("\u2029", "line", "line"),
        *[
            (c, "invisible", "invisible")
            for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ],
        *[
            (c, "invisible", "invisible")
            for c in "\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u00ad"
        ],
        ("\U000e0041", "invisible", "invisible"),  # a tag character (invisible ASCII)
        *[(c, "nonchar", "nonchar") for c in "\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff\ud800"],
        ("\u3000", None, None),
        ("\u00a0", None, None),
        ("a", None, None),
        ("保", None, None),
        ("\ue000", None, None),  # private use: some rare Chinese characters live there
    ],
)
def test_char_kinds(char: str, one_line: str | None, prose: str | None) -> None:
    assert text.char_kind(char, prose=False) == one_line
    assert text.char_kind(char, prose=True) == prose


def test_text_problems_name_the_character_never_print_it() -> None:
    data = {
        "id": "bd-0001",
        "name": "保定\u202e平台",
        "description": "第一行\n第二\u200b行",
        "contact": {"address": "示例路\u00851号"},
        "k\u200bey": "x",
    }
    lines = {
        (): 1,
        ("id",): 2,
        ("name",): 3,
        ("description",): 4,
        ("contact",): 6,
        ("contact", "address"): 7,
        ("k\u200bey",): 8,
    }
    found = text.check_document(
        "platform", load.Document("data/platforms/bd-0001.yaml", data, lines)
    )
    shown = [(p.line, p.rule, p.message) for p in found]
    assert shown == [
        (3, "records.invisible-char", "“平台名称”第 3 个字符是文字方向嵌入/覆盖符（U+202E）"),
        (4, "records.invisible-char", "“平台简介”第 2 行第 3 个字符是零宽空格（U+200B）"),
        (7, "records.control-char", "“地址”第 4 个字符是NEL 换行符（U+0085）"),
        (8, "records.invisible-char", "键名“k<U+200B>ey”第 2 个字符是零宽空格（U+200B）"),
    ]
    for p in found:
        assert all(c.isprintable() for c in p.message + p.hint), p


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("保定市示例CNAS平台", "保定市示例СNАS平台"),  # Cyrillic Es and A
        ("保定市示例TEXT平台", "保定市示例ΤΕΧΤ平台"),  # Greek capitals
        ("保定市示例5G平台", "保定市示例５Ｇ平台"),  # full-width
        ("保定市示例平台", "保定市 示例　平台"),  # spaces, U+3000 too
        ("保定市示例平台", "保定市示\u200b例平台\u2060"),  # invisible characters
        ("保定市示例平台", "保定市示\u3164例平台"),  # a Hangul filler
        ("保定示例（有限公司）", "保定示例(有限公司)"),
        ("保定IT平台", "保定it平台"),
    ],
)
def test_near_duplicate_names_have_one_key(a: str, b: str) -> None:
    assert text.name_key(a) == text.name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("保定市示例平台", "保定市示范平台"),
        ("保定5G平台", "保定4G平台"),
        ("保定CNAS平台", "保定CMAS平台"),
    ],
)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert text.name_key(a) != text.name_key(b)


@pytest.mark.parametrize(
    "value",
    [
        "index",
        "search",
        "assets",
        "pagefind",
        "sitemap",
        "feed",
        "lists",
        "data",
        "404",
        "robots",
        "schemas",
        "attachments",
        "readme",
        "con",
        "prn",
        "aux",
        "nul",
        *[f"com{n}" for n in range(1, 10)],
        *[f"lpt{n}" for n in range(1, 10)],
        "bd--0001",
        "_bd-0001",
    ],
)
def test_reserved_ids(value: str) -> None:
    assert records.reserved_id_reason(value)


@pytest.mark.parametrize(
    "value", ["bd-0001", "2025-publicity", "2024-review-2", "con1", "com10", "indexes"]
)
def test_ordinary_ids_are_not_reserved(value: str) -> None:
    assert records.reserved_id_reason(value) is None


# ------------------------------------------------------- registry new applies the same rules


def _new(**overrides: Any) -> pipeline.NewPlatform:
    values: dict[str, Any] = {
        "name": "竞秀区示例新创设计公共服务平台",
        "operator": "保定示例新创设计有限公司",
        "uscc": make_uscc("91130602", "MA0ABC12"),
        "established": date(2015, 3, 2),
        "county": "130602",
        "address": "保定市竞秀区示例路1号",
        "phone": "0312-5555555",
        "association": None,
        "recommended": date(2026, 11, 20),
        **overrides,
    }
    return pipeline.NewPlatform(**values)


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"name": "竞秀区示例\u200b新创设计公共服务平台"}, "records.invisible-char"),
        ({"address": "保定市竞秀区\x1b[2J示例路1号"}, "records.control-char"),
        ({"uscc": make_uscc("91130602", "MA0ABC12") + "\n"}, "records.line-break"),
        ({"name": "保定市示例检验检测公共服务平台"}, "names.unique"),
        ({"name": "保定市示例检验检测公共服务平台\u3000"}, "names.unique"),
        ({"operator": "保定示例检测技术有限公司"}, "names.operator-unique"),
        ({"operator": "保定示例检测技术有限公司".replace("有", "有 ")}, "names.operator-unique"),
    ],
)
def test_new_refuses_what_validate_refuses(
    overrides: dict[str, Any], rule: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_minimal(tmp_path)
    monkeypatch.chdir(tmp_path)
    path, problems = pipeline.new_platform(Path("data"), _new(**overrides), date(2026, 11, 29))
    assert path is None
    assert {p.rule for p in problems} == {rule}, problems
    assert sorted(p.name for p in (tmp_path / "data" / "platforms").iterdir()) == [
        "bd-0001.yaml",
        "bd-0002.yaml",
        "bd-0003.yaml",
    ]


def test_new_refuses_a_reserved_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scaffold goes through the whole validation: were the next id a reserved name
    (here made so), nothing is written."""
    copy_minimal(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "next_platform_id", lambda existing: "con")
    path, problems = pipeline.new_platform(Path("data"), _new(), date(2026, 11, 29))
    assert path is None
    assert [(p.file, p.rule) for p in problems] == [("data/platforms/con.yaml", "ids.reserved")]
    assert not (tmp_path / "data" / "platforms" / "con.yaml").exists()
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    path, problems = pipeline.new_platform(Path("data"), _new(), date(2026, 11, 29))
    assert (path, problems) == ("data/platforms/bd-0004.yaml", [])


# ---------------------------------------------------------- output: record text stays inert

#: what a record, a file name or a message might carry to the terminal or the CI log
_HOSTILE_TEXTS = [
    "\x1b[2J\x1b[31m红字",
    "a\u202eevil",
    "line\nbreak",
    "cr\rreturn",
    "\u2028sep",
    "\x85nel",
    "\u200bzw",
    "\ud800lone",
    "\ufdd0nonchar",
    "\x00nul",
    "tab\there",
]
_INJECTIONS = [
    "\n::error::forged",
    "\r\n::set-output name=x::y",
    "::add-mask::secret",
    "x\n::stop-commands::tok",
    "%0A::error::percent",
    "100%",
    "a,b:c::d",
    "\r::warning file=x::y",
    "\u2028::error::ls",
    "\x85::error::nel",
]


def _hostile_problems() -> list[report.Problem]:
    out = [
        report.Problem("::error::forged.yaml", 99, "load.missing", "缺少文件"),
        report.Problem("  ::add-mask::x.yaml", None, "load.missing", "缺少文件"),
    ]
    for i, bad in enumerate(_HOSTILE_TEXTS + _INJECTIONS):
        out.append(
            report.Problem(
                f"data/platforms/bd-{i}{bad}.yaml",
                i + 1,
                "records.control-char",
                f"平台名称“{bad}”有问题",
                f"提示{bad}",
            )
        )
    return out


def _unsafe(ch: str) -> bool:
    import unicodedata

    return (
        unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        or 0xFDD0 <= ord(ch) <= 0xFDEF
        or (ord(ch) & 0xFFFE) == 0xFFFE
    )


@pytest.mark.parametrize("fmt", sorted(report.FORMATTERS))
def test_output_never_prints_raw_control_characters(fmt: str) -> None:
    problems = _hostile_problems()
    out = report.FORMATTERS[fmt](problems)
    assert not [hex(ord(c)) for c in out if c != "\n" and _unsafe(c)]
    if fmt == "text":  # one line a problem, one a hint, and the summary
        assert len(out.splitlines()) == 2 * len(problems) - 2 + 1
        assert not any(line.lstrip().startswith("::") for line in out.splitlines())
    if fmt == "json":
        found = json.loads(out)["problems"]
        assert len(found) == len(problems)
        assert any("<U+202E>" in p["message"] for p in found)
        assert any("\\n" in p["file"] for p in found)


def _gh_unescape(value: str) -> str:
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_github_format_cannot_be_turned_into_another_workflow_command() -> None:
    """Each problem is one `::error props::data` line; props and data are escaped as the
    Actions runner unescapes them (%, CR, LF; and : , in properties), so no record text
    ends the command, starts a line with `::`, or changes a property."""
    problems = _hostile_problems()
    lines = report.format_github(problems).splitlines()
    assert len(lines) == len(problems) + 1
    assert not lines[-1].startswith("::")
    by_line = {p.line: p for p in problems}
    for line in lines[:-1]:
        if "title=load.missing" in line:
            assert line.startswith(
                (
                    "::error file=%3A%3Aerror%3A%3Aforged.yaml,line=99,title=load.missing::",
                    "::error file=  %3A%3Aadd-mask%3A%3Ax.yaml,title=load.missing::",
                )
            ), line
            continue
        m = re.fullmatch(r"::error (?P<props>[^:]*)::(?P<data>.*)", line)
        assert m, line
        props = dict(item.split("=", 1) for item in m["props"].split(","))
        assert set(props) == {"file", "line", "title"}, line
        p = by_line[int(props["line"])]
        assert _gh_unescape(props["file"]) == report.inert(p.file)
        assert _gh_unescape(props["title"]) == p.rule
        assert _gh_unescape(m["data"]) == report.inert(f"{p.message}（提示：{p.hint}）")
        assert "\n" not in _gh_unescape(m["data"]) and "\r" not in _gh_unescape(m["data"])


def test_inert_shows_escapes() -> None:
    assert report.inert("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert (
        report.inert("保定\u202e\u200b\x1b\ufdd0\U000e0041　平台")
        == "保定<U+202E><U+200B><U+001B><U+FDD0><U+E0041>　平台"
    )
    assert report.inert("普通的文字 ok") == "普通的文字 ok"
