"""Benchmarks and the speed-ups they guide.

- `benchmark`-marked tests run the scripts in benchmarks/ at a small size: the
  synthetic registry validates clean and `benchmarks/run.py` completes (correctness,
  not speed: no timing is asserted).
- The unmarked tests check that the fast paths give the same answers as the slow
  ones: jsonschema-rs never accepts a document Python jsonschema refuses.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest
import yaml

from generator import schemas

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
TODAY = "2026-11-29"
KIND_FOLDERS = {"platform": "platforms", "announcement": "announcements"}


# -- jsonschema-rs: a fast "valid" that never disagrees with jsonschema ------------------------

ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1.5,
    1e300,
    10**30,
    "",
    "x",
    " ",
    "2024-02-30",
    "２０２４-０１-０１",
    "١٢٣٤٥٦",
    "130602\n",
    "a" * 6000,
    [],
    [1],
    ["x", "x"],
    {},
    {"zzz": 1},
)


def _documents() -> Iterator[tuple[str, Any]]:
    for kind, folder in KIND_FOLDERS.items():
        for path in sorted((ROOT / "data" / folder).glob("*.yaml")):
            yield kind, yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for kind in ("counties", "rules", "calendar"):
        yield (
            kind,
            yaml.load(
                (ROOT / "data" / f"{kind}.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
            ),
        )


def _typed(value: Any) -> Any:
    """BaseLoader keeps every scalar a string; give numbers back their type (like our loader)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    for cast in (int, float):
        try:
            return cast(value)
        except (TypeError, ValueError):
            pass
    return {"true": True, "false": False}.get(value, value)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


def _mutations(doc: Any) -> Iterator[Any]:
    """Every node replaced by each odd value, every mapping key dropped, one key added."""
    for path in _paths(doc):
        if not path:
            continue
        for value in ODD_VALUES:
            mutated = copy.deepcopy(doc)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
            yield mutated
        if isinstance(path[-1], str):
            mutated = copy.deepcopy(doc)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
            yield mutated
            parent["zzz_unknown"] = "x"
            yield mutated


def test_fast_schema_never_accepts_what_jsonschema_refuses() -> None:
    checked = refused = 0
    for kind, raw in _documents():
        schema = schemas.schema(kind)
        slow = jsonschema.validators.validator_for(schema)(schema)
        fast = jsonschema_rs.validator_for(schema)
        base = _typed(raw)
        for doc in [base, *_mutations(base)]:
            checked += 1
            if fast.is_valid(doc):
                errors = [e.message for e in slow.iter_errors(doc)]
                assert not errors, (
                    f"jsonschema-rs accepts a {kind} that jsonschema refuses: {errors[:3]}"
                )
            else:
                refused += 1
    assert checked > 10_000 and refused > 1_000  # the mutations really exercise the schemas


def test_check_shape_same_problems_with_and_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generator.load import parse_yaml
    from generator.validate import schema as shape

    fixtures = sorted((ROOT / "tests" / "fixtures").rglob("*.yaml"))
    docs = []
    for path in fixtures:
        kind = next(
            (k for k, folder in KIND_FOLDERS.items() if f"/{folder}/" in path.as_posix()), None
        )
        doc, _ = parse_yaml(path.read_bytes(), path.as_posix())
        if kind and doc is not None:
            docs.append((kind, doc))
    assert docs
    fast = [shape.check_shape(kind, doc) for kind, doc in docs]

    class _NeverValid:
        def is_valid(self, _data: Any) -> bool:
            return False

    monkeypatch.setattr(shape, "_fast_validator", lambda _kind: _NeverValid())
    slow = [shape.check_shape(kind, doc) for kind, doc in docs]
    # a file "refused" with nothing to report is refused all the same (schema.unexplained)
    assert fast == [[p for p in found if p.rule != "schema.unexplained"] for found in slow]


# -- the baseline `registry validate` is measured against -------------------------------------


def test_validate_baseline_reads_every_file_and_counts_schema_errors(tmp_path: Path) -> None:
    """PyYAML C loader + jsonschema on the files `registry validate` reads: clean data gives
    no error (dates kept as text), a broken record gives its errors (it really checks)."""
    import shutil

    sys.path.insert(0, str(BENCHMARKS))
    try:
        import run
    finally:
        sys.path.remove(str(BENCHMARKS))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    yaml_files = sorted(data.rglob("*.yaml"))
    assert run.child_baseline(data) == {"files": len(yaml_files), "errors": 0}
    record = data / "platforms" / "bd-0007.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("county:", "county_code:"), encoding="utf-8"
    )
    assert run.child_baseline(data)["errors"] >= 2  # county missing, county_code unknown


# -- Pagefind's --glob: only the marked pages, the same index ---------------------------------


def test_search_glob_names_only_marked_pages() -> None:
    from generator.index import search_glob
    from generator.paths import source_url
    from generator.render.shell import html_path

    assert html_path(source_url("index.md")) == "index.html"
    assert html_path(source_url("platforms/bd-0007/index.md")) == "platforms/bd-0007/index.html"
    assert html_path(source_url("guide/errors.md")) == "guide/errors/index.html"
    assert html_path(source_url("guide/README.md")) == "guide/index.html"
    marked = {
        "index.html": False,
        "platforms/index.html": False,
        "platforms/bd-0001/index.html": True,
        "platforms/bd-0002/index.html": True,
        "announcements/2024-publicity/index.html": True,
        "counties/130602/index.html": False,
        "guide/a/index.html": True,
        "guide/b/index.html": False,
    }
    assert search_glob(marked) == (
        "{announcements/*/index.html,guide/a/index.html,platforms/*/index.html}"
    )
    assert search_glob({"a/index.html": False}) is None


@pytest.mark.build
def test_search_glob_indexes_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from generator import index, pipeline

    monkeypatch.chdir(ROOT)
    sites = {}
    for name, glob in (("with", index.search_glob), ("without", lambda _marked: None)):
        monkeypatch.setattr(index, "search_glob", glob)
        result = pipeline.build(ROOT / "data", tmp_path / name, date(2026, 11, 29))
        assert result.ok, [p.message for p in result.problems if p.is_error]
        fragments = sorted(p.name for p in (tmp_path / name / "pagefind" / "fragment").iterdir())
        sites[name] = (result.indexed, fragments)
    # fragments are named by the hash of their content: the same pages, the same text
    assert sites["with"] == sites["without"]


# -- the benchmark scripts at a small size -----------------------------------------------------


def _registry_validate(data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "validate",
            "--data",
            str(data),
            "--today",
            TODAY,
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=600,
    )


@pytest.mark.benchmark
def test_synthetic_registry_validates_clean(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "synth.py"), "50", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    data = tmp_path / "data"
    assert len(list((data / "platforms").glob("*.yaml"))) == 50
    assert list((data / "announcements").glob("*.yaml"))
    result = _registry_validate(data, "--format", "json")
    report = json.loads(result.stdout)
    assert report["errors"] == 0, json.dumps(report["problems"][:5], ensure_ascii=False, indent=1)
    assert result.returncode == 0


@pytest.mark.benchmark
def test_synth_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import synth
    finally:
        sys.path.remove(str(BENCHMARKS))
    synth.write_registry(30, tmp_path / "a")
    synth.write_registry(30, tmp_path / "b")
    for path in sorted((tmp_path / "a" / "data").rglob("*.yaml")):
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path.name


@pytest.mark.benchmark
def test_run_validate_only_at_50(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--sizes",
            "50",
            "--validate-only",
            "--out",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    [result] = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert "build" not in result and result["validate"]["records"] == result["records"]
    assert result["validate"]["baseline_seconds"] > 0
    assert "| 50 |" in proc.stdout and "PyYAML C + jsonschema" in proc.stdout


@pytest.mark.benchmark
def test_run_completes_at_50(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--sizes",
            "50",
            "--out",
            str(out),
            "--workdir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    [result] = report["results"]
    assert result["n"] == 50
    assert result["build"]["pages"] > 50 and result["build"]["indexed"] >= 50
    # the floor: the build's generated pages; the minimal one: a page per platform and
    # the home page
    assert result["floor"]["pages"] == result["build"]["pages"]
    assert result["floor_minimal"]["pages"] == 51
    assert result["ratio_minimal"] == result["build"]["total"] / result["floor_minimal"]["total"]
    assert result["ratio"] > 0 and result["peak_mb"] > 0
    validate = result["validate"]
    assert validate["cold_records_per_s"] > 0 and validate["baseline_records_per_s"] > 0
    assert validate["speedup"] == validate["baseline_seconds"] / validate["cold_seconds"]
    assert "| 50 |" in proc.stdout
