"""The fast path reads exactly what the strict path reads, or leaves the file to it.

parse_yaml tries generator.fastload first; parse_yaml_strict is the PyYAML event
walk alone. Every comparison is of the whole answer: the data (types and key order
included), the line of every node, and the problems.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import fastload, load
from generator.load import MAX_DEPTH, parse_yaml, parse_yaml_strict

ROOT = Path(__file__).resolve().parent.parent
FILE = "data/platforms/bd-0007.yaml"

LOADERS = [pytest.param(yaml.SafeLoader, id="py")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="c"))


def identical(a: Any, b: Any) -> bool:
    """Equality that also tells True from 1, 1 from 1.0, and {a, b} from {b, a}."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def assert_same(raw: bytes) -> bool:
    """parse_yaml and parse_yaml_strict agree on ``raw``; True if the fast path read it."""
    fast_doc, fast_problems = parse_yaml(raw, FILE)
    strict_doc, strict_problems = parse_yaml_strict(raw, FILE)
    assert fast_problems == strict_problems
    if strict_doc is None:
        assert fast_doc is None
        return False
    assert fast_doc is not None
    assert identical(fast_doc.data, strict_doc.data), (fast_doc.data, strict_doc.data)
    assert dict(fast_doc.lines) == dict(strict_doc.lines)
    assert list(fast_doc.lines.values()) == [strict_doc.lines[k] for k in fast_doc.lines]
    return fast_path_reads(raw)


def check_file(path: Path) -> None:
    try:
        assert_same(path.read_bytes())
    except AssertionError as exc:
        raise AssertionError(f"{path}: {exc}") from None


def fast_path_reads(raw: bytes) -> bool:
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return False
    return fastload.parse(text) is not None


def assert_fast_is_strict_or_none(text: str) -> bool:
    """If fastload answers, the strict path gives the same and reports nothing."""
    found = fastload.parse(text)
    raw = text.encode("utf-8")
    if found is None:
        assert_same(raw)
        return False
    doc, problems = parse_yaml_strict(raw, FILE)
    assert problems == [], (text, found)
    assert doc is not None
    assert identical(found[0], doc.data), (text, found[0], doc.data)
    assert found[1] == dict(doc.lines), text
    assert_same(raw)
    return True


# ------------------------------------------------------------------ real files


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A small synthetic data folder from benchmarks/synth.py (the benchmarks' records)."""
    out = tmp_path_factory.mktemp("synth")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "synth.py"), "200", str(out)],
        check=True,
        capture_output=True,
    )
    return sorted((out / "data").rglob("*.yaml"))


def shipped() -> list[Path]:
    return sorted((ROOT / "data").rglob("*.yaml"))


def fixtures() -> list[Path]:
    folder = ROOT / "tests" / "fixtures"
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def test_every_fixture_and_shipped_file_reads_the_same() -> None:
    files = shipped() + fixtures()
    assert len(files) > 500
    for path in files:
        check_file(path)


@pytest.mark.parametrize("loader", LOADERS)
def test_synthetic_records_read_the_same(
    synthetic: list[Path], loader: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "_LOADER", loader)
    files = synthetic if loader is not yaml.SafeLoader else synthetic[::5]
    for path in files:
        check_file(path)


def test_shipped_data_under_pure_python_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "_LOADER", yaml.SafeLoader)
    for path in shipped():
        check_file(path)


def test_the_fast_path_takes_the_common_case(synthetic: list[Path]) -> None:
    """Otherwise the speed-up would be a fake: records must not fall back."""
    for path in shipped() + synthetic:
        assert fast_path_reads(path.read_bytes()), path


def test_valid_fixtures_mostly_take_the_fast_path() -> None:
    valid = [p for p in fixtures() if "/valid/" in p.as_posix() and p.suffix == ".yaml"]
    taken = sum(fast_path_reads(p.read_bytes()) for p in valid)
    assert valid and taken >= 0.9 * len(valid), (taken, len(valid))


# ------------------------------------------------------------------- edge cases

# (source, fast path reads it?) — every one is also compared with the strict path.
CASES: list[tuple[str, bool]] = [
    ("a: 1\n", True),
    ("a: 1", True),
    ("a:\n", True),
    ("a:\nb: 2\n", True),
    ("a:   # nothing\nb: 2\n", True),
    ("a: x # comment\n", True),
    ("a: x#y\n", False),
    ("a: 'it''s'\n", True),
    ("a: ''''\n", True),
    ("a: ''\n", True),
    ('a: ""\n', True),
    ('a: "x # y: z [1]"\n', True),
    ('a: "x\\ty"\n', False),
    ('a: "x" # c\n', True),
    ('a: "x"y\n', False),
    ("a: 'x'#c\n", False),
    ("a: 0312\n", True),
    ("a: -0\n", True),
    ("a: +1\n", True),
    ("a: 1e5\n", True),
    ("a: .5\n", True),
    ("a: 1_000\n", True),
    ("a: 0x1F\n", True),
    ("a: 2021-10-18\n", True),
    ("a: ~\n", True),
    ("a: Null\n", True),
    ("a: yes\n", True),
    ("a: no\n", True),
    ("a: True\n", True),
    ("a: 1e999\n", True),
    ("a: https://example.com/p1\n", True),
    ("a: b: c\n", False),
    ("a: b:\n", False),
    ("a: - b\n", False),
    ("a: -b\n", True),
    ("a: ---\n", True),
    ("a: a, b\n", True),
    ("a: it's\n", True),
    ("a: 保定：竞秀区\n", True),
    ("a: x\u3000\n", True),
    ("a: \u3000x\n", True),
    ("a: x\xa0\n", True),
    ("a: &x 1\n", False),
    ("a: *x\n", False),
    ("a: !x 1\n", False),
    ("a: !!str 1\n", False),
    ("<<: {a: 1}\n", False),
    ("a: 1\na: 2\n", False),
    ("a: {b: 1, b: 2}\n", False),
    ("null: 1\n", False),
    ("True: 1\n", False),
    ("no: 1\n", True),
    ("y: 1\n", True),
    ("'a': 1\n", False),
    ("a : 1\n", False),
    ("a:1\n", False),
    ("---\na: 1\n", False),
    ("a: 1\n...\n", False),
    ("a: 1\n---\nb: 2\n", False),
    ("%YAML 1.1\n---\na: 1\n", False),
    ("", False),
    ("# only a comment\n", False),
    ("a\n", False),
    ("[1, 2]\n", False),
    ("- 1\n- 2\n", True),
    ("- a: 1\n  b: 2\n- a: 3\n", True),
    ("-   a: 1\n    b: 2\n", True),
    ("- a: 1\n   b: 2\n", False),
    ("- a: 1\n b: 2\n", False),
    ("-\n  a: 1\n", False),
    ("- \n- 1\n", False),
    ("- - 1\n", False),
    ("a:\n  - 1\n  - 2\nb: 3\n", True),
    ("a:\n- 1\n- 2\n", False),
    ("a:\n  b:\n    c: 1\n  d: 2\n", True),
    ("a:\n    b: 1\n  c: 2\n", False),
    ("a: 1\n  b: 2\n", False),
    ("a: x\n  y\n", False),
    ("a: x\n# c\n  y\n", False),
    ("a:\n  x\n", False),
    ("  a: 1\n  b: 2\n", True),
    ("  a: 1\nb: 2\n", False),
    ("a: [x, y]\n", True),
    ("a: [x,y]\n", True),
    ("a: [ x , y ]\n", True),
    ("a: []\n", True),
    ("a: [ ]\n", True),
    ("a: {}\n", True),
    ("a: [x, y,]\n", False),
    ("a: [x, , y]\n", False),
    ("a: [x, y] # c\n", True),
    ("a: [x, y]# c\n", False),
    ("a: [x, y] z\n", False),
    ("a: [x, [y, {z: 1}]]\n", True),
    ("a: [x: 1]\n", False),
    ("a: [-1, -x]\n", True),
    ("a: [- x]\n", False),
    ("a: [x?]\n", False),
    ("a: [a b, 'c, d', \"e]\"]\n", True),
    ("a: {b: 1, c: [2, 3]}\n", True),
    ("a: {b:1}\n", False),
    ("a: {b: }\n", False),
    ("a: {b}\n", False),
    ("a: {b: https://x}\n", False),
    ("a: [x,\n  y]\n", False),
    ("a: {b: 1\n", False),
    ("a: 'x\n  y'\n", False),
    ('a: "x\n  y"\n', False),
    ("a: |\n  x\n  y\nb: 1\n", True),
    ("a: |-\n  x\n  y\nb: 1\n", True),
    ("a: |\n  x\n", True),
    ("a: |\n  x", True),
    ("a: |-\n  x", True),
    ("a: |\n  x\n\n\n", True),
    ("a: |\n  x\n\n  y\n", True),
    ("a: |\n  x\n \n  y\n", True),
    ("a: |\n  x\n     \n  y\n", False),
    ("a: |\n  x  \n  y\n", True),
    ("a: |\n  x\n    y\n  z\n", True),
    ("a: |\n  # not a comment\n  x\n", True),
    ("a: |\n  x\n# a comment\nb: 1\n", True),
    ("a: |\n    x\n  y\n", False),
    ("a: |\n\n  x\n", False),
    ("a: |\nb: 1\n", False),
    ("a: |\n", False),
    ("a: |+\n  x\n", False),
    ("a: >\n  x\n", False),
    ("a: |2\n  x\n", False),
    ("a: | # c\n  x\n", False),
    ("- |\n  x\n- |-\n  y\n", True),
    ("- a: |\n    x\n  b: 1\n", True),
    ("- a: |\n   x\n  b: 1\n", True),
    ("- a: |\n  x\n", False),
    ("a: x |\n  y\n", False),
    ("a:\n  b: |\n    x\n\n  c: 1\n", True),
    ("a: 'x\ty'\n", False),
    ("a: 1\r\nb: 2\r\n", False),
    ("a:\t1\n", False),
    ("\ufeffa: 1\n", False),
]


@pytest.mark.parametrize(("source", "fast"), CASES, ids=[repr(c[0])[:40] for c in CASES])
def test_edge_case(source: str, fast: bool) -> None:
    assert assert_fast_is_strict_or_none(source) is fast


@pytest.mark.parametrize("loader", LOADERS)
def test_edge_cases_under_both_pyyamls(loader: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "_LOADER", loader)
    for source, _ in CASES:
        assert_fast_is_strict_or_none(source)


def test_limits_are_left_to_the_strict_path(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH)) + "  " * MAX_DEPTH + "v: 1\n"
    assert fastload.parse(deep) is None
    assert_same(deep.encode())
    assert fastload.parse("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH) is None
    monkeypatch.setattr(load, "MAX_NODES", 50)
    assert fastload.parse("- 0\n" * 60) is None
    [problem] = parse_yaml(b"- 0\n" * 60, FILE)[1]
    assert problem.rule == "load.too-many-nodes"


def test_repeated_scalars_keep_their_types() -> None:
    # Typed scalars are memoised; a cached value must never leak across types.
    for _ in range(2):
        found = fastload.parse("a: [1, 1.0, '1', true, True, 'true', ~, null, '']\n")
        assert found is not None
        assert identical(found[0], {"a": [1, 1.0, "1", True, True, "true", None, None, ""]})


# ------------------------------------------------------------ generated inputs

# Pieces the fast path reads, and pieces it must leave to the strict path (or read
# exactly the same); documents are mostly the former so that both paths get compared.
GOOD_KEYS = ["a", "b", "id", "name", "no", "yes", "y", "_x", "Nul", "t", "false_", "保定"]
BAD_KEYS = ["null", "Null", "True", "false", "a b", "'a'", '"a"', "1", "0312", "~", "<<",
            "?", "a:b", "-a", "a#", "保定"]  # fmt: skip
GOOD_SCALARS = [
    "x", "0312", "1e5", ".5", "+1", "-0", "-1", "0x1F", "1_000", "1.5", "1e999", "null",
    "Null", "NULL", "~", "True", "true", "TRUE", "yes", "no", "2021-10-18", "保定市示例",
    "'q'", "'it''s'", "''", '"d"', '""', '"a # b"', "'a: b'", "a:b", "-x", "---", "a #c",
    "[x, y]", "[x,y]", "[]", "{}", "{a: 1}", "[x, [y]]", "[{a: 1, b: [2]}]", "a, b",
    "x\u3000", "[ 1 , '2' ]", "{a: 'x, y', b: \"]\"}",
]  # fmt: skip
BAD_SCALARS = [
    '"x\\ty"', "a: b", "&a x", "*a", "!x y", "!!str 1", "@x", "`x", "%x", "-", "- x",
    "...", "#c", "a#c", "{a: 1, a: 2}", "{a:1}", "[x,]", "[-1, - x]", "[a?]", "a ]", "?x",
    ":x", "a\tb", "a\\b", "{b: }", "[x", "'x", '"x', "|", ">",
]  # fmt: skip
KEYS = st.sampled_from(GOOD_KEYS * 20 + BAD_KEYS)
SCALARS = st.sampled_from(GOOD_SCALARS * 15 + BAD_SCALARS)
INDENTS = st.sampled_from(["", "", "  ", "  ", "    ", " ", "   ", "      "])
TRAILERS = st.sampled_from(["", "", "", " ", " # c", "#c", "\t", "  # 保定"])


TREES = st.recursive(
    SCALARS,
    lambda inner: st.tuples(
        st.sampled_from(["map", "seq"]),
        st.sampled_from([True, False, False]),
        st.lists(st.tuples(KEYS, inner), max_size=4),
    ),
    max_leaves=10,
)
BLOCK_BODIES = st.lists(
    st.sampled_from(["x", "保定 # y", "", " ", "  ", "   x", "- a: b", "'q'", "#", "x  "]),
    min_size=1,
    max_size=4,
)


def flow(tree: Any) -> str:
    if isinstance(tree, str):
        return tree
    kind, _, items = tree
    if kind == "map":
        return "{" + ", ".join(f"{key}: {flow(value)}" for key, value in items) + "}"
    return "[" + ", ".join(flow(value) for _, value in items) + "]"


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Mostly well-formed block YAML in the records' style, built from tricky pieces."""
    step = draw(st.sampled_from([2, 2, 4, 1, 3]))
    out: list[str] = []

    def trailer() -> str:
        return draw(st.sampled_from([""] * 12 + [" # c", "  #c", " ", "#c"]))

    def value(head: str, tree: Any, indent: int) -> None:
        """Write ``tree`` after ``head`` ("key:" or "-"), at ``indent`` for a block."""
        if isinstance(tree, str) or tree[1] or not tree[2]:
            if isinstance(tree, str) and draw(st.integers(0, 9)) == 0:
                out.append(f"{head} {draw(st.sampled_from(['|', '|-', '|+', '>']))}")
                pad = " " * (indent + draw(st.sampled_from([0] * 6 + [1, -1])))
                out.extend(pad + line if line else line for line in draw(BLOCK_BODIES))
                return
            out.append(f"{head} {flow(tree)}{trailer()}")
            return
        out.append(head + trailer())
        if draw(st.integers(0, 19)) == 0:
            out.append(" " * draw(st.integers(0, indent + 2)) + "# between")
        block(tree, indent + draw(st.sampled_from([0] * 12 + [1, -1])))

    def block(tree: Any, indent: int) -> None:
        kind, _, items = tree
        pad = " " * max(indent, 0)
        for key, item in items:
            if kind == "map":
                value(f"{pad}{key}:", item, indent + step)
            elif isinstance(item, tuple) and item[0] == "map" and not item[1] and item[2]:
                # "- key: value": the mapping starts on the dash's line.
                first, *rest = item[2]
                value(f"{pad}- {first[0]}:", first[1], indent + 2 + step)
                block(("map", False, rest), indent + 2)
            else:
                value(f"{pad}-", item, indent + step)

    block(("map", False, draw(st.lists(st.tuples(KEYS, TREES), min_size=1, max_size=5))), 0)
    return "\n".join(out) + draw(st.sampled_from(["\n", "", "\n\n"]))


YAMLISH = documents()


def sample_records() -> list[str]:
    names = ["platforms/bd-0001.yaml", "announcements/2021-publicity.yaml", "rules.yaml"]
    return [(ROOT / "data" / name).read_text(encoding="utf-8") for name in names]


RECORDS = sample_records()
MUTATION_CHARS = list(" -:#'\"[]{},&*!|>?%@`\\~.\t\n保\u3000") + ["  ", ": ", " #", "- "]

# One edit: (what, where as a fraction of the text, a character to insert).
EDITS = st.tuples(
    st.sampled_from(["delete", "insert", "double", "drop-line", "double-line", "indent", "dedent"]),
    st.floats(0, 1, allow_nan=False),
    st.sampled_from(MUTATION_CHARS),
)


def mutate(text: str, edits: list[tuple[str, float, str]]) -> str:
    for what, where, char in edits:
        if what in ("delete", "insert", "double"):
            i = min(int(where * len(text)), max(len(text) - 1, 0))
            if what == "delete":
                text = text[:i] + text[i + 1 :]
            elif what == "insert":
                text = text[:i] + char + text[i:]
            else:
                text = text[: i + 1] + text[i:]
            continue
        lines = text.split("\n")
        i = min(int(where * len(lines)), len(lines) - 1)
        if what == "drop-line":
            del lines[i]
        elif what == "double-line":
            lines.insert(i, lines[i])
        elif what == "indent":
            lines[i] = " " + lines[i]
        else:
            lines[i] = lines[i].removeprefix(" ")
        text = "\n".join(lines)
    return text


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(range(len(RECORDS))), st.lists(EDITS, min_size=1, max_size=3))
def test_mutated_records(record: int, edits: list[tuple[str, float, str]]) -> None:
    assert_fast_is_strict_or_none(mutate(RECORDS[record], edits))


def test_mutations_still_exercise_the_fast_path() -> None:
    """The mutation test is only worth something if many mutants take the fast path."""
    import random

    rng = random.Random(20261130)
    kinds = ["delete", "insert", "double", "drop-line", "double-line", "indent", "dedent"]
    taken = 0
    for _ in range(150):
        edits = [(rng.choice(kinds), rng.random(), rng.choice(MUTATION_CHARS))]
        taken += assert_fast_is_strict_or_none(mutate(rng.choice(RECORDS), edits))
    assert taken >= 50, taken


def test_every_refused_character_is_unprintable() -> None:
    """parse_yaml skips the control-character scan when isprintable says it may."""
    everything = "".join(map(chr, range(0x110000)))
    refused = load._BAD_CHAR.findall(everything)
    assert len(refused) > 60
    assert not any(char.isprintable() for char in refused)


def test_remembered_lines_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are cached by line text: cold, warm and after the cache empties, same result."""
    raw = (ROOT / "data" / "platforms" / "bd-0001.yaml").read_bytes()
    fastload._ROWS.clear()
    cold = parse_yaml(raw, FILE)[0]
    warm = parse_yaml(raw, FILE)[0]
    monkeypatch.setattr(fastload, "_ROWS_MAX", 10)
    emptied = parse_yaml(raw, FILE)[0]
    assert len(fastload._ROWS) < 200
    strict = parse_yaml_strict(raw, FILE)[0]
    assert cold is not None and warm is not None and emptied is not None and strict is not None
    for doc in (cold, warm, emptied):
        assert identical(doc.data, strict.data)
        assert dict(doc.lines) == dict(strict.lines)
    # Flow collections come from cached tuples: each document gets its own lists and dicts.
    assert warm.data["history"][0] is not cold.data["history"][0]
    assert warm.data["services"]["information"] is not cold.data["services"]["information"]


def test_long_lines_are_not_remembered() -> None:
    long_value = "保" * 5000
    assert fastload.parse(f"a: {long_value}\nb: {'1' * 5000}\n") is not None
    assert f"a: {long_value}" not in fastload._ROWS
    assert "1" * 5000 not in fastload._TYPED
