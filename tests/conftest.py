"""Shared test options and fixtures."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from generator import model, pipeline
from generator.export import Publisher
from generator.load import load_file

#: the shipped sample data and the day the tests read it on
SHIPPED_DATA = Path(__file__).resolve().parent.parent / "data"
SHIPPED_DAY = date(2026, 11, 29)


def shipped_publisher() -> Publisher:
    """The publisher of mkdocs.yml's `extra.registry` (what `registry build` passes on)."""
    doc, problems = load_file(SHIPPED_DATA.parent / "mkdocs.yml", "mkdocs.yml")
    assert doc is not None, problems
    return Publisher.from_settings(doc.data["extra"]["registry"])


#: Baoding's publisher, as the shipped mkdocs.yml configures it
SHIPPED_PUBLISHER = shipped_publisher()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/golden/ from the current output "
        "(same as REGISTRY_UPDATE_GOLDEN=1)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are rewritten instead of compared."""
    flag = bool(request.config.getoption("--update-golden"))
    return flag or os.environ.get("REGISTRY_UPDATE_GOLDEN", "") not in ("", "0")


@pytest.fixture(scope="session")
def registry() -> model.Registry:
    """The model of the shipped sample data on SHIPPED_DAY (tests may override the name)."""
    result = pipeline.validate_dir(SHIPPED_DATA, SHIPPED_DAY)
    assert result.registry is not None, [str(p) for p in result.problems if p.is_error]
    return result.registry
