"""The only stage besides load that touches the disk: new records and the built site.

A build is written into a staging folder beside the output (`.<out>-build-<random>/`,
with `docs/` for MkDocs's sources and `site/` for the site) and swapped into place only
when everything succeeded. Whatever happens meanwhile, the output folder holds either
the previous site or the new one, complete:

- a failed build removes its staging folder; the previous site was never touched;
- the swap is two renames on one filesystem: the old site into the staging folder
  (`previous/`), then the new site into place. A build killed between the two leaves no
  output folder, and the old site complete in `previous/`: the next build (which first
  takes the lock) puts it back before anything else, then removes what killed builds
  left behind;
- one build at a time per output folder: a lock file beside it (`.<out>.lock`); a second
  build exits at once with a clear message instead of waiting for an unknown time;
- the pages (generator/pages.py) and the downloads (generator/downloads.py) are made by
  processes of their own; the downloads go into the
  staging folder's `downloads/`, and moved into `site/` once it has finished.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Self

from filelock import FileLock, Timeout

from generator.load import display_path
from generator.report import Problem

#: the file that marks a folder as a site this tool built (and so one it may replace)
SITE_MARKER = ".registry-site"


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


def _inside(base: Path, rel: str) -> Path:
    """`base`/`rel`, where `rel` is a relative path of names (generator/paths.py): no
    absolute path, `..` or empty part can lead outside `base`. Checked on the text only:
    every folder under `base` was made by this build (copytree copies what a link
    points to, not the link), so no link inside it leads elsewhere."""
    parts = rel.removesuffix("/").split("/")  # "a/b/": the folder b
    if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"refusing to write outside the build folder: {rel}")
    return base.joinpath(*parts)


def write_file(base: Path, rel: str, data: str | bytes, base_exists: bool = False) -> None:
    """Write `rel` under the folder `base`, making its subfolders. With `base_exists`,
    `base` must exist: a folder removed under a process (a killed build's, removed by the
    next build) is never recreated."""
    path = _inside(base, rel)
    if base_exists and not base.is_dir():
        raise FileNotFoundError(errno.ENOENT, "build folder removed", str(base))
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BuildLocked(Exception):
    """Another build is writing the same output folder."""


def _leftovers(out_dir: Path) -> list[Path]:
    return sorted(out_dir.parent.glob(f".{out_dir.name}-build-*"))


def recover(out_dir: Path) -> None:
    """Undo what a killed build left: the previous site back in place if a build died
    between the two renames of its swap, then its staging folders removed. Call with the
    lock held."""
    for root in _leftovers(out_dir):
        previous = root / "previous"
        if not out_dir.exists() and not out_dir.is_symlink() and previous.is_dir():
            os.replace(previous, out_dir)
            _fsync_dir(out_dir.parent)
        shutil.rmtree(root, ignore_errors=True)


class Folders:
    """A staging folder's parts: `docs/` (MkDocs's sources) and `site/` (what is
    published), written by the pages process (generator/pages.py), and `downloads/`,
    written by the downloads process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"
        self.site = root / "site"
        self.downloads = root / "downloads"

    # -- MkDocs's sources ---------------------------------------------------------------

    def copy_docs(self, source: Path) -> None:
        shutil.copytree(source, self.docs, dirs_exist_ok=True)

    def write_doc(self, rel: str, data: str | bytes) -> None:
        write_file(self.docs, rel, data)

    def copy_doc(self, source: Path, rel: str) -> None:
        path = _inside(self.docs, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    # -- the site -------------------------------------------------------------------------

    def write_site(self, rel: str, data: str | bytes) -> None:
        write_file(self.site, rel, data)

    def read_site(self, rel: str) -> str:
        return _inside(self.site, rel).read_text(encoding="utf-8")

    def remove_site(self, rel: str) -> None:
        path = _inside(self.site, rel)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


class Staging(Folders):
    """A build folder beside the output, moved into place only when everything succeeded.

    Use as a context manager: entering takes the lock, recovers from killed builds and
    makes the folder; leaving without `commit` removes the attempt (the previous site
    stays as it was).
    """

    def __init__(self, out_dir: Path) -> None:
        super().__init__(Path())  # the folder is made on entering
        self.out_dir = out_dir.resolve()
        self._lock = FileLock(str(self.out_dir.parent / f".{self.out_dir.name}.lock"))

    def __enter__(self) -> Self:
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=0)
        except Timeout as exc:
            raise BuildLocked(str(self.out_dir)) from exc
        try:
            recover(self.out_dir)
            root = tempfile.mkdtemp(prefix=f".{self.out_dir.name}-build-", dir=self.out_dir.parent)
        except BaseException:
            self._lock.release()
            raise
        super().__init__(Path(root))
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.discard()
        finally:
            self._lock.release()

    def adopt_downloads(self, rels: Iterable[str]) -> None:
        """Move the files the downloads process wrote (`rels`, under `downloads/`) into the
        site, replacing a file of the same path."""
        for rel in rels:
            source = _inside(self.downloads, rel)
            target = _inside(self.site, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)

    # -- the swap -------------------------------------------------------------------------

    def commit(self) -> None:
        """Put the new site in place of the previous one (see the module's docstring)."""
        if self.out_dir.exists() or self.out_dir.is_symlink():
            os.replace(self.out_dir, self.root / "previous")
        os.replace(self.site, self.out_dir)
        _fsync_dir(self.out_dir.parent)

    def discard(self) -> None:
        """Remove the attempt; if the swap was interrupted half-way, the previous site
        goes back in place first."""
        if self.root == Path():
            return
        previous = self.root / "previous"
        if previous.is_dir() and not self.out_dir.exists():
            os.replace(previous, self.out_dir)
            _fsync_dir(self.out_dir.parent)
        shutil.rmtree(self.root, ignore_errors=True)


def refuse_foreign_out(out_dir: Path, sources: Iterable[tuple[Path, str]] = ()) -> list[Problem]:
    """Never swap away a folder that is not a previous build (say `--out data`), nor
    build into a source folder (the staging copy of docs/ would copy itself forever)."""
    out = out_dir.resolve()
    for source, what in sources:
        if out == source.resolve() or source.resolve() in out.parents:
            return [
                Problem(
                    display_path(out_dir),
                    None,
                    "build.out-in-sources",
                    f"输出目录 {display_path(out_dir)} 位于{what} {display_path(source)} 之内，未生成",
                    "请把网站生成到源文件以外的目录（默认 site/）",
                )
            ]
    if not out_dir.exists():
        return []
    if out_dir.is_dir() and ((out_dir / SITE_MARKER).is_file() or not any(out_dir.iterdir())):
        return []
    return [
        Problem(
            display_path(out_dir),
            None,
            "build.out-not-site",
            f"输出目录 {display_path(out_dir)} 已存在，且不是本工具生成的网站，未覆盖",
            "请指定一个新目录或以前生成网站的目录（默认 site/）",
        )
    ]


def io_problem(out_dir: Path, exc: OSError) -> Problem:
    where = (
        display_path(Path(exc.filename)) if isinstance(exc.filename, str) else display_path(out_dir)
    )
    reason = {
        errno.ENOSPC: "磁盘空间不足",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "磁盘为只读",
        errno.ENOTDIR: "路径中有一段是文件而不是目录",
        errno.EEXIST: "路径中有一段是文件而不是目录",
        errno.EDQUOT: "超出磁盘配额",
        errno.ENOENT: "目录不存在或在生成期间被删除",
    }
    why = reason.get(exc.errno or 0, exc.strerror or str(exc))
    return Problem(
        display_path(out_dir),
        None,
        "build.io",
        f"无法写入网站：{why}（{where}），原网站保持不变",
        "请检查输出目录所在的磁盘和权限后重新生成",
    )
