"""Stage 1, load: strict YAML, every failure a Problem with a rule id and a line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.load import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    load_file,
    parse_yaml,
    strict,
    syntax,
)

FILE = "data/platforms/bd-0007.yaml"

LOADERS = [pytest.param(yaml.SafeLoader, id="py")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="c"))


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a test with libyaml and with pure-Python PyYAML: same rules, same lines."""
    monkeypatch.setattr(strict, "_LOADER", request.param)


def ok(raw: bytes) -> Document:
    doc, problems = parse_yaml(raw, FILE)
    assert problems == [], problems
    assert doc is not None
    return doc


def fails(raw: bytes) -> list[Any]:
    doc, problems = parse_yaml(raw, FILE)
    assert doc is None
    assert problems, "an invalid file must report at least one problem"
    for p in problems:
        assert p.file == FILE
        assert p.severity == "error"
        assert p.rule.startswith("load.")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message), p.message
    return problems


def lol_bomb() -> bytes:
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        refs = ",".join(f"*{prev}" for _ in range(9))
        rows.append(f"{name}: &{name} [{refs}]")
    return ("\n".join(rows) + "\n").encode()


# ---------------------------------------------------------------- rule table

RULES: list[tuple[str, bytes, str, int | None]] = [
    # (id, input, rule, line)
    ("gbk", "名称: 保定".encode("gbk"), "load.encoding", 1),
    ("gbk-line-3", b"id: bd-0001\nx: 1\n" + "名称: 保定市".encode("gbk"), "load.encoding", 3),
    ("gb18030", b"a: 1\n\nb: " + "检验检测".encode("gb18030"), "load.encoding", 3),
    ("latin1", b"a: caf\xe9\n", "load.encoding", 1),
    ("utf16-bom", "名称: 保定\n".encode("utf-16"), "load.encoding", 1),
    ("utf16-be-bom", b"\xfe\xff" + "a: 1\n".encode("utf-16-be"), "load.encoding", 1),
    ("utf16-no-bom", "a: 1\nb: 2\n".encode("utf-16-le"), "load.encoding", 1),
    ("utf32-bom", "a: 1\n".encode("utf-32"), "load.encoding", 1),
    ("surrogate", b"a: \xed\xa0\x80\n", "load.encoding", 1),
    ("nul", b"a: 1\nb: x\x00y\n", "load.control-char", 2),
    ("esc", b"a: 1\n\nb: \x1b[0m\n", "load.control-char", 3),
    ("del", b"a: x\x7f\n", "load.control-char", 1),
    ("nel", "a: 1\nb: x\x85y\n".encode(), "load.control-char", 2),
    ("bom-inside", "a: 1\nb: \ufeffx\n".encode(), "load.control-char", 2),
    ("second-bom", "\ufeff\ufeffa: 1\n".encode(), "load.control-char", 1),
    ("line-separator", "a: 1\nb: 2\nc: x\u2028y\n".encode(), "load.control-char", 3),
    ("para-separator", "a: x\u2029\n".encode(), "load.control-char", 1),
    ("bare-cr", b"a: 1\nb: x\ry\n", "load.control-char", 2),
    ("old-mac-line-ends", b"a: 1\rb: 2\r", "load.control-char", 1),
    ("too-large", b"a: " + b"x" * MAX_BYTES + b"\n", "load.too-large", None),
    ("tab-indent", b"a:\n\tb: 1\n", "load.syntax", 2),
    ("tab-later", b"a:\n  b: 1\n\tc: 2\n", "load.syntax", 3),
    ("mapping-values", b"a: b: c\n", "load.syntax", 1),
    ("bad-indent", b"a:\n  b: 1\n c: 2\n", "load.syntax", 3),
    ("missing-colon", b"a: 1\nb\nc: 2\n", "load.syntax", 3),
    ("unclosed-double", b'a: "abc\nb: 1\n', "load.syntax", 1),
    ("unclosed-single", b"a: 1\nb: 'abc\n", "load.syntax", 2),
    ("bad-escape", b'path: "C:\\data"\n', "load.syntax", 1),
    ("unclosed-bracket", b"a: [1, 2\nb: 3\n", "load.syntax", 1),
    ("unclosed-brace", b"a: {x: 1\nb: 3\n", "load.syntax", 1),
    ("at-sign", b"a: 1\nb: @x\n", "load.syntax", 2),
    ("list-in-map", b"a: 1\n- b\n", "load.syntax", 2),
    ("text-after-quote", b'a: "x" y\n', "load.syntax", 1),
    ("empty", b"", "load.empty", 1),
    ("only-bom", b"\xef\xbb\xbf", "load.empty", 1),
    ("only-comments", b"# \xe5\xa4\x87\xe6\xb3\xa8\n\n# more\n", "load.empty", 1),
    ("only-marker", b"---\n# nothing\n", "load.empty", 1),
    ("two-documents", b"a: 1\n---\nb: 2\n", "load.multiple-documents", 2),
    ("two-markers", b"---\na: 1\n---\nb: 2\n", "load.multiple-documents", 3),
    ("trailing-marker", b"a: 1\n...\n---\n", "load.multiple-documents", 3),
    ("anchor", b"a: 1\nb: &x 2\n", "load.anchor", 2),
    ("anchor-on-map", b"a: &base\n  x: 1\n", "load.anchor", 1),
    ("alias", b"a: 1\nb: *x\n", "load.alias", 2),
    ("merge-key", b"a: 1\nc:\n  <<: {x: 1}\n", "load.merge-key", 3),
    ("tag-str", b"a: 1\nb: !!str 2\n", "load.tag", 2),
    ("tag-local", b"a: !foo x\n", "load.tag", 1),
    ("tag-non-specific", b"a: ! x\n", "load.tag", 1),
    ("tag-on-map", b"a: !!map\n  x: 1\n", "load.tag", 1),
    ("tag-on-root", b"--- !!map\na: 1\n", "load.tag", 1),
    ("duplicate", b"a: 1\nb: 2\na: 3\n", "load.duplicate-key", 3),
    ("duplicate-quoted", b"'a': 1\n\"a\": 2\n", "load.duplicate-key", 2),
    ("duplicate-nested", b"c:\n  - x: 1\n    y: 2\n    x: 3\n", "load.duplicate-key", 4),
    ("key-int", b"name: a\n2023: x\n", "load.key-type", 2),
    ("key-float", b"1.5: x\n", "load.key-type", 1),
    ("key-bool", b"a: 1\ntrue: x\n", "load.key-type", 2),
    ("key-null", b"null: x\n", "load.key-type", 1),
    ("key-tilde", b"~: x\n", "load.key-type", 1),
    ("key-empty", b"a: 1\n? \n: x\n", "load.key-type", 2),
    ("key-seq", b"? [a, b]\n: x\n", "load.key-type", 1),
    ("key-map", b"a: 1\n? {x: 1}\n: x\n", "load.key-type", 2),
    ("too-deep", b"[" * 100 + b"]" * 100, "load.too-deep", 1),
    (
        "too-deep-block",
        "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)).encode()
        + b"  " * (MAX_DEPTH + 1)
        + b"v: 1\n",
        "load.too-deep",
        MAX_DEPTH + 1,
    ),
]


@pytest.mark.usefixtures("loader")
@pytest.mark.parametrize(
    ("raw", "rule", "line"), [pytest.param(*case[1:], id=case[0]) for case in RULES]
)
def test_rule_fires_with_line(raw: bytes, rule: str, line: int | None) -> None:
    problems = fails(raw)
    assert (rule, line) in [(p.rule, p.line) for p in problems], problems


def test_encoding_message_and_hint() -> None:
    [p] = fails(b"a: 1\n" + "名称: 保定".encode("gbk"))
    assert p.message == "文件不是 UTF-8 编码"
    assert "通过编码保存" in p.hint and "UTF-8" in p.hint
    assert p.line == 2


@pytest.mark.usefixtures("loader")
@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"a:\n\tb: 1\n", "不能用 Tab 缩进，请改用空格"),
        (b"a: b: c\n", "冒号后面需要空格"),
        (b"a: 1\nb\nc: 2\n", "第 2 行缺少"),
        (b'a: "abc\nb: 1\n', "第 1 行开始的引号没有闭合"),
        (b"a: 1\nb: [1, 2\nc: 3\n", "第 2 行开始的方括号"),
    ],
)
def test_syntax_errors_in_chinese(raw: bytes, words: str) -> None:
    [p] = fails(raw)
    assert p.rule == "load.syntax"
    assert p.message.startswith("YAML 语法错误：")
    assert words in p.message


def test_untranslated_syntax_error_keeps_english_in_hint() -> None:
    mark = yaml.Mark("f", 0, 4, 2, "", 0)
    exc = yaml.MarkedYAMLError(problem="something new", problem_mark=mark)
    p = syntax.syntax_problem(exc, "a\nb\nc\nd\ne\n", FILE, MAX_DEPTH)
    assert (p.rule, p.line) == ("load.syntax", 5)
    assert p.message == "YAML 语法错误：something new"
    assert "something new" in p.hint


def test_duplicate_key_names_key_and_first_line() -> None:
    raw = b"id: bd-0007\nname: a\ncontact:\n  phone: '1'\n  phone: '2'\nname: b\n"
    problems = fails(raw)
    found = {(p.line, p.rule): p for p in problems}
    assert set(found) == {(5, "load.duplicate-key"), (6, "load.duplicate-key")}
    assert "phone" in found[5, "load.duplicate-key"].message
    assert "第 4 行" in found[5, "load.duplicate-key"].message
    assert "name" in found[6, "load.duplicate-key"].message
    assert "第 2 行" in found[6, "load.duplicate-key"].message
    assert found[5, "load.duplicate-key"].path == ("contact", "phone")


def test_merge_of_an_anchor_reports_every_part() -> None:
    raw = b"base: &base\n  x: 1\nplatform:\n  <<: *base\n  y: 2\n"
    got = {(p.rule, p.line) for p in fails(raw)}
    assert got == {("load.anchor", 1), ("load.merge-key", 4), ("load.alias", 4)}


def test_forbidden_features_hint_says_write_it_out() -> None:
    for raw in (b"a: &x 1\n", b"a: *x\n", b"<<: {a: 1}\n", b"a: !!str 1\n"):
        for p in fails(raw):
            assert "写出" in p.hint, p


def test_key_type_hint_says_quote() -> None:
    [p] = fails(b"2023: x\n")
    assert "请给键名加引号" in p.hint and '"2023"' in p.hint


@pytest.mark.usefixtures("loader")
def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    problems = fails(lol_bomb())
    assert time.perf_counter() - start < 1.0
    assert {p.rule for p in problems} == {"load.anchor", "load.alias"}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100, 5_000])
def test_deep_nesting_is_a_problem_not_a_recursion_error(depth: int) -> None:
    [p] = fails(b"[" * depth + b"]" * depth)
    assert p.rule == "load.too-deep"


@pytest.mark.usefixtures("loader")
def test_too_many_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit takes a second to reach; the rule is the same at any size.
    monkeypatch.setattr(strict, "MAX_NODES", 50)
    ok(b"- 0\n" * 49)  # the list and 49 items
    [p] = fails(b"- 0\n" * 60)
    assert (p.rule, p.line) == ("load.too-many-nodes", 50)


def test_node_limit_is_large_enough_for_a_big_record() -> None:
    assert MAX_NODES >= 100_000
    ok(b"a: [" + b"0," * 20_000 + b"0]\n")


def test_max_depth_itself_is_fine() -> None:
    doc = ok(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert doc.line([0] * (MAX_DEPTH - 1)) == 1


def test_many_problems_are_capped() -> None:
    raw = "".join(f"k{i}: *a\n" for i in range(1000)).encode()
    problems = fails(raw)
    assert 0 < len(problems) <= 100


# --------------------------------------------------------------- what passes


def test_utf8_bom_is_stripped() -> None:
    doc = ok(b"\xef\xbb\xbfname: \xe4\xbf\x9d\xe5\xae\x9a\n")
    assert doc.data == {"name": "保定"}


@pytest.mark.usefixtures("loader")
def test_crlf_keeps_lines_and_text() -> None:
    raw = b"a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  one\r\n  two\r\nd: 2\r\n"
    doc = ok(raw)
    assert doc.data == {"a": 1, "b": ["x", "y"], "c": "one\ntwo\n", "d": 2}
    assert doc.lines == {
        (): 1,
        ("a",): 1,
        ("b",): 2,
        ("b", 0): 3,
        ("b", 1): 4,
        ("c",): 5,
        ("d",): 8,
    }


def test_crlf_error_lines() -> None:
    [p] = fails(b"a: 1\r\nb: 2\r\na: 3\r\n")
    assert (p.rule, p.line) == ("load.duplicate-key", 3)


def test_tab_inside_text_is_fine() -> None:
    assert ok(b"a: 'x\ty'\nb: |\n  c\td\n").data == {"a": "x\ty", "b": "c\td\n"}


def test_yaml_version_directive_and_document_end_are_fine() -> None:
    assert ok(b"%YAML 1.1\n---\na: 1\n...\n").data == {"a": 1}


SCALARS: list[tuple[str, Any]] = [
    ("yes", "yes"),
    ("no", "no"),
    ("Yes", "Yes"),
    ("NO", "NO"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("n", "n"),
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("false", False),
    ("False", False),
    ("FALSE", False),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("~", None),
    ("", None),
    ("0", 0),
    ("-5", -5),
    ("+5", 5),
    ("-0", 0),
    ("130602", 130602),
    ("3.5", 3.5),
    ("-0.25", -0.25),
    ("1e3", 1000.0),
    ("1.5e-3", 0.0015),
    ("2E2", 200.0),
    ("0312", "0312"),
    ("007", "007"),
    ("0o12", "0o12"),
    ("0x1f", "0x1f"),
    ("0b101", "0b101"),
    ("1_000", "1_000"),
    ("1:30", "1:30"),
    ("190:20:30", "190:20:30"),
    ("2024-09-27", "2024-09-27"),
    ("2024-02-30", "2024-02-30"),
    ("2024-09-27T10:00:00", "2024-09-27T10:00:00"),
    (".inf", ".inf"),
    ("-.inf", "-.inf"),
    (".nan", ".nan"),
    ("1e999", "1e999"),
    ("1.", "1."),
    (".5", ".5"),
    ("3.5.1", "3.5.1"),
    ("=", "="),
    ("911306007000000000", 911306007000000000),
    ("91130600MA0000000X", "91130600MA0000000X"),
    ("'5'", "5"),
    ('"true"', "true"),
    ("'null'", "null"),
    ("''", ""),
    ("'2024-09-27'", "2024-09-27"),
    ("|\n  5\n", "5\n"),
    (">-\n  a\n  b\n", "a b"),
    ("|-\n  null\n", "null"),
    ("检验检测", "检验检测"),
    ("保工信〔2024〕12号", "保工信〔2024〕12号"),
    ("https://example.cn/a?b=1", "https://example.cn/a?b=1"),
]


@pytest.mark.usefixtures("loader")
@pytest.mark.parametrize(("source", "expected"), SCALARS, ids=[repr(s) for s, _ in SCALARS])
def test_scalar_resolution(source: str, expected: Any) -> None:
    value = ok(f"v: {source}\n".encode()).data["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_huge_integer_stays_text() -> None:
    digits = "9" * 5000
    assert ok(f"v: {digits}\n".encode()).data == {"v": digits}


def test_yes_no_on_off_as_keys_are_text() -> None:
    assert ok(b"yes: 1\nno: 2\non: 3\noff: 4\n'2023': 5\n").data == {
        "yes": 1,
        "no": 2,
        "on": 3,
        "off": 4,
        "2023": 5,
    }


NESTED = """\
# yaml-language-server: $schema=../../schemas/platform.json
id: bd-0007
operator:
  name: x
  established: 2016-04-12
services:
  technology: [检验检测, 质量控制]
history:
  - {date: 2023-05-10, type: recommended}
  -
    date: 2023-09-01
    type: publicity
  - date: 2023-09-25
    type: certified
description: >
  long
  text
contact: {}
""".encode()


@pytest.mark.usefixtures("loader")
def test_lines_of_a_nested_document() -> None:
    doc = ok(NESTED)
    assert doc.data["history"][1] == {"date": "2023-09-01", "type": "publicity"}
    assert doc.data["operator"]["established"] == "2016-04-12"
    assert dict(doc.lines) == {
        (): 1,
        ("id",): 2,
        ("operator",): 3,
        ("operator", "name"): 4,
        ("operator", "established"): 5,
        ("services",): 6,
        ("services", "technology"): 7,
        ("services", "technology", 0): 7,
        ("services", "technology", 1): 7,
        ("history",): 8,
        ("history", 0): 9,
        ("history", 0, "date"): 9,
        ("history", 0, "type"): 9,
        ("history", 1): 11,
        ("history", 1, "date"): 11,
        ("history", 1, "type"): 12,
        ("history", 2): 13,
        ("history", 2, "date"): 13,
        ("history", 2, "type"): 14,
        ("description",): 15,
        ("contact",): 18,
    }


def test_line_falls_back_to_nearest_ancestor() -> None:
    doc = ok(NESTED)
    assert doc.line(("history", 2, "type")) == 14
    assert doc.line(["history", 2, "announcement"]) == 13
    assert doc.line(("contact", "phone")) == 18
    assert doc.line(("nope", 3)) == 1
    assert doc.line(()) == 1
    assert doc.file == FILE


def test_root_may_be_any_value_validation_decides() -> None:
    assert ok(b"- a\n- b\n").data == ["a", "b"]
    assert ok(b"just text\n").data == "just text"
    assert ok(b"null\n").data is None


def test_document_is_immutable() -> None:
    doc = ok(b"a: 1\n")
    with pytest.raises(AttributeError):
        doc.data = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        doc.lines[("b",)] = 2  # type: ignore[index]


# ------------------------------------------------------------------ load_file


def test_load_file_reads_and_names(tmp_path: Path) -> None:
    path = tmp_path / "bd-0007.yaml"
    path.write_bytes(b"id: bd-0007\n")
    doc, problems = load_file(path, FILE)
    assert problems == [] and doc is not None
    assert (doc.file, doc.data) == (FILE, {"id": "bd-0007"})


@pytest.mark.parametrize(
    ("kind", "rule"), [("missing", "load.io"), ("directory", "load.not-regular")]
)
def test_load_file_io_error_is_a_problem(tmp_path: Path, kind: str, rule: str) -> None:
    path = tmp_path / "bd-0007.yaml"
    if kind == "directory":
        path.mkdir()
    doc, [p] = load_file(path, FILE)
    assert doc is None
    assert (p.rule, p.file, p.severity) == (rule, FILE, "error")


def test_load_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (2 * MAX_BYTES))
    doc, [p] = load_file(path, FILE)
    assert doc is None and p.rule == "load.too-large"
    assert f"{2 * MAX_BYTES + 3:,}" in p.message


# ----------------------------------------------------------------- properties


def check_result(raw: bytes) -> None:
    doc, problems = parse_yaml(raw, FILE)
    if doc is None:
        assert problems and all(p.is_error and p.rule.startswith("load.") for p in problems)
    else:
        assert problems == []
        assert doc.lines[()] == 1


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=200))
def test_never_raises_on_bytes(raw: bytes) -> None:
    check_result(raw)


YAMLISH = st.text(alphabet=st.sampled_from(list("ab1: -[]{},'\"\n  #&*!|>?%@`\\.~\t\r\x00é保")))


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.text(max_size=200), YAMLISH))
def test_never_raises_on_text(text: str) -> None:
    check_result(text.encode("utf-8"))


def stays_text(s: str) -> bool:
    """True when safe_dump's output reads back as this very string.

    safe_dump quotes what YAML 1.1 would read as another type; we read fewer
    things as other types, except forms like 1e3 that 1.1 leaves as text.
    """
    return isinstance(strict.resolve_plain(s), str) or yaml.safe_dump(s).startswith(("'", '"'))


# Characters our loader refuses even inside quotes (safe_dump writes them raw).
SAFE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x85\u2028\u2029"),
    max_size=12,
).filter(stays_text)
KEYS = st.text(alphabet="abcxyz_-019 :#'.保定", max_size=8).filter(stays_text)
PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | SAFE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(PLAIN)
def test_round_trip_of_safe_dump(data: Any) -> None:
    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    doc, problems = parse_yaml(raw, FILE)
    assert problems == [], raw
    assert doc is not None and same(doc.data, data)


def same(a: Any, b: Any) -> bool:
    """Equality that also tells True from 1 and 1 from 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=False))
    return bool(a == b)
