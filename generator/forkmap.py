"""Pure-Python work spread over the cores, for the build's page loops.

`fork_map(fn, items)` is `[fn(x) for x in items]`, with the items dealt out like cards
(item i to process i mod n, so that runs of heavy items, such as the list pages at the
end of the site, are shared too): the parent computes the first hand, forked children
the others (they inherit the model and templates, nothing is pickled on the way in) and
hand their results back pickled (`Children`, which generator.mkbuild uses too). Same
results, same order. A child that fails is not trusted: its hand is computed again in
the parent, so an exception surfaces exactly as in a plain loop. Without `fork`
(Windows), with one core, or for a few items, it is the plain loop.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# below this many items a fork costs more than it saves
MIN_ITEMS = 64


def workers() -> int:
    """Processes to use: `REGISTRY_PROCESSES` if set, else the cores this process may use, at most 4.

    1 whenever this process runs other threads (the live preview's server, say): a fork
    copies only the calling thread, and a lock another thread holds would stay locked
    in the child for ever.
    """
    if _other_threads():
        return 1
    wanted = os.environ.get("REGISTRY_PROCESSES", "")
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), 16)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _other_threads() -> bool:
    return threading.active_count() > 1


def split(n: int, parts: int) -> list[range]:
    """`parts` hands dealt from 0..n-1 (item i to hand i mod parts), each item once."""
    parts = max(1, min(parts, n)) if n else 1
    return [range(k, n, parts) for k in range(parts)]


class Children:
    """Forked children that each compute one thing and hand it back pickled.

    `start(work)` forks a child that runs `work()` and exits; `results()` waits for them
    in the order they were started and gives each one's result, or None for a child
    that failed (an exception, a kill, a result that does not pickle). Used as a
    context manager: children still running when the block is left (the parent failed
    first) are stopped, and the scratch folder is removed.
    """

    def __init__(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="registry-fork-"))
        self.running: list[tuple[int, Path]] = []

    def start(self, work: Callable[[], Any]) -> None:
        out = self.scratch / f"{len(self.running)}.pickle"
        pid = os.fork()
        if pid == 0:  # pragma: no cover — runs in the child, reports through `out`
            code = 1  # an exception: no result, the parent knows it failed
            try:
                out.write_bytes(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
                code = 0
            finally:
                os._exit(code)
        self.running.append((pid, out))

    def results(self) -> list[Any]:
        found = []
        while self.running:
            pid, out = self.running.pop(0)
            _, status = os.waitpid(pid, 0)
            found.append(_read(out) if os.waitstatus_to_exitcode(status) == 0 else None)
        return found

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        for pid, _out in self.running:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
        self.running.clear()
        for path in self.scratch.glob("*"):
            path.unlink()
        self.scratch.rmdir()


def fork_map(fn: Callable[[T], R], items: Sequence[T], processes: int | None = None) -> list[R]:
    processes = workers() if processes is None else processes
    if processes < 2 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    parts = split(len(items), processes)
    with Children() as children:
        for part in parts[1:]:
            children.start(partial(_apply, fn, items, part))
        results: list[Any] = [None] * len(items)
        results[parts[0].start::parts[0].step] = _apply(fn, items, parts[0])
        for part, got in zip(parts[1:], children.results(), strict=True):
            if not isinstance(got, list) or len(got) != len(part):
                got = _apply(fn, items, part)  # that child failed: the same work here
            results[part.start::part.step] = got
        return results


def _apply(fn: Callable[[T], R], items: Sequence[T], part: range) -> list[R]:
    return [fn(items[i]) for i in part]


def _read(out: Path) -> Any:
    try:
        return pickle.loads(out.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        return None
