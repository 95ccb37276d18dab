"""The only stage besides load that touches the disk: new records and the built site."""

from __future__ import annotations

import os
from pathlib import Path

from generator.report import Problem


def create_exclusive(path: Path, text: str, display: str) -> list[Problem]:
    """Write a new file; never overwrite one that exists (ids are never reused)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        return [Problem(display, None, "new.exists", f"{display} 已存在，未覆盖")]
    except OSError as exc:
        return [Problem(display, None, "write.io", f"无法写入：{exc.strerror or exc}")]
    return []


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
