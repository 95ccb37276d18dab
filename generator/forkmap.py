"""Pure-Python work spread over the cores, for the build's page loops.

`fork_map(fn, items)` is `[fn(x) for x in items]`, with the items dealt out like cards
(item i to process i mod n, so that runs of heavy items, such as the list pages at the
end of the site, are shared too): the parent computes the first hand, forked children
the others (they inherit the model and templates, nothing is pickled on the way in) and
hand their results back pickled. Same results, same order. A child that fails is not trusted: its part is
computed again in the parent, so an exception surfaces exactly as in a plain loop.
Without `fork` (Windows), with one core, or for a few items, it is the plain loop.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# below this many items a fork costs more than it saves
MIN_ITEMS = 64


def workers() -> int:
    """Processes to use: `REGISTRY_PROCESSES` if set, else the cores this process may use, at most 4."""
    wanted = os.environ.get("REGISTRY_PROCESSES", "")
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), 16)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def split(n: int, parts: int) -> list[range]:
    """`parts` hands dealt from 0..n-1 (item i to hand i mod parts), each item once."""
    parts = max(1, min(parts, n)) if n else 1
    return [range(k, n, parts) for k in range(parts)]


def fork_map(fn: Callable[[T], R], items: Sequence[T], processes: int | None = None) -> list[R]:
    processes = workers() if processes is None else processes
    if processes < 2 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    parts = split(len(items), processes)
    scratch = Path(tempfile.mkdtemp(prefix="registry-fork-"))
    children: list[tuple[int, range, Path]] = []
    try:
        for n, part in enumerate(parts[1:], 1):
            out = scratch / f"{n}.pickle"
            pid = os.fork()
            if pid == 0:  # pragma: no cover — runs in the child, reports through `out`
                code = 1
                try:
                    data = pickle.dumps([fn(items[i]) for i in part], protocol=pickle.HIGHEST_PROTOCOL)
                    out.write_bytes(data)
                    code = 0
                finally:
                    os._exit(code)
            children.append((pid, part, out))
        results: list[Any] = [None] * len(items)
        results[parts[0].start::parts[0].step] = [fn(items[i]) for i in parts[0]]
        for pid, part, out in children:
            _, status = os.waitpid(pid, 0)
            got = _read(out) if os.waitstatus_to_exitcode(status) == 0 else None
            if got is None or len(got) != len(part):
                got = [fn(items[i]) for i in part]
            results[part.start::part.step] = got
        children.clear()
        return results
    finally:
        for pid, _, _ in children:  # the parent failed first: stop the children
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass
        for path in scratch.glob("*"):
            path.unlink()
        scratch.rmdir()


def _read(out: Path) -> list[Any] | None:
    try:
        got = pickle.loads(out.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        return None
    return got if isinstance(got, list) else None
