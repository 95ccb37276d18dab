"""The only stage besides load that touches the disk: new records and the built site."""

from __future__ import annotations

import os
import shutil
import tempfile
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


class Staging:
    """A build folder beside the output; moved into place only when everything succeeded.

    The previous site stays exactly as it was until `commit`, which swaps the folders
    with two renames on the same filesystem; `discard` removes the attempt.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}-build-", dir=self.out_dir.parent))
        self.docs = self.root / "docs"
        self.site = self.root / "site"

    def copy_tree(self, source: Path, target_rel: str = "") -> None:
        target = self.docs / target_rel if target_rel else self.docs
        shutil.copytree(source, target, dirs_exist_ok=True)

    def write_text(self, rel: str, text: str) -> None:
        path = self._inside(self.docs, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")

    def write_bytes(self, rel: str, data: bytes) -> None:
        path = self._inside(self.docs, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def copy_file(self, source: Path, rel: str) -> None:
        path = self._inside(self.docs, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    @staticmethod
    def _inside(base: Path, rel: str) -> Path:
        path = (base / rel).resolve()
        if base.resolve() not in path.parents:
            raise ValueError(f"refusing to write outside the build folder: {rel}")
        return path

    def commit(self) -> None:
        old = None
        if self.out_dir.exists():
            old = self.root / "previous"
            os.replace(self.out_dir, old)
        try:
            os.replace(self.site, self.out_dir)
        except OSError:
            if old is not None:
                os.replace(old, self.out_dir)
            raise
        _fsync_dir(self.out_dir.parent)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
