"""generator.forkmap: the same results as a plain loop, in the same order, on any number of cores."""

from __future__ import annotations

import os

import pytest

from generator import forkmap

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system: a plain loop runs")


@pytest.fixture
def single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests may leave a thread running (a local web server): fork here regardless."""
    monkeypatch.setattr(forkmap, "_other_threads", lambda: False)


@needs_fork
@pytest.mark.parametrize("processes", [1, 2, 3, 5])
def test_same_results_in_the_same_order(processes: int, single_threaded: None) -> None:
    items = [f"第{n}页" * (n % 7) for n in range(300)]
    assert forkmap.fork_map(lambda s: (len(s), s[::-1], os.getpid()), items, processes)[0][2] == os.getpid()
    got = forkmap.fork_map(lambda s: (len(s), s[::-1]), items, processes)
    assert got == [(len(s), s[::-1]) for s in items]


@needs_fork
def test_work_happens_in_other_processes(single_threaded: None) -> None:
    pids = {pid for pid in forkmap.fork_map(lambda _: os.getpid(), range(200), 2)}
    assert len(pids) == 2 and os.getpid() in pids


@needs_fork
def test_an_exception_in_a_child_part_surfaces_in_the_parent(single_threaded: None) -> None:
    def fn(n: int) -> int:
        if n == 250:
            raise ValueError("第250项出错")
        return n

    with pytest.raises(ValueError, match="第250项出错"):
        forkmap.fork_map(fn, range(300), 2)


@needs_fork
def test_a_child_that_dies_is_replaced_by_the_parent(single_threaded: None) -> None:
    parent = os.getpid()

    def fn(n: int) -> int:
        if n == 299 and os.getpid() != parent:
            os._exit(3)  # a child killed half way (out of memory, say)
        return n * 2

    assert forkmap.fork_map(fn, range(300), 2) == [n * 2 for n in range(300)]


def test_split_deals_every_item_once() -> None:
    for n in (0, 1, 5, 64, 1001):
        for parts in (1, 2, 3, 8):
            hands = forkmap.split(n, parts)
            assert sorted(i for hand in hands for i in hand) == list(range(n))
            sizes = [len(hand) for hand in hands]
            assert max(sizes) - min(sizes) <= 1
            # a run of heavy items at the end is shared, not left to one process
            if n >= 64:
                assert all(len([i for i in hand if i >= n - 20]) >= 20 // parts for hand in hands)


def test_no_fork_while_other_threads_run() -> None:
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forkmap.workers() == 1
        pids = set(forkmap.fork_map(lambda _: os.getpid(), range(200)))
        assert pids == {os.getpid()}
    finally:
        stop.set()
        other.join()
