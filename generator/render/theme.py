"""The theme's part of the site: one MkDocs build of the hand-written pages and the shells.

MkDocs runs in this process through its public build function; what it logs becomes
problems (warnings stay warnings, errors stop the build). "The day" is passed in as
SOURCE_DATE_EPOCH, so that the same data and day give the same bytes.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, time
from pathlib import Path

from generator.load import display_path
from generator.report import Problem


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def run_mkdocs(
    config_file: Path,
    docs: Path,
    site: Path,
    today: date,
    measures: dict[str, str] | None = None,
) -> list[Problem]:
    """Build docs/ into site/ with MkDocs; its warnings and errors as problems.

    `measures` (the reviewed data's rules.yaml: document title, articles) is given to the
    theme as `config.extra.measures`, for hand-written pages that cite the measures."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers, logger.propagate = [handler], False
    logger.setLevel(logging.WARNING)
    env_saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    os.environ["SOURCE_DATE_EPOCH"] = str(
        int(datetime.combine(today, time()).replace(tzinfo=UTC).timestamp())
    )
    os.environ["NO_MKDOCS_2_WARNING"] = "1"  # Material's notice about its end of life
    problems: list[Problem] = []
    try:
        config = load_config(config_file=str(config_file), docs_dir=str(docs), site_dir=str(site))
        if measures is not None:
            config["extra"]["measures"] = dict(measures)
        build(config)
    except (MkDocsException, OSError) as exc:
        problems.append(
            Problem(display_path(config_file), None, "build.mkdocs", f"MkDocs 构建失败：{exc}")
        )
    finally:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])
        for key, value in env_saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for rec in handler.records:
        message = rec.getMessage()
        if rec.levelno >= logging.ERROR:
            problems.append(Problem("mkdocs", None, "build.mkdocs", message, severity="error"))
        else:
            problems.append(Problem("mkdocs", None, "build.mkdocs", message, severity="warning"))
    return problems
