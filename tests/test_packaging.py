"""Reproducible installs and a wheel that works outside a checkout.

The lock files pin every package CI installs, with hashes, and must agree with
pyproject.toml (a dependency bumped there without a new lock fails here). The wheel
carries the JSON Schemas, whose single source is the root schemas/ folder: an
installed `registry` validates the shipped data from anywhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCKS = {"requirements.lock": (), "requirements-test.lock": ("test",)}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def locked(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of one lock file."""
    out: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            assert current not in out, f"{name}: {current} twice"
            out[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:"):
            version, hashes = out[current]
            out[current] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith("#"):
            assert line.startswith("    "), f"{name}: unexpected line {line!r}"
    return out


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_package_is_pinned_with_hashes(name: str) -> None:
    packages = locked(name)
    assert len(packages) > 20
    for package, (version, hashes) in packages.items():
        assert hashes >= 1, f"{name}: {package}=={version} has no hash"


@pytest.mark.parametrize(("name", "extras"), LOCKS.items())
def test_lock_satisfies_pyproject(name: str, extras: tuple[str, ...]) -> None:
    packages = locked(name)
    wanted = [*PYPROJECT["project"]["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in extras:
        wanted += PYPROJECT["project"]["optional-dependencies"][extra]
    for spec in map(Requirement, wanted):
        key = canonicalize_name(spec.name)
        assert key in packages, f"{name} lacks {spec.name}: regenerate it (see its header)"
        version = packages[key][0]
        assert spec.specifier.contains(version, prereleases=True), (
            f"{name}: {key}=={version} ∉ {spec}"
        )


def test_test_lock_extends_the_runtime_lock() -> None:
    runtime, test = locked("requirements.lock"), locked("requirements-test.lock")
    assert {k: v[0] for k, v in runtime.items()} == {k: test[k][0] for k in runtime}


def test_build_backend_is_pinned_to_a_range() -> None:
    build = PYPROJECT["build-system"]
    assert build["build-backend"] == "setuptools.build_meta"
    (spec,) = map(Requirement, build["requires"])
    assert spec.name == "setuptools"
    assert {s.operator for s in spec.specifier} == {">=", "<"}


def test_the_checkout_reads_the_root_schemas() -> None:
    """One source: no copy of the schemas is kept inside the package folder."""
    from generator import schemas

    assert not (ROOT / "generator" / "jsonschemas").exists()
    assert schemas.SCHEMA_DIR == ROOT / "schemas"


SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "generator", "schemas")


@pytest.mark.build
def test_installed_wheel_validates_the_data_outside_a_checkout(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copyfile
        copy(ROOT / name, source / name)
    for cached in source.rglob("__pycache__"):
        shutil.rmtree(cached)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for schema in sorted((ROOT / "schemas").glob("*.schema.json")):
            inside = f"generator/jsonschemas/{schema.name}"
            assert inside in names, inside
            assert archive.read(inside) == schema.read_bytes()
        assert any(n.startswith("generator/render/templates/") for n in names)

    # A venv that sees the dependencies installed here, with the wheel installed in it;
    # run from a folder that holds nothing but a copy of the data.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "data", work / "data")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [str(python), "-c", "import generator.schemas as s; print(s.SCHEMA_DIR)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    done = subprocess.run(
        [str(venv / "bin" / "registry"), "validate", "--data", "data", "--today", "2026-11-29"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "校验通过" in done.stdout
