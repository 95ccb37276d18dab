"""The downloads (open data, feeds, QR codes, plaques: generator/export/) made by a
process of their own while the build renders, builds and indexes the pages.

They cost about as much as all the pages together (benchmarks/README.md), and the build
is mostly one core's work: a second process makes them on the other core. It is a plain
child process (`python -m generator.downloads`), like Pagefind: it reads and validates the
data folder itself, so nothing but file names crosses between the processes (no pickle),
and it writes the files into the staging folder's `downloads/`, which the build moves
into the site once both have finished. Both processes hash every file they read
(`Sources.digest`): a data folder changed while the build ran stops the build, so the
downloads always describe the data the pages were made from.

The child stops when its build is gone (its parent process changes) and never recreates
a staging folder that was removed; its last line on stdout is a JSON object:
`{"ok": true, "digest": ..., "files": [...], "seconds": {...}}`, or `ok: false` with the
reason (`invalid`: the data has errors; `config`: mkdocs.yml unreadable; `io`: errno,
strerror, filename).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Self

from generator.load import display_path
from generator.report import Problem

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Made:
    """What the downloads process made: the files (paths under its folder), the problems
    that stop the build, and its own timings (seconds per step)."""

    files: list[str]
    problems: list[Problem]
    seconds: dict[str, float] = field(default_factory=dict)


class Downloads:
    """The downloads process of one build. A context manager: leaving it stops the
    process if it still runs (a failed or interrupted build)."""

    def __init__(
        self, data_dir: Path, config_file: Path, today: date, folder: Path, log_dir: Path
    ) -> None:
        self.folder = folder
        self.data_dir = data_dir
        self.config_file = config_file
        self._out_path = log_dir / "downloads.out"
        self._err_path = log_dir / "downloads.err"
        self._command = [
            sys.executable,
            "-m",
            "generator.downloads",
            "--data",
            str(data_dir),
            "--config",
            str(config_file),
            "--today",
            today.isoformat(),
            "--out",
            str(folder),
            "--parent",
            str(os.getpid()),
        ]
        self._proc: subprocess.Popen[bytes] | None = None
        self._files: list[IO[bytes]] = []

    def __enter__(self) -> Self:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
        )
        out = open(self._out_path, "wb")
        self._files.append(out)
        err = open(self._err_path, "wb")
        self._files.append(err)
        self._proc = subprocess.Popen(
            self._command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env
        )
        return self

    def __exit__(self, *exc: object) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for f in self._files:
            f.close()

    def finish(self, digest: str) -> Made:
        """Wait for the process; its files, or the problems that stop the build.
        `digest` is the build's own Sources.digest of the data it validated."""
        assert self._proc is not None, "use Downloads as a context manager"
        code = self._proc.wait()
        answer = _last_json(self._out_path.read_bytes())
        if code != 0 or answer is None:
            return Made([], [self._crashed(code)])
        seconds = {k: float(v) for k, v in (answer.get("seconds") or {}).items()}
        if answer.get("reason") == "io":
            error = OSError(answer.get("errno"), answer.get("strerror"), answer.get("filename"))
            from generator.write import io_problem

            return Made([], [io_problem(self.folder, error)], seconds)
        if answer.get("digest") != digest or not answer.get("ok"):
            # the same files validated here and there: they were changed in between
            return Made([], [self._changed()], seconds)
        return Made([str(f) for f in answer.get("files", [])], [], seconds)

    def _crashed(self, code: int) -> Problem:
        lines = self._err_path.read_bytes().decode("utf-8", "replace").strip().splitlines()
        last = lines[-1] if lines else f"退出码 {code}"
        return Problem(
            display_path(self.config_file),
            None,
            "build.downloads",
            f"生成开放数据文件（下载、订阅、二维码）的进程意外结束：{last}",
            "原网站保持不变；请把 registry build 的完整输出报告给维护人员",
        )

    def _changed(self) -> Problem:
        return Problem(
            display_path(self.data_dir),
            None,
            "build.data-changed",
            "生成期间数据目录中的文件被修改，网站页面和下载文件可能不一致，本次未生成",
            "原网站保持不变；请在修改完成后重新生成",
        )


def _last_json(raw: bytes) -> dict[str, Any] | None:
    for line in reversed(raw.decode("utf-8", "replace").splitlines()):
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except ValueError:
                return None
            return found if isinstance(found, dict) else None
    return None


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
            if os.getppid() != parent:  # the build is gone: stop
                return {"ok": False, "reason": "orphan", "digest": "", "seconds": seconds}
            write_file(out, rel, content, base_exists=True)
            files.append(rel)
    except OSError as exc:
        return {
            "ok": False,
            "reason": "io",
            "errno": exc.errno,
            "strerror": exc.strerror,
            "filename": exc.filename if isinstance(exc.filename, str) else None,
            "digest": result.digest,
            "seconds": seconds,
        }
    seconds["exports"] = time.perf_counter() - started
    return {"ok": True, "digest": result.digest, "files": files, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="registry build 的下载文件进程（由构建启动）")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    answer = make(args.data, args.config, args.today, args.out, args.parent)
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
