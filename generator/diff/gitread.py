"""The load step of `registry diff`: both sides read from git objects, never from the disk.

The base is the tree of commit REV. The head is the working tree as git would commit
it: the data folder is staged into a temporary index (outside the repository, the
real index is untouched) and written as a tree object, so both sides are read the
same way, through `git ls-tree` and `git cat-file --batch`. A symlink is then an
entry of mode 120000 and a submodule one of mode 160000: neither is ever followed,
and a link's target (the blob of a 120000 entry) is never read. Only the data folder
is listed, so nothing outside it (a committed `.cache/`, a test fixture) can change
the result.

Only this module runs git. Each function runs it without a shell, in the data folder,
so that paths come out relative to it wherever it sits in the repository.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from generator.load import display_path
from generator.report import Problem

RECORD_DIRS = {"platforms": "platform", "announcements": "announcement"}
RECORD_SUFFIXES = (".yaml", ".yml")
SINGLE_FILES = ("counties.yaml", "rules.yaml", "calendar.yaml", "associations.yaml")
ATTACHMENT_DIR = "attachments"
REGULAR_MODES = ("100644", "100755")
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


class BaseUnreadable(Exception):
    """The base revision cannot be read: a usage error (exit status 2), not bad data."""


@dataclass(frozen=True)
class Tree:
    """The data files of one side, by path relative to the data directory."""

    files: Mapping[str, bytes]
    #: entries that are not plain data files (links, submodules, .yml, strays)
    refused: tuple[Problem, ...] = ()


def _git(
    args: Sequence[str],
    cwd: Path,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
) -> tuple[int, bytes]:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            env=None if env is None else {**os.environ, **env},
        )
    except FileNotFoundError:
        raise BaseUnreadable("找不到 git 命令，请先安装 Git 并确认它在 PATH 中") from None
    except OSError as exc:
        raise BaseUnreadable(f"无法运行 git：{exc.strerror or exc}") from None
    if done.returncode not in ok:
        detail = " ".join(done.stderr.decode("utf-8", "replace").split())
        raise BaseUnreadable(detail or f"git {args[0]} 退出码 {done.returncode}")
    return done.returncode, done.stdout


def git(
    args: Sequence[str], cwd: Path, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> bytes:
    return _git(args, cwd, stdin, env)[1]


def _folder(data_dir: Path) -> None:
    if not data_dir.is_dir():
        raise BaseUnreadable(f"数据目录 {display_path(data_dir)} 不存在")


def resolve_commit(data_dir: Path, rev: str) -> str:
    """The commit id REV names; BaseUnreadable when it names none."""
    if not rev or rev.startswith("-"):
        raise BaseUnreadable(f"“{rev}”不是有效的版本名")
    _folder(data_dir)
    return git(["rev-parse", "--verify", f"{rev}^{{commit}}"], data_dir).decode().strip()


def is_ancestor(data_dir: Path, commit: str) -> bool:
    """Whether `commit` is HEAD or one of its ancestors (`git merge-base --is-ancestor`)."""
    code, _ = _git(["merge-base", "--is-ancestor", commit, "HEAD"], data_dir, ok=(0, 1))
    return code == 0


def commit_tree(data_dir: Path, commit: str) -> str:
    return git(["rev-parse", "--verify", f"{commit}^{{tree}}"], data_dir).decode().strip()


def work_tree(data_dir: Path) -> str:
    """The tree git would commit: HEAD with the data folder as it is on disk.

    Staged in a temporary index outside the repository (the user's index is not
    touched); files git ignores are left out, as they would be from a commit.
    """
    _folder(data_dir)
    with tempfile.TemporaryDirectory(prefix="registry-diff-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git(["read-tree", "HEAD"], data_dir, env=env)
        git(["add", "--all", "--", "."], data_dir, env=env)
        return git(["write-tree"], data_dir, env=env).decode().strip()


# -------------------------------------------------------------------- the entries


def record_kind(rel: str) -> str | None:
    """ "platform" / "announcement" for a record file's path, else None (.yml too)."""
    parts = PurePosixPath(rel).parts
    if (
        len(parts) == 2
        and parts[0] in RECORD_DIRS
        and rel.endswith(RECORD_SUFFIXES)
        and not parts[1].startswith(".")
    ):
        return RECORD_DIRS[parts[0]]
    return None


def _expected(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    if rel in SINGLE_FILES:
        return True
    if len(parts) != 2 or parts[1].startswith("."):
        return False
    return parts[1].endswith(".yaml") if parts[0] in RECORD_DIRS else parts[0] == ATTACHMENT_DIR


_ONLY_FILES = (
    "data/ 下只能有 counties.yaml、rules.yaml、calendar.yaml，platforms/ 与 announcements/ "
    "中扩展名为 .yaml 的记录文件，以及 attachments/ 中的附件，且都必须是普通文件"
)


def refusal(rel: str, mode: str, file: str, side: str) -> Problem | None:
    """Why an entry of a tree is not a data file (None: it is one).

    A link's target and a submodule's commit are never shown: they are not data.
    """
    if mode == SYMLINK_MODE:
        return Problem(
            file,
            None,
            "diff.symlink",
            f"{side}中的 {file} 是符号链接；数据目录中只允许普通文件，链接不会被读取",
            "请删除这个链接（git rm），把内容作为普通文件提交；" + _ONLY_FILES,
        )
    if mode == SUBMODULE_MODE:
        return Problem(
            file,
            None,
            "diff.submodule",
            f"{side}中的 {file} 是子模块（另一个 Git 仓库）；数据目录中只允许普通文件",
            "请删除子模块（git rm），把数据作为普通文件提交；" + _ONLY_FILES,
        )
    name = PurePosixPath(rel).name
    lower = name.lower()
    if lower.endswith(".yml") or (lower.endswith(".yaml") and not name.endswith(".yaml")):
        stem = name.rsplit(".", 1)[0]
        return Problem(
            file,
            None,
            "diff.extension",
            f"{side}中的 {file} 扩展名不对：数据文件的扩展名应为小写的 .yaml",
            f"请改名为 {stem}.yaml（git mv）",
        )
    if mode not in REGULAR_MODES or not _expected(rel):
        return Problem(
            file,
            None,
            "diff.unexpected",
            f"{side}中的 {file} 不是数据目录应有的文件",
            f"请删除或移出数据目录；{_ONLY_FILES}",
        )
    return None


def shown_prefix(data_dir: Path) -> str:
    """How the data folder is named in messages ("data/"), without following links."""
    name = data_dir.as_posix() if data_dir.is_symlink() else display_path(data_dir)
    return "" if name == "." else name.rstrip("/") + "/"


def read_tree(data_dir: Path, tree: str, side: str) -> Tree:
    """The data files of tree object `tree` (two git calls), with the entries refused.

    Files are named `shown_prefix + path`: never resolved on disk, where the same
    path may be a link.
    """
    prefix = shown_prefix(data_dir)
    listing = git(["ls-tree", "-r", "-z", tree, "--", "."], data_dir)
    wanted: dict[str, str] = {}
    refused: list[Problem] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, _kind, oid = meta.decode().split()
        try:
            rel = raw_path.decode("utf-8")
        except UnicodeDecodeError:
            shown = prefix + raw_path.decode("utf-8", "replace")
            refused.append(
                Problem(
                    shown,
                    None,
                    "diff.unexpected",
                    f"{side}中的 {shown} 的文件名不是 UTF-8 编码",
                    "请用 UTF-8 编码的文件名（记录文件名就是编号，只用小写字母、数字和连字符）",
                )
            )
            continue
        problem = refusal(rel, mode, prefix + rel, side)
        if problem is not None:
            refused.append(problem)
        # a .yml record is refused, and read all the same: moved to .yml is still a move
        if mode in REGULAR_MODES and (problem is None or record_kind(rel)):
            wanted[rel] = oid
    return Tree(MappingProxyType(_cat_blobs(wanted, data_dir)), refused=tuple(refused))


def _cat_blobs(wanted: Mapping[str, str], cwd: Path) -> dict[str, bytes]:
    """All blobs in one `git cat-file --batch` call."""
    if not wanted:
        return {}
    paths = sorted(wanted)
    out = git(["cat-file", "--batch"], cwd, "".join(f"{wanted[p]}\n" for p in paths).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split()[2])
        files[path] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return files


def deleted_before(data_dir: Path, commit: str) -> frozenset[str]:
    """Record paths that some commit up to `commit` deleted."""
    log = git(
        [
            "log",
            "--relative",
            "--no-renames",
            "--diff-filter=D",
            "--name-only",
            "--format=",
            "-z",
            commit,
            "--",
            ".",
        ],
        data_dir,
    )
    paths = (chunk.strip(b"\n").decode("utf-8", "replace") for chunk in log.split(b"\0"))
    return frozenset(p for p in paths if p and record_kind(p))


def moves(data_dir: Path, base: str, head: str) -> tuple[tuple[str, str], ...]:
    """The files git sees moved from `base` to `head` (`git diff -M`, 50 % similar)."""
    out = git(
        ["diff", "--name-status", "-M", "-z", "--relative", "--no-ext-diff", base, head, "--", "."],
        data_dir,
    )
    fields = [f.decode("utf-8", "replace") for f in out.split(b"\0")]
    found = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[:1] in ("R", "C"):
            if status[0] == "R":
                found.append((fields[i + 1], fields[i + 2]))
            i += 3
        else:
            i += 2
    return tuple(found)


def data_folder_refusal(data_dir: Path) -> Problem | None:
    """The data folder itself must not be a link: its files would be another folder's."""
    if data_dir.is_symlink():
        file = data_dir.as_posix()
        return Problem(
            file,
            None,
            "diff.symlink",
            f"数据目录 {file} 是符号链接；不会沿链接读取其他目录",
            "请把数据作为普通文件放在数据目录中",
        )
    return None
