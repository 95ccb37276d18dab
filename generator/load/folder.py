"""The data folder: which files count, read without following any link.

Only regular files count. Under the data folder a symbolic link (to anything, even
to another record), a dangling link, a FIFO, a device or a socket, a folder where a
record file is expected, and any file the registry does not expect are refused with
a problem naming the entry itself: never followed, never opened, never skipped in
silence. Kinds come from the directory listing without following links
(``os.scandir``'s cached ``lstat`` view), and every file is opened with
``O_NOFOLLOW`` and checked with ``fstat``, so that an entry swapped for a link or a
FIFO between listing and reading is refused as well.

Nothing beside the data folder (a ``.cache/`` folder, anything planted next to
``data/``) is read: what is published is decided by these files alone.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from generator.load.strict import MAX_BYTES, Document, parse_yaml, too_large
from generator.report import Problem

#: the files of the data folder, and its folders of record files
SINGLE_FILES = ("counties", "rules", "calendar", "associations")
RECORD_FOLDERS = ("platforms", "announcements")
ATTACHMENT_FOLDER = "attachments"

_EXPECTED_HINT = (
    "数据目录里只能有 platforms/、announcements/、attachments/ 三个文件夹和 "
    "counties.yaml、rules.yaml、calendar.yaml、associations.yaml 四个文件；请删除或移走其他文件"
)

Kind = Literal["file", "dir", "link", "other"]

# O_NOFOLLOW: a link is refused by the OS (ELOOP) instead of opened; O_NONBLOCK: a FIFO
# put in a file's place cannot make the open wait for a writer (fstat then refuses it).
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)


@dataclass(frozen=True)
class Sources:
    """Everything read from a data directory, before validation."""

    platforms: tuple[Document, ...]
    announcements: tuple[Document, ...]
    counties: Document | None
    rules: Document | None
    calendar: Document | None
    attachments: Mapping[str, str]  # file name -> sha256 of its bytes
    problems: tuple[Problem, ...]
    #: how many platform record files there are, loadable or not
    platform_files: int = 0
    #: associations.yaml (articles.association); None when it could not be read (then the rules on
    #: associations stay silent)
    associations: Document | None = None
    #: sha256 over every file read (its path as shown and its bytes) and the attachments'
    #: hashes: two processes that read the same data folder agree on it
    digest: str = ""


def display_path(path: Path) -> str:
    """Repo-relative posix path when under the working directory, else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


class _NotRegularError(Exception):
    def __init__(self, kind: Kind) -> None:
        super().__init__(kind)
        self.kind = kind


def _kind_of_mode(mode: int) -> Kind:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "link"
    return "other"


def _open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    """A regular file opened for reading without following a link, and its fstat.

    Raises _NotRegularError for a link, a folder, a FIFO or a device (never opening
    what a link points at), OSError when the file cannot be opened.
    """
    if not getattr(os, "O_NOFOLLOW", 0):  # where the OS cannot refuse links itself
        kind = _kind_of_mode(os.lstat(path).st_mode)
        if kind != "file":
            raise _NotRegularError(kind)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _NotRegularError("link") from None
        if exc.errno == errno.EISDIR:
            raise _NotRegularError("dir") from None
        raise
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _NotRegularError(_kind_of_mode(info.st_mode))
    return fd, info


def _read_regular(path: Path | str) -> tuple[bytes, int]:
    """Up to MAX_BYTES + 1 bytes of a regular file, and its size when that is more.

    With os.open/os.read: a buffered file object costs several more system calls per file.
    """
    fd, info = _open_regular(path)
    try:
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:  # a read may return less than asked: read on to the end
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return raw, max(size, info.st_size) if size > MAX_BYTES else size
    finally:
        os.close(fd)


def _not_regular(file: str, kind: Kind, want: str = "普通文件") -> Problem:
    what = {
        "link": "符号链接（快捷方式）",
        "dir": "文件夹",
        "other": "特殊文件（命名管道、设备或套接字）",
        "file": "文件",
    }[kind]
    return Problem(
        file,
        None,
        "load.not-regular",
        f"这里是{what}，应是{want}；不会读取它，也不会跟随它指向的位置",
        hint="请把内容作为普通文件直接放在这里（不要用链接或快捷方式），或删除它",
    )


def _io_problem(file: str, exc: OSError | ValueError) -> Problem:
    reason = getattr(exc, "strerror", None) or str(exc)
    return Problem(
        file,
        None,
        "load.io",
        f"无法读取文件：{reason}",
        hint="请确认文件存在、是普通文件且有读取权限",
    )


def load_file(
    path: Path | str, file: str, digest: Any = None
) -> tuple[Document | None, list[Problem]]:
    """Read ``path`` (never through a link) and parse it; ``file`` is the path shown.
    ``digest`` (a hashlib object), when given, is updated with the path shown and the bytes."""
    try:
        raw, size = _read_regular(path)
    except _NotRegularError as exc:
        return None, [_not_regular(file, exc.kind)]
    except (OSError, ValueError) as exc:  # ValueError: a path the OS cannot encode
        return None, [_io_problem(file, exc)]
    if digest is not None:
        name = file.encode("utf-8", "surrogateescape")
        digest.update(b"%d:%s%d:" % (len(name), name, len(raw)))
        digest.update(raw)
    if size > MAX_BYTES:
        return None, [too_large(file, size)]
    return parse_yaml(raw, file)


def hash_file(path: Path | str, file: str) -> tuple[str | None, list[Problem]]:
    """sha256 of a regular file's bytes (never through a link), or the problem."""
    try:
        fd, _ = _open_regular(path)
    except _NotRegularError as exc:
        return None, [_not_regular(file, exc.kind)]
    except (OSError, ValueError) as exc:
        return None, [_io_problem(file, exc)]
    try:
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest(), []
    except OSError as exc:
        return None, [_io_problem(file, exc)]
    finally:
        os.close(fd)


# ------------------------------------------------------------- the data directory


class _Listing:
    """The entries of one folder, by name, with their kind as the listing gives it
    (links not followed), and the path each is shown under."""

    def __init__(self, folder: Path) -> None:
        # Resolving every file would walk every component of its path (5 s for 10,000
        # files): the folder is resolved once, and an entry is shown as folder + name.
        # A link is shown under its own name, never the place it points at.
        base = display_path(folder)
        self.prefix = "" if base == "." else base if base.endswith("/") else base + "/"
        self.kinds: dict[str, Kind] = {}
        self.paths: dict[str, str] = {}
        self.listed = True
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    self.kinds[entry.name] = _entry_kind(entry)
                    self.paths[entry.name] = entry.path
        except (OSError, ValueError):
            self.listed = False

    def shown(self, name: str) -> str:
        """The entry's path as problems show it: one line, invisible characters escaped."""
        if name.isprintable():
            return self.prefix + name
        return self.prefix + "".join(
            c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
            for c in name
        )

    def names(self) -> list[str]:
        return sorted(self.kinds)


def _entry_kind(entry: os.DirEntry[str]) -> Kind:
    try:
        if entry.is_symlink():
            return "link"
        if entry.is_file(follow_symlinks=False):
            return "file"
        if entry.is_dir(follow_symlinks=False):
            return "dir"
    except OSError:
        pass
    return "other"


def _unexpected(file: str, message: str, hint: str) -> Problem:
    return Problem(file, None, "load.unexpected-file", message, hint=hint)


def _odd_name(file: str) -> Problem:
    return _unexpected(
        file,
        "文件名中有不可见的字符（换行、控制字符、零宽字符等）或不是 UTF-8 编码（文件名已转义显示）",
        "请改名：记录文件名与编号相同，只用小写字母、数字和连字符",
    )


def _record_entry(listing: _Listing, name: str) -> Problem | None:
    """Why an entry of platforms/ or announcements/ is refused, or None to load it."""
    kind = listing.kinds[name]
    file = listing.shown(name)
    if not name.isprintable():
        return _odd_name(file)
    lower = name.lower()
    record_like = lower.endswith((".yaml", ".yml"))
    if kind == "link" or kind == "other" or (kind == "dir" and record_like):
        return _not_regular(file, kind, "记录文件（普通文件）")
    if kind == "dir":
        return _unexpected(
            file,
            "记录文件夹里不应有子文件夹",
            "请把记录文件直接放在这个文件夹里，删除或移走子文件夹",
        )
    if name.startswith("."):
        return _unexpected(
            file, "记录文件夹里不应有隐藏文件", "请删除这个文件（常由操作系统或编辑器自动生成）"
        )
    if name.endswith(".yaml"):
        return None
    if record_like:
        ext = name[name.rindex(".") :]
        return Problem(
            file,
            None,
            "load.extension",
            f"记录文件的扩展名应为 .yaml，不是 {ext}",
            hint=f"请改名为 {name[: -len(ext)]}.yaml",
        )
    return _unexpected(
        file,
        "记录文件夹里只能有 .yaml 记录文件",
        "请删除或移走这个文件；公告的附件放在 data/attachments/ 中",
    )


def _load_records(folder: Path, problems: list[Problem], digest: Any) -> tuple[list[Document], int]:
    """The documents of a folder of records, and how many record files it has."""
    listing = _Listing(folder)
    if not listing.listed:
        problems.append(
            Problem(display_path(folder), None, "load.missing", f"缺少目录 {display_path(folder)}")
        )
        return [], 0
    docs: list[Document] = []
    files = 0
    for name in listing.names():
        if name.lower().endswith((".yaml", ".yml")):
            files += 1
        refused = _record_entry(listing, name)
        if refused is not None:
            problems.append(refused)
            continue
        doc, found = load_file(listing.paths[name], listing.shown(name), digest)
        problems.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs, files


def _hash_attachments(folder: Path, problems: list[Problem]) -> dict[str, str]:
    listing = _Listing(folder)
    hashes: dict[str, str] = {}
    for name in listing.names():
        kind = listing.kinds[name]
        file = listing.shown(name)
        if not name.isprintable():
            problems.append(_odd_name(file))
        elif kind != "file":
            problems.append(
                _not_regular(file, kind, "附件文件（普通文件）")
                if kind != "dir"
                else _unexpected(
                    file, "附件文件夹里不应有子文件夹", "请把附件直接放在 data/attachments/ 中"
                )
            )
        elif name.startswith("."):
            problems.append(
                _unexpected(
                    file,
                    "附件文件夹里不应有隐藏文件",
                    "请删除这个文件（常由操作系统或编辑器自动生成）",
                )
            )
        else:
            digest, found = hash_file(listing.paths[name], file)
            problems.extend(found)
            if digest is not None:
                hashes[name] = digest
    return hashes


def load_sources(data_dir: Path) -> Sources:
    """Every file of the data directory, each refused entry a problem."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    top = _Listing(data_dir)
    expected = {*RECORD_FOLDERS, ATTACHMENT_FOLDER, *(f"{n}.yaml" for n in SINGLE_FILES)}
    for name in top.names():
        kind = top.kinds[name]
        if not name.isprintable():
            problems.append(_odd_name(top.shown(name)))
        elif name not in expected:
            if kind == "link" or kind == "other":
                problems.append(_not_regular(top.shown(name), kind))
            else:
                problems.append(
                    _unexpected(top.shown(name), "数据目录里不应有这个文件或文件夹", _EXPECTED_HINT)
                )
        elif kind != ("file" if name.endswith(".yaml") else "dir"):
            want = "普通文件" if name.endswith(".yaml") else "文件夹（不是链接）"
            problems.append(_not_regular(top.shown(name), kind, want))
    folders: dict[str, tuple[list[Document], int]] = {}
    for name in RECORD_FOLDERS:
        found_kind = top.kinds.get(name)
        if found_kind is None:
            shown = display_path(data_dir / name)
            problems.append(Problem(shown, None, "load.missing", f"缺少目录 {shown}"))
        folders[name] = (
            _load_records(data_dir / name, problems, digest) if found_kind == "dir" else ([], 0)
        )
    singles: list[Document | None] = []
    for name in SINGLE_FILES:
        found_kind = top.kinds.get(f"{name}.yaml")
        doc = None
        if found_kind is None:
            shown = display_path(data_dir / f"{name}.yaml")
            problems.append(Problem(shown, None, "load.missing", f"缺少文件 {shown}"))
        elif found_kind == "file":
            doc, found = load_file(top.paths[f"{name}.yaml"], top.shown(f"{name}.yaml"), digest)
            problems += found
        singles.append(doc)
    attachments: dict[str, str] = {}
    if top.kinds.get(ATTACHMENT_FOLDER) == "dir":
        attachments = _hash_attachments(data_dir / ATTACHMENT_FOLDER, problems)
    for name, sha in sorted(attachments.items()):
        digest.update(f"attachment {len(name)}:{name}={sha}".encode("utf-8", "surrogateescape"))
    return Sources(
        tuple(folders["platforms"][0]),
        tuple(folders["announcements"][0]),
        singles[0],
        singles[1],
        singles[2],
        MappingProxyType(attachments),
        tuple(problems),
        folders["platforms"][1],
        singles[3],
        digest.hexdigest(),
    )
