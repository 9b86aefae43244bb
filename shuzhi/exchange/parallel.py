"""Run a pure function over slices of a large sheet in forked processes, one per core.

Checking 290,000 roster rows is pure Python; two cores halve it. The children inherit the rows
and the reference data by fork (nothing is pickled on the way in), report progress through a
shared counter, and must not touch the database: they are only given the pure check.
"""

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
SliceFunction = Callable[[int, int, Callable[[int], None]], T]

_state: tuple[SliceFunction, Any] | None = None


def workers_available() -> int:
    return max(
        1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


def in_slices(
    func: SliceFunction,
    total: int,
    *,
    workers: int | None = None,
    min_rows: int = 20_000,
    slice_rows: int = 16_000,
    on_progress: Callable[[int], None] | None = None,
    on_result: Callable[[T], None] | None = None,
    poll_seconds: float = 1.0,
) -> Sequence[T]:
    """func(start, stop, progress) for consecutive slices of range(total); results in order.

    There are more slices than workers (about `slice_rows` each), so that `on_result` gets each
    result, in order, as soon as it and those before it are in, while the workers go on with the
    rest: the caller can write what is checked while the remainder is being checked. Small
    inputs, or a machine with one core, run in this process.
    """
    workers = workers or workers_available()
    if workers < 2 or total < min_rows or "fork" not in multiprocessing.get_all_start_methods():
        result = func(0, total, on_progress or (lambda done: None))
        if on_result is not None:
            on_result(result)
        return [result]
    global _state
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    _state = (func, counter)
    step = -(-total // max(workers, -(-total // slice_rows)))
    bounds = [(start, min(start + step, total)) for start in range(0, total, step)]
    results: list[T] = []
    try:
        # no garbage collection in the children, which live for one sheet: it would also write
        # to every object they inherited, and so copy the pages they share with this process
        with context.Pool(min(workers, len(bounds)), initializer=gc.disable) as pool:
            pending = pool.imap(_run_slice, bounds)
            while len(results) < len(bounds):
                try:
                    results.append(pending.next(poll_seconds))
                except multiprocessing.TimeoutError:
                    pass
                else:
                    if on_result is not None:
                        on_result(results[-1])
                if on_progress is not None:
                    on_progress(counter.value)
            return results
    finally:
        _state = None


def _run_slice(bounds: tuple[int, int]):
    assert _state is not None
    func, counter = _state
    reported = 0

    def progress(done: int) -> None:
        nonlocal reported
        with counter.get_lock():
            counter.value += done - reported
        reported = done

    return func(bounds[0], bounds[1], progress)
