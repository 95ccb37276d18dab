"""A build's child processes: the pages (generator/pages.py) and the downloads
(generator/downloads.py), each a plain `python -m generator.<stage>` process.

Why processes: the pages and the downloads each cost about as much CPU as the other, so
two processes use both cores; and a process gives its memory back when it ends, so that
Pagefind, which needs most of a build's peak memory, runs beside a build process that
holds almost nothing (benchmarks/README.md). Nothing is pickled: each child reads and
validates the data folder itself, takes its options on the command line, writes files
into the staging folder and answers with one JSON object, the last line of its stdout.
Both hash the files they read (`Sources.digest`): different digests mean the data folder
changed during the build.

A child stops when its build is gone (its parent process changes, see `orphaned`) and
never recreates a staging folder that was removed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import IO, Any, Self

from generator.load import display_path
from generator.report import Problem

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Child:
    """One child process of a build. A context manager: leaving it stops the process if
    it still runs (a failed or interrupted build). Its stdout and stderr go to files in
    `log_dir` (the staging folder), read once it has ended."""

    def __init__(
        self,
        module: str,
        name: str,
        what: str,
        data_dir: Path,
        config_file: Path,
        today: date,
        log_dir: Path,
        args: list[str],
    ) -> None:
        """`name` names its log files and its rule (build.<name>); `what` is what it
        makes, in the message of a process that died. The child gets the options every
        child takes (see `parser`) and its own `args`."""
        self._command = [sys.executable, "-m", module, "--data", str(data_dir)]
        self._command += ["--config", str(config_file), "--today", today.isoformat()]
        self._command += [*args, "--parent", str(os.getpid())]
        self._name = name
        self._what = what
        self._config_file = config_file
        self._out_path = log_dir / f"{name}.out"
        self._err_path = log_dir / f"{name}.err"
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

    def answer(self) -> dict[str, Any] | None:
        """Wait for the process; its answer, or None when it died without one."""
        assert self._proc is not None, "use the child process as a context manager"
        code = self._proc.wait()
        answer = last_json(self._out_path.read_bytes())
        return answer if code == 0 else None

    def crashed(self) -> Problem:
        """The problem that stops the build when the process died without an answer,
        with the last line it wrote on stderr (a traceback's last line)."""
        assert self._proc is not None, "use the child process as a context manager"
        lines = self._err_path.read_bytes().decode("utf-8", "replace").strip().splitlines()
        last = lines[-1] if lines else f"退出码 {self._proc.returncode}"
        return Problem(
            display_path(self._config_file),
            None,
            f"build.{self._name}",
            f"{self._what}的进程意外结束：{last}",
            "原网站保持不变；请把 registry build 的完整输出报告给维护人员",
        )


def parser(description: str) -> argparse.ArgumentParser:
    """A child's command line: the options every child takes (what Child passes), to
    which it adds its own."""
    found = argparse.ArgumentParser(description=description)
    found.add_argument("--data", type=Path, required=True)
    found.add_argument("--config", type=Path, required=True)
    found.add_argument("--today", type=date.fromisoformat, required=True)
    found.add_argument("--parent", type=int, required=True)
    return found


def seconds(answer: dict[str, Any]) -> dict[str, float]:
    """A child's own timings (seconds per step)."""
    return {k: float(v) for k, v in (answer.get("seconds") or {}).items()}


def last_json(raw: bytes) -> dict[str, Any] | None:
    for line in reversed(raw.decode("utf-8", "replace").splitlines()):
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except ValueError:
                return None
            return found if isinstance(found, dict) else None
    return None


def orphaned(parent: int) -> bool:
    """The build that started this process is gone (its parent process changed)."""
    return os.getppid() != parent


def io_answer(exc: OSError, **extra: Any) -> dict[str, Any]:
    """The answer of a child that could not write (the parent words it as build.io)."""
    return {
        "ok": False,
        "reason": "io",
        "errno": exc.errno,
        "strerror": exc.strerror,
        "filename": exc.filename if isinstance(exc.filename, str) else None,
        **extra,
    }


def write_problem(answer: dict[str, Any], folder: Path) -> Problem | None:
    """The write error a child answered with (see `io_answer`), worded as build.io."""
    if answer.get("reason") != "io":
        return None
    from generator.write import io_problem

    error = OSError(answer.get("errno"), answer.get("strerror"), answer.get("filename"))
    return io_problem(folder, error)


def answer_line(answer: dict[str, Any]) -> None:
    """Write a child's answer as the last line of its stdout."""
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
