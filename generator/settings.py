"""The site's settings the generator reads from mkdocs.yml (its `site_url` and
`extra.registry`), through the strict loader. Read by the build and by the process that
makes the downloads (generator/downloads.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.load import display_path, load_file
from generator.report import Problem


@dataclass(frozen=True)
class SiteConfig:
    """What pages need from mkdocs.yml's `extra.registry`."""

    site_url: str = ""
    #: the full name of the authority (mkdocs.yml extra.registry.authority)
    authority: str = ""
    repository: str = ""  # https://github.com/<owner>/<repo>, for source and error-report links
    branch: str = "main"
    extra: Mapping[str, Any] = field(default_factory=dict)


def site_config(config_file: Path) -> tuple[SiteConfig | None, list[Problem]]:
    """The settings, or None and the problems when mkdocs.yml cannot be read."""
    doc, problems = load_file(config_file, display_path(config_file))
    if doc is None:
        return None, problems
    data = doc.data if isinstance(doc.data, dict) else {}
    reg = (data.get("extra") or {}).get("registry") or {}
    return SiteConfig(
        site_url=str(data.get("site_url") or ""),
        authority=str(reg.get("authority") or ""),
        repository=str(reg.get("repository") or ""),
        branch=str(reg.get("branch") or "main"),
        extra=reg,
    ), []
