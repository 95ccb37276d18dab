"""The downloads (open data, feeds, QR codes, plaques: generator/export/) made by a
process of their own (generator/child.py) while the pages are made by another.

They cost about as much as all the pages together (benchmarks/README.md): a second
process makes them on the other core. It writes the files into the staging folder's
`downloads/`, which the build moves into the site once both have finished. Its answer
(the last line of its stdout): `{"ok": true, "digest": ..., "files": [...], "seconds":
{...}}`, or `ok: false` with the reason (`invalid`: the data has errors; `config`:
mkdocs.yml unreadable; `io`: errno, strerror, filename; `orphan`: the build is gone).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from generator.child import (
    Child,
    answer_line,
    io_answer,
    orphaned,
    parser,
    seconds,
    write_problem,
)
from generator.load import display_path
from generator.report import Problem


@dataclass
class Made:
    """What the downloads process made: the files (paths under its folder), the problems
    that stop the build, and its own timings (seconds per step)."""

    files: list[str]
    problems: list[Problem]
    seconds: dict[str, float] = field(default_factory=dict)


class Downloads(Child):
    """The downloads process of one build (a context manager, see Child)."""

    def __init__(
        self, data_dir: Path, config_file: Path, today: date, folder: Path, log_dir: Path
    ) -> None:
        self.folder = folder
        self.data_dir = data_dir
        what = "生成开放数据文件（下载、订阅、二维码）"
        args = ["--out", str(folder)]
        super().__init__(
            "generator.downloads", "downloads", what, data_dir, config_file, today, log_dir, args
        )

    def finish(self, digest: str) -> Made:
        """Wait for the process; its files, or the problems that stop the build.
        `digest` is the Sources.digest of the data the pages were made from."""
        answer = self.answer()
        if answer is None:
            return Made([], [self.crashed()])
        timings = seconds(answer)
        error = write_problem(answer, self.folder)
        if error is not None:
            return Made([], [error], timings)
        if answer.get("digest") != digest or not answer.get("ok"):
            # the same files validated here and there: they were changed in between
            return Made([], [data_changed(self.data_dir)], timings)
        return Made([str(f) for f in answer.get("files", [])], [], timings)


def data_changed(data_dir: Path) -> Problem:
    return Problem(
        display_path(data_dir),
        None,
        "build.data-changed",
        "生成期间数据目录中的文件被修改，网站页面和下载文件可能不一致，本次未生成",
        "原网站保持不变；请在修改完成后重新生成",
    )


# -- the child ------------------------------------------------------------------------------


def make(data_dir: Path, config_file: Path, today: date, out: Path, parent: int) -> dict[str, Any]:
    """Validate the data, then write every download into `out` (created here; its
    parent must exist). The answer the parent reads."""
    from generator.export import Publisher, iter_exports
    from generator.settings import site_config
    from generator.validate.run import validate_dir
    from generator.write import write_file

    started = time.perf_counter()
    result = validate_dir(data_dir, today)
    seconds = {"validate": time.perf_counter() - started}
    if not result.ok or result.registry is None:
        return {"ok": False, "reason": "invalid", "digest": result.digest, "seconds": seconds}
    site, _ = site_config(config_file)
    if site is None:
        return {"ok": False, "reason": "config", "digest": result.digest, "seconds": seconds}
    publisher = Publisher.from_settings(site.extra, authority=site.authority)
    files: list[str] = []
    started = time.perf_counter()
    try:
        out.mkdir()
        for rel, content in iter_exports(result.registry, site.site_url, publisher):
            if orphaned(parent):  # the build is gone: stop
                return {"ok": False, "reason": "orphan", "digest": "", "seconds": seconds}
            write_file(out, rel, content, base_exists=True)
            files.append(rel)
    except OSError as exc:
        return io_answer(exc, digest=result.digest, seconds=seconds)
    seconds["exports"] = time.perf_counter() - started
    return {"ok": True, "digest": result.digest, "files": files, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    options = parser("registry build 的下载文件进程（由构建启动）")
    options.add_argument("--out", type=Path, required=True)
    args = options.parse_args(argv)
    answer_line(make(args.data, args.config, args.today, args.out, args.parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
